"""``womsim-report <sweep_dir>`` (or ``python -m sim.report``): build a sweep's report.

Writes report.html (self-contained), report.md, summary.csv, figures/, runs.parquet and
timeseries.parquet into the sweep directory (or ``--out``). Bad input (no such directory, no
finished run, unknown baseline, unknown format) ends with a one-line error and exit status 2. A
sweep some of whose jobs never ran or never finished gets a warning line that counts the jobs
finished, failed and missing (the report lists them under "Failed jobs").
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

PROG = "womsim-report"


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr with exit status 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{PROG}: error: {message}", file=sys.stderr)
        sys.exit(2)


def parser() -> argparse.ArgumentParser:
    """The command's argument parser."""
    p = _Parser(prog=PROG, description="Build the report of a womsim sweep directory: "
                "report.html, report.md, summary.csv, figures/, runs.parquet, "
                "timeseries.parquet.")
    p.add_argument("sweep_dir", help="the sweep directory (hydra.sweep.dir of womsim -m)")
    p.add_argument("--baseline", default=None,
                   help="condition to compare against, or some of its overrides, e.g. "
                        "'strategy=none' (default: the condition with strategy=none if any, "
                        "else the first condition)")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="output directory (default: the sweep directory)")
    p.add_argument("--formats", default="png,svg",
                   help="figure formats, comma-separated, among png, svg, pdf (default: png,svg)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (0 done, 2 bad input, 1 cannot write)."""
    args = parser().parse_args(argv)
    from sim.report.build import build_report, print_progress
    from sim.report.collect import ReportError, sweep_status

    try:
        html = build_report(args.sweep_dir, out=args.out, baseline=args.baseline,
                            formats=args.formats.split(","), progress=print_progress)
        status, missing = sweep_status(args.sweep_dir)
        if missing:
            shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more"
                                               if len(missing) > 3 else "")
            print(f"{PROG}: warning: {status} (missing: {shown}; running the sweep again "
                  "runs them)", file=sys.stderr)
    except ReportError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"{PROG}: error: cannot write the report: {err}", file=sys.stderr)
        return 1
    print(html)
    return 0


if __name__ == "__main__":
    sys.exit(main())
