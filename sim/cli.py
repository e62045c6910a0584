"""The ``womsim`` command: a thin Hydra wrapper around :func:`sim.run.run`.

Before Hydra composes anything or creates a directory, :func:`check_command` checks the command
line against the composed configs: a misspelt key, a wrong type, an unknown option, a ``+`` key
womsim would ignore, a strategy's key without the strategy, and, for a single run, every value
(:func:`sim.schema.validate`). A mistake ends the command with one line, ``womsim: error: ...``,
and exit status 2; a run refused later (a malformed edge list) leaves no directory behind, and
nothing that was already in an existing one is lost.

In a sweep (``-m``) every job is independent: a job whose directory already holds complete
results for the same config is skipped (resume); a job another process is running is left to it
(``.womsim.lock``); a job that fails writes ``error.json`` and lets the others go on, even when
its process is killed (each job runs in a child process). The sweep ends with one line, ``N done,
K skipped, F failed``, and exit status 1 when a job failed.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import functools
import os
import sys
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict

from sim.compose import CONFIG_DIR, config_groups, group_options
from sim.errors import UserError
from sim.io import RunDirState
from sim.jobs import begin_sweep, config_hash, end_sweep, job_dirname, run_sweep_job, sweep_jobs
from sim.schema import register_configs

register_configs()
if not OmegaConf.has_resolver("womsim_jobdir"):
    OmegaConf.register_new_resolver("womsim_jobdir", job_dirname)
if not OmegaConf.has_resolver("womsim_groups"):
    OmegaConf.register_new_resolver("womsim_groups", config_groups)


def main() -> None:
    """The ``womsim`` command: check the command line, then run Hydra's app."""
    from hydra_plugins.womsim_sweeper.checked_sweeper import CHECKED_ENV

    try:
        checked = check_command(sys.argv[1:])
    except (CommandError, UserError) as err:
        print(f"womsim: error: {err}", file=sys.stderr)
        sys.exit(2)
    if checked:  # every job is checked: the sweeper need not compose each again
        os.environ[CHECKED_ENV] = "1"
    else:
        os.environ.pop(CHECKED_ENV, None)
    app()
    if _SWEEP_FAILED:
        sys.exit(1)


# --- the command line, checked before Hydra runs ----------------------------------------------

class CommandError(UserError):
    """A mistake on the command line (a key, a type, an option): said in one line."""


def check_command(argv: list[str]) -> bool:
    """Check ``womsim``'s arguments as Hydra would compose them, before it writes anything.

    For a run or a sweep (and ``--cfg``), every override of every job (the sweep's values, an
    experiment's ``hydra.sweeper.params``) is checked against the config its job composes:
    see :func:`override_problem`. A single run's values are checked too
    (:func:`sim.schema.validate`). Help, ``--info`` and a config of the user's own
    (``--config-dir``, ``--config-name``, ...) are left to Hydra.

    Returns
    -------
    bool
        Whether the command's jobs were checked (False for what is left to Hydra).

    Raises
    ------
    CommandError
        The first mistake, in one line.
    ConfigError
        A single run's value out of its range (from :func:`sim.schema.validate`).
    """
    from hydra._internal.utils import get_args_parser

    args = get_args_parser().parse_args(argv)
    if (args.help or args.hydra_help or args.info or args.shell_completion
            or args.experimental_rerun or args.config_path or args.config_name
            or args.config_dir):
        return False
    with CommandChecker() as checker:
        checker.check(list(args.overrides), multirun=bool(args.multirun),
                      values=not args.cfg)
    return True


class CommandChecker:
    """Hydra's config loader on womsim's configs (a context manager), composing and caching
    the configs that a command's overrides are checked against."""

    def check(self, overrides: list[str], *, multirun: bool = False,
              values: bool = True) -> None:
        """Check a command's overrides (see :func:`check_command`); ``values``: also check a
        single run's values."""
        jobs, multirun = self.jobs(overrides, multirun=multirun)
        for job in jobs:
            self.check_job(job, sweep=multirun)
        if values and not multirun:
            from sim.schema import validate

            validate(self.job_config(jobs[0]))

    def job_config(self, job: list[str]) -> DictConfig:
        """A job's config without Hydra's node: its group overrides composed (cached), then
        its key overrides applied with Hydra's own code, as Hydra does after composing (one
        composition fewer than composing the job again)."""
        from hydra._internal.config_loader_impl import ConfigLoaderImpl

        parsed = [self.parse(line) for line in job]
        groups = tuple(o.input_line for o in parsed if self.is_group(o))
        cfg = copy.deepcopy(self.compose(groups))
        try:
            ConfigLoaderImpl._apply_overrides_to_config(
                [o for o in parsed if not self.is_group(o)], cfg)
        except Exception as err:  # noqa: BLE001 - any override error: one line
            raise CommandError(_one_line(err)) from None
        with open_dict(cfg):
            del cfg["hydra"]
        return cfg

    def __enter__(self) -> CommandChecker:
        from hydra import initialize_config_dir
        from hydra.core.global_hydra import GlobalHydra
        from hydra.core.override_parser.overrides_parser import OverridesParser

        self._init = initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3")
        self._init.__enter__()
        self.loader = GlobalHydra.instance().config_loader()
        self.parser = OverridesParser.create()
        self.groups = self._all_groups("")
        self.cache: dict[tuple, Any] = {}
        self.defaults = self.compose(())
        return self

    def __exit__(self, *exc: object) -> None:
        self._init.__exit__(*exc)

    def _all_groups(self, parent: str) -> set[str]:
        found = set()
        for name in group_options(self.loader, parent, groups=True):
            path = f"{parent}/{name}" if parent else name
            found |= {path, *self._all_groups(path)}
        return found

    def options(self, group: str) -> list[str]:
        """A group's options (cached: Hydra's loader takes ~70 ms to list them)."""
        if ("options", group) not in self.cache:
            self.cache[("options", group)] = sorted(group_options(self.loader, group))
        return self.cache[("options", group)]

    @functools.cache  # noqa: B019 - one checker per command
    def parse(self, line: str) -> Any:
        """One override, parsed by Hydra's parser."""
        from hydra.errors import OverrideParseException

        try:
            return self.parser.parse_overrides([line])[0]
        except OverrideParseException as err:
            reason = str(err).strip().splitlines()[:1] or ["not an override"]
            raise CommandError(f"cannot read {line!r}: {reason[0]} (override syntax: "
                               "https://hydra.cc/docs/advanced/override_grammar/basic/)"
                               ) from None

    def is_group(self, override: Any) -> bool:
        return override.package is not None or override.key_or_group.lstrip("/") in self.groups

    def compose(self, lines: tuple | list, *, with_hydra: bool = True) -> Any:
        """The config composed with ``lines`` (cached); a Hydra error becomes one line."""
        from hydra import compose

        key = (tuple(lines), with_hydra)
        if key not in self.cache:
            try:
                self.cache[key] = compose(config_name="config", overrides=list(lines),
                                          return_hydra_config=with_hydra)
            except Exception as err:  # noqa: BLE001 - any composition error: one line
                raise CommandError(_one_line(err)) from None
        return self.cache[key]

    def jobs(self, overrides: list[str], *, multirun: bool) -> tuple[list[list[str]], bool]:
        """The jobs' overrides (one job for a run) and whether it is a sweep."""
        parsed = [self.parse(line) for line in overrides]
        base = []
        for override in parsed:
            if self.is_group(override) and not override.is_sweep_override():
                self.check_group(override)
                base.append(override.input_line)
        config = self.compose(base)
        multirun = multirun or config.hydra.mode == RunMode.MULTIRUN
        if not multirun:
            sweeps = [o.input_line for o in parsed if o.is_sweep_override()]
            if sweeps:
                raise CommandError(f"{sweeps[0]} is a sweep: add -m (--multirun) to run one "
                                   "job per value")
            return [list(overrides)], False
        params = OmegaConf.select(config, "hydra.sweeper.params", default=None) or {}
        saved = OmegaConf.create({"hydra": {"sweeper": {"params": dict(params)},
                                            "overrides": {"task": list(overrides)}}})
        try:
            return sweep_jobs(saved), True
        except Exception as err:  # noqa: BLE001 - e.g. a sweep the basic sweeper cannot run
            raise CommandError(_one_line(err)) from None

    def check_job(self, job: list[str], *, sweep: bool) -> None:
        """Check one job's overrides: options first, then keys against its composed config."""
        parsed = [self.parse(line) for line in job]
        groups = [o for o in parsed if self.is_group(o)]
        for override in groups:
            self.check_group(override)
        lines = tuple(o.input_line for o in groups)
        config = self.compose(lines)
        context = f" with {' '.join(lines)}" if sweep and lines else ""
        for override in parsed:
            if override in groups or ("key", lines, override.input_line) in self.cache:
                continue
            problem = override_problem(config, override)
            if problem:
                raise CommandError(f"{override.input_line} is invalid{context}: {problem}")
            self.cache[("key", lines, override.input_line)] = True

    def check_group(self, override: Any) -> None:
        """An option must exist; ``+`` adds a group that is not chosen yet and only that."""
        if override.is_delete() or override.package is not None or \
                ("group", override.input_line) in self.cache:
            return
        group = override.key_or_group.lstrip("/")
        options = self.options(group)
        values = (list(override.sweep_iterator()) if override.is_sweep_override()
                  else [override.value()])
        for value in values:
            for name in value if isinstance(value, list) else [value]:
                if str(name) not in options:
                    close = difflib.get_close_matches(str(name), options, n=1)
                    hint = (f"did you mean {group}={close[0]}?" if close
                            else f"options: {', '.join(options)}")
                    raise CommandError(f"{override.input_line} is invalid: no such option in "
                                       f"{group} ({hint})")
        chosen = group in self.defaults.hydra.runtime.choices
        line = override.input_line
        if override.is_add() and chosen:
            raise CommandError(f"{line} is invalid: {group} is already chosen (without the +: "
                               f"{line.lstrip('+')})")
        if not override.is_add() and not override.is_force_add() and not chosen:
            raise CommandError(f"{line} is invalid: {group} is not chosen by default (add it "
                               f"with +: +{line})")
        self.cache[("group", line)] = True


def override_problem(config: DictConfig, override: Any) -> str | None:
    """What is wrong with one key override (not a group's) applied to ``config`` (a composed
    config with its ``hydra`` node), or None.

    A key must exist (the closest one is suggested); a ``+`` key is refused outside ``hydra``
    unless it adds an entry to a free-form mapping (``+budget_shares.kol=0.5``), as Hydra would
    otherwise add it unchecked and womsim would ignore it; a strategy's keys need the strategy;
    the value must have the key's type.
    """
    from sim.strategies import PLUGINS

    key = override.key_or_group
    parts = key.split(".")
    in_hydra = parts[0] == "hydra"
    adding = override.is_add() or override.is_force_add()
    if in_hydra and adding:
        return None  # launcher and sweeper options are Hydra's own business
    node: Any = config
    parent = config
    for depth, part in enumerate(parts):
        here = ".".join(parts[:depth])
        if not isinstance(node, DictConfig):
            return f"{here} is a single value, it has no keys"
        if part not in node.keys():
            last = depth == len(parts) - 1
            if last and not in_schema(node):  # a mapping of the user's: dict[str, float]
                if here == "budget_shares" and part not in PLUGINS:
                    return _no_such(key, config, depth, "no such strategy in budget_shares")
                if override.is_delete():
                    return f"no such key in {here}"
                if not adding:
                    return f"{here} has no {part} yet (add it with +: +{override.input_line})"
                break
            return _no_such(key, config, depth, f"no such key in {here}" if here
                            else "no such key")
        child = node._get_node(part)
        if depth < len(parts) - 1 and child._is_none():
            if here == "strategy" and part in PLUGINS:
                fields = _schema_fields(PLUGINS[part].schema)
                if parts[depth + 1] not in fields:
                    return _no_such(key, config, depth + 1, f"no such key in strategy.{part}")
                return (f"the {part} strategy is not selected (add strategy={part}, or list it: "
                        f"strategy=[...,{part}])")
            return f"{'.'.join(parts[:depth + 1])} is null here, so it has no keys"
        parent, node = node, child
    else:
        if override.is_add() and not node._is_none():
            return f"{key} is already set (without the +: {override.input_line.lstrip('+')})"
        if override.is_delete() and not in_hydra and in_schema(parent):
            return f"{key} cannot be removed, only set ({key}=...)"
    return _apply_problem(config, override)


def in_schema(node: DictConfig) -> bool:
    """Whether ``node`` is a dataclass schema's (a structured config)."""
    return dataclasses.is_dataclass(node._metadata.object_type)


def _schema_fields(schema: type) -> list[str]:
    return [f.name for f in dataclasses.fields(schema)]


def _apply_problem(config: DictConfig, override: Any) -> str | None:
    """Apply the override to a copy of ``config`` with Hydra's own code; say what fails."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from omegaconf.errors import ValidationError

    trial = copy.deepcopy(config)
    try:
        ConfigLoaderImpl._apply_overrides_to_config([override], trial)
    except Exception as err:  # noqa: BLE001 - Hydra's and OmegaConf's errors alike
        cause = err.__cause__ or err
        if isinstance(cause, ValidationError):
            return _type_problem(config, override.key_or_group, cause)
        return _one_line(err)
    return None


_KINDS = {"IntegerNode": "an integer", "FloatNode": "a number", "BooleanNode": "true or false",
          "StringNode": "a string", "EnumNode": "one of its names", int: "an integer",
          float: "a number", bool: "true or false", str: "a string"}


def _type_problem(config: DictConfig, key: str, error: Exception) -> str:
    """``<key> takes an integer`` and the like, from the key's node in the schema (or the
    element type of the mapping it goes into)."""
    parent, _, last = key.rpartition(".")
    mapping = OmegaConf.select(config, parent) if parent else config
    node = mapping._get_node(last) if last in mapping.keys() else None
    if node is None:
        kind = _KINDS.get(mapping._metadata.element_type)
    elif isinstance(node, DictConfig):
        kind = f"a group of keys ({key}.<key>=...)"
    else:
        kind = _KINDS.get(type(node).__name__)
    if kind is None:
        return str(error).splitlines()[0]
    return f"{key} takes {kind}" + (", not null" if "is not Optional" in str(error) else "")


def _no_such(key: str, config: DictConfig, depth: int, problem: str) -> str:
    """``problem`` and the closest existing key (difflib), if any is close."""
    from sim.strategies import PLUGINS

    parts = key.split(".")
    paths = _paths(config, include_hydra=parts[0] == "hydra")
    paths += [f"strategy.{name}.{f}" for name, p in PLUGINS.items()
              for f in _schema_fields(p.schema)]
    paths += [f"budget_shares.{name}" for name in PLUGINS]
    prefix = ".".join(parts[:depth])
    siblings = sorted({p.split(".")[depth] for p in paths if p.count(".") >= depth
                       and ".".join(p.split(".")[:depth]) == prefix})
    close = difflib.get_close_matches(parts[depth], siblings, n=1, cutoff=0.6)
    if close:
        guess = ".".join([*parts[:depth], close[0], *parts[depth + 1:]])
    else:  # the same name elsewhere (graph.quality -> model.quality)
        names = {p.rpartition(".")[2]: p for p in paths if "." in p}
        found = difflib.get_close_matches(parts[-1], list(names), n=1, cutoff=0.8)
        guess = names[found[0]] if found and len(parts) > 1 else None
    return f"{problem} (did you mean {guess}?)" if guess else problem


def _paths(node: Any, prefix: str = "", *, include_hydra: bool = False) -> list[str]:
    """Every dotted key of a config (mappings and values)."""
    out = []
    for name in node.keys() if isinstance(node, DictConfig) else []:
        if name == "hydra" and not prefix and not include_hydra:
            continue
        path = f"{prefix}.{name}" if prefix else str(name)
        out.append(path)
        child = node._get_node(name)
        if isinstance(child, DictConfig) and not child._is_none():
            out += _paths(child, path, include_hydra=include_hydra)
    return out


def _one_line(error: BaseException) -> str:
    """A Hydra or OmegaConf error in one line: its first line and its cause's."""
    first = str(error).strip().splitlines()[:1] or [type(error).__name__]
    cause = error.__cause__
    if cause is not None and str(cause).strip():
        first.append(str(cause).strip().splitlines()[0])
    return ": ".join(line.rstrip(".:") for line in first)


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="config")
def app(cfg: DictConfig) -> None:
    """Run one simulation and write metrics.json, timeseries.csv and timeseries.png."""
    hc = HydraConfig.get()
    outdir = Path(hc.runtime.output_dir)
    if hc.mode == RunMode.MULTIRUN:
        if cfg.get("threads") is None:  # the launcher already runs jobs side by side
            with open_dict(cfg):
                cfg.threads = 1
        _prepare_worker()
        isolate = hasattr(os, "fork") and "ray" not in str(hc.launcher.get("_target_", ""))
        run_sweep_job(cfg, outdir, list(hc.overrides.task), Path(hc.sweep.dir), execute,
                      isolate=isolate)
    else:
        run_single(cfg, outdir)


@functools.cache
def _prepare_worker() -> None:
    """What every job needs, done once per worker process rather than in each job's child
    process: the runner's imports and numba's own setup (~2 s per job otherwise)."""
    import numba

    import sim.report.files
    import sim.report.summary
    import sim.run  # noqa: F401

    numba.njit(lambda: 0)()  # numba sets up its compiler on its first function


# --- a single run -----------------------------------------------------------------------------

def run_single(cfg: DictConfig, outdir: Path) -> None:
    """A single run: user mistakes end the command with a one-line error (exit status 2), and
    the run directory is put back as it was before the command."""
    try:
        execute(cfg, outdir)
    except UserError as err:
        state = _RUN_DIRS.get(str(outdir.resolve()))
        if state is not None:
            state.restore()
        print(f"womsim: error: {err}", file=sys.stderr)
        sys.exit(2)


#: run directory -> its state before Hydra wrote into it (set by WomsimCallback.on_run_start)
_RUN_DIRS: dict[str, RunDirState] = {}


# --- sweeps -----------------------------------------------------------------------------------

#: failed jobs of the last sweep this process ran (read by :func:`main` for the exit status)
_SWEEP_FAILED: list[str] = []


class WomsimCallback(Callback):
    """Hydra callback (sim/configs/config.yaml): remembers a run directory's state before
    Hydra writes into it; opens a sweep's log, and at the end prints the sweep's last line and
    sets the exit status (see :mod:`sim.jobs`)."""

    def __init__(self) -> None:
        self.sweep: tuple[str, int | None] | None = None

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        try:  # resolving it here also fixes the ${now:...} that Hydra then uses
            run_dir = Path(str(OmegaConf.select(config, "hydra.run.dir"))).resolve()
        except Exception:  # noqa: BLE001 - without it, a refused run just keeps its directory
            return
        _RUN_DIRS[str(run_dir)] = RunDirState.capture(run_dir)

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        self.sweep = begin_sweep(config)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        if self.sweep is not None:
            line, failed = end_sweep(Path(str(config.hydra.sweep.dir)), *self.sweep)
            _SWEEP_FAILED[:] = failed
            print(line, file=sys.stderr if failed else sys.stdout, flush=True)


# --- one run ----------------------------------------------------------------------------------

def execute(cfg: DictConfig, outdir: Path, *, label: str = "") -> None:
    """Run the simulation described by ``cfg`` and write its outputs into ``outdir``."""
    from sim.report.files import save_timeseries_png
    from sim.report.summary import summary_table
    from sim.run import run, write_outputs

    result = run(cfg, progress=True, label=label)
    for warning in result.run_info.get("warnings", []):
        print(f"womsim: warning: {warning}" + (f" ({label})" if label else ""), file=sys.stderr)
    result.metrics["config_hash"] = config_hash(cfg)
    if cfg.output.plot:
        title = f"{result.metrics['graph']}, seed {cfg.seed}"
        save_timeseries_png(result.timeseries, outdir / "timeseries.png", title)
    write_outputs(result, outdir)  # metrics.json last: its presence marks a complete job
    if cfg.output.summary:
        print(summary_table(result.metrics))
        print(f"results: {outdir}")


if __name__ == "__main__":
    main()
