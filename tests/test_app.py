"""The dashboard's controls, state logic and views, without a browser (sim.app.controls,
sim.app.state, sim.app.views)."""

from __future__ import annotations

import io
import math
import subprocess
import sys

import numpy as np
import pytest
from omegaconf import OmegaConf

from conftest import ROOT
from sim.app import views
from sim.app.__main__ import parse_args, solara_arguments
from sim.app.controls import KNOBS, STRATEGY_NAMES, ControlError, Scenario, World
from sim.app.offline import OFFLINE_CDN, offline_environment
from sim.app.state import (
    DETRACTOR,
    KPIS,
    NEUTRAL,
    PROMOTER,
    UNAWARE,
    Comparison,
    command_overrides,
    compose_overrides,
    scenario_command,
    scenario_config,
    scenario_overrides,
    shared_graph,
)
from sim.catalog import METRICS, SOURCES
from sim.compose import compose_config
from sim.errors import ConfigError, UserError
from sim.graphs import build_graph
from sim.population import sentiment_codes
from sim.run import build_model
from sim.strategies import PLUGINS
from sim.streams import Streams

SMALL = World(n=300, steps=20, seed=5)
EVERYTHING = Scenario(quality=0.55, negativity_bias=2.5,
                      strategies=("ads", "kol", "fast_response", "rewards"), kol_k=7,
                      kol_selector="pagerank", referral_reward=12.5, reward_credibility=0.6,
                      response_delay=3, response_unit="hours", response_capacity=15,
                      ads_impressions=2000, budget=4000.0)


def plain(cfg) -> dict:
    return OmegaConf.to_container(cfg, resolve=True)


# --------------------------------------------------------------------------------------------
# controls -> overrides


def test_overrides_from_controls_write_every_control_of_active_strategies():
    assert scenario_overrides(World(), Scenario()) == [
        "graph=ba", "graph.n=2000", "seed=0", "steps=180", "model.quality=0.7",
        "model.negativity_bias=1.25", "strategy=none"]
    assert scenario_overrides(SMALL, EVERYTHING) == [
        "graph=ba", "graph.n=300", "seed=5", "steps=20", "model.quality=0.55",
        "model.negativity_bias=2.5", "strategy=[kol,rewards,fast_response,ads]",
        "strategy.kol.k=7", "strategy.kol.selector=pagerank",
        "strategy.rewards.referrer_reward=12.5", "strategy.rewards.credibility=0.6",
        "strategy.fast_response.delay=3", "strategy.fast_response.delay_unit=hours",
        "strategy.fast_response.capacity=15", "strategy.ads.impressions_per_day=2000",
        "budget=4000"]


def test_each_plugins_controls_are_scenario_fields_that_set_its_config():
    """A strategy's dashboard controls are declared by its plugin: each is a scenario field
    defaulting to the schema's value, and the overrides it writes set that schema field."""
    names = [knob.name for plugin in PLUGINS.values() for knob in plugin.controls]
    assert len(names) == len(set(names)) == len(KNOBS)
    assert STRATEGY_NAMES == tuple(PLUGINS)
    for plugin in PLUGINS.values():
        assert plugin.controls, f"{plugin.name} declares no dashboard control"
        for knob in plugin.controls:
            assert getattr(Scenario(), knob.name) == getattr(plugin.schema, knob.key)
    # every control moved off its default reaches the composed config
    changed = {}
    for name, (_, knob) in KNOBS.items():
        if knob.kind == "choice":
            default = getattr(Scenario(), name)
            changed[name] = next(c for c in knob.choices if c != default)
        else:
            changed[name] = knob.slider[1] if knob.kind == "int" else knob.slider[1] / 2
    changed["ugc_days"] = 20  # shorter than the horizon
    world = World(n=300, steps=60)
    s = Scenario(strategies=STRATEGY_NAMES, kol_selector="pagerank",
                 **{k: v for k, v in changed.items() if k != "kol_selector"})
    cfg = scenario_config(world, s)
    for name, (plugin, knob) in KNOBS.items():
        assert cfg.strategy[plugin][knob.key] == getattr(s, name), name


def test_a_plugins_control_renders_as_its_kind():
    from sim.app.page import knob_input
    kol = dict((k.name, k) for k in PLUGINS["kol"].controls)
    slider = knob_input(kol["kol_k"], 250)
    assert slider["type"] == "SliderInt" and slider["label"] == "KOL count 250"
    assert slider["max"] == 250  # a typed value beyond the slider's range stays shown
    select = knob_input(kol["kol_selector"], "degree")
    assert select["type"] == "Select" and "greedy" in select["values"]


def test_a_delay_slider_spans_its_unit():
    from sim.app.inputs import knob_input
    delay = KNOBS["response_delay"][1]
    in_days = knob_input(delay, 2.0, Scenario(response_delay=2.0, response_unit="days"))
    in_hours = knob_input(delay, 2.0, Scenario(response_delay=2.0, response_unit="hours"))
    assert (in_days["max"], in_hours["max"]) == (14.0, 72.0)
    assert in_days["label"] == "Response delay 2 days"
    assert in_hours["label"] == "Response delay 2 hours"


def test_parameters_of_unselected_strategies_are_left_out():
    out = scenario_overrides(SMALL, Scenario(strategies=["rewards"], kol_k=99, budget=None))
    assert "strategy=rewards" in out
    assert not any(o.startswith(("strategy.kol", "budget")) for o in out)


def test_controls_are_normalised():
    s = Scenario(strategies=["ads", "kol", "ads"], kol_k=np.int64(4), quality=1)
    assert s.strategies == ("kol", "ads")
    assert s.kol_k == 4 and type(s.kol_k) is int
    assert s.quality == 1.0 and type(s.quality) is float
    assert Scenario(strategies=("kol",)) == Scenario(strategies=["kol"])


def test_scenario_config_is_the_composed_config_of_its_overrides():
    cfg = scenario_config(SMALL, EVERYTHING)
    assert cfg.graph.n == 300 and cfg.seed == 5 and cfg.steps == 20
    assert cfg.model.quality == 0.55 and cfg.model.negativity_bias == 2.5
    assert cfg.strategy.kol.k == 7 and cfg.strategy.kol.selector == "pagerank"
    assert cfg.strategy.fast_response.delay_unit == "hours"
    assert cfg.strategy.ads.impressions_per_day == 2000.0 and cfg.budget == 4000.0
    assert plain(cfg) == plain(compose_config(*scenario_overrides(SMALL, EVERYTHING)))


# --------------------------------------------------------------------------------------------
# command export


@pytest.mark.parametrize("world, scenario", [
    (World(), Scenario()),
    (SMALL, EVERYTHING),
    (World(graph="ws", n=1000, seed=3, steps=90),
     Scenario(strategies=["kol", "rewards"], quality=0.123456789, budget=2500.5)),
    (World(graph="sbm", n=500), Scenario(strategies=["fast_response"], response_delay=0.5)),
])
def test_exported_command_composes_to_the_scenarios_config(world, scenario):
    command = scenario_command(world, scenario)
    assert command.startswith("womsim ")
    overrides = command_overrides(command)
    assert overrides == scenario_overrides(world, scenario)
    assert plain(compose_config(*overrides)) == plain(scenario_config(world, scenario))


def test_command_quotes_lists_for_the_shell():
    command = scenario_command(SMALL, Scenario(strategies=["kol", "rewards"]))
    assert "'strategy=[kol,rewards]'" in command
    with pytest.raises(ValueError, match="not a womsim command"):
        command_overrides("python run.py")


@pytest.mark.slow
def test_exported_command_runs_in_a_shell_with_the_same_config(tmp_path):
    comparison = Comparison(SMALL, Scenario(), EVERYTHING)
    command = comparison.command("b").replace("womsim", f"{sys.executable} -m sim", 1)
    proc = subprocess.run(["bash", "-c", f"{command} --cfg job"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert OmegaConf.create(proc.stdout) == OmegaConf.create(OmegaConf.to_yaml(comparison.cfg_b))


# --------------------------------------------------------------------------------------------
# common random numbers


def test_same_seed_gives_both_scenarios_the_same_graph_and_consumers():
    c = Comparison(SMALL, Scenario(), EVERYTHING)
    assert c.model_a.graph is c.model_b.graph is c.graph
    fresh = build_graph(OmegaConf.to_object(c.cfg_b.graph), Streams(SMALL.seed).get("graph"))
    for name in ("indptr", "indices", "weights"):
        np.testing.assert_array_equal(getattr(c.graph, name), getattr(fresh, name))
    alone = build_model(c.cfg_b)  # as the womsim command builds it, graph and all
    for trait in ("talkativeness", "susceptibility", "credibility", "expectation"):
        np.testing.assert_array_equal(getattr(c.model_a.traits, trait),
                                      getattr(c.model_b.traits, trait))
        np.testing.assert_array_equal(getattr(c.model_b.traits, trait),
                                      getattr(alone.traits, trait))


def test_the_shared_graph_is_kept_and_follows_the_seed():
    cfg = scenario_config(SMALL, Scenario())
    assert shared_graph(cfg) is shared_graph(scenario_config(SMALL, EVERYTHING))
    other = shared_graph(scenario_config(World(n=300, steps=20, seed=6), Scenario()))
    assert not np.array_equal(other.indices, shared_graph(cfg).indices)


def test_identical_controls_give_zero_differences():
    c = Comparison(SMALL, EVERYTHING, EVERYTHING)
    for _ in range(10):
        c.step()
    assert c.differences() == dict.fromkeys(KPIS, 0.0)
    ta, tb = c.timeseries("a"), c.timeseries("b")
    for key in ta:
        np.testing.assert_array_equal(ta[key], tb[key])
    assert c.conversions("a") == c.conversions("b")


def test_b_defaults_to_a():
    c = Comparison(SMALL, EVERYTHING)
    assert c.b == c.a == EVERYTHING


def test_a_strategy_makes_a_difference_and_differences_are_b_minus_a():
    c = Comparison(World(n=500, steps=30, seed=1), Scenario(),
                   Scenario(strategies=["kol"], kol_k=20))
    for _ in range(15):
        c.step()
    ka, kb, diff = c.kpis("a"), c.kpis("b"), c.differences()
    assert diff["reach"] == pytest.approx(kb["reach"] - ka["reach"]) and diff["reach"] > 0
    assert ka["cost"] == 0.0 and kb["cost"] > 0
    assert ka["cost_per_customer"] == 0.0
    assert kb["cost_per_customer"] == pytest.approx(
        kb["cost"] / int(c.model_b.state.ever_customer.sum()))
    assert c.conversions("b")["seeded"] > 0 and c.conversions("a")["seeded"] == 0
    assert list(c.conversions("a")) == [source.name for source in SOURCES]


# --------------------------------------------------------------------------------------------
# stepping and reset


def test_step_advances_both_scenarios_until_the_horizon():
    c = Comparison(World(n=200, steps=3), Scenario(), Scenario(strategies=["ads"]))
    assert c.day == 0 and c.running
    c.step()
    assert c.day == 1 and c.model_a.t == c.model_b.t == 1
    assert len(c.model_a.records) == len(c.model_b.records) == 2
    c.step()
    c.step()
    assert c.day == 3 and not c.running
    c.step()  # past the horizon: nothing happens
    assert c.day == 3 and len(c.model_a.records) == 4 and not c.running


def test_reset_rebuilds_day_zero_and_replays_identically():
    c = Comparison(SMALL, Scenario(), EVERYTHING)
    for _ in range(6):
        c.step()
    after_six = (c.kpis("a"), c.kpis("b"))
    fresh = Comparison(**c.controls())  # what Mesa's Reset does
    assert fresh.day == 0 and fresh.running and fresh.controls() == c.controls()
    assert fresh.kpis("b")["reach"] == fresh.model_b.records[0]["reach"]
    for _ in range(6):
        fresh.step()
    assert (fresh.kpis("a"), fresh.kpis("b")) == after_six
    replayed = Comparison(**c.controls(), day=6)  # a changed control re-runs to today
    assert replayed.day == 6 and (replayed.kpis("a"), replayed.kpis("b")) == after_six
    assert Comparison(**c.controls(), day=999).day == SMALL.steps


def test_status_and_customers_follow_the_model_state():
    c = Comparison(SMALL, Scenario(), Scenario(strategies=["kol"]))
    for _ in range(8):
        c.step()
    s, threshold = c.model_b.state, c.model_b.params.promoter_threshold
    status = c.status("b")
    codes = sentiment_codes(s.attitude, s.aware, threshold)
    assert np.array_equal(status == PROMOTER, codes > 0)
    assert np.array_equal(status == DETRACTOR, codes < 0)
    assert np.array_equal(status == UNAWARE, ~s.aware)
    assert np.array_equal(status == NEUTRAL, s.aware & (codes == 0))
    nodes = np.array([0, 5, 7])
    assert np.array_equal(c.status("b", nodes), status[nodes])
    assert np.array_equal(c.customers("b", nodes), s.customer[nodes])
    with pytest.raises(ValueError, match="'a' or 'b'"):
        c.kpis("c")


def test_mean_loyalty_without_customers_is_none():
    c = Comparison(World(n=100, steps=5), Scenario())
    assert c.kpis("a")["mean_loyalty"] is None and c.kpis("a")["cost_per_customer"] is None
    assert c.differences()["mean_loyalty"] is None


# --------------------------------------------------------------------------------------------
# bad control values


@pytest.mark.parametrize("make, message", [
    (lambda: Scenario(quality=1.5), r"Product quality \(quality\) = 1.5 .* in \[0, 1\]"),
    (lambda: Scenario(negativity_bias=0.5), r"Negativity bias .* in \[1, 100\]"),
    (lambda: Scenario(quality=math.nan), r"quality.*a number"),
    (lambda: Scenario(quality="high"), r"quality\) = 'high'"),
    (lambda: Scenario(kol_k=-1), r"KOL count \(kol_k\) = -1 .* an integer in \[0, 100000\]"),
    (lambda: Scenario(kol_k=2.5), r"KOL count .* an integer"),
    (lambda: Scenario(kol_k=True), r"KOL count .* an integer"),
    (lambda: Scenario(kol_selector="magic"), r"KOL selector .* one of random, degree"),
    (lambda: Scenario(strategies=["tv"]), r"Strategies .* a list of kol, rewards"),
    (lambda: Scenario(strategies="kol"), r"Strategies .* a list of"),
    (lambda: Scenario(response_unit="weeks"), r"Response delay unit .* one of hours, days"),
    (lambda: Scenario(budget=-5), r"Budget \(budget\) = -5 .* >= 0 or empty \(no limit\)"),
    (lambda: Scenario(reward_credibility=2), r"Reward credibility .* in \[0, 1\]"),
    (lambda: World(graph="file"), r"Graph kind .* one of ba, ws"),
    (lambda: World(n=5), r"Consumers \(n\) = 5 .* in \[10, 200000\]"),
    (lambda: World(n=1_000_000), r"Consumers .* 200000"),
    (lambda: World(seed=-1), r"Seed \(seed\) = -1"),
    (lambda: World(steps=0), r"Horizon \(days\) \(steps\) = 0"),
    (lambda: World(graph="complete", n=50_000), r"complete graph: allowed at most 3000"),
])
def test_bad_control_values_are_rejected_with_a_clear_message(make, message):
    with pytest.raises(ControlError, match=message) as info:
        make()
    assert "\n" not in str(info.value)
    assert isinstance(info.value, UserError)


def test_values_the_simulator_rejects_name_the_scenario_and_the_key(monkeypatch):
    with pytest.raises(ControlError, match=r"^Scenario A: graph.mean_degree=8.0 is invalid"):
        Comparison(World(graph="sbm", n=10))

    def no_kol(cfg):
        if cfg.strategy.kol is not None:
            raise ConfigError("strategy.kol.k=10 is invalid: allowed nothing (test)")

    monkeypatch.setattr("sim.app.state.validate", no_kol)
    with pytest.raises(ControlError, match=r"^Scenario B: strategy.kol.k=10 is invalid"):
        Comparison(SMALL, Scenario(), Scenario(strategies=["kol"]))
    monkeypatch.undo()
    with pytest.raises(ControlError, match=r"^Scenario B: KOL selector .*'betweenness' .*"
                                           r"100,000 consumers: allowed up to 50,000"):
        Comparison(World(n=100_000), Scenario(),
                   Scenario(strategies=["kol"], kol_selector="betweenness"))
    with pytest.raises(ControlError, match=r"a must be a Scenario"):
        Comparison(SMALL, {"quality": 0.5})
    with pytest.raises(ControlError, match=r"^B: .*model.quality"):
        compose_overrides(["model.quality=2"], label="B")
    with pytest.raises(ControlError, match=r"^B: .*nonsense"):
        compose_overrides(["nonsense=1"], label="B")


# --------------------------------------------------------------------------------------------
# views


def test_kpi_text():
    assert METRICS["reach"].format(0.1234) == "12.3%"
    assert METRICS["net_sentiment"].format(0.05) == "+0.050"
    assert METRICS["mean_loyalty"].format(None) == "n/a"
    assert METRICS["cost_per_customer"].format(1234.5) == "1,234.50"
    assert METRICS["mean_loyalty"].format_delta(None) == "n/a"
    assert views.delta_tone("reach", 0.1) == "better"
    assert views.delta_tone("cost_per_customer", 0.1) == "worse"
    assert views.delta_tone("net_sentiment", 0.0) == "same"
    assert views.delta_tone("mean_loyalty", None) == "same"


def test_network_sample_is_small_seeded_induced_and_kept():
    graph = shared_graph(scenario_config(World(n=5000, seed=2), Scenario()))
    sample = views.network_sample(graph, 400, 2)
    assert sample.nodes.size == 400 and sample.total == 5000
    assert np.all(np.diff(sample.nodes) > 0)
    assert views.network_sample(graph, 400, 2) is sample  # layout computed once, then kept
    views.network_sample.cache_clear()
    again = views.network_sample(graph, 400, 2)  # seeded: computed anew, the same
    assert again is not sample
    np.testing.assert_array_equal(again.nodes, sample.nodes)
    np.testing.assert_array_equal(again.pos, sample.pos)
    assert sample.src.size > 300  # a snowball keeps ties: a uniform sample would keep ~6
    adjacency = graph.to_scipy()
    u, v = sample.nodes[sample.src], sample.nodes[sample.dst]
    assert np.all(np.asarray(adjacency[u, v]).ravel() > 0) and np.all(sample.src < sample.dst)
    inside = adjacency[sample.nodes][:, sample.nodes]
    assert inside.nnz == 2 * sample.src.size
    assert sample.pos.shape == (400, 2) and sample.pos.min() >= 0 and sample.pos.max() <= 1
    small = views.network_sample(shared_graph(scenario_config(SMALL, Scenario())), 2000, 5)
    np.testing.assert_array_equal(small.nodes, np.arange(300))


def test_layout_is_seeded():
    src, dst = np.array([0, 1, 2]), np.array([1, 2, 3])
    a = views.force_layout(4, src, dst, np.random.default_rng(1))
    b = views.force_layout(4, src, dst, np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    assert views.force_layout(1, src[:0], dst[:0], np.random.default_rng(1)).shape == (1, 2)


def png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def test_plots_render_and_change_with_the_step():
    c = Comparison(SMALL, Scenario(), Scenario(strategies=["kol", "rewards"]))
    sample = views.network_sample(c.graph, 2000, SMALL.seed)
    plots = {
        "ts": (views.TimeseriesPlot(SMALL.steps),
               lambda: {w: c.timeseries(w) for w in ("a", "b")}),
        "net": (views.NetworkPlot(sample),
                lambda: [(w, c.status(w, sample.nodes), c.customers(w, sample.nodes))
                         for w in ("a", "b")]),
        "conv": (views.ConversionsPlot(), lambda: {w: c.conversions(w) for w in ("a", "b")}),
    }
    before = {k: png(plot.update(data())) for k, (plot, data) in plots.items()}
    for _ in range(5):
        c.step()
    for key, (plot, data) in plots.items():
        after = png(plot.update(data()))
        assert after.startswith(b"\x89PNG") and after != before[key], key
    assert views.TimeseriesPlot(20).update({w: c.timeseries(w) for w in ("a", "b")}).axes
    assert views.conversions_figure({"a": c.conversions("a")}).axes
    assert views.network_figure(sample, [("A", c.status("a", sample.nodes),
                                          c.customers("a", sample.nodes))]).axes


# --------------------------------------------------------------------------------------------
# serving


def test_serves_on_localhost_offline_by_default():
    args = parse_args([])
    assert args.host == "127.0.0.1" and args.port == 8765 and not args.open
    argv = solara_arguments(args.host, args.port)
    assert argv[:2] == ["run", str(ROOT / "sim" / "app" / "page.py")]
    for flag in ("--production", "--no-check-version", "--no-open"):
        assert flag in argv
    assert argv[argv.index("--host") + 1] == "127.0.0.1"
    assert parse_args(["--port", "9000", "--host", "0.0.0.0"]).port == 9000
    with pytest.raises(SystemExit):
        parse_args(["--port", "70000"])
    env = offline_environment({"SOLARA_ASSETS_PROXY": "False", "PATH": "/bin"})
    assert env["SOLARA_ASSETS_PROXY"] == "False"  # the user's choice is kept
    assert env["SOLARA_ASSETS_CDN"] == OFFLINE_CDN
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False" and env["PATH"] == "/bin"


def test_page_module_defines_the_page():
    pytest.importorskip("solara", reason="the viz extra is not installed")
    from sim.app import page

    assert callable(page.Page)
    assert page.DEFAULT_B.strategies == ("kol",)
