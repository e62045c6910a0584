"""Hydra callbacks: print a summary table when a sweep ends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback

from sim.io import atomic_write_text
from sim.report.summary import SUMMARY_METRICS, collect_runs, format_table, summarise


class SweepSummary(Callback):
    """At the end of a multirun, collect every job's metrics.json in the sweep directory and
    print the mean and 95% interval of the headline metrics per condition (the overrides other
    than the seed). The table is also written to ``summary.txt`` there."""

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        runs = collect_runs(sweep_dir)
        if runs.empty:
            print(f"no finished runs under {sweep_dir}")
            return
        summary = summarise(runs, SUMMARY_METRICS)
        table = format_table(summary)
        atomic_write_text(sweep_dir / "summary.txt", table + "\n")
        print(f"\n{len(runs)} runs, means with 95% intervals over seeds ({sweep_dir}):")
        print(table)


class SweepReport(Callback):
    """At the end of a multirun, build the sweep's report (report.html, report.md, figures,
    runs.parquet, timeseries.parquet) in the sweep directory.

    Parameters
    ----------
    baseline : str, optional
        The condition that paired differences are taken against (e.g. ``"strategy=none"``).
    """

    def __init__(self, baseline: str | None = None):
        self.baseline = baseline

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        from sim.report.build import build_report

        sweep_dir = Path(config.hydra.sweep.dir)
        try:
            html = build_report(sweep_dir, baseline=self.baseline)
        except (ValueError, OSError) as err:  # e.g. no finished runs: say so, keep the runs
            print(f"womsim: report not built: {err}")
            return
        print(f"report: {html}")
