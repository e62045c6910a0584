"""Build a sweep's report: collect the runs, compute statistics, draw and save the figures, and
write ``report.md``, a self-contained ``report.html`` and ``summary.csv``.

This module only orchestrates, one stage after another with a progress line each:

- :mod:`sim.report.collect` reads the sweep directory into tables;
- :mod:`sim.report.plan` computes the statistics and says which figures the report has;
- :mod:`sim.report.render` saves the figures and renders the document as Markdown and HTML;
- :mod:`sim.report.document` assembles the document's blocks;
- :mod:`sim.report.summary` makes the table of summary.csv.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sim.io import atomic_write_text
from sim.report.collect import collect, resolve_baseline, write_tables
from sim.report.document import report_blocks, report_title, runs_text
from sim.report.plan import compute_stats, figure_specs
from sim.report.render import (
    check_formats,
    remove_stale_figures,
    render_html,
    render_markdown,
    save_figure,
)
from sim.report.summary import summary_frame

__all__ = ["Progress", "build_report", "print_progress"]

Progress = Callable[[str], None]


def print_progress(line: str) -> None:
    """Print one progress line to stderr (the default progress of :func:`build_report`)."""
    print(f"womsim-report: {line}", file=sys.stderr, flush=True)


def build_report(sweep_dir: str | Path, *, out: str | Path | None = None,
                 baseline: str | None = None, formats: Sequence[str] = ("png", "svg"),
                 progress: Progress | None = print_progress) -> Path:
    """Build the report of a sweep directory.

    Writes into ``out``: ``runs.parquet``, ``timeseries.parquet``, ``figures/<name>.<format>``,
    ``summary.csv``, ``report.md`` and ``report.html`` (all atomically).

    Parameters
    ----------
    sweep_dir : str or Path
        The sweep directory (``hydra.sweep.dir`` of a ``womsim -m`` run).
    out : str or Path, optional
        Output directory (default: ``sweep_dir``).
    baseline : str, optional
        Condition to compare against, or some of its overrides (e.g. ``"strategy=none"``).
        Default: the condition with ``strategy=none`` if any, else the first condition.
    formats : sequence of str
        Figure formats among ``png``, ``svg``, ``pdf``.
    progress : callable, optional
        Called with one line per stage (default: print to stderr); None for silence.

    Returns
    -------
    Path
        The path of ``report.html``.

    Raises
    ------
    ReportError
        (a ValueError) when the directory is missing, holds no finished run, the baseline is
        unknown or a format is not supported.
    """
    say = progress or (lambda line: None)
    formats = check_formats(formats)
    out = Path(out) if out is not None else Path(sweep_dir)
    start = time.perf_counter()
    collected = collect(sweep_dir, write=False)
    base = resolve_baseline(collected.conditions, baseline)
    write_tables(collected, out)
    say(f"collected {runs_text(collected)} from {collected.sweep_dir} "
        f"in {time.perf_counter() - start:.1f}s")

    start = time.perf_counter()
    stats = compute_stats(collected, base)
    say(f"statistics against the baseline {collected.labels[base]!r} "
        f"in {time.perf_counter() - start:.1f}s")

    start = time.perf_counter()
    rendered = [save_figure(spec, out / "figures", formats)
                for spec in figure_specs(collected, stats)]
    remove_stale_figures(out / "figures", rendered)
    say(f"{len(rendered)} figures ({', '.join(formats)}) in {out / 'figures'} "
        f"in {time.perf_counter() - start:.1f}s")

    start = time.perf_counter()
    blocks = report_blocks(collected, stats, rendered)
    table = summary_frame(stats.summary, stats.paired, stats.baseline, collected.labels)
    atomic_write_text(out / "summary.csv", table.to_csv(index=False))
    atomic_write_text(out / "report.md", render_markdown(blocks))
    html_path = atomic_write_text(out / "report.html",
                                  render_html(blocks, title=report_title(collected)))
    say(f"wrote report.md, report.html and summary.csv in {out} "
        f"in {time.perf_counter() - start:.1f}s")
    return html_path
