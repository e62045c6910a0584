"""``womsim-app``: serve the what-if dashboard (``python -m sim.app``).

Serves :mod:`sim.app.page` with Solara's server on 127.0.0.1 (``--host`` to change), offline:
assets from the local ``solara-assets`` package, no telemetry, no version check (see
:mod:`sim.app.offline`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

PAGE = Path(__file__).resolve().with_name("page.py")


def solara_arguments(host: str, port: int, *, open_browser: bool = False) -> list[str]:
    """The ``solara`` command-line arguments that serve the page."""
    return ["run", str(PAGE), "--host", host, "--port", str(port), "--production",
            "--no-check-version", "--open" if open_browser else "--no-open",
            "--log-level-uvicorn", "warning"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line of ``womsim-app``."""
    parser = argparse.ArgumentParser(
        prog="womsim-app",
        description="Serve womsim's what-if dashboard (two scenarios side by side) in the "
                    "browser. Needs the viz extra: pip install -e '.[viz]'.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0: any)")
    parser.add_argument("--open", action="store_true", help="open the page in a browser")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port}: allowed 0 .. 65535")
    return args


def main(argv: list[str] | None = None) -> None:
    """Serve the dashboard until interrupted."""
    args = parse_args(argv)
    from sim.app.offline import OFFLINE_ENV, assets_problem, offline_environment

    for key, value in offline_environment(os.environ).items():
        if key in OFFLINE_ENV:
            os.environ[key] = value  # before solara reads its settings
    problem = assets_problem()
    if problem is not None:
        print(f"womsim-app: error: {problem}; install the viz extra: "
              "pip install -e '.[viz]'", file=sys.stderr)
        sys.exit(2)
    import sim.run  # noqa: F401 - the kernels the page runs, to see if they are compiled
    from sim.jit_cache import cold

    if cold():
        print("womsim-app: the simulation's kernels are compiled on first use, once after "
              "install or upgrade: the first scenarios take 10-20 s to appear",
              file=sys.stderr, flush=True)
    from solara.__main__ import cli

    cli.main(args=solara_arguments(args.host, args.port, open_browser=args.open),
             prog_name="womsim-app")


if __name__ == "__main__":
    main()
