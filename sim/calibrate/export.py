"""The calibrated configuration as a file womsim runs directly: an experiment preset,
``<out>/experiment/calibrated.yaml``, with the shared overrides and each fitted parameter's
posterior median (the point fit's best value with Optuna)::

    womsim --config-dir <out> +experiment=calibrated

``--config-dir`` adds ``<out>`` to the places Hydra looks for configs, where ``experiment/``
then offers ``calibrated`` beside the shipped studies. The file's comments give the fitted
values with their intervals and the same run as plain command-line overrides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from sim.calibrate.spec import MARKET, Spec
from sim.io import atomic_write_text

EXPERIMENT = "calibrated"
#: the config groups an override may choose an option of (sim/configs/<group>/)
GROUPS_DIR = Path(__file__).resolve().parent.parent / "configs"


def _is_group(key: str) -> bool:
    return "." not in key and (GROUPS_DIR / key).is_dir()


def _nest(tree: dict, key: str, value: Any) -> None:
    *heads, last = key.split(".")
    for head in heads:
        tree = tree.setdefault(head, {})
    tree[last] = value


def calibrated_values(spec: Spec, values: Mapping[str, float], integer: Mapping[str, bool]
                      ) -> dict[str, Any]:
    """The fitted config keys and their values as womsim takes them (integers rounded)."""
    out: dict[str, Any] = {}
    for p in spec.parameters:
        if not p.is_config:
            continue
        v = float(values[p.key])
        out[p.key] = int(round(v)) if integer.get(p.key) else float(f"{v:.6g}")
    return out


def experiment_yaml(spec: Spec, overrides: Sequence[str], fitted: Mapping[str, Any],
                    notes: Sequence[str], config_dir: str = "<out>") -> str:
    """The text of the calibrated experiment preset."""
    defaults: list[Any] = []
    tree: dict[str, Any] = {}
    for override in overrides:
        key, _, text = override.partition("=")
        key = key.lstrip("+")
        if _is_group(key):
            defaults.append({f"override /{key}": text})
        else:
            _nest(tree, key, yaml.safe_load(text) if text else None)
    for key, value in fitted.items():
        _nest(tree, key, value)
    command = " ".join([*overrides, *(f"{k}={v}" for k, v in fitted.items())])
    head = ["# @package _global_",
            f"# Calibrated by womsim-calibrate ({spec.method}) to {spec.data}.",
            f"# Run it: womsim --config-dir {config_dir} +experiment={EXPERIMENT}",
            f"# The same run as overrides: womsim {command}",
            *(f"# {line}" for line in notes)]
    body = {"defaults": defaults} if defaults else {}
    body.update(tree)
    return "\n".join(head) + "\n" + yaml.safe_dump(body, sort_keys=False)


def write_experiment(outdir: Path, spec: Spec, overrides: Sequence[str],
                     fitted: Mapping[str, Any], notes: Sequence[str]) -> Path:
    """Write ``<outdir>/experiment/calibrated.yaml`` (atomically); returns its path."""
    return atomic_write_text(Path(outdir) / "experiment" / f"{EXPERIMENT}.yaml",
                             experiment_yaml(spec, overrides, fitted, notes, str(outdir)))


def interval_notes(summary: Any, market_key: str = MARKET) -> list[str]:
    """One comment line per fitted parameter: median (point) and interval."""
    lines = []
    for row in summary.itertuples():
        what = "people the model's consumers stand for, " if row.parameter == market_key else ""
        lines.append(f"{row.parameter}: {what}{row.median:.4g} (90% interval {row.q05:.4g} to "
                     f"{row.q95:.4g})")
    return lines
