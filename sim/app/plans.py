"""Loading a plan into a dashboard scenario: a ``womsim`` command, a run directory, or one of
the optimiser's confirmed plans.

Every source becomes a composed config, and the config becomes the dashboard's
:class:`~sim.app.controls.World` (graph kind, consumers, seed, horizon) and
:class:`~sim.app.controls.Scenario` (the model's controls, the strategies and the controls their
plugins declare, the budget and its split). Settings the dashboard has no control for keep the
dashboard's values; :class:`LoadedPlan` says which, so nothing is dropped silently.

Sources (:func:`load_plan` tells them apart):

- a command: ``womsim graph.n=5000 strategy=[kol,rewards] strategy.kol.k=20`` (``womsim`` and
  ``python -m sim`` in front are optional; a sweep is refused);
- a run directory (it holds ``.hydra/config.yaml``, the config the run used);
- an optimiser's output directory (it holds ``top_plans.csv``): its first-ranked confirmed plan,
  or the plan of rank ``r`` with ``<directory>#r``; also the ``top_plans.csv`` file itself.
"""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.app.controls import KNOBS, STRATEGY_NAMES, ControlError, Scenario, World
from sim.app.state import compose_overrides, scenario_config
from sim.strategies import PLUGINS

#: what a command may start with (the rest are Hydra overrides)
COMMAND_PREFIXES = (("womsim",), ("python", "-m", "sim"), ("python3", "-m", "sim"))
#: the file of a run directory that holds its config, and the optimiser's ranked plans
RUN_CONFIG = Path(".hydra") / "config.yaml"
TOP_PLANS = "top_plans.csv"
#: sweep syntax in an override's value: a list of values, or a sweep function
_SWEEP = re.compile(r"^(range|choice|interval|glob|tag)\(")
#: settings listed one by one in the note before "and N more"
NOTE_ITEMS = 4


@dataclass(frozen=True)
class LoadedPlan:
    """A plan read into the dashboard.

    Attributes
    ----------
    world, scenario : World, Scenario
        The dashboard's controls for the plan.
    note : str
        One line: what was loaded and which of its settings have no dashboard control (they
        take the dashboard's values).
    not_carried : tuple of str
        Those settings, as ``key=<plan's value> (dashboard: <value>)``.
    """

    world: World
    scenario: Scenario
    note: str
    not_carried: tuple[str, ...] = ()


def load_plan(text: str) -> LoadedPlan:
    """Read a plan from a ``womsim`` command, a run directory or an optimiser's output
    directory (``<dir>#<rank>`` for a plan other than the first); raise :class:`ControlError`
    (one line) when it cannot be read or the dashboard cannot show it."""
    if not isinstance(text, str) or not text.strip():
        raise ControlError("Plan: empty: give a womsim command, a run directory or an "
                           "optimiser's output directory")
    text = text.strip()
    path_text, _, rank_text = text.partition("#")
    path = Path(path_text).expanduser()
    if rank_text or _exists(path):
        if not _exists(path):
            raise ControlError(f"Plan: {path_text!r} does not exist")
        return _from_path(path, rank_text)
    return plan_from_command(text)


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # e.g. a long command is no file name
        return False


def plan_from_command(command: str, *, what: str = "") -> LoadedPlan:
    """The plan of a ``womsim`` command (one run: a sweep is refused)."""
    overrides = command_overrides(command)
    cfg = compose_overrides(overrides, label="Plan")
    return plan_from_config(cfg, what=what or f"the command {_shorten(command)}")


def command_overrides(command: str) -> list[str]:
    """The Hydra overrides of a ``womsim`` command line; :class:`ControlError` for options, a
    sweep, or text that is not a command."""
    try:
        words = shlex.split(command)
    except ValueError as err:
        raise ControlError(f"Plan: the command cannot be read ({err})") from None
    for prefix in COMMAND_PREFIXES:
        if tuple(words[:len(prefix)]) == prefix:
            words = words[len(prefix):]
            break
    overrides = []
    for word in words:
        if word.startswith("-"):
            if word in ("-m", "--multirun"):
                continue  # a single-valued override list runs one job either way
            raise ControlError(f"Plan: option {word!r} is not a plan setting: allowed overrides "
                               "key=value only (as in womsim key=value ...)")
        key, eq, value = word.partition("=")
        if not eq or not key.strip():
            raise ControlError(f"Plan: {word!r} is not an override: allowed key=value "
                               "(e.g. graph.n=5000)")
        if key.lstrip("+~").startswith("hydra."):
            continue  # where Hydra writes, not what the plan is
        if _is_sweep(key, value):
            raise ControlError(f"Plan: {word} is a sweep: the dashboard runs one plan; pick one "
                               "value (use Run N seeds for many seeds)")
        overrides.append(word)
    return overrides


def _is_sweep(key: str, value: str) -> bool:
    if _SWEEP.match(value.strip()):
        return True
    depth = 0
    for char in value:  # a comma outside brackets and quotes separates sweep values
        if char in "[{(":
            depth += 1
        elif char in "]})":
            depth -= 1
        elif char == "," and depth == 0:
            return True
    return False


def plan_from_run(run_dir: str | Path) -> LoadedPlan:
    """The plan a run used (its ``.hydra/config.yaml``)."""
    run_dir = Path(run_dir)
    path = run_dir / RUN_CONFIG
    if not path.is_file():
        raise ControlError(f"Plan: {run_dir} holds no {RUN_CONFIG.as_posix()}: not a womsim "
                           "run directory")
    try:
        cfg = OmegaConf.load(path)
    except Exception as err:  # a damaged file: say which, in one line
        raise ControlError(f"Plan: {path} cannot be read ({type(err).__name__})") from None
    return plan_from_config(cfg, what=f"the run {run_dir}")


def plan_from_study(path: str | Path, rank: int = 1) -> LoadedPlan:
    """Confirmed plan number ``rank`` (1: the best) of an optimiser's output (its directory or
    its ``top_plans.csv``)."""
    path = Path(path)
    table = path if path.is_file() else path / TOP_PLANS
    if not table.is_file():
        raise ControlError(f"Plan: {path} holds no {TOP_PLANS}: not an optimiser's output")
    try:
        plans = pd.read_csv(table)
    except Exception as err:
        raise ControlError(f"Plan: {table} cannot be read ({type(err).__name__})") from None
    if "command" not in plans or "rank" not in plans:
        raise ControlError(f"Plan: {table} has no rank and command columns")
    if plans.empty:
        raise ControlError(f"Plan: {table} lists no confirmed plan")
    row = plans[plans["rank"] == rank]
    if row.empty:
        raise ControlError(f"Plan: rank {rank} is invalid for {table}: allowed 1 to "
                           f"{int(plans['rank'].max())}")
    return plan_from_command(str(row["command"].iloc[0]),
                             what=f"plan {rank} of {len(plans)} confirmed in {table.parent}")


def _from_path(path: Path, rank_text: str) -> LoadedPlan:
    if (path / RUN_CONFIG).is_file():
        if rank_text:
            raise ControlError(f"Plan: #{rank_text} is for an optimiser's plans; {path} is a run")
        return plan_from_run(path)
    rank = 1
    if rank_text:
        if not rank_text.isdigit() or int(rank_text) < 1:
            raise ControlError(f"Plan: rank #{rank_text} is invalid: allowed a whole number "
                               ">= 1 (#1: the best plan)")
        rank = int(rank_text)
    if path.is_file() and path.name != TOP_PLANS:
        raise ControlError(f"Plan: {path} is neither a run directory nor an optimiser's "
                           f"output (a directory with {RUN_CONFIG.as_posix()} or {TOP_PLANS})")
    if path.is_dir() and not (path / TOP_PLANS).is_file():
        raise ControlError(f"Plan: {path} is neither a run directory nor an optimiser's "
                           f"output (a directory with {RUN_CONFIG.as_posix()} or {TOP_PLANS})")
    return plan_from_study(path, rank)


# --------------------------------------------------------------------------------------------
# config -> controls


def plan_from_config(cfg: Any, *, what: str = "a config") -> LoadedPlan:
    """The dashboard's controls for a composed config, and the settings they leave out."""
    plain = _current_names(_plain(cfg))
    world, scenario = controls_from_config(plain)
    shown = _plain(scenario_config(world, scenario))
    missing = not_carried(plain, shown)
    note = f"Loaded {what}"
    if missing:
        listed = ", ".join(missing[:NOTE_ITEMS])
        more = f" and {len(missing) - NOTE_ITEMS} more" if len(missing) > NOTE_ITEMS else ""
        note += (f"; {len(missing)} setting{'s' if len(missing) > 1 else ''} without a "
                 f"dashboard control take the dashboard's values: {listed}{more}")
    return LoadedPlan(world, scenario, note + ".", tuple(missing))


def controls_from_config(plain: dict[str, Any]) -> tuple[World, Scenario]:
    """The :class:`World` and :class:`Scenario` of a config (a plain dict); values the
    dashboard does not allow raise :class:`ControlError` naming the control."""
    plain = _current_names(plain)
    model = plain.get("model") or {}
    if model.get("name", "wom") != "wom":
        raise ControlError(f"Plan: model={model.get('name')} is invalid for the dashboard: "
                           "allowed wom (the presets run with the womsim command)")
    graph = plain.get("graph") or {}
    try:
        world = World(graph=graph.get("kind"), n=graph.get("n"), seed=plain.get("seed"),
                      steps=plain.get("steps"))
    except ControlError as err:
        raise ControlError(f"Plan: {err}") from None
    strategy_section = plain.get("strategy") or {}
    chosen = tuple(name for name in STRATEGY_NAMES if strategy_section.get(name) is not None)
    unknown = [name for name, value in strategy_section.items()
               if value is not None and name not in PLUGINS]
    if unknown:
        raise ControlError(f"Plan: strategy {unknown[0]} is unknown: allowed "
                           + ", ".join(STRATEGY_NAMES))
    values: dict[str, Any] = {}
    for name, (plugin, knob) in KNOBS.items():
        section = strategy_section.get(plugin)
        if section is None or section.get(knob.key) is None:
            continue  # not selected, or left to its rule (e.g. a budget instead of a count)
        values[name] = section[knob.key]
    crisis = (model.get("crisis") or {}).get("day")
    fatigue = (model.get("fatigue") or {}).get("enabled")
    try:
        scenario = Scenario(
            quality=model.get("quality", Scenario.quality),
            negativity_bias=model.get("negativity_bias", Scenario.negativity_bias),
            fatigue="on" if fatigue else "off", crisis_day=int(crisis or 0),
            strategies=chosen, budget=plain.get("budget"),
            budget_shares=plain.get("budget_shares") or {}, **values)
    except ControlError as err:
        raise ControlError(f"Plan: {err}") from None
    return world, scenario


def _current_names(plain: dict[str, Any]) -> dict[str, Any]:
    """``plain`` with settings under earlier names moved to their current ones
    (``strategy.rewards.referral_reward`` is the earlier name of ``referrer_reward``)."""
    strategy_section = plain.get("strategy") or {}
    rewards = strategy_section.get("rewards") if isinstance(strategy_section, dict) else None
    if not rewards or rewards.get("referral_reward") is None:
        return plain
    rewards = {**rewards, "referrer_reward": rewards["referral_reward"], "referral_reward": None}
    return {**plain, "strategy": {**strategy_section, "rewards": rewards}}


def not_carried(plan: dict[str, Any], shown: dict[str, Any]) -> list[str]:
    """The plan's settings that differ from the config the dashboard's controls give, as
    ``key=<plan> (dashboard: <value>)``, in the plan's order (runtime settings such as threads
    and the output directory aside)."""
    ours = _flatten(shown)
    out = []
    for key, value in _flatten(plan).items():
        if key.split(".")[0] in ("hydra", "threads", "engine", "outdir", "description"):
            continue
        other = ours.get(key, "<absent>")
        if not _same(value, other):
            out.append(f"{key}={_show(value)} (dashboard: {_show(other)})")
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def _show(value: Any) -> str:
    return "null" if value is None else str(value)


def _flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(tree, dict):
        if not tree and prefix:
            return {prefix: {}}
        out: dict[str, Any] = {}
        for key, value in tree.items():
            out |= _flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    return {prefix: tree}


def _plain(cfg: Any) -> dict[str, Any]:
    if isinstance(cfg, DictConfig):
        return OmegaConf.to_container(cfg, resolve=True)  # type: ignore[return-value]
    return dict(cfg)


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
