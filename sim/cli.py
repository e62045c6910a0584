"""The ``womsim`` command: a thin Hydra wrapper around :func:`sim.run.run`."""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.config import register_configs
from sim.errors import UserError

CONFIG_DIR = str(Path(__file__).resolve().parent.parent / "configs")

register_configs()


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="config")
def main(cfg: DictConfig) -> None:
    """Run one simulation and write metrics.json, timeseries.csv and timeseries.png."""
    from sim.report.files import save_timeseries_png
    from sim.run import run, summary_table, write_outputs

    outdir = Path(HydraConfig.get().runtime.output_dir)
    try:
        result = run(cfg, progress=True)
    except UserError as err:
        print(f"womsim: error: {err}", file=sys.stderr)
        sys.exit(2)
    write_outputs(result, outdir)
    if cfg.output.plot:
        title = f"{result.metrics['graph']}, seed {cfg.seed}"
        save_timeseries_png(result.timeseries, outdir / "timeseries.png", title)
    if cfg.output.summary:
        print(summary_table(result.metrics))
        print(f"results: {outdir}")


if __name__ == "__main__":
    main()
