"""The ``womsim`` command: a thin Hydra wrapper around :func:`sim.run.run`.

In a sweep (``-m``) every job is independent: a job whose directory already holds complete
results for the same config is skipped (resume), and a job that fails writes ``error.json`` and
lets the others go on; the sweep's summary lists failures.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict

from sim.compose import CONFIG_DIR
from sim.errors import UserError
from sim.jobs import config_hash, is_complete, job_dirname, record_failure, sweep_progress
from sim.schema import register_configs

#: the config groups a user chooses from, in the order ``womsim --help`` lists them
USER_GROUPS = ("graph", "model", "strategy", "experiment")


def config_groups() -> str:
    """One line per user-facing config group with its options (``womsim --help``): what
    Hydra's config loader finds (YAML files and ConfigStore nodes), without the typed schemas
    under ``schema/`` that the YAML files extend."""
    from hydra.core.global_hydra import GlobalHydra

    loader = GlobalHydra.instance().config_loader()
    return "\n".join(f"{group}: {', '.join(sorted(loader.get_group_options(group)))}"
                     for group in USER_GROUPS)


register_configs()
if not OmegaConf.has_resolver("womsim_jobdir"):
    OmegaConf.register_new_resolver("womsim_jobdir", job_dirname)
if not OmegaConf.has_resolver("womsim_groups"):
    OmegaConf.register_new_resolver("womsim_groups", config_groups)


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="config")
def main(cfg: DictConfig) -> None:
    """Run one simulation and write metrics.json, timeseries.csv and timeseries.png."""
    hc = HydraConfig.get()
    outdir = Path(hc.runtime.output_dir)
    if hc.mode == RunMode.MULTIRUN:
        if cfg.get("threads") is None:  # the launcher already runs jobs side by side
            with open_dict(cfg):
                cfg.threads = 1
        run_sweep_job(cfg, outdir, list(hc.overrides.task), Path(hc.sweep.dir))
    else:
        run_single(cfg, outdir)


def run_single(cfg: DictConfig, outdir: Path) -> None:
    """A single run: user mistakes end the command with a one-line error (exit status 2)."""
    try:
        execute(cfg, outdir)
    except UserError as err:
        print(f"womsim: error: {err}", file=sys.stderr)
        sys.exit(2)


def run_sweep_job(cfg: DictConfig, outdir: Path, overrides: list[str], sweep_dir: Path) -> None:
    """One job of a sweep: skip if complete, record a failure instead of raising, and print
    one progress line (jobs finished so far / jobs in the sweep)."""
    label = " ".join(overrides) or "(default)"
    if cfg.resume and is_complete(outdir, cfg):
        print(f"[womsim {sweep_progress(sweep_dir)}] skipped, already complete: {label}",
              flush=True)
        return
    (outdir / "error.json").unlink(missing_ok=True)
    start = time.perf_counter()
    try:
        execute(cfg, outdir)
    except Exception as err:  # noqa: BLE001 - one job's failure must not stop the sweep
        record_failure(outdir, err, overrides)
        print(f"[womsim {sweep_progress(sweep_dir)}] FAILED: {label}: {type(err).__name__}: "
              f"{err}", file=sys.stderr, flush=True)
        return
    print(f"[womsim {sweep_progress(sweep_dir)}] done in {time.perf_counter() - start:.1f}s: "
          f"{label}", flush=True)


def execute(cfg: DictConfig, outdir: Path) -> None:
    """Run the simulation described by ``cfg`` and write its outputs into ``outdir``."""
    from sim.report.files import save_timeseries_png
    from sim.report.summary import summary_table
    from sim.run import run, write_outputs

    result = run(cfg, progress=True)
    result.metrics["config_hash"] = config_hash(cfg)
    if cfg.output.plot:
        title = f"{result.metrics['graph']}, seed {cfg.seed}"
        save_timeseries_png(result.timeseries, outdir / "timeseries.png", title)
    write_outputs(result, outdir)  # metrics.json last: its presence marks a complete job
    if cfg.output.summary:
        print(summary_table(result.metrics))
        print(f"results: {outdir}")


if __name__ == "__main__":
    main()
