"""Compose womsim's Hydra configs from Python, as the command line would."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

from sim.schema import register_configs

CONFIG_DIR = str(Path(__file__).resolve().parent / "configs")  # package data (pyproject.toml)
#: the config groups a user chooses from, in the order ``womsim --help`` lists them
USER_GROUPS = ("graph", "model", "strategy", "experiment")


def compose_config(*overrides: str) -> DictConfig:
    """The composed config for ``overrides`` in Hydra syntax, e.g.
    ``compose_config("graph=ws", "seed=3")``; pass it to :func:`sim.run.run`."""
    register_configs()
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        return compose(config_name="config", overrides=list(overrides))


def group_options(loader: Any, group: str, *, groups: bool = False) -> list[str]:
    """The options (or, with ``groups``, the subgroups) of a config group, as Hydra's config
    loader lists them.

    The loader's own listing copies its whole config repository first (so that a command's
    ``hydra.searchpath`` can extend it: womsim's configs set none), ~35 ms a call here; the
    repository it copies answers the same without the copy.
    """
    from hydra.core.object_type import ObjectType

    kind = ObjectType.GROUP if groups else ObjectType.CONFIG
    repository = getattr(loader, "repository", None)
    if repository is None:  # another loader: its own (slower) listing
        return list(loader.get_group_options(group, results_filter=kind))
    return list(repository.get_group_options(group, kind))


@functools.cache
def config_groups() -> str:
    """One line per user-facing config group with its options (``womsim --help``): what
    Hydra's config loader finds (YAML files and ConfigStore nodes), without the typed schemas
    under ``schema/`` that the YAML files extend."""
    from hydra.core.global_hydra import GlobalHydra

    loader = GlobalHydra.instance().config_loader()
    return "\n".join(f"{group}: {', '.join(sorted(group_options(loader, group)))}"
                     for group in USER_GROUPS)
