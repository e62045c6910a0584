"""The search space of an optimisation, read from YAML, and the plan each point of it stands for.

A space file (``sim/configs/optimize/<preset>.yaml`` or a user's file) says what the scenario
is (``base`` overrides), how much money there is (``budget``), which strategies share it
(``split``), which config keys the optimiser may set (``params``) and how the study runs
(objectives, trials, seeds). docs/optimisation.md describes every key.

The budget split is sampled by *stick-breaking*: for the strategies ``s_1 .. s_k`` of
``split`` there are ``k - 1`` free parameters ``split.<s_i>`` in [0, 1]. Strategy ``s_i``
gets the fraction ``1 - (1 - v_i) ** (1 / (k - i))`` of what the strategies before it left, and
the last one the rest, so the shares always sum to 1 and a uniform draw of the ``v_i`` is a
uniform draw over all splits (the ``i``-th fraction of a uniform point of the simplex is
Beta(1, k - i)). With two strategies ``split.<first>`` is the first one's share itself.
Shares are rounded to thousandths (largest remainder, so they still sum to 1 exactly): the
plan's ``womsim`` command then gives exactly the figures the optimiser saw.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.strategies import PLUGINS

#: where the ready presets live (package data)
PRESETS_DIR = Path(__file__).resolve().parent.parent / "configs" / "optimize"

#: the parameter types a space may declare
PARAM_TYPES = ("float", "int", "categorical")

#: the keys of a space file and what each must be (for the "unknown key" message)
SPACE_KEYS = ("description", "base", "budget", "split", "own_budget", "params", "objectives",
              "trials", "seeds", "first_seed", "top", "confirm_seeds", "confirm_first_seed",
              "sampler_seed")
PARAM_KEYS = ("key", "type", "low", "high", "log", "step", "choices")

#: config keys the optimiser sets itself (with what is under them); a space may not set them
RESERVED = ("seed", "budget", "budget_shares", "threads")


def is_reserved(key: str) -> bool:
    """Whether the optimiser sets ``key`` itself: the seed, the strategies chosen
    (``strategy``), the budget and its shares, the threads."""
    return key == "strategy" or any(key == r or key.startswith(r + ".") for r in RESERVED)

#: shares are multiples of this (thousandths of the budget)
SHARE_UNITS = 1000


class SpaceError(ValueError):
    """A space file that cannot be used; the message is one line naming the file and the key."""


@dataclass(frozen=True)
class Param:
    """One parameter the optimiser sets: the config ``key`` and its domain.

    ``type`` is ``float`` or ``int`` (between ``low`` and ``high``, on a log scale if ``log``,
    in steps of ``step`` if given) or ``categorical`` (one of ``choices``).
    """

    key: str
    type: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    choices: tuple = ()

    def corners(self) -> tuple:
        """The values at the edges of the domain: ``low`` and ``high``, or every choice."""
        return self.choices if self.type == "categorical" else (self.low, self.high)


@dataclass(frozen=True)
class Space:
    """A search space and the settings of its study (see the module docstring).

    Attributes
    ----------
    name : str
        The preset's name or the file's stem (the default output directory's name).
    budget : float
        The total money of a plan: the shares of ``split`` are shares of it, and a plan whose
        spend exceeds it on any seed is infeasible.
    split : tuple of str
        Strategies that share ``budget`` (the stick-breaking order).
    own_budget : tuple of str
        Further strategies that run on a budget of their own (``strategy.<name>.budget``,
        in ``base`` or ``params``); their spend counts against ``budget`` too.
    params : tuple of Param
    base : tuple of str
        Overrides of the scenario (graph, steps, model, ...), as on the command line.
    objectives : tuple of str
        Metric names (:data:`sim.catalog.METRICS`), the first one ranks the top plans.
    trials, seeds, first_seed, top, confirm_seeds, confirm_first_seed, sampler_seed : int
        Trials in the whole study; each trial's seeds ``first_seed .. first_seed + seeds - 1``;
        plans confirmed; fresh seeds ``confirm_first_seed ..`` they are confirmed on; the
        sampler's seed.
    description : str
    """

    name: str
    budget: float
    split: tuple[str, ...]
    params: tuple[Param, ...] = ()
    own_budget: tuple[str, ...] = ()
    base: tuple[str, ...] = ()
    objectives: tuple[str, ...] = ("incremental_npv", "retention")
    trials: int = 40
    seeds: int = 5
    first_seed: int = 0
    top: int = 3
    confirm_seeds: int = 10
    confirm_first_seed: int = 1000
    sampler_seed: int = 0
    description: str = ""
    source: str = field(default="", compare=False)

    @property
    def strategies(self) -> tuple[str, ...]:
        """Every selected strategy, in registry order (as ``strategy=[...]`` lists them)."""
        chosen = set(self.split) | set(self.own_budget)
        return tuple(name for name in PLUGINS if name in chosen)

    @property
    def split_params(self) -> tuple[str, ...]:
        """The names of the budget split's free parameters: ``split.<s>`` for all but the
        last strategy of ``split``."""
        return tuple(f"split.{name}" for name in self.split[:-1])

    @property
    def search_seeds(self) -> list[int]:
        """The seeds every trial is evaluated on."""
        return list(range(self.first_seed, self.first_seed + self.seeds))

    @property
    def fresh_seeds(self) -> list[int]:
        """The seeds the top plans are confirmed on."""
        return list(range(self.confirm_first_seed, self.confirm_first_seed + self.confirm_seeds))

    def study_key(self) -> dict:
        """What a stored study must have been started with to be resumed: the scenario, the
        space, the objectives and the seeds (not the number of trials, nor the confirmation)."""
        return {"base": list(self.base), "budget": self.budget, "split": list(self.split),
                "own_budget": list(self.own_budget),
                "params": [[p.key, p.type, p.low, p.high, p.log, p.step, list(p.choices)]
                           for p in self.params],
                "objectives": list(self.objectives), "seeds": self.search_seeds}


def shares_of(space: Space, values: dict[str, float]) -> dict[str, float]:
    """The budget shares of the strategies of ``split`` for the stick-breaking values
    ``values`` (``{"split.kol": v, ...}``), rounded to thousandths and summing to 1."""
    k = len(space.split)
    left, raw = 1.0, []
    for i, name in enumerate(space.split[:-1]):
        v = min(max(float(values[f"split.{name}"]), 0.0), 1.0)
        fraction = 1.0 - (1.0 - v) ** (1.0 / (k - 1 - i))
        raw.append(left * fraction)
        left -= left * fraction
    raw.append(max(left, 0.0))
    units = [math.floor(s * SHARE_UNITS) for s in raw]
    order = sorted(range(k), key=lambda i: raw[i] * SHARE_UNITS - units[i], reverse=True)
    for i in order[:SHARE_UNITS - sum(units)]:
        units[i] += 1
    return {name: u / SHARE_UNITS for name, u in zip(space.split, units, strict=True)}


def format_value(value: Any) -> str:
    """A value as a Hydra override writes it: ``null``, ``true``, the shortest exact float,
    text quoted when it is more than a plain word or path."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if isinstance(value, str) and (not re.fullmatch(r"[A-Za-z_][\w./-]*", text)
                                   or text.lower() in ("null", "true", "false", "inf", "nan")):
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return text


def plan_overrides(space: Space, params: dict[str, Any], *, with_params: bool = True
                   ) -> list[str]:
    """The overrides of the plan at ``params`` (a trial's parameters, ``split.*`` included),
    in the order the ``womsim`` command lists them: scenario, strategies, budget and shares,
    then each parameter (unless ``with_params`` is False)."""
    out = list(space.base)
    out.append("strategy=[" + ",".join(space.strategies) + "]")
    budget = space.budget
    out.append(f"budget={int(budget) if budget.is_integer() else format_value(budget)}")
    for name, share in shares_of(space, params).items():
        out.append(f"+budget_shares.{name}={format_value(share)}")
    if with_params:
        out += [f"{p.key}={format_value(params[p.key])}" for p in space.params]
    return out


def baseline_overrides(space: Space) -> list[str]:
    """The overrides of the plan without any strategy, on the same scenario."""
    return list(space.base)


def preset_names() -> list[str]:
    """The ready presets (``sim/configs/optimize/*.yaml``), by name."""
    return sorted(path.stem for path in PRESETS_DIR.glob("*.yaml"))


def preset_path(name: str) -> Path:
    """The file of preset ``name``; a SpaceError listing the presets when there is none."""
    path = PRESETS_DIR / f"{name}.yaml"
    if not path.is_file():
        raise SpaceError(f"no preset {name!r}: choose among {', '.join(preset_names())} "
                         f"or give a file with --space FILE")
    return path


def load_space(path: str | Path, name: str | None = None) -> Space:
    """Read and check the space file ``path``; a SpaceError (one line) if it is not usable.

    The checks here need no config; :func:`sim.optimize.evaluate.check_space` checks the keys
    and bounds against the composed configs.
    """
    path = Path(path)
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise SpaceError(f"{where}: cannot read the space file ({err.strerror or err})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise SpaceError(f"{where}: not valid YAML{at}: {problem}") from None
    return parse_space(data, name=name or path.stem, where=where)


def parse_space(data: Any, *, name: str, where: str = "space") -> Space:
    """The :class:`Space` of a parsed space file ``data`` (see :func:`load_space`)."""

    def fail(key: str, message: str) -> SpaceError:
        return SpaceError(f"{where}: {key}: {message}")

    if not isinstance(data, dict):
        raise SpaceError(f"{where}: a mapping of {', '.join(SPACE_KEYS[:6])}, ... expected, "
                         f"got {type(data).__name__}")
    for key in data:
        if key not in SPACE_KEYS:
            raise fail(str(key), f"unknown key (allowed: {', '.join(SPACE_KEYS)})")
    if "budget" not in data:
        raise fail("budget", "required: the total money of a plan, e.g. budget: 20000")
    budget = data["budget"]
    if isinstance(budget, bool) or not isinstance(budget, int | float) or not budget > 0 \
            or math.isinf(budget):
        raise fail("budget", f"{budget!r} is invalid: allowed a positive amount of money")
    split = _names(data.get("split"), "split", fail, required=True)
    own = _names(data.get("own_budget", []), "own_budget", fail, required=False)
    if set(split) & set(own):
        raise fail("own_budget", f"{sorted(set(split) & set(own))} are in split as well: a "
                                 f"strategy has a share of the budget or a budget of its own")
    base = data.get("base", []) or []
    if not isinstance(base, list) or not all(isinstance(o, str) for o in base):
        raise fail("base", "a list of overrides, e.g. [graph.n=5000, steps=120]")
    for override in base:
        key = override.lstrip("+~").split("=", 1)[0]
        if "=" not in override:
            raise fail("base", f"{override!r} is not an override (key=value)")
        if is_reserved(key):
            raise fail("base", f"{override!r} sets {key}, which the optimiser sets itself "
                               f"(strategies: split and own_budget; total: budget)")
    params = _params(data.get("params", []) or [], fail)
    if not params and len(split) < 2:
        raise fail("params", "nothing to search: give params, or two strategies or more in "
                             "split")
    objectives = data.get("objectives", list(Space.__dataclass_fields__["objectives"].default))
    if isinstance(objectives, str):
        objectives = [objectives]
    if not isinstance(objectives, list) or not objectives \
            or not all(isinstance(o, str) for o in objectives):
        raise fail("objectives", "a list of metric names, e.g. [incremental_npv, retention]")
    ints = {}
    for key, low in (("trials", 1), ("seeds", 2), ("first_seed", 0), ("top", 1),
                     ("confirm_seeds", 2), ("confirm_first_seed", 0), ("sampler_seed", 0)):
        value = data.get(key, Space.__dataclass_fields__[key].default)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise fail(key, f"{value!r} is invalid: allowed an integer >= {low}")
        ints[key] = value
    space = Space(name=name, budget=float(budget), split=split, own_budget=own, base=tuple(base),
                  params=params, objectives=tuple(objectives),
                  description=str(data.get("description", "") or ""), source=where, **ints)
    check_seeds(space, where)
    return space


def check_seeds(space: Space, where: str = "space") -> None:
    """The fresh seeds must not overlap the seeds the plans were chosen on."""
    overlap = set(space.search_seeds) & set(space.fresh_seeds)
    if overlap:
        raise SpaceError(f"{where}: confirm_first_seed: the confirmation seeds "
                         f"{space.confirm_first_seed}..{space.fresh_seeds[-1]} overlap the "
                         f"search seeds {space.first_seed}..{space.search_seeds[-1]}: the top "
                         f"plans must be confirmed on seeds they were not chosen on")


def _names(value: Any, key: str, fail, *, required: bool) -> tuple[str, ...]:
    if value is None:
        value = []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(key, f"a list of strategies among {', '.join(PLUGINS)}")
    if required and not value:
        raise fail(key, f"required: the strategies that share the budget, among "
                        f"{', '.join(PLUGINS)}")
    for v in value:
        if v not in PLUGINS:
            raise fail(key, f"unknown strategy {v!r} (allowed: {', '.join(PLUGINS)})")
    if len(set(value)) != len(value):
        raise fail(key, f"{value} names a strategy twice")
    return tuple(value)


def _params(value: Any, fail) -> tuple[Param, ...]:
    if not isinstance(value, list):
        raise fail("params", "a list of {key, type, low, high, log, step, choices}")
    out: list[Param] = []
    for i, item in enumerate(value):
        at = f"params[{i}]"
        if not isinstance(item, dict):
            raise fail(at, "a mapping {key: <config key>, type: float|int|categorical, ...}")
        if "key" in item and isinstance(item["key"], str):
            at = f"params[{i}] ({item['key']})"
        for k in item:
            if k not in PARAM_KEYS:
                raise fail(f"{at}.{k}", f"unknown key (allowed: {', '.join(PARAM_KEYS)})")
        key = item.get("key")
        if not isinstance(key, str) or not key:
            raise fail(f"{at}.key", "required: the config key to set, e.g. strategy.kol.k")
        if is_reserved(key):
            raise fail(f"{at}.key", f"{key} is set by the optimiser (budget shares: split; "
                                    f"total: budget)")
        if key in (p.key for p in out):
            raise fail(f"{at}.key", f"{key} is listed twice")
        kind = item.get("type")
        if kind not in PARAM_TYPES:
            raise fail(f"{at}.type", f"{kind!r} is invalid: allowed {', '.join(PARAM_TYPES)}")
        out.append(_param(item, key, kind, at, fail))
    return tuple(out)


def _param(item: dict, key: str, kind: str, at: str, fail) -> Param:
    log = item.get("log", False)
    if not isinstance(log, bool):
        raise fail(f"{at}.log", f"{log!r} is invalid: allowed true or false")
    if kind == "categorical":
        for k in ("low", "high", "log", "step"):
            if k in item:
                raise fail(f"{at}.{k}", "not for a categorical parameter (give choices)")
        choices = item.get("choices")
        if not isinstance(choices, list) or len(choices) < 2:
            raise fail(f"{at}.choices", "a list of two values or more")
        for c in choices:
            if c is not None and not isinstance(c, str | int | float | bool):
                raise fail(f"{at}.choices", f"{c!r} is invalid: allowed numbers, text, "
                                            f"true/false or null")
        if len(set(map(repr, choices))) != len(choices):
            raise fail(f"{at}.choices", f"{choices} lists a value twice")
        return Param(key, kind, choices=tuple(choices))
    if "choices" in item:
        raise fail(f"{at}.choices", f"only for a categorical parameter (this one is {kind})")
    number = int if kind == "int" else (int, float)
    bounds = {}
    for k in ("low", "high"):
        v = item.get(k)
        if isinstance(v, bool) or not isinstance(v, number) or (
                isinstance(v, float) and not math.isfinite(v)):
            allowed = "an integer" if kind == "int" else "a number"
            raise fail(f"{at}.{k}", f"{v!r} is invalid: allowed {allowed}")
        bounds[k] = v
    low, high = bounds["low"], bounds["high"]
    if not low < high:
        raise fail(f"{at}.high", f"{high!r} is invalid: allowed a value above low={low!r}")
    if log and low <= 0:
        raise fail(f"{at}.low", f"{low!r} is invalid: allowed a value > 0 with log: true")
    step = item.get("step")
    if step is not None:
        if isinstance(step, bool) or not isinstance(step, number) or not step > 0:
            raise fail(f"{at}.step", f"{step!r} is invalid: allowed a positive "
                                     f"{'integer' if kind == 'int' else 'number'}")
        if log and (kind == "float" or step != 1):
            raise fail(f"{at}.step", "not with log: true (a log scale has no fixed step)")
    return Param(key, kind, low=low if kind == "int" else float(low),
                 high=high if kind == "int" else float(high), log=log, step=step)
