"""What an optimisation leaves in its output directory, and what it prints.

- ``trials.parquet``: every trial (:func:`trials_table`);
- ``pareto.png``: the objectives of every trial and the Pareto front (:func:`plot_pareto`);
- ``importance.png``: how much each parameter mattered for each objective (PED-ANOVA,
  :func:`importances`, :func:`plot_importance`);
- ``top_plans.md`` and ``top_plans.csv``: the confirmed plans, ranked, with their intervals
  and the ``womsim`` command of each (:func:`top_plans_table`, :func:`top_plans_markdown`).

Plot functions take a table and an optional ``ax`` and return the Axes; only
:func:`write_figure` writes files.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from optuna.trial import TrialState

from sim.io import atomic_write, atomic_write_text
from sim.optimize.confirm import Confirmation, ConfirmedPlan, Interval, paired
from sim.optimize.evaluate import command
from sim.optimize.objectives import Objective
from sim.optimize.space import Space, format_value
from sim.optimize.study import is_feasible, pareto_mask

#: fewest complete trials for which parameter importance is computed
MIN_TRIALS_FOR_IMPORTANCE = 6


def trials_table(study: optuna.Study, space: Space, objectives: Sequence[Objective]
                 ) -> pd.DataFrame:
    """One row per trial: ``number``, ``state``, ``feasible``, ``pareto`` (on the front of the
    feasible trials), each parameter (``split.*`` and the space's keys; categorical values as
    their override text), each share (``share.<strategy>``), each objective's mean over the
    seeds and its standard error (``<metric>``, ``<metric>_se``), ``cost`` (mean spend),
    ``cost_max`` (the most spent on one seed), ``budget``, ``seconds``, ``error``,
    ``retry_of`` (the interrupted trial it runs again)."""
    trials = study.get_trials(deepcopy=False)
    front = pareto_mask(trials, objectives)
    categorical = {p.key for p in space.params if p.type == "categorical"}
    rows = []
    for trial, on_front in zip(trials, front, strict=True):
        row: dict[str, Any] = {"number": trial.number, "state": trial.state.name,
                               "feasible": is_feasible(trial) if trial.state ==
                               TrialState.COMPLETE else None, "pareto": on_front}
        for name in space.split_params + tuple(p.key for p in space.params):
            value = trial.params.get(name)
            row[name] = format_value(value) if name in categorical and name in trial.params \
                else value
        shares = trial.user_attrs.get("shares", {})
        for name in space.split:
            row[f"share.{name}"] = shares.get(name)
        complete = trial.state == TrialState.COMPLETE
        for i, o in enumerate(objectives):
            row[o.name] = trial.values[i] if complete else None
            row[f"{o.name}_se"] = trial.user_attrs.get(f"{o.name}_se") if complete else None
        row["cost"] = trial.user_attrs.get("cost")
        row["cost_max"] = trial.user_attrs.get("cost_max")
        row["budget"] = space.budget
        row["seconds"] = trial.user_attrs.get("seconds")
        row["error"] = trial.user_attrs.get("error")
        row["retry_of"] = trial.user_attrs.get("retry_of")
        rows.append(row)
    table = pd.DataFrame(rows)
    for name in categorical:
        if name in table:
            table[name] = table[name].astype("string")
    return table


def write_table(table: pd.DataFrame, path: Path) -> Path:
    """Write ``table`` as Parquet (``.parquet``) or CSV, atomically."""
    if path.suffix == ".parquet":
        return atomic_write(path, lambda tmp: table.to_parquet(tmp, index=False))
    buf = io.StringIO()
    table.to_csv(buf, index=False)
    return atomic_write_text(path, buf.getvalue())


def write_figure(ax: Axes, path: Path) -> Path:
    """Save the figure of ``ax`` to ``path`` atomically."""
    figure = ax.figure
    figure.tight_layout()
    return atomic_write(path, lambda tmp: figure.savefig(tmp, dpi=120, format=path.suffix[1:]))


def plot_pareto(trials: pd.DataFrame, objectives: Sequence[Objective], *,
                top: Sequence[int] = (), ax: Axes | None = None) -> Axes:
    """The first two objectives of every complete trial (a table of :func:`trials_table`):
    feasible trials as dots, infeasible ones as crosses, the Pareto front joined, the ``top``
    trials labelled. With one objective: its value by trial number and the best so far."""
    if ax is None:
        ax = Figure(figsize=(7, 5)).add_subplot()
    done = trials[trials["state"] == "COMPLETE"]
    feasible = done[done["feasible"].astype(bool)]
    infeasible = done[~done["feasible"].astype(bool)]
    first = objectives[0]
    if len(objectives) == 1:
        ax.scatter(feasible["number"], feasible[first.name], s=18, color="tab:blue",
                   label="feasible trial")
        if len(infeasible):
            ax.scatter(infeasible["number"], infeasible[first.name], marker="x",
                       color="tab:red", label="over budget")
        if len(feasible):
            ordered = feasible.sort_values("number")
            best = ordered[first.name].cummax() if first.maximise else ordered[first.name].cummin()
            ax.step(ordered["number"], best, where="post", color="black", label="best so far")
        ax.set_xlabel("trial")
        ax.set_ylabel(first.metric.axis_label)
        ax.set_title(f"{first.metric.title} of every trial (mean over seeds)")
    else:
        x, y = objectives[0], objectives[1]
        ax.scatter(feasible[x.name], feasible[y.name], s=18, color="tab:gray", alpha=0.7,
                   label="feasible trial")
        if len(infeasible):
            ax.scatter(infeasible[x.name], infeasible[y.name], marker="x", color="tab:red",
                       label="over budget")
        front = feasible[feasible["pareto"].astype(bool)].sort_values(x.name)
        ax.errorbar(front[x.name], front[y.name], xerr=front[f"{x.name}_se"],
                    yerr=front[f"{y.name}_se"], fmt="o-", color="tab:blue", ms=5, lw=1,
                    capsize=2, label="Pareto front (± 1 s.e.)")
        ax.set_xlabel(x.metric.axis_label)
        ax.set_ylabel(y.metric.axis_label)
        extra = f" (first two of {len(objectives)} objectives)" if len(objectives) > 2 else ""
        ax.set_title(f"Trials and the Pareto front{extra}")
    for rank, number in enumerate(top, start=1):
        row = done[done["number"] == number]
        if len(row):
            xv = row["number"] if len(objectives) == 1 else row[objectives[0].name]
            yv = row[objectives[0].name] if len(objectives) == 1 else row[objectives[1].name]
            ax.annotate(f"#{rank}", (float(xv.iloc[0]), float(yv.iloc[0])),
                        textcoords="offset points", xytext=(5, 5), fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    return ax


def importances(study: optuna.Study, objectives: Sequence[Objective]
                ) -> dict[str, dict[str, float]]:
    """Each parameter's importance for each objective (PED-ANOVA, normalised to sum to 1),
    from the complete trials: how much the parameter's distribution among the best trials
    differs from its distribution among all. Empty with fewer than
    :data:`MIN_TRIALS_FOR_IMPORTANCE` complete trials."""
    complete = [t for t in study.get_trials(deepcopy=False) if t.state == TrialState.COMPLETE]
    if len(complete) < MIN_TRIALS_FOR_IMPORTANCE:
        return {}
    # the top quantile should hold 5 trials or more (Optuna's advice for PED-ANOVA)
    quantile = min(0.5, max(0.1, 5 / len(complete)))
    evaluator = optuna.importance.PedAnovaImportanceEvaluator(target_quantile=quantile)
    out = {}
    for i, o in enumerate(objectives):
        sign = -1.0 if o.maximise else 1.0  # PED-ANOVA ranks lower targets as better
        with warnings.catch_warnings():
            # it warns that a target is ranked low-is-better: the sign above sees to that
            warnings.filterwarnings("ignore", message=".*computes the importances of params.*")
            out[o.name] = optuna.importance.get_param_importances(
                study, evaluator=evaluator, target=lambda t, i=i, sign=sign: sign * t.values[i])
    return out


def plot_importance(table: dict[str, dict[str, float]], objectives: Sequence[Objective], *,
                    ax: Axes | None = None) -> Axes:
    """Horizontal bars: each parameter's importance (a table of :func:`importances`), one
    colour per objective."""
    if ax is None:
        ax = Figure(figsize=(7, 4.5)).add_subplot()
    params = sorted({p for values in table.values() for p in values},
                    key=lambda p: -max(values.get(p, 0.0) for values in table.values()))
    height = 0.8 / max(1, len(table))
    ys = np.arange(len(params))
    for k, o in enumerate(o for o in objectives if o.name in table):
        ax.barh(ys + k * height, [table[o.name].get(p, 0.0) for p in params], height=height,
                label=o.metric.label)
    ax.set_yticks(ys + height * (len(table) - 1) / 2, params)
    ax.invert_yaxis()
    ax.set_xlabel("importance (PED-ANOVA, sums to 1 per objective)")
    ax.set_title("Which parameters mattered")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    return ax


def describe(plan: ConfirmedPlan, space: Space) -> str:
    """A plan in a few words: its shares, then each parameter (without ``strategy.``)."""
    words = [f"{name} {100 * share:.1f}%" for name, share in plan.shares.items()]
    text = ", ".join(words)
    params = [f"{p.key.removeprefix('strategy.')}={format_value(plan.params[p.key])}"
              for p in space.params]
    return text + ("; " + ", ".join(params) if params else "")


def _interval(o: Objective, iv: Interval | None, *, delta: bool = False) -> str:
    if iv is None or math.isnan(iv.mean):
        return "n/a"
    fmt = o.metric.format_delta if delta else o.format
    if math.isnan(iv.low):
        return fmt(iv.mean)
    return f"{fmt(iv.mean)} [{fmt(iv.low)}, {fmt(iv.high)}]"


def sweep_command(plan: ConfirmedPlan, seeds: Sequence[int]) -> str:
    """The ``womsim -m`` command that runs ``plan`` on all of ``seeds`` (consecutive)."""
    import shlex

    words = ["-m", *plan.overrides, f"seed=range({seeds[0]},{seeds[-1] + 1})"]
    return "womsim " + " ".join(shlex.quote(w) for w in words)


def top_plans_table(result: Confirmation, space: Space, objectives: Sequence[Objective]
                    ) -> pd.DataFrame:
    """One row per confirmed plan, ranked: rank, trial, search rank, shares, parameters, per
    objective the search mean and s.e., the fresh mean with its 95 % interval, the paired
    difference against the baseline and the plan minus the first plan (mean, low, high), the most
    spent on a fresh seed, and the ``womsim`` command of its first fresh seed."""
    rows = []
    best = result.plans[0] if result.plans else None
    for rank, plan in enumerate(result.plans, start=1):
        row: dict[str, Any] = {"rank": rank, "trial": plan.trial,
                               "search_rank": plan.search_rank}
        row |= {f"share.{name}": share for name, share in plan.shares.items()}
        row |= {p.key: format_value(plan.params[p.key]) if p.type == "categorical"
                else plan.params[p.key] for p in space.params}
        for o in objectives:
            row[f"{o.name}_search"], row[f"{o.name}_search_se"] = plan.search[o.name]
            for label, iv in (("", plan.intervals.get(o.name)),
                              ("_vs_baseline", plan.vs_baseline.get(o.name)),
                              ("_vs_first", _versus(best, plan, o.name))):
                row[f"{o.name}{label}"] = iv.mean if iv else None
                row[f"{o.name}{label}_low"] = iv.low if iv else None
                row[f"{o.name}{label}_high"] = iv.high if iv else None
        row["cost_max"] = max(plan.fresh.cost) if plan.fresh.cost else None
        row["error"] = plan.fresh.error
        row["command"] = command(plan.overrides, result.seeds[0])
        rows.append(row)
    return pd.DataFrame(rows)


def _versus(best: ConfirmedPlan | None, plan: ConfirmedPlan, name: str) -> Interval | None:
    """``plan`` minus ``best`` on ``name``, paired by seed (None for the best itself)."""
    if best is None or plan is best or plan.fresh.error or best.fresh.error:
        return None
    return paired(plan.fresh.values[name], best.fresh.values[name])


def top_plans_lines(result: Confirmation, space: Space, objectives: Sequence[Objective]
                    ) -> list[str]:
    """The confirmed plans as the command prints them: per plan its parameters, each
    objective on the fresh seeds with its 95 % interval (and on the search seeds), the
    paired difference against no plan, and its ``womsim`` command."""
    seeds = result.seeds
    lines = [f"Top plans, re-run on fresh seeds {seeds[0]}..{seeds[-1]} "
             f"(mean [95% interval]; vs no plan: paired by seed):"]
    if result.baseline.error is not None:
        lines.append(f"The scenario without a plan could not be run: {result.baseline.error}")
    for rank, plan in enumerate(result.plans, start=1):
        lines.append(f"{rank}. trial {plan.trial}: {describe(plan, space)}")
        if plan.fresh.error is not None:
            lines.append(f"   not confirmed: {plan.fresh.error}")
        for o in objectives:
            if o.name not in plan.intervals:
                continue
            mean, se = plan.search[o.name]
            lines.append(f"   {o.metric.label}: {_interval(o, plan.intervals[o.name])} "
                         f"(search {o.format(mean)} ± {o.format(se)}); vs no plan "
                         f"{_interval(o, plan.vs_baseline.get(o.name), delta=True)}")
        if plan.fresh.cost and max(plan.fresh.cost) > space.budget + 1e-9:
            lines.append(f"   over budget on a fresh seed: spent {max(plan.fresh.cost):,.2f} > "
                         f"{space.budget:,.2f}")
        lines.append(f"   {command(plan.overrides, seeds[0])}")
    return lines


def top_plans_markdown(result: Confirmation, space: Space, objectives: Sequence[Objective],
                       *, trials: int) -> str:
    """top_plans.md: the ranked table, the paired differences between the plans, and each
    plan's commands."""
    seeds, first = result.seeds, objectives[0]
    search = space.search_seeds
    out = [f"# Top plans: {space.name}", ""]
    if space.description:
        out += [space.description, ""]
    out += [f"{trials} trials, each on seeds {search[0]}..{search[-1]}; the best "
            f"{len(result.plans)} of the Pareto front (by {first.metric.label}) re-run on fresh "
            f"seeds {seeds[0]}..{seeds[-1]}. Mean [95 % interval] over the fresh seeds; "
            f"\"vs no plan\" is the difference against the scenario without any strategy, "
            f"paired by seed (0 for incremental figures). Budget {space.budget:,.2f}.", ""]
    head = ["rank", "trial", "plan"]
    for o in objectives:
        head += [f"{o.metric.label} (search ± s.e.)", f"{o.metric.label} (fresh)", "vs no plan"]
    head += ["max cost"]
    out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for rank, plan in enumerate(result.plans, start=1):
        cells = [str(rank), str(plan.trial), describe(plan, space)]
        for o in objectives:
            mean, se = plan.search[o.name]
            cells += [f"{o.format(mean)} ± {o.format(se)}",
                      _interval(o, plan.intervals.get(o.name)),
                      _interval(o, plan.vs_baseline.get(o.name), delta=True)]
        cells.append(f"{max(plan.fresh.cost):,.2f}" if plan.fresh.cost else "n/a")
        out.append("| " + " | ".join(cells) + " |")
    if result.pairs:
        out += ["", "## The plans against each other", "",
                "Differences on the fresh seeds, paired by seed: mean [95 % interval]. An "
                "interval that holds 0 means the two plans cannot be told apart on these seeds.",
                "", "| | " + " | ".join(o.metric.label for o in objectives) + " |",
                "|---|" + "---|" * len(objectives)]
        for (i, j), diffs in result.pairs.items():
            out.append(f"| #{i + 1} − #{j + 1} | " + " | ".join(
                _interval(o, diffs[o.name], delta=True) for o in objectives) + " |")
    out += ["", "## Commands", "",
            "Each plan on its first fresh seed, then on all of them (a sweep; "
            "`womsim-report` compares the runs):", ""]
    for rank, plan in enumerate(result.plans, start=1):
        out += [f"{rank}. trial {plan.trial}", "", "   ```bash",
                f"   {command(plan.overrides, seeds[0])}",
                f"   {sweep_command(plan, seeds)}", "   ```", ""]
    return "\n".join(out).rstrip() + "\n"
