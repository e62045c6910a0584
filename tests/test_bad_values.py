"""Bad values and impossible plans: every one is refused with one ConfigError line naming its
key, before the work it would waste (issue 13).

The cases are generated from the schemas: every float key of every schema (graph kinds,
population traits, the word-of-mouth model, the presets, the value model, every strategy
plugin, ``budget``, ``budget_shares.*``) set to NaN, inf and -inf, and every int key set to a
huge and a negative number. Then the plans (periods, shares, KOLs), sizes checked against a
loaded file, memory, other inputs (files, the cache directory) and a few command lines.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
import subprocess
import timeit
import types
import typing

import pytest
from omegaconf import OmegaConf, open_dict

import sim.run
from conftest import DATA, make_config
from sim.config import GRAPH_SCHEMAS, PRESET_SCHEMAS, WomModelConfig, resources
from sim.config.checks import MAX_INT
from sim.errors import ConfigError, UserError
from sim.graphs.edgelist import edgelist_warnings, load_edgelist
from sim.run import build_model
from sim.schema import Config, to_plain, validate
from sim.strategies import PLUGINS

#: keys whose schema documents inf as meaningful (none: ``null`` is how a key says "no limit")
INF_ALLOWED: frozenset[str] = frozenset()

#: int keys that take any integer >= 0, however large (a seed)
UNBOUNDED_INTS = frozenset({"seed"})

#: sections of Config walked through their own schemas below, not through Config's fields
OWN_SCHEMAS = {"graph", "model", "strategy"}

SMALL = ("graph.n=300", "steps=20")


def one_line_error(err: pytest.ExceptionInfo, key: str) -> str:
    message = str(err.value)
    assert "\n" not in message, message
    assert message.startswith(f"{key}="), message
    assert len(message) < 400, message
    return message


# ----------------------------------------------------------------------------------------
# the cases, generated from the schemas


def _scalar_type(hint: typing.Any) -> typing.Any:
    """``float`` for ``float`` and ``float | None``; the hint itself otherwise."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return args[0] if len(args) == 1 else hint
    return hint


def numeric_keys(schema: type, prefix: str) -> list[tuple[str, type]]:
    """Every float and int key of a dataclass schema (nested dataclasses and the first item of
    a list of dataclasses included), as (dotted key, float or int)."""
    out = []
    hints = typing.get_type_hints(schema)
    for f in dataclasses.fields(schema):
        if prefix == "" and f.name in OWN_SCHEMAS:
            continue
        key = f"{prefix}.{f.name}" if prefix else f.name
        hint = _scalar_type(hints[f.name])
        if dataclasses.is_dataclass(hint):
            out += numeric_keys(hint, key)
        elif typing.get_origin(hint) is list and dataclasses.is_dataclass(typing.get_args(hint)[0]):
            out += numeric_keys(typing.get_args(hint)[0], f"{key}.0")
        elif hint in (float, int):
            out.append((key, hint))
    return out


def schema_cases() -> list[tuple[tuple[str, ...], str, type]]:
    """(base overrides, key, type) for every numeric key of every schema."""
    data = DATA / "facebook_combined.txt"
    cases = []
    for kind, schema in GRAPH_SCHEMAS.items():
        base = (f"graph={kind}", f"graph.path={data}") if kind == "file" else (f"graph={kind}",)
        cases += [(base, key, t) for key, t in numeric_keys(schema, "graph")]
    for name, schema in {"wom": WomModelConfig, **PRESET_SCHEMAS}.items():
        cases += [((f"model={name}",), key, t) for key, t in numeric_keys(schema, "model")]
    cases += [((), key, t) for key, t in numeric_keys(Config, "")]  # population, value, budget...
    for name, plugin in PLUGINS.items():
        base = (f"strategy={name}", "budget=1000")
        cases += [(base, key, t) for key, t in numeric_keys(plugin.schema, f"strategy.{name}")]
        cases.append((base, f"budget_shares.{name}", float))
    return cases


CASES = schema_cases()
FLOAT_CASES = [(b, k) for b, k, t in CASES if t is float]
INT_CASES = [(b, k) for b, k, t in CASES if t is int]


@functools.cache
def _composed(base: tuple[str, ...]):
    return make_config(*base)


def config_with(base: tuple[str, ...], key: str, value: typing.Any):
    """The composed config of ``base`` with ``key`` set to ``value`` (type-checked by its
    schema, as an override would be; composed once per base)."""
    cfg = copy.deepcopy(_composed(base))
    with open_dict(cfg):
        OmegaConf.update(cfg, key, value, merge=False)
    return cfg


def test_the_walk_covers_every_schema():
    keys = {k for _, k, _ in CASES}
    for expected in ("graph.mean_degree", "graph.homophily", "model.quality_noise", "model.gamma",
                     "population.credibility.sd", "value.discount_rate", "budget",
                     "strategy.kol.tiers.0.price", "strategy.ads.cost_per_impression",
                     "budget_shares.rewards", "steps", "graph.n", "strategy.kol.k"):
        assert expected in keys
    assert len(FLOAT_CASES) >= 90 and len(INT_CASES) >= 30


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize(("base", "key"), FLOAT_CASES, ids=[k for _, k in FLOAT_CASES])
def test_every_float_key_refuses_nan_and_infinities(base, key, value):
    if key in INF_ALLOWED and math.isinf(value):
        pytest.skip("inf is documented as meaningful here")
    with pytest.raises(ConfigError) as err:
        validate(config_with(base, key, value))
    message = one_line_error(err, key)
    assert "allowed" in message


@pytest.mark.parametrize("value", [2**63, -1], ids=["huge", "negative"])
@pytest.mark.parametrize(("base", "key"), INT_CASES, ids=[k for _, k in INT_CASES])
def test_every_int_key_is_bounded(base, key, value):
    if key in UNBOUNDED_INTS and value > 0:
        validate(config_with(base, key, value))
        return
    with pytest.raises(ConfigError) as err:
        validate(config_with(base, key, value))
    one_line_error(err, key)


def test_open_bounds_say_finite():
    with pytest.raises(ConfigError, match=r"allowed a finite value >= 0$"):
        validate(make_config("model.quality_noise=inf"))
    with pytest.raises(ConfigError, match=r"allowed a finite value > 0$"):
        validate(make_config("model.news_memory=inf"))


def test_validation_stays_fast():
    cfg = to_plain(make_config())
    seconds = min(timeit.repeat(lambda: validate(cfg), number=20, repeat=5)) / 20
    assert seconds < 2e-3


# ----------------------------------------------------------------------------------------
# refusals come before the work they would waste


@pytest.fixture
def no_graph_building(monkeypatch):
    """Building a graph fails the test: a refusal must come first."""
    def built(*args, **kwargs):
        raise AssertionError("the graph was built before the config was refused")

    monkeypatch.setattr(sim.run, "build_graph", built)
    monkeypatch.setattr(sim.run, "cached_build", built)


@pytest.fixture
def no_model_building(monkeypatch):
    """Building a model fails the test: a refusal that needs the graph must come first."""
    def built(*args, **kwargs):
        raise AssertionError("the model was built before the config was refused")

    monkeypatch.setattr(sim.run, "WomModel", built)
    monkeypatch.setattr(sim.run, "DiffusionModel", built)


# ----------------------------------------------------------------------------------------
# impossible or empty plans


@pytest.mark.parametrize(("overrides", "key", "says"), [
    (["graph.n=300", "strategy=kol", "strategy.kol.k=100000"], "strategy.kol.k", "graph.n=300"),
    (["steps=20", "strategy=kol", "strategy.kol.start=100"], "strategy.kol.start", "steps=20"),
    (["steps=20", "strategy=rewards", "strategy.rewards.start=21"], "strategy.rewards.start",
     "steps=20"),
    (["steps=20", "strategy=fast_response", "strategy.fast_response.start=30"],
     "strategy.fast_response.start", "steps=20"),
    (["steps=20", "strategy=ads", "strategy.ads.start=25"], "strategy.ads.start", "steps=20"),
    (["steps=20", "strategy=ads", "strategy.ads.end=21"], "strategy.ads.end", "steps=20"),
    (["steps=20", "strategy=rewards", "strategy.rewards.start=5", "strategy.rewards.end=4"],
     "strategy.rewards.end", "strategy.rewards.start=5"),
    (["strategy=kol", "budget=1000", "+budget_shares.ads=0.5"], "budget_shares.ads",
     "selected strategies only (kol)"),
    (["strategy=kol", "+budget_shares.kol=0.5"], "budget_shares.kol", "budget=..."),
    (["strategy=[kol,ads]", "budget=1000", "+budget_shares.kol=0.5"], "budget_shares",
     "missing: ads"),
    (["strategy=kol", "budget=1000", "strategy.kol.budget=300", "+budget_shares.kol=0.5"],
     "budget_shares.kol", "strategy.kol.budget=300"),
])
def test_impossible_plans_are_refused_before_any_work(no_graph_building, overrides, key, says):
    with pytest.raises(ConfigError) as err:
        build_model(make_config(*overrides))
    assert says in one_line_error(err, key)


@pytest.mark.parametrize(("overrides", "key", "says"), [
    (["graph.n=500", "strategy=kol_mega", "budget=5000"], "strategy.kol.min_followers",
     "largest degree, 57 followers"),
    (["graph=complete", "graph.n=30", "strategy=kol", "strategy.kol.max_followers=10"],
     "strategy.kol.max_followers", "smallest degree, 29 followers"),
    (["strategy=kol_mega", "budget=500"], "budget", "cheapest candidate's price, 2500"),
    (["strategy=kol", "strategy.kol.budget=50"], "strategy.kol.budget",
     "cheapest candidate's price, 100"),
    (["strategy=[kol,ads]", "budget=100"], "budget", "the KOLs' share: 50"),
])
def test_kols_that_cannot_be_found_or_paid_are_refused_before_the_model(
        no_model_building, overrides, key, says):
    with pytest.raises(ConfigError) as err:
        build_model(make_config(*overrides))
    assert says in one_line_error(err, key)


@pytest.mark.parametrize("overrides", [
    ["strategy=kol", "budget=0"],                        # a zero budget: no KOLs, on purpose
    ["strategy=kol", "strategy.kol.k=0"],                # no KOLs, on purpose
    ["strategy=kol", "steps=20", "strategy.kol.start=20"],
    ["strategy=rewards", "steps=20", "strategy.rewards.end=20"],
    ["strategy=kol_rewards", "budget=5000", "+budget_shares.kol=0.8",
     "+budget_shares.rewards=0.2"],
    ["strategy=[kol,ads]", "budget=1000", "+budget_shares.kol=1", "+budget_shares.ads=0"],
    ["strategy=kol_micro", "budget=5000"],
])
def test_possible_plans_still_build(overrides):
    build_model(make_config(*SMALL, *overrides))


# ----------------------------------------------------------------------------------------
# sizes checked against a loaded file


@pytest.fixture
def three_nodes(tmp_path):
    path = tmp_path / "three.txt"
    path.write_text("1 2\n2 3\n")
    return path


@pytest.mark.parametrize(("overrides", "key"), [
    (["model.initial_aware_count=1000"], "model.initial_aware_count"),
    (["model=sir", "model.initial_infected=50"], "model.initial_infected"),
    (["model=independent_cascade", "model.seeds=50"], "model.seeds"),
    (["model=threshold", "model.seeds=4"], "model.seeds"),
    (["model=independent_cascade", "model.seed_ids=[1,9]"], "model.seed_ids"),
    (["strategy=kol", "strategy.kol.k=4"], "strategy.kol.k"),
])
def test_sizes_are_checked_against_the_loaded_file(no_model_building, three_nodes, overrides,
                                                   key):
    with pytest.raises(ConfigError) as err:
        build_model(make_config("graph=file", f"graph.path={three_nodes}", *overrides))
    message = one_line_error(err, key)
    assert "consumers in graph.path=3" in message or "not found: [9]" in message


def test_a_file_of_the_right_size_builds(three_nodes):
    model = build_model(make_config("graph=file", f"graph.path={three_nodes}",
                                    "model.initial_aware_count=3", "strategy=kol",
                                    "strategy.kol.k=3", "steps=5"))
    assert model.graph.n == 3 and model.warnings == []


# ----------------------------------------------------------------------------------------
# memory


@pytest.mark.parametrize(("overrides", "key"), [
    (["graph=complete", "graph.n=300000"], "graph.n"),
    (["graph.n=10000000000000"], "graph.n"),
    (["steps=100000000"], "steps"),
    (["engine=agents", "graph.n=20000000"], "graph.n"),
    (["strategy=kol", "strategy.kol.selector=greedy", "strategy.kol.greedy_samples=2000000000"],
     "strategy.kol.greedy_samples"),
])
def test_runs_that_cannot_fit_in_memory_are_refused_before_any_work(
        no_graph_building, monkeypatch, overrides, key):
    monkeypatch.setattr(resources, "available_memory", lambda: 16 * 10**9)
    with pytest.raises(ConfigError) as err:
        build_model(make_config(*overrides))
    message = one_line_error(err, key)
    assert "memory" in message and "16 GB is available" in message


def test_a_loaded_file_too_large_for_memory_is_refused_before_the_model(
        no_model_building, monkeypatch):
    monkeypatch.setattr(resources, "available_memory", lambda: 10**6)
    path = DATA / "ca-HepTh-lcc.txt"
    with pytest.raises(ConfigError) as err:
        build_model(make_config("graph=file", f"graph.path={path}", "steps=10"))
    message = one_line_error(err, "graph.path")
    assert "8,638 consumers and 24,806 ties loaded" in message
    assert "1 MB is available" in message


def test_the_default_run_fits_and_the_estimate_matches_the_calibration():
    validate(make_config())
    # peaks measured above the interpreter (sim/config/resources.py): the estimate is at least
    # the measurement and at most ~40 % above it
    measured = [  # (kind, n, ties, engine, models, bytes)
        ("ba", 1e6, 3e6, "vectorized", 1, 199e6),
        ("ba", 1e6, 3e6, "vectorized", 2, 428e6),
        ("ba", 1e6, 1e7, "vectorized", 1, 271e6),
        ("complete", 5000, 12497500, "vectorized", 1, 386e6),
        ("ba", 3e5, 9e5, "agents", 1, 529e6),
    ]
    for kind, n, ties, engine, models, peak in measured:
        estimate = resources.graph_and_model_bytes(kind, n, ties, engine, models=models)
        assert peak <= estimate <= 1.4 * peak, (kind, n, engine, estimate, peak)
    assert resources.available_memory() > 0


# ----------------------------------------------------------------------------------------
# other inputs: files, the cache directory


def test_a_file_graph_without_a_path(no_graph_building):
    with pytest.raises(ConfigError) as err:
        build_model(make_config("graph=file"))
    assert "graph=file needs graph.path" in one_line_error(err, "graph.path")


def test_a_cache_dir_that_cannot_be_a_directory(no_graph_building):
    with pytest.raises(ConfigError) as err:
        build_model(make_config("graph.cache_dir=/dev/null/sub"))
    assert "/dev/null is not a directory" in one_line_error(err, "graph.cache_dir")


@pytest.mark.parametrize("text", ["5 5\n", "1 1\n2 2\n# end\n"], ids=["one node", "self-loops"])
def test_a_file_without_an_edge_between_two_consumers(no_model_building, tmp_path, text):
    path = tmp_path / "g.txt"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        build_model(make_config("graph=file", f"graph.path={path}"))
    assert "no such edge" in one_line_error(err, "graph.path")


@pytest.mark.parametrize(("text", "warned"), [
    ("1 2 heavy\n2 3\n3 4\n", True),
    ('"alice smith" bob\nbob carol\ncarol dan\n', True),
    ("a b c\n1 2 0.5\n2 3 1\n", True),
    ("source target\n1 2\n2 3\n", False),
    ("# comment\nfrom,to,weight\n1,2,0.5\n2,3,1\n", False),
    ("1 2\n2 3\n", False),
])
def test_a_first_line_skipped_as_a_header_is_a_warning(tmp_path, text, warned):
    path = tmp_path / "g.txt"
    path.write_text(text)
    warnings = edgelist_warnings(path)
    assert len(warnings) == warned
    model = build_model(make_config("graph=file", f"graph.path={path}", "steps=3"))
    assert model.warnings == warnings and model.graph.num_edges == 2
    if warned:
        assert "\n" not in warnings[0] and "was skipped as a header" in warnings[0]


def test_echoed_lines_are_cut(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("1 2\n" + "x " * 25_000 + "\n")
    with pytest.raises(UserError) as err:
        load_edgelist(path)
    message = str(err.value)
    assert "\n" not in message and len(message) < 250 + len(str(path))
    assert "(50,000 characters)" in message or "(49,999 characters)" in message
    with pytest.raises(ConfigError) as err:
        validate(make_config("graph=file", "graph.path=/no/" + "d" * 49_000))
    assert len(one_line_error(err, "graph.path")) < 200


def test_counts_above_the_int_bound_say_the_bound():
    with pytest.raises(ConfigError, match=f"allowed an integer in \\[0, {MAX_INT}\\]$"):
        validate(make_config("strategy=fast_response",
                             f"strategy.fast_response.answer_memory={2**40}"))


# ----------------------------------------------------------------------------------------
# the command line: exit status 2, one line, no traceback


@pytest.mark.parametrize("args", [
    ["model.quality_noise=nan"],
    ["strategy=kol", "strategy.kol.start=100", "steps=20"],
    ["graph=complete", "graph.n=300000"],
    ["graph.cache_dir=/dev/null/sub"],
    ["strategy=kol_mega", "graph.n=500", "budget=5000"],
])
def test_the_command_line_prints_one_error_line(tmp_path, args):
    proc = subprocess.run(["womsim", *args, f"hydra.run.dir={tmp_path}", "output.plot=false"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("womsim: error: "), proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not (tmp_path / "metrics.json").exists()
