"""A sensitivity study as its YAML file describes it: parameters with their distributions,
metrics, method, sample size, seeds; read and checked with one-line errors.

A study file (``sim/configs/sensitivity/*.yaml``; docs/sensitivity.md)::

    name: default_morris
    method: morris            # morris (the cheap screen) or sobol
    samples: 40               # Morris: trajectories; Sobol: base size N, a power of two
    seeds: 4                  # each sample runs on seeds 0..3, the same for every sample
    metrics: [reach, customers, retention, npv]
    overrides: [graph.n=2000] # womsim overrides every run shares (command-line syntax)
    parameters:
      model.quality: [0.55, 0.85]                       # uniform on [lo, hi]
      model.news_memory: {dist: logunif, bounds: [5, 40]}

Any numeric key of the composed config can be a parameter; an integer key gets its sampled
value rounded. ``function: module:callable`` evaluates a Python function instead of womsim
(:mod:`sim.sensitivity.functions`), through the same machinery.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from sim.errors import UserError

#: SALib's distributions and how many numbers each takes in ``bounds``
DISTRIBUTIONS: dict[str, tuple[int, ...]] = {
    "unif": (2,),        # [lower, upper]
    "logunif": (2,),     # [lower, upper], both > 0
    "triang": (3,),      # [lower, upper, peak as a fraction of the width]
    "truncnorm": (4,),   # [lower, upper, mean, sd]
    "norm": (2,),        # [mean, sd]
    "lognorm": (2,),     # [mean, sd] of the logarithm
    "weibull": (2, 3),   # [shape, scale] or [shape, scale, location]
}
#: distributions whose support ends at the bounds (Morris's grid reaches both ends)
BOUNDED = ("unif", "logunif", "triang", "truncnorm")
METHODS = ("morris", "sobol")
PRESET_DIR = Path(__file__).resolve().parent.parent / "configs" / "sensitivity"


class StudyError(UserError):
    """A study file or option is invalid; the message is one line naming the key."""


@dataclass(frozen=True)
class Parameter:
    """One sampled input: a config key (or a test function's argument) and its distribution.

    Attributes
    ----------
    key : str
        A dotted config key (``model.quality``), or a test function's parameter name.
    dist : str
        One of :data:`DISTRIBUTIONS` (SALib's names).
    bounds : tuple of float
        The distribution's numbers, as SALib takes them.
    integer : bool
        The key holds an integer: sampled values are rounded (set from the composed config).
    """

    key: str
    dist: str = "unif"
    bounds: tuple[float, ...] = ()
    integer: bool = False

    @property
    def name(self) -> str:
        """The key, as the tables and figures call the parameter."""
        return self.key


@dataclass(frozen=True)
class Screen:
    """Take the parameters of a finished Morris study: the ``top`` most influential ones."""

    study: str
    top: int


@dataclass(frozen=True)
class Study:
    """Everything that decides a study's samples and results (not how fast it runs)."""

    name: str
    method: str
    parameters: tuple[Parameter, ...]
    metrics: tuple[str, ...]
    samples: int
    seeds: int = 1
    first_seed: int = 0
    levels: int = 4
    second_order: bool = False
    resamples: int = 1000
    conf_level: float = 0.95
    sample_seed: int = 12345
    overrides: tuple[str, ...] = ()
    function: str | None = None
    screen: Screen | None = field(default=None, compare=False)
    #: values of the parameters a screen left out, for a test function (womsim keeps its
    #: config's values for them)
    fixed: dict[str, float] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """The parameters' names, in order."""
        return [p.name for p in self.parameters]

    @property
    def seed_list(self) -> list[int]:
        """The seeds every sample runs on (common random numbers)."""
        return list(range(self.first_seed, self.first_seed + self.seeds))

    def problem(self) -> dict[str, Any]:
        """SALib's problem dictionary."""
        return {"num_vars": len(self.parameters), "names": self.names,
                "bounds": [list(p.bounds) for p in self.parameters],
                "dists": [p.dist for p in self.parameters]}

    def record(self) -> dict[str, Any]:
        """The study as plain data (study.json)."""
        data = asdict(self)
        data["parameters"] = [asdict(p) for p in self.parameters]
        data["screen"] = asdict(self.screen) if self.screen else None
        return data

    def digest(self, code: str = "") -> str:
        """SHA-256 of what decides the results (the screen it came from aside) and ``code``
        (the model's version), so that a resumed study never mixes two kinds of results."""
        data = self.record()
        data.pop("screen")
        text = json.dumps(data, sort_keys=True) + code
        return hashlib.sha256(text.encode()).hexdigest()


def _fail(where: str, key: str, value: Any, allowed: str) -> None:
    raise StudyError(f"{where}: {key}={value!r} is invalid: allowed {allowed}")


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _integer(where: str, key: str, value: Any, lo: int) -> int:
    if not (isinstance(value, int) and not isinstance(value, bool) and value >= lo):
        _fail(where, key, value, f"an integer >= {lo}")
    return value


def parse_parameter(where: str, key: str, spec: Any) -> Parameter:
    """One entry of ``parameters``: ``[lo, hi]`` (uniform) or ``{dist: ..., bounds: [...]}``."""
    if not isinstance(key, str) or not key:
        _fail(where, "parameters", key, "config keys as the names of the entries")
    if isinstance(spec, list):
        spec = {"dist": "unif", "bounds": spec}
    if not isinstance(spec, dict) or set(spec) - {"dist", "bounds"}:
        _fail(where, f"parameters.{key}", spec,
              "[lower, upper] or a mapping with dist and bounds")
    dist = spec.get("dist", "unif")
    if dist not in DISTRIBUTIONS:
        _fail(where, f"parameters.{key}.dist", dist, "one of " + ", ".join(DISTRIBUTIONS))
    bounds = spec.get("bounds")
    sizes = DISTRIBUTIONS[dist]
    if (not isinstance(bounds, list) or len(bounds) not in sizes
            or not all(_number(b) for b in bounds)):
        _fail(where, f"parameters.{key}.bounds", bounds,
              f"{' or '.join(map(str, sizes))} finite numbers for {dist}")
    bounds = [float(b) for b in bounds]
    if dist in ("unif", "logunif", "truncnorm", "triang") and not bounds[0] < bounds[1]:
        _fail(where, f"parameters.{key}.bounds", bounds, "lower < upper")
    if dist == "logunif" and bounds[0] <= 0:
        _fail(where, f"parameters.{key}.bounds", bounds, "bounds > 0 for logunif")
    if dist == "triang" and not 0 <= bounds[2] <= 1:
        _fail(where, f"parameters.{key}.bounds", bounds,
              "a peak (third number) in [0, 1], a fraction of the width")
    if dist in ("norm", "lognorm") and bounds[1] <= 0:
        _fail(where, f"parameters.{key}.bounds", bounds, "a standard deviation > 0")
    if dist == "truncnorm" and bounds[3] <= 0:
        _fail(where, f"parameters.{key}.bounds", bounds, "a standard deviation > 0")
    if dist == "weibull" and min(bounds[:2]) <= 0:
        _fail(where, f"parameters.{key}.bounds", bounds, "shape and scale > 0")
    return Parameter(key=key, dist=dist, bounds=tuple(bounds))


KEYS = {"name", "method", "samples", "seeds", "first_seed", "levels", "second_order",
        "resamples", "conf_level", "sample_seed", "overrides", "function", "metrics",
        "parameters", "screen"}


def parse_study(data: Any, where: str) -> Study:
    """A :class:`Study` from a study file's contents (``where`` names it in errors)."""
    if not isinstance(data, dict):
        raise StudyError(f"{where}: expected a mapping of study settings, got "
                         f"{type(data).__name__}")
    unknown = sorted(set(data) - KEYS)
    if unknown:
        _fail(where, unknown[0], data[unknown[0]], "the keys " + ", ".join(sorted(KEYS)))
    method = data.get("method", "morris")
    if method not in METHODS:
        _fail(where, "method", method, "one of " + ", ".join(METHODS))
    samples = _integer(where, "samples", data.get("samples", 32), 2)
    if method == "sobol" and samples & (samples - 1):
        _fail(where, "samples", samples, "a power of two for sobol (the base size N)")
    metrics = data.get("metrics")
    if (not isinstance(metrics, list) or not metrics
            or not all(isinstance(m, str) and m for m in metrics)
            or len(set(metrics)) != len(metrics)):
        _fail(where, "metrics", metrics, "a non-empty list of distinct metric names")
    overrides = data.get("overrides") or []
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        _fail(where, "overrides", overrides, "a list of womsim overrides (key=value)")
    function = data.get("function")
    if function is not None and (not isinstance(function, str) or ":" not in function):
        _fail(where, "function", function, "module:callable")
    levels = _integer(where, "levels", data.get("levels", 4), 2)
    if levels % 2:
        _fail(where, "levels", levels, "an even number of Morris grid levels")
    conf = data.get("conf_level", 0.95)
    if not (_number(conf) and 0 < conf < 1):
        _fail(where, "conf_level", conf, "a number in (0, 1)")
    second = data.get("second_order", False)
    if not isinstance(second, bool):
        _fail(where, "second_order", second, "true or false")
    screen = data.get("screen")
    if screen is not None:
        if not (isinstance(screen, dict) and set(screen) == {"study", "top"}
                and isinstance(screen["study"], str)):
            _fail(where, "screen", screen, "a mapping with study (a directory) and top")
        screen = Screen(screen["study"], _integer(where, "screen.top", screen["top"], 1))
    specs = data.get("parameters") or {}
    if not isinstance(specs, dict) or (not specs and screen is None):
        _fail(where, "parameters", specs, "a mapping of config keys to distributions")
    parameters = tuple(parse_parameter(where, k, v) for k, v in specs.items())
    study = Study(
        name=str(data.get("name") or Path(where).stem), method=method, parameters=parameters,
        metrics=tuple(metrics), samples=samples,
        seeds=_integer(where, "seeds", data.get("seeds", 1), 1),
        first_seed=_integer(where, "first_seed", data.get("first_seed", 0), 0),
        levels=levels, second_order=second,
        resamples=_integer(where, "resamples", data.get("resamples", 1000), 10),
        conf_level=float(conf),
        sample_seed=_integer(where, "sample_seed", data.get("sample_seed", 12345), 1),
        overrides=tuple(overrides), function=function, screen=screen)
    check_method(study, where)
    return study


def check_method(study: Study, where: str) -> None:
    """What the method needs of the parameters: at least two, bounded ones for Morris."""
    if study.screen is None and len(study.parameters) < 2:
        _fail(where, "parameters", study.names, "at least two parameters")
    if study.method == "morris":
        for p in study.parameters:
            if p.dist not in BOUNDED:
                _fail(where, f"parameters.{p.key}.dist", p.dist,
                      "a bounded distribution for morris (" + ", ".join(BOUNDED) + "): its "
                      "grid reaches both ends of the range")


def resolve_path(study: str) -> Path:
    """A study file's path: an existing file, or the name of a preset in
    ``sim/configs/sensitivity/`` (``default_morris`` or ``default_morris.yaml``)."""
    path = Path(study)
    if path.is_file():
        return path
    preset = PRESET_DIR / (study if study.endswith(".yaml") else f"{study}.yaml")
    if preset.is_file():
        return preset
    names = sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))
    raise StudyError(f"{study}: no such study file or preset (presets: {', '.join(names)})")


def load_study(study: str, **changes: Any) -> Study:
    """Read a study file (or preset) and apply ``changes`` (options given on the command
    line: ``samples=``, ``seeds=``, ``method=``...; None leaves a setting as it is)."""
    path = resolve_path(study)
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise StudyError(f"{path}{line}: not valid YAML: {problem}") from None
    except OSError as err:
        raise StudyError(f"{path}: cannot read: {err.strerror}") from None
    if isinstance(data, dict):
        data = {**data, **{k: v for k, v in changes.items() if v is not None}}
    return parse_study(data, str(path))


def with_parameters(study: Study, parameters: tuple[Parameter, ...]) -> Study:
    """The study with other parameters (after a screen, or with integer keys marked)."""
    return replace(study, parameters=parameters)
