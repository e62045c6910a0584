"""``womsim-calibrate SPEC`` (or ``python -m sim.calibrate``): fit womsim to an observed series.

SPEC is a calibration file or the name of a preset in ``sim/configs/calibrate/``. Writes the
fit, the predictive band, figures, ``experiment/calibrated.yaml`` and report.md into ``--out``
(default ``results/calibrate/<name>``); running the same command again resumes the fit. Bad
input (a malformed CSV: the line is named) ends with a one-line error and exit status 2;
docs/calibration.md has the details.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from typing import NoReturn

PROG = "womsim-calibrate"


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr with exit status 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{PROG}: error: {message}", file=sys.stderr)
        sys.exit(2)


def parser() -> argparse.ArgumentParser:
    """The command's argument parser."""
    p = _Parser(prog=PROG, description="Fit womsim's parameters to an observed daily, weekly "
                "or per-period series (CSV) by ABC-SMC (pyabc) or an Optuna point fit.")
    p.add_argument("spec", help="a calibration file (YAML), or a preset of "
                                "sim/configs/calibrate/ (e.g. bass_room_air_conditioners)")
    p.add_argument("--data", default=None, help="the observed series (CSV), instead of the "
                                                "file's data")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="output directory (default: results/calibrate/<name>); a calibration "
                        "run again into it resumes")
    p.add_argument("--method", choices=("abc", "optuna"), default=None,
                   help="override the method")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="processes side by side (default: every core; 1 runs in this process)")
    p.add_argument("--population", type=int, default=None, help="ABC particles per generation")
    p.add_argument("--generations", type=int, default=None, help="ABC generations (at most)")
    p.add_argument("--trials", type=int, default=None, help="Optuna trials")
    p.add_argument("--max-minutes", type=float, default=None,
                   help="stop fitting after this long (run again to continue)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (0 done, 2 bad input)."""
    args = parser().parse_args(argv)
    if args.workers < 1:
        parser().error(f"--workers={args.workers}: at least 1")
    from sim.calibrate.pipeline import calibrate
    from sim.calibrate.spec import load_spec
    from sim.errors import UserError

    try:
        spec = load_spec(args.spec, data=args.data, method=args.method,
                         population=args.population, generations=args.generations,
                         trials=args.trials, max_minutes=args.max_minutes)
        out = args.out or os.path.join("results", "calibrate", spec.name)
        command = " ".join([PROG, *map(shlex.quote, sys.argv[1:] if argv is None else argv)])
        result = calibrate(spec, out, workers=args.workers, quiet=args.quiet, command=command)
    except UserError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    facts = result.facts
    print(f"{PROG}: fitted in {facts['fit_seconds'] / 60:.1f} min ({facts['runs']:,} runs), "
          f"{facts['coverage']:.0%} of the observed values inside the 90% predictive band")
    for row in result.summary.itertuples():
        print(f"  {row.parameter}: {row.median:.4g} ({row.q05:.4g} to {row.q95:.4g})")
    if result.bass is not None:
        print(f"  Bass fit: m={result.bass.m:,.0f} p={result.bass.p:.4f} q={result.bass.q:.3f}")
    print(f"run it: womsim --config-dir {result.outdir} +experiment=calibrated")
    print(result.report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
