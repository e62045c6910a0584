"""``womsim-optimize [PRESET]`` (or ``python -m sim.optimize``): find the best plans of a
search space and confirm them on fresh seeds.

``womsim-optimize kol_rewards_20k`` runs the ready preset ``sim/configs/optimize/
kol_rewards_20k.yaml``; ``--space FILE`` runs a space of one's own. Options override the
space's settings. Running the same command again resumes the study in the output directory.
A bad space file or option ends with one line, ``womsim-optimize: error: ...``, and exit
status 2; an interruption (Ctrl-C) with status 130, the finished trials kept.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path
from typing import NoReturn

PROG = "womsim-optimize"


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr with exit status 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{PROG}: error: {message}", file=sys.stderr)
        sys.exit(2)


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parser() -> argparse.ArgumentParser:
    """The command's argument parser."""
    p = _Parser(prog=PROG, description="Search the plans of a space (budget split, strategy "
                "parameters) for the best on several objectives; re-run the top plans on "
                "fresh seeds. Writes study.db, trials.parquet, pareto.png, importance.png, "
                "top_plans.md and top_plans.csv. docs/optimisation.md has the details.")
    p.add_argument("preset", nargs="?", default=None,
                   help="a ready space in sim/configs/optimize/ (--list shows them)")
    p.add_argument("--space", metavar="FILE", help="a space file of your own (YAML)")
    p.add_argument("--out", metavar="DIR",
                   help="output directory (default: results/optimize/<preset or file name>)")
    p.add_argument("--objective", action="append", metavar="METRIC",
                   help="an objective (repeat for several; default: the space's, else "
                        "incremental_npv and retention); its direction is the catalog's")
    p.add_argument("--trials", type=int, metavar="N", help="trials in the whole study")
    p.add_argument("--seeds", type=int, metavar="K", help="seeds every trial is run on")
    p.add_argument("--top", type=int, metavar="P", help="plans confirmed on fresh seeds")
    p.add_argument("--confirm-seeds", type=int, metavar="M", help="fresh seeds per plan")
    p.add_argument("--seed", type=int, metavar="S", help="the sampler's seed")
    p.add_argument("--jobs", type=int, default=None, metavar="J",
                   help="worker processes (default: the number of cores)")
    p.add_argument("--batch", type=int, default=None, metavar="B",
                   help="trials asked at a time (default: --jobs); with the seed it fixes "
                        "which trials are run")
    p.add_argument("--no-confirm", action="store_true", help="search only")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.add_argument("--list", action="store_true", help="list the ready presets and exit")
    return p


def load(args: argparse.Namespace):
    """The space the arguments ask for, with their settings applied (a SpaceError if bad)."""
    from sim.optimize.space import SpaceError, check_seeds, load_space, preset_path

    if args.space and args.preset:
        raise SpaceError("give a preset or --space FILE, not both")
    if not args.space and not args.preset:
        raise SpaceError("give a preset (--list shows them) or --space FILE")
    space = load_space(args.space) if args.space else load_space(preset_path(args.preset))
    changes = {}
    for name, low in (("trials", 1), ("seeds", 2), ("top", 1), ("confirm_seeds", 2),
                      ("seed", 0)):
        value = getattr(args, name)
        if value is not None:
            if value < low:
                raise SpaceError(f"--{name.replace('_', '-')}={value} is invalid: allowed an "
                                 f"integer >= {low}")
            changes["sampler_seed" if name == "seed" else name] = value
    if args.objective:
        changes["objectives"] = tuple(args.objective)
    space = dataclasses.replace(space, **changes)
    check_seeds(space, space.source)
    return space


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (0 done, 2 bad input, 130 interrupted)."""
    args = parser().parse_args(argv)
    from sim.optimize.objectives import resolve_objectives
    from sim.optimize.space import SpaceError, preset_names

    if args.list:
        print("\n".join(preset_names()))
        return 0
    for name in ("jobs", "batch"):
        value = getattr(args, name)
        if value is not None and value < 1:
            print(f"{PROG}: error: --{name}={value} is invalid: allowed an integer >= 1",
                  file=sys.stderr)
            return 2
    from sim.optimize.evaluate import check_space

    try:
        space = load(args)
        objectives = resolve_objectives(space.objectives)
        check_space(space)
    except SpaceError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    from sim.optimize.optimiser import optimise
    from sim.optimize.outputs import top_plans_lines

    out = Path(args.out) if args.out else Path("results") / "optimize" / space.name
    jobs = args.jobs or default_jobs()
    goals = ", ".join(f"{'maximise' if o.maximise else 'minimise'} {o.name}" for o in objectives)
    seeds = space.search_seeds
    print(f"{PROG}: {space.name}: {space.trials} trials on seeds {seeds[0]}..{seeds[-1]}, "
          f"{goals}; budget {space.budget:,.2f} split across {', '.join(space.split)}; "
          f"{jobs} worker{'s' if jobs > 1 else ''}; study in {out / 'study.db'}",
          file=sys.stderr, flush=True)
    start = time.perf_counter()
    try:
        result = optimise(space, objectives, out, jobs=jobs, batch=args.batch,
                          confirm_top=not args.no_confirm, progress=not args.quiet,
                          check=False)
    except SpaceError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted; the finished trials are kept in {out / 'study.db'}: "
              f"run the same command again to resume", file=sys.stderr)
        return 130
    if result.confirmation is not None:
        print("\n".join(top_plans_lines(result.confirmation, space, objectives)))
    elif not args.no_confirm:
        print("No feasible plan to confirm (see trials.parquet).")
    print(f"Done in {time.perf_counter() - start:.0f} s. Wrote "
          + ", ".join(str(f) for f in result.files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
