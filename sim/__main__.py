"""``python -m sim`` is the ``womsim`` command."""

from sim.cli import main

main()
