"""A calibration as its YAML file describes it: the observed series, the parameters to fit with
their priors, the method and its budget; read and checked with one-line errors.

A calibration file (``sim/configs/calibrate/*.yaml``; docs/calibration.md)::

    name: my_brand
    data: data/my_brand_daily.csv     # the observed series (sim.calibrate.observed)
    overrides: [graph.n=2000]          # womsim overrides every run shares
    parameters:                        # priors: [lo, hi] is uniform
      model.quality: [0.5, 0.9]
      model.media_awareness: {prior: loguniform, bounds: [0.0002, 0.01]}
      market_size: {prior: loguniform, bounds: [1000, 100000]}
    method: abc                        # abc (pyabc ABC-SMC) or optuna (a point fit)

``market_size`` is the number of people in the market that the model's consumers stand for; fit
it as above, fix it (``market_size: 50000``), or leave it out when the series counts the model's
own consumers.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.errors import UserError

PRIORS = ("uniform", "loguniform")
METHODS = ("abc", "optuna")
MARKET = "market_size"
PRESET_DIR = Path(__file__).resolve().parent.parent / "configs" / "calibrate"
REPO = Path(__file__).resolve().parent.parent.parent


class SpecError(UserError):
    """A calibration file or option is invalid; one line naming the key."""


@dataclass(frozen=True)
class Prior:
    """The prior of one fitted parameter: uniform or log-uniform on ``[low, high]``."""

    key: str
    prior: str
    low: float
    high: float
    integer: bool = False

    @property
    def is_config(self) -> bool:
        """Whether it is a womsim config key (not ``market_size``)."""
        return self.key != MARKET


@dataclass(frozen=True)
class Spec:
    """Everything a calibration needs."""

    name: str
    data: str
    parameters: tuple[Prior, ...]
    overrides: tuple[str, ...] = ()
    steps_per_period: int | None = None
    market_size: float | None = None
    method: str = "abc"
    population: int = 300
    generations: int = 8
    min_epsilon: float = 0.0
    max_minutes: float | None = None
    trials: int = 300
    seeds: int = 3
    predictive: int = 100
    seed: int = 1
    compare_bass: bool = False
    source: str = field(default="", compare=False)

    @property
    def names(self) -> list[str]:
        """The fitted parameters' keys, in order."""
        return [p.key for p in self.parameters]

    def record(self) -> dict[str, Any]:
        """The calibration as plain data (calibration.json)."""
        data = asdict(self)
        data["parameters"] = [asdict(p) for p in self.parameters]
        return data

    def digest(self, data_text: str, code: str) -> str:
        """SHA-256 of what decides the fit: the data, the priors, the shared overrides, the
        method and its population (not how long it may run, nor the predictive draws)."""
        data = self.record()
        for key in ("generations", "min_epsilon", "max_minutes", "trials", "predictive",
                    "source", "name", "data", "compare_bass"):
            data.pop(key)
        text = json.dumps(data, sort_keys=True) + data_text + code
        return hashlib.sha256(text.encode()).hexdigest()


def _fail(where: str, key: str, value: Any, allowed: str) -> None:
    raise SpecError(f"{where}: {key}={value!r} is invalid: allowed {allowed}")


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _int(data: dict, key: str, default: int, lo: int, where: str) -> int:
    value = data.get(key, default)
    if not (isinstance(value, int) and not isinstance(value, bool) and value >= lo):
        _fail(where, key, value, f"an integer >= {lo}")
    return value


def parse_prior(where: str, key: Any, spec: Any) -> Prior:
    """One entry of ``parameters``: ``[lo, hi]`` or ``{prior: ..., bounds: [lo, hi]}``."""
    if not isinstance(key, str) or not key:
        _fail(where, "parameters", key, "config keys (or market_size) as the entries' names")
    if isinstance(spec, list):
        spec = {"prior": "uniform", "bounds": spec}
    if not isinstance(spec, dict) or set(spec) - {"prior", "bounds"}:
        _fail(where, f"parameters.{key}", spec, "[low, high] or a mapping with prior and bounds")
    prior = spec.get("prior", "uniform")
    if prior not in PRIORS:
        _fail(where, f"parameters.{key}.prior", prior, "one of " + ", ".join(PRIORS))
    bounds = spec.get("bounds")
    if (not isinstance(bounds, list) or len(bounds) != 2 or not all(map(_number, bounds))
            or not bounds[0] < bounds[1]):
        _fail(where, f"parameters.{key}.bounds", bounds, "[low, high] with low < high")
    if prior == "loguniform" and bounds[0] <= 0:
        _fail(where, f"parameters.{key}.bounds", bounds, "low > 0 for loguniform")
    return Prior(key, prior, float(bounds[0]), float(bounds[1]))


KEYS = {"name", "data", "parameters", "overrides", "steps_per_period", "market_size", "method",
        "population", "generations", "min_epsilon", "max_minutes", "trials", "seeds",
        "predictive", "seed", "compare_bass"}


def parse_spec(data: Any, where: str, base: Path | None = None) -> Spec:
    """A :class:`Spec` from a calibration file's contents (``where`` names it in errors;
    ``data`` paths are taken relative to the working directory, else to ``base``)."""
    if not isinstance(data, dict):
        raise SpecError(f"{where}: expected a mapping of calibration settings")
    unknown = sorted(set(data) - KEYS)
    if unknown:
        _fail(where, unknown[0], data[unknown[0]], "the keys " + ", ".join(sorted(KEYS)))
    path = data.get("data")
    if not isinstance(path, str) or not path:
        _fail(where, "data", path, "the path of the observed series (a CSV file)")
    method = data.get("method", "abc")
    if method not in METHODS:
        _fail(where, "method", method, "one of " + ", ".join(METHODS))
    specs = data.get("parameters")
    if not isinstance(specs, dict) or not specs:
        _fail(where, "parameters", specs, "a mapping of config keys to priors")
    parameters = tuple(parse_prior(where, k, v) for k, v in specs.items())
    market = data.get("market_size")
    if market is not None and not (_number(market) and market > 0):
        _fail(where, "market_size", market, "a number > 0 (or fit it under parameters)")
    if market is not None and MARKET in specs:
        _fail(where, "market_size", market, "either a fixed number or a fitted parameter")
    spp = data.get("steps_per_period")
    if spp is not None:
        spp = _int(data, "steps_per_period", 1, 1, where)
    overrides = data.get("overrides") or []
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        _fail(where, "overrides", overrides, "a list of womsim overrides (key=value)")
    minutes = data.get("max_minutes")
    if minutes is not None and not (_number(minutes) and minutes > 0):
        _fail(where, "max_minutes", minutes, "a number of minutes > 0")
    eps = data.get("min_epsilon", 0.0)
    if not (_number(eps) and eps >= 0):
        _fail(where, "min_epsilon", eps, "a number >= 0")
    bass = data.get("compare_bass", False)
    if not isinstance(bass, bool):
        _fail(where, "compare_bass", bass, "true or false")
    found = Path(path)
    if not found.is_file() and base is not None and (base / path).is_file():
        found = base / path
    return Spec(
        name=str(data.get("name") or Path(where).stem), data=str(found), parameters=parameters,
        overrides=tuple(overrides), steps_per_period=spp,
        market_size=float(market) if market is not None else None, method=method,
        population=_int(data, "population", 300, 10, where),
        generations=_int(data, "generations", 8, 1, where), min_epsilon=float(eps),
        max_minutes=float(minutes) if minutes is not None else None,
        trials=_int(data, "trials", 300, 1, where), seeds=_int(data, "seeds", 3, 1, where),
        predictive=_int(data, "predictive", 100, 2, where),
        seed=_int(data, "seed", 1, 0, where), compare_bass=bass, source=where)


def resolve_path(name: str) -> Path:
    """A calibration file: an existing path, or a preset of ``sim/configs/calibrate/``."""
    path = Path(name)
    if path.is_file():
        return path
    preset = PRESET_DIR / (name if name.endswith(".yaml") else f"{name}.yaml")
    if preset.is_file():
        return preset
    names = sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))
    raise SpecError(f"{name}: no such calibration file or preset (presets: {', '.join(names)})")


def load_spec(name: str, **changes: Any) -> Spec:
    """Read a calibration file (or preset) with ``changes`` from the command line (None: keep
    the file's setting). A preset's ``data`` path may be relative to the checkout."""
    path = resolve_path(name)
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise SpecError(f"{path}{line}: not valid YAML: "
                        f"{getattr(err, 'problem', None) or err}") from None
    except OSError as err:
        raise SpecError(f"{path}: cannot read: {err.strerror}") from None
    if isinstance(data, dict):
        data = {**data, **{k: v for k, v in changes.items() if v is not None}}
    return parse_spec(data, str(path), base=REPO)
