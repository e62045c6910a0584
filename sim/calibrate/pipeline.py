"""One calibration from its file to its results: read the series, check, fit (ABC-SMC or the
Optuna point fit, resumable), draw the posterior predictive band, compare with the Bass model,
write. :func:`calibrate` is what ``womsim-calibrate`` calls.

The output directory holds ``calibration.json`` (the calibration, its digest, the time spent),
the fit's database (``abc.db`` or ``optuna.db``), ``posterior.parquet`` (the parameter sets and
their weights), ``fit.csv`` (each parameter's median and 90 % interval), ``predictive.parquet``
(the band), ``figures/``, ``experiment/calibrated.yaml`` and ``report.md``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.calibrate.bass import BassFit, fit_bass
from sim.calibrate.export import calibrated_values, interval_notes, write_experiment
from sim.calibrate.observed import Observed, read_observed
from sim.calibrate.plots import plot_band, plot_marginal
from sim.calibrate.posterior import band, coverage, draw, predictive_runs, summarize
from sim.calibrate.simulate import SeriesDistance, SeriesModel, flatten
from sim.calibrate.spec import Spec, SpecError
from sim.io import atomic_write, atomic_write_json, atomic_write_text
from sim.sensitivity.evaluate import check_ranges
from sim.sensitivity.report import save_figure


@dataclass
class CalibrationResult:
    """What a calibration found and wrote."""

    spec: Spec
    outdir: Path
    summary: pd.DataFrame
    band: pd.DataFrame
    experiment: Path
    report: Path
    facts: dict[str, Any]
    bass: BassFit | None


def code_version() -> str:
    """womsim's version and results revision: a fit made by another womsim is not resumed."""
    from sim import __version__
    from sim.jobs import RESULTS_REVISION

    return f"womsim {__version__} results revision {RESULTS_REVISION}"


def prepare(spec: Spec) -> tuple[Spec, Observed, SeriesModel, SeriesDistance]:
    """Read the series and check the spec against womsim before any run: keys exist and hold
    numbers, the priors' ends are values womsim accepts, the series fits in the run."""
    observed = read_observed(spec.data)
    model = SeriesModel(spec, observed)
    integer = model.check()
    spec = replace(spec, parameters=tuple(replace(p, integer=integer.get(p.key, False))
                                          for p in spec.parameters))
    model = SeriesModel(spec, observed)
    model.check()
    config = [p for p in spec.parameters if p.is_config]
    if config:
        ends = np.array([[p.low for p in config], [p.high for p in config]])
        check_ranges(model.evaluator, [p.key for p in config], ends)
    return spec, observed, model, SeriesDistance(observed)


def open_outdir(spec: Spec, outdir: Path, digest: str) -> dict[str, Any]:
    """The record in ``outdir/calibration.json`` (created for a new calibration); a directory
    holding another calibration's fit is refused."""
    path = outdir / "calibration.json"
    if path.exists():
        try:
            record = json.loads(path.read_text())
        except ValueError:
            record = {}
        if record.get("digest") != digest:
            raise SpecError(f"{outdir} holds another calibration (other data, priors, method "
                            "or womsim version); give another --out or remove the directory")
        return record
    record = {"digest": digest, "code": code_version(), "spec": spec.record(),
              "fit_seconds": 0.0}
    outdir.mkdir(parents=True, exist_ok=True)
    atomic_write_json(path, record)
    return record


def calibrate(spec: Spec, outdir: str | Path, *, workers: int = 1, quiet: bool = False,
              command: str = "") -> CalibrationResult:
    """Fit ``spec`` into ``outdir`` (resuming a fit found there), then its predictive band,
    figures, calibrated experiment and report.

    Parameters
    ----------
    spec : Spec
        As :func:`sim.calibrate.spec.load_spec` read it.
    outdir : path
        The calibration's directory.
    workers : int
        Processes side by side (1: in this process).
    quiet : bool
        No progress lines from pyabc or Optuna.
    command : str
        The command line, for the report.
    """
    outdir = Path(outdir)
    spec, observed, model, distance = prepare(spec)
    digest = spec.digest(Path(spec.data).read_text(), code_version())
    record = open_outdir(spec, outdir, digest)

    start = time.perf_counter()
    facts: dict[str, Any] = {"method": spec.method, "workers": workers}
    if spec.method == "abc":
        from sim.calibrate.smc import generations, posterior, run_smc

        history = run_smc(spec, model, distance, outdir, workers=workers, quiet=quiet)
        frame, weights = posterior(history)
        gens = generations(history)
        facts.update(generations=len(gens), runs=int(gens["runs"].sum()),
                     epsilon=float(gens["epsilon"].iloc[-1]))
        atomic_write_text(outdir / "generations.csv", gens.to_csv(index=False))
        summary = summarize(frame, weights, spec)
        draws = draw(frame, weights, spec.predictive, spec.seed)
        point = dict(zip(summary["parameter"], summary["median"], strict=True))
    else:
        from sim.calibrate.point import best_and_spread, run_point_fit

        study = run_point_fit(spec, model, distance, outdir, workers=workers, quiet=quiet)
        point, top = best_and_spread(study, spec)
        frame, weights = top[spec.names], np.full(len(top), 1.0 / len(top))
        summary = summarize(frame, weights, spec)
        summary["median"] = [point[k] for k in summary["parameter"]]  # the point itself
        summary["q05"] = [top[k].min() for k in summary["parameter"]]
        summary["q95"] = [top[k].max() for k in summary["parameter"]]
        facts.update(trials=len(study.trials), runs=len(study.trials) * spec.seeds,
                     best_distance=float(study.best_value))
        draws = [dict(point)] * spec.predictive
    record["fit_seconds"] = float(record.get("fit_seconds", 0.0)) + time.perf_counter() - start
    facts["fit_seconds"] = record["fit_seconds"]

    start = time.perf_counter()
    runs = predictive_runs(model, draws, workers=workers)
    table = band(observed, runs)
    facts["predictive_seconds"] = time.perf_counter() - start
    facts["coverage"] = coverage(table)
    facts["predictive_distance"] = float(np.median(
        [distance.between(flatten(r, observed)) for r in runs]))
    record.update(facts=facts)
    atomic_write_json(outdir / "calibration.json", record)

    bass = None
    if spec.compare_bass and "new_customers" in observed.columns:
        bass = fit_bass(observed.index, observed.values["new_customers"])
    fitted = calibrated_values(spec, point, model.integer)
    experiment = write_experiment(outdir, spec, model.overrides, fitted,
                                  interval_notes(summary))
    posterior_table = frame.assign(weight=weights)
    atomic_write(outdir / "posterior.parquet",
                 lambda tmp: posterior_table.to_parquet(tmp, index=False))
    atomic_write(outdir / "predictive.parquet", lambda tmp: table.to_parquet(tmp, index=False))
    atomic_write_text(outdir / "fit.csv", summary.to_csv(index=False, float_format="%.6g"))
    write_figures(outdir, spec, observed, table, frame, weights, summary, bass)
    report = atomic_write_text(outdir / "report.md",
                               report_markdown(spec, observed, summary, table, facts, bass,
                                               experiment, outdir, command))
    return CalibrationResult(spec, outdir, summary, table, experiment, report, facts, bass)


def write_figures(outdir: Path, spec: Spec, observed: Observed, table: pd.DataFrame,
                  frame: pd.DataFrame, weights: np.ndarray, summary: pd.DataFrame,
                  bass: BassFit | None) -> list[Path]:
    """``figures/fit_<series>.png`` per observed column and ``figures/posterior.png``."""
    paths = []
    for column in observed.columns:
        line = bass.adopters(observed.index) if bass and column == "new_customers" else None
        ax = plot_band(table, column, bass=line, unit=observed.unit)
        ax.set_title(f"{spec.name}: {column.replace('_', ' ')}")
        paths.append(save_figure(ax, outdir / "figures" / f"fit_{column}.png"))
    figure = Figure(figsize=(3.2 * len(spec.parameters), 2.8))
    axes = figure.subplots(1, len(spec.parameters), squeeze=False)[0]
    for ax, p, row in zip(axes, spec.parameters, summary.itertuples(), strict=True):
        plot_marginal(frame[p.key].to_numpy(), weights, p.key, ax=ax, bounds=(p.low, p.high),
                      interval=(row.q05, row.q95))
    paths.append(save_figure(axes[0], outdir / "figures" / "posterior.png"))
    return paths


def _rmse(a: np.ndarray, b: np.ndarray) -> float:
    keep = ~np.isnan(b)
    return float(np.sqrt(np.mean((a[keep] - b[keep]) ** 2)))


def report_markdown(spec: Spec, observed: Observed, summary: pd.DataFrame, table: pd.DataFrame,
                    facts: dict[str, Any], bass: BassFit | None, experiment: Path,
                    outdir: Path, command: str) -> str:
    """The calibration's page: what was fitted to what, the fitted values with intervals, the
    fit against the data (and against the Bass model), the time it took and how to run it."""
    method = ("ABC-SMC (pyabc)" if spec.method == "abc"
              else "an Optuna point fit (TPE)")
    rows, first, last = len(observed.index), observed.index[0], observed.index[-1]
    lines = [f"# Calibration: {spec.name}", "",
             f"{method} of {len(spec.parameters)} parameters to {observed.path}: "
             f"{', '.join(observed.columns)}, {rows} rows of {observed.unit}s {first} to {last}"
             + (f" ({spec.steps_per_period} model days a {observed.unit})"
                if observed.unit == "period" else "") + ".", ""]
    if command:
        lines += ["```", command, "```", ""]
    if spec.method == "abc":
        lines.append(f"{facts['generations']} generations of {spec.population} particles, "
                     f"{facts['runs']:,} runs, final threshold {facts['epsilon']:.4f}; ")
    else:
        lines.append(f"{facts['trials']} trials of {spec.seeds} seeds each, best distance "
                     f"{facts['best_distance']:.4f}; ")
    lines[-1] += (f"{facts['fit_seconds'] / 60:.1f} min to fit and "
                  f"{facts['predictive_seconds']:.0f} s for {spec.predictive} predictive runs "
                  f"with {facts['workers']} worker(s).")
    interval = ("90% posterior interval" if spec.method == "abc"
                else "range of the best 10% of trials")
    point = "posterior median" if spec.method == "abc" else "best trial"
    lines += ["", f"| parameter | {point} | {interval} | prior |", "|---|---|---|---|"]
    for r in summary.itertuples():
        lines.append(f"| `{r.parameter}` | {r.median:.4g} | {r.q05:.4g} to {r.q95:.4g} | "
                     f"{r.prior} on [{r.prior_low:g}, {r.prior_high:g}] |")
    lines += ["", f"{facts['coverage']:.0%} of the observed values lie inside the 90% "
              "predictive band; the predictive runs' median distance to the data is "
              f"{facts['predictive_distance']:.4f} (sim.calibrate.simulate: the mean over "
              "columns of the RMSE over the largest value, counts as running totals)."]
    for column in observed.columns:
        lines += ["", f"![{column}](figures/fit_{column}.png)"]
    if bass is not None:
        obs = observed.values["new_customers"]
        median = table[table["series"] == "new_customers"]["median"].to_numpy()
        lines += ["", "Against the Bass model fitted by least squares to the same series:", "",
                  "| model | parameters | RMSE of new customers |", "|---|---|---|",
                  f"| Bass | m = {bass.m:,.0f}, p = {bass.p:.4f}, q = {bass.q:.3f} "
                  f"(R² {bass.r2:.3f}) | {bass.rmse:,.1f} |",
                  f"| womsim (predictive median) | {len(spec.parameters)} fitted, above | "
                  f"{_rmse(median, obs):,.1f} |"]
    lines += ["", "![posterior](figures/posterior.png)", "",
              "The calibrated configuration (the " + point + " of each parameter):", "",
              "```", f"womsim --config-dir {outdir} +experiment=calibrated", "```", "",
              f"({experiment.relative_to(outdir)}; its comments give the same run as "
              "command-line overrides.)"]
    return "\n".join(lines) + "\n"
