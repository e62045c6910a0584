"""``womsim-sensitivity STUDY`` (or ``python -m sim.sensitivity``): a global sensitivity study.

STUDY is a study file or the name of a preset in ``sim/configs/sensitivity/``. Writes
sensitivity.parquet, evaluations.parquet, figures/ and report.md into ``--out`` (default
``results/sensitivity/<name>``); running the same command again resumes. Bad input ends with a
one-line error and exit status 2; docs/sensitivity.md has the details.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from typing import NoReturn

PROG = "womsim-sensitivity"


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr with exit status 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{PROG}: error: {message}", file=sys.stderr)
        sys.exit(2)


def parser() -> argparse.ArgumentParser:
    """The command's argument parser."""
    p = _Parser(prog=PROG, description="Global sensitivity analysis of womsim with SALib: "
                "Morris screening or Sobol' indices of the metrics over parameter ranges.")
    p.add_argument("study", help="a study file (YAML), or a preset of sim/configs/sensitivity/ "
                                 "(e.g. default_morris)")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="output directory (default: results/sensitivity/<name>); a study run "
                        "again into it resumes")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="processes side by side (default: every core; 1 runs in this process)")
    p.add_argument("--method", choices=("morris", "sobol"), default=None,
                   help="override the study's method")
    p.add_argument("--samples", type=int, default=None,
                   help="override the number of samples (Morris trajectories, Sobol' N)")
    p.add_argument("--seeds", type=int, default=None,
                   help="override the number of seeds each sample is averaged over")
    p.add_argument("--screen", metavar="DIR", default=None,
                   help="take the parameters from the finished Morris study in DIR ...")
    p.add_argument("--top", type=int, default=None,
                   help="... its TOP most influential ones (with --screen)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (0 done, 2 bad input, 1 a run failed)."""
    args = parser().parse_args(argv)
    if (args.screen is None) != (args.top is None):
        parser().error("--screen and --top go together")
    if args.workers < 1:
        parser().error(f"--workers={args.workers}: at least 1")
    from sim.errors import UserError
    from sim.sensitivity.execute import Progress, SampleError
    from sim.sensitivity.pipeline import run_study
    from sim.sensitivity.report import short_summary
    from sim.sensitivity.study import load_study

    screen = {"study": args.screen, "top": args.top} if args.screen else None
    try:
        study = load_study(args.study, method=args.method, samples=args.samples,
                           seeds=args.seeds, screen=screen)
        out = args.out or os.path.join("results", "sensitivity", study.name)
        progress = None if args.quiet else Progress(PROG, study.seeds)
        command = " ".join([PROG, *map(shlex.quote, sys.argv[1:] if argv is None else argv)])
        result = run_study(study, out, workers=args.workers, progress=progress,
                           command=command)
    except UserError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    except SampleError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 1
    counts = result.counts
    print(f"{PROG}: {counts['total']:,} samples ({counts['skipped']:,} finished before, "
          f"{counts['ran']:,} run now in {counts['seconds']:.0f} s)")
    for note in result.notes:
        print(f"  note: {note}")
    print("\n".join(short_summary(result.study, result.table)))
    print(result.report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
