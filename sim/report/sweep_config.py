"""What the jobs of a sweep directory share: the part of their configs that is identical in all
of them, and the ``womsim`` command that made the sweep (read from its files only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MISSING = object()


def shared_config(job_dirs: list[Path]) -> tuple[dict, list[str]]:
    """The part of the jobs' ``.hydra/config.yaml`` that is identical in all of them, and the
    dotted keys that differ (or exist in some jobs only)."""
    flats = []
    for job_dir in job_dirs:
        path = job_dir / ".hydra" / "config.yaml"
        if path.exists():
            try:
                flats.append(_flatten(yaml.load(path.read_text(), Loader=_LOADER) or {}))
            except (OSError, yaml.YAMLError):
                continue
    if not flats:
        return {}, []
    keys = list(dict.fromkeys(k for flat in flats for k in flat))
    varying = [k for k in keys if len({repr(flat.get(k, _MISSING)) for flat in flats}) > 1]
    varying_set = set(varying)
    shared = _unflatten({k: flats[0][k] for k in keys if k not in varying_set})
    tops = [k for k in varying if not any(k[:i] in varying_set for i in range(1, len(k)))]
    return shared, [dotted(k) for k in tops]


def _flatten(node: Any, prefix: tuple = ()) -> dict[tuple, Any]:
    """Nested mappings -> {key path: leaf}; lists and empty mappings are leaves."""
    if isinstance(node, dict) and node:
        out: dict[tuple, Any] = {}
        for key, value in node.items():
            out.update(_flatten(value, (*prefix, key)))
        return out
    return {prefix: node}


def _unflatten(flat: dict[tuple, Any]) -> dict:
    root: dict = {}
    for path, value in flat.items():
        if not path:
            continue
        node = root
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    return root


def sweep_command(sweep_dir: Path) -> str | None:
    """``womsim -m <task overrides> <sweeper params>`` from the sweep's multirun.yaml, or None."""
    path = Path(sweep_dir) / "multirun.yaml"
    if not path.exists():
        return None
    try:
        saved = yaml.load(path.read_text(), Loader=_LOADER) or {}
    except (OSError, yaml.YAMLError):
        return None
    hydra = saved.get("hydra") or {}
    task = [str(o) for o in (hydra.get("overrides") or {}).get("task") or []]
    params = (hydra.get("sweeper") or {}).get("params") or {}
    swept = [f"{k}={v}" for k, v in params.items() if not any(o.startswith(f"{k}=") for o in task)]
    return " ".join(["womsim", "-m", *task, *swept])


def dotted(path: tuple) -> str:
    """A key path as ``a.b.c``."""
    return ".".join(str(k) for k in path)

