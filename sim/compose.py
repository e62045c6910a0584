"""Compose womsim's Hydra configs from Python, as the command line would."""

from __future__ import annotations

from pathlib import Path

from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

from sim.schema import register_configs

CONFIG_DIR = str(Path(__file__).resolve().parent / "configs")  # package data (pyproject.toml)


def compose_config(*overrides: str) -> DictConfig:
    """The composed config for ``overrides`` in Hydra syntax, e.g.
    ``compose_config("graph=ws", "seed=3")``; pass it to :func:`sim.run.run`."""
    register_configs()
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        return compose(config_name="config", overrides=list(overrides))
