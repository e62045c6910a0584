"""Sweep jobs: directory names, completion checks (resume) and failure records."""

from __future__ import annotations

import hashlib
import traceback
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from sim.io import atomic_write_json

MAX_NAME = 200
SKIP_IN_NAME = ("hydra.", "+hydra.", "experiment=", "+experiment=")


def job_dirname(overrides: list[str] | Any) -> str:
    """A job's directory name: its overrides joined by commas, the seed last.

    Hydra's own ``override_dirname`` sorts keys alphabetically; here the order is the one given,
    except that ``seed=...`` goes to the end so that a person can find a condition by eye.
    Characters that cannot appear in a file name are replaced, and long names are shortened
    with a hash so they stay unique.
    """
    items = [str(o) for o in overrides if not str(o).startswith(SKIP_IN_NAME)]
    seeds = [o for o in items if o.startswith(("seed=", "+seed="))]
    rest = [o for o in items if o not in seeds]
    name = ",".join(rest + seeds) or "default"
    name = name.replace("/", "_").replace("\\", "_").replace(" ", "")
    if len(name) > MAX_NAME:
        digest = hashlib.sha1(name.encode()).hexdigest()[:10]
        name = f"{name[:MAX_NAME - 11]}~{digest}"
    return name


#: raised whenever the same config starts giving different results (2: counter-based draws), so
#: that resuming a sweep redoes the jobs an older womsim ran instead of mixing the two
RESULTS_REVISION = 2


def config_hash(cfg: Any) -> str:
    """SHA-256 of :data:`RESULTS_REVISION` and the resolved run config (without the ``hydra``
    node, and without ``threads``, which never changes results)."""
    if OmegaConf.is_config(cfg):
        data = OmegaConf.to_container(cfg, resolve=True)
        data.pop("threads", None)
        text = OmegaConf.to_yaml(OmegaConf.create(data))
    else:
        text = repr(cfg)
    text = f"results revision {RESULTS_REVISION}\n{text}"
    return hashlib.sha256(text.encode()).hexdigest()


def is_complete(outdir: Path, cfg: Any) -> bool:
    """Whether ``outdir`` holds the finished results of exactly this config."""
    import json

    metrics = outdir / "metrics.json"
    if not metrics.exists() or not (outdir / "timeseries.csv").exists():
        return False
    try:
        return json.loads(metrics.read_text()).get("config_hash") == config_hash(cfg)
    except (ValueError, OSError):
        return False


def record_failure(outdir: Path, error: BaseException, overrides: list[str]) -> Path:
    """Write ``error.json`` (error, type, traceback, overrides) into a failed job's directory."""
    return atomic_write_json(outdir / "error.json", {
        "error": str(error),
        "type": type(error).__name__,
        "traceback": "".join(traceback.format_exception(error)),
        "overrides": list(overrides),
    })


def sweep_size(sweep_dir: Path) -> int | None:
    """Number of jobs in the sweep, from the sweep overrides Hydra saved in multirun.yaml
    (command-line sweeps and ``hydra.sweeper.params``); None when it cannot be told."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    path = Path(sweep_dir) / "multirun.yaml"
    if not path.exists():
        return None
    try:
        saved = OmegaConf.load(path)
        params = dict(OmegaConf.select(saved, "hydra.sweeper.params", default={}) or {})
        for override in OmegaConf.select(saved, "hydra.overrides.task", default=[]) or []:
            key, _, value = str(override).partition("=")
            params[key] = value
        parsed = OverridesParser.create().parse_overrides(
            [f"{key}={value}" for key, value in params.items()])
    except Exception:  # noqa: BLE001 - progress is best effort, never a reason to fail a job
        return None
    size = 1
    for override in parsed:
        if override.is_sweep_override():
            size *= sum(1 for _ in override.sweep_iterator())
    return size


def sweep_progress(sweep_dir: Path) -> str:
    """``k/N`` jobs finished (with results or a failure record), or ``k`` if N is unknown."""
    finished = sum(1 for job in Path(sweep_dir).iterdir()
                   if (job / "metrics.json").exists() or (job / "error.json").exists())
    total = sweep_size(sweep_dir)
    return f"{finished}/{total}" if total else str(finished)
