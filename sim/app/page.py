"""The what-if dashboard page: Solara, on Mesa's SolaraViz components.

Serve it with ``womsim-app`` (127.0.0.1, offline) or ``solara run sim/app/page.py``.

Mesa's ``SolaraViz`` shows one model with one set of parameters; the dashboard compares two
scenarios, so the page is laid out with plain Solara around Mesa's own pieces: the
``ModelController`` (Step / Play / Reset, stepping a :class:`~sim.app.state.Comparison`, which is
a ``mesa.Model``), ``UserInputs`` (sliders and selects of each scenario) and the
``update_counter`` that re-renders the views after each step. "Run N seeds" runs both
scenarios as whole runs on N seeds in a background task and shows their paired differences.
All the logic is in :mod:`sim.app.controls`, :mod:`sim.app.state` and :mod:`sim.app.seeds`;
figures come from :mod:`sim.app.views` and :mod:`sim.app.seed_views`; this module only renders
them.
"""

from __future__ import annotations

import html
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import solara
import solara.server.settings

# Mesa's ComponentsView (not used here) trips solara's hook linter when imported: not our code
warnings.filterwarnings("ignore", message=".*ComponentsView: `use_state` found despite early",
                        category=UserWarning)
# served on 127.0.0.1 over http, solara falls back to a samesite=lax cookie: fine, not embedded
warnings.filterwarnings("ignore", message="Cookies with samesite=none require https",
                        category=UserWarning)
from mesa.visualization.solara_viz import ModelController, UserInputs  # noqa: E402
from mesa.visualization.utils import force_update, update_counter  # noqa: E402

from sim.app import money, seed_views, views  # noqa: E402
from sim.app.controls import (  # noqa: E402
    GRAPH_KINDS,
    STRATEGY_NAMES,
    ControlError,
    Scenario,
    World,
)
from sim.app.offline import apply_offline_settings  # noqa: E402
from sim.app.seeds import DEFAULT_SEEDS, SeedStudy, check_seeds, run_seeds  # noqa: E402
from sim.app.state import KPIS, Comparison  # noqa: E402
from sim.catalog import METRICS  # noqa: E402
from sim.strategies import PLUGINS  # noqa: E402
from sim.strategies.base import Knob  # noqa: E402

apply_offline_settings()
#: the browser tab's title: the page sets it, and the server's first HTML says it too
PAGE_TITLE = "womsim"
solara.server.settings.theme.title = PAGE_TITLE

#: what the page opens with: the plan now (no strategy) against seeding 10 KOLs
DEFAULT_WORLD = World()
DEFAULT_A = Scenario()
DEFAULT_B = Scenario(strategies=("kol",))

SCENARIO_TITLES = {"a": "Scenario A — the plan now", "b": "Scenario B — what if"}
LABELS = {"world": "Both scenarios", "a": "Scenario A", "b": "Scenario B"}
STRATEGY_LABELS = {name: plugin.title for name, plugin in PLUGINS.items()}
SIZES = [500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000]
NETWORK_SAMPLE = 2000
#: seconds a control must rest before the scenarios are rebuilt (sliders send many values)
REBUILD_DELAY = 0.25
#: seconds "Run N seeds" pauses after each progress update, so that the page shows it
SEED_PAUSE = 0.05
TONE_COLORS = {"better": "#1b7a35", "worse": "#c62828", "same": "#555555"}

CSS = """
.womsim-figure img { max-width: 100%; height: auto; }
.womsim-kpi { min-width: 170px; flex: 1 1 170px; }
.womsim-kpi-label { font-size: 0.85rem; color: #555; display: block; }
.womsim-kpi-delta { font-size: 1.6rem; font-weight: 600; display: block; line-height: 1.3; }
.womsim-kpi-values { font-size: 0.85rem; display: block; }
.womsim-command { white-space: pre-wrap; word-break: break-all; font-size: 0.8rem;
                  background: #f5f5f5; padding: 6px; border-radius: 4px; }
.womsim-day { font-size: 1.1rem; font-weight: 600; }
.womsim-seeds-table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
.womsim-seeds-table th, .womsim-seeds-table td { padding: 4px 8px; text-align: right;
                                                 border-bottom: 1px solid #e0e0e0; }
.womsim-seeds-table th:first-child, .womsim-seeds-table td:first-child { text-align: left; }
.womsim-seeds-table td.womsim-seeds-mean { font-weight: 600; }
.womsim-money-table, .womsim-strategy-table { border-collapse: collapse; width: 100%;
                                              font-size: 0.9rem; }
.womsim-money-table th, .womsim-money-table td, .womsim-strategy-table td {
    padding: 3px 8px; text-align: right; border-bottom: 1px solid #e0e0e0; }
.womsim-money-table th:first-child, .womsim-money-table td:first-child,
.womsim-strategy-table td:first-child { text-align: left; }
.womsim-money-table td[title], .womsim-strategy-table td[title] { cursor: help; }
.womsim-spend { min-width: 260px; flex: 1 1 260px; }
.womsim-strategy-card { min-width: 240px; flex: 1 1 240px; }
.womsim-note { font-size: 0.8rem; color: #555; }
"""


# --------------------------------------------------------------------------------------------
# controls


@solara.component
def WorldControls(world: World, on_change: Callable[[str, Any], None]) -> None:
    """Graph kind and size, seed and horizon: shared by both scenarios."""
    sizes = SIZES if world.n in SIZES else sorted([*SIZES, world.n])
    with solara.Card(LABELS["world"], margin=0, classes=["womsim-world"]):
        UserInputs({
            "graph": {"type": "Select", "label": "Graph kind", "value": world.graph,
                      "values": list(GRAPH_KINDS)},
            "n": {"type": "Select", "label": "Consumers", "value": world.n, "values": sizes},
        }, on_change=on_change)
        solara.InputInt("Seed", value=world.seed, on_value=lambda v: on_change("seed", v))
        solara.InputInt("Horizon (days)", value=world.steps,
                        on_value=lambda v: on_change("steps", v))


def knob_input(knob: Knob, value: Any) -> dict[str, Any]:
    """Mesa's ``UserInputs`` entry of a strategy's control: a slider showing its value, or a
    select of its choices."""
    if knob.kind == "choice":
        return {"type": "Select", "label": knob.label, "value": value,
                "values": list(knob.choices)}
    lo, hi, step = knob.slider
    slider = "SliderInt" if knob.kind == "int" else "SliderFloat"
    return {"type": slider, "label": f"{knob.label} {value:{knob.fmt}}", "value": value,
            "min": lo, "max": max(hi, value), "step": step}


@solara.component
def ScenarioControls(which: str, scenario: Scenario,
                     on_change: Callable[[str, Any], None]) -> None:
    """One scenario's controls; a strategy's parameters show while it is selected."""
    s = scenario
    with solara.Card(SCENARIO_TITLES[which], margin=0, classes=[f"womsim-scenario-{which}"]):
        UserInputs({
            "quality": {"type": "SliderFloat", "label": f"Product quality {s.quality:.2f}",
                        "value": s.quality, "min": 0.0, "max": 1.0, "step": 0.01},
            "negativity_bias": {"type": "SliderFloat",
                                "label": f"Negativity bias {s.negativity_bias:.1f}",
                                "value": s.negativity_bias, "min": 1.0, "max": 5.0,
                                "step": 0.1},
            "fatigue": {"type": "Select", "label": "Over-marketing fatigue", "value": s.fatigue,
                        "values": ["off", "on"]},
            "crisis_day": {"type": "SliderInt",
                           "label": f"Crisis on day {s.crisis_day or 'none'}",
                           "value": s.crisis_day, "min": 0, "max": 365, "step": 1},
        }, on_change=on_change)
        solara.Text("Strategies", style={"font-size": "0.85rem", "color": "#555"})
        solara.ToggleButtonsMultiple(
            value=list(s.strategies), on_value=lambda v: on_change("strategies", tuple(v)),
            children=[solara.Button(STRATEGY_LABELS[name], value=name,
                                    classes=[f"womsim-strategy-{which}-{name}"])
                      for name in STRATEGY_NAMES],
            dense=True, classes=[f"womsim-strategies-{which}"])
        for plugin in PLUGINS.values():  # each selected strategy's own controls
            if plugin.name in s.strategies and plugin.controls:
                UserInputs({knob.name: knob_input(knob, getattr(s, knob.name))
                            for knob in plugin.controls}, on_change=on_change)
        solara.InputFloat("Budget (empty: no limit)", value=s.budget, optional=True,
                          on_value=lambda v: on_change("budget", v),
                          classes=[f"womsim-budget-{which}"])


# --------------------------------------------------------------------------------------------
# views


@solara.component
def DayLabel(model: Comparison) -> None:
    """The day both scenarios have reached."""
    update_counter.get()
    solara.Text(f"Day {model.day} of {model.world.steps}", classes=["womsim-day"])


@solara.component
def KpiCard(key: str, a: float | None, b: float | None, delta: float | None,
            currency: str = "") -> None:
    """One KPI: the difference B - A in large, both values below; its label's tooltip says
    what it means (from the metric table)."""
    color = TONE_COLORS[views.delta_tone(key, delta)]
    with solara.Card(margin=1, classes=["womsim-kpi", f"womsim-kpi-{key}"]):
        with solara.Tooltip(money.tooltip(METRICS[key], currency)):
            solara.Text(f"{METRICS[key].title}  (B − A)", classes=["womsim-kpi-label"])
        m = METRICS[key]
        solara.Text(money.format_difference(m, delta, currency), classes=["womsim-kpi-delta"],
                    style={"color": color})
        solara.Text(f"A {money.format_value(m, a, currency)}  ·  "
                    f"B {money.format_value(m, b, currency)}", classes=["womsim-kpi-values"])


@solara.component
def KpiCards(model: Comparison) -> None:
    """Reach, customers, net sentiment, mean loyalty and cost per customer of A and B."""
    update_counter.get()
    ka, kb, diff = model.kpis("a"), model.kpis("b"), model.differences()
    with solara.Row(classes=["womsim-kpis"], style={"flex-wrap": "wrap"}):
        for key in KPIS:
            KpiCard(key, ka[key], kb[key], diff[key], model.currency("a"))


def _cell(text: str, *, tip: str = "", cls: str = "", color: str = "") -> str:
    attrs = "".join(f' {name}="{html.escape(value)}"' for name, value in
                    (("title", tip), ("class", cls), ("style", color and f"color: {color}"))
                    if value)
    return f"<td{attrs}>{html.escape(text)}</td>"


def money_table_html(model: Comparison) -> str:
    """The money and plan KPIs of A and B and B − A, one row each, with units and the
    currency; each label's tooltip (``title``) says what the figure means. Spend is shown
    against the budget."""
    ma, mb, diff = model.money("a"), model.money("b"), model.money_differences()
    cur = model.currency("a")
    head = "<tr><th>Figure</th><th>A</th><th>B</th><th>B − A</th></tr>"
    rows = []
    for key in money.MONEY_KPIS:
        m = METRICS[key]
        if key == "cost":
            a, b = (money.spend_text(f["cost"], f["budget"], cur) for f in (ma, mb))
        else:
            a, b = money.format_value(m, ma[key], cur), money.format_value(m, mb[key], cur)
        tone = TONE_COLORS[views.delta_tone(key, diff[key])]
        rows.append(f'<tr class="womsim-money-row womsim-money-row-{key}">'
                    + _cell(m.title, tip=money.tooltip(m, cur)) + _cell(a) + _cell(b)
                    + _cell(money.format_difference(m, diff[key], cur), color=tone) + "</tr>")
    return f'<table class="womsim-money-table">{head}{"".join(rows)}</table>'


@solara.component
def MoneyView(model: Comparison) -> None:
    """Spend against budget per scenario and the money and plan KPIs of A and B."""
    update_counter.get()
    day, cur = model.day, model.currency("a")
    with solara.Row(classes=["womsim-spends"], style={"flex-wrap": "wrap"}):
        for which in ("a", "b"):
            SpendCard(model, which)
    with solara.Card(f"Money and plan, day {day} ({cur})", margin=0,
                     classes=["womsim-money"]):
        solara.HTML(tag="div", unsafe_innerHTML=money_table_html(model))
        solara.Text(f"Each figure is the run's so far, as `womsim … steps={day}` reports it. "
                    "Against no plan: the same scenario without strategies on the same graph "
                    f"and seed. Money in {cur} (value.currency). Hover a label for its meaning.",
                    classes=["womsim-note"])


@solara.component
def SpendCard(model: Comparison, which: str) -> None:
    """What scenario ``which`` has spent against its budget, and per strategy when."""
    update_counter.get()
    cur, spent = model.currency(which), model.money(which)
    with solara.Card(margin=1, classes=["womsim-spend", f"womsim-spend-{which}"]):
        solara.Text(f"Spent — {which.upper()}", classes=["womsim-kpi-label"])
        if not model.scenario(which).strategies:
            solara.Text(f"{METRICS['cost'].format(0.0)} {cur}", classes=["womsim-spend-total"],
                        style={"font-size": "1.2rem", "font-weight": "600"})
            solara.Text("no strategies: nothing to spend", classes=["womsim-kpi-values"])
            return
        solara.Text(money.spend_text(spent["cost"], spent["budget"], cur),
                    classes=["womsim-spend-total"],
                    style={"font-size": "1.2rem", "font-weight": "600"})
        for sf in model.strategy_figures(which):
            label = STRATEGY_LABELS.get(sf.name, sf.name)
            solara.Text(f"{label}: {money.spend_text(sf.spent, sf.budget, cur)}, spent "
                        f"{money.spend_days(sf.first_spend, sf.last_spend)}",
                        classes=["womsim-kpi-values", f"womsim-spend-{which}-{sf.name}"])


def strategy_table_html(figures: money.StrategyFigures, currency: str) -> str:
    """One strategy's figures today (its plugin's metrics), one row each, with tooltips."""
    spent = METRICS["cost"]
    rows = ['<tr class="womsim-strategy-figure womsim-strategy-figure-spent">'
            + _cell("Spent", tip=money.tooltip(spent, currency))
            + _cell(f"{money.spend_text(figures.spent, figures.budget, currency)}, "
                    f"{money.spend_days(figures.first_spend, figures.last_spend)}") + "</tr>"]
    for m, value in figures.rows:
        rows.append(f'<tr class="womsim-strategy-figure womsim-strategy-figure-{m.name}">'
                    + _cell(m.title, tip=money.tooltip(m, currency))
                    + _cell(money.format_value(m, value, currency)) + "</tr>")
    return f'<table class="womsim-strategy-table">{"".join(rows)}</table>'


@solara.component
def StrategyCards(model: Comparison) -> None:
    """A card per active strategy of A and B with its plugin's figures so far (the plugin
    registry's metrics: a new strategy's figures show without changing the page)."""
    update_counter.get()
    cards = [(w, sf) for w in ("a", "b") for sf in model.strategy_figures(w)]
    if not cards:
        return
    with solara.Row(classes=["womsim-strategy-cards"], style={"flex-wrap": "wrap"}):
        for which, sf in cards:
            title = f"{which.upper()}: {STRATEGY_LABELS.get(sf.name, sf.name)}, day {model.day}"
            with solara.Card(title, margin=1,
                             classes=["womsim-strategy-card",
                                      f"womsim-strategy-card-{which}-{sf.name}"]):
                solara.HTML(tag="div", unsafe_innerHTML=strategy_table_html(
                    sf, model.currency(which)))


@solara.component
def TimeseriesView(model: Comparison) -> None:
    """Reach, customers, net sentiment and loyalty over time, A and B overlaid."""
    update_counter.get()
    day = model.day
    plot = solara.use_memo(lambda: views.TimeseriesPlot(model.world.steps, _labels(model)),
                           [model])
    fig = solara.use_memo(lambda: plot.update({w: model.timeseries(w) for w in ("a", "b")}),
                          [model, day])
    with solara.Card("Over time", margin=0, classes=["womsim-figure", "womsim-timeseries"]):
        solara.FigureMatplotlib(fig, format="png", dependencies=[model, day])


@solara.component
def NetworkView(model: Comparison) -> None:
    """The network (a sample on large graphs) coloured by sentiment, A beside B."""
    update_counter.get()
    day = model.day
    plot = solara.use_memo(
        lambda: views.NetworkPlot(views.network_sample(model.graph, NETWORK_SAMPLE,
                                                       model.world.seed)), [model])

    def update():
        labels, nodes = _labels(model), plot.sample.nodes
        return plot.update([(f"{labels[w]} — day {day}", model.status(w, nodes),
                             model.customers(w, nodes)) for w in ("a", "b")])

    fig = solara.use_memo(update, [model, day])
    m, total = plot.sample.nodes.size, plot.sample.total
    shown = f"all {m:,} consumers" if m == total else f"a sample of {m:,} of {total:,} consumers"
    with solara.Card("Who thinks what", margin=0, classes=["womsim-figure", "womsim-network"]):
        solara.FigureMatplotlib(fig, format="png", dependencies=[model, day])
        solara.Text(f"Sentiment of {shown}, same layout for A and B.",
                    classes=["womsim-network-caption"],
                    style={"font-size": "0.8rem", "color": "#555"})


@solara.component
def ConversionsView(model: Comparison) -> None:
    """Purchases so far by source, A and B."""
    update_counter.get()
    day = model.day
    plot = solara.use_memo(lambda: views.ConversionsPlot(_labels(model)), [model])
    fig = solara.use_memo(lambda: plot.update({w: model.conversions(w) for w in ("a", "b")}),
                          [model, day])
    with solara.Card("Conversions by source", margin=0,
                     classes=["womsim-figure", "womsim-conversions"]):
        solara.FigureMatplotlib(fig, format="png", dependencies=[model, day])


@solara.component
def CommandsView(model: Comparison) -> None:
    """Each scenario as the ``womsim`` command that reproduces it."""
    with solara.Card("Run it from the command line", margin=0, classes=["womsim-commands"]):
        for which in ("a", "b"):
            solara.Text(SCENARIO_TITLES[which], style={"font-weight": "600"})
            solara.Preformatted(model.command(which),
                                class_=f"womsim-command womsim-command-{which}")
        solara.Text("Both run on the same graph and seed (common random numbers), so their "
                    "differences are the effect of the controls.",
                    style={"font-size": "0.85rem", "color": "#555"})


def _labels(model: Comparison | SeedStudy) -> dict[str, str]:
    scenarios = {"a": model.a, "b": model.b}
    return {w: f"{w.upper()}: " + (", ".join(STRATEGY_LABELS[s]
                                             for s in scenarios[w].strategies) or "none")
            for w in ("a", "b")}


@solara.component
def SeedsControls(seeds: SeedsState, on_n: Callable[[int | None], None],
                  on_run: Callable[[], None]) -> None:
    """N, the "Run N seeds" button and, while it runs, which seed it is on.

    The state is read here, not in the page, so that progress re-renders this card only."""
    n_seeds, error, run_error = seeds.n.value, seeds.n_error.value, seeds.run_error.value
    running = seeds.task.pending
    with solara.Card("Run N seeds", margin=0, classes=["womsim-seeds"]):
        solara.InputInt("Seeds to run", value=n_seeds if isinstance(n_seeds, int) else None,
                        optional=True, on_value=on_n, classes=["womsim-seeds-n"])
        if error:
            solara.Error(error, dense=True, classes=["womsim-seeds-n-error"])
        label = f"Run {n_seeds} seeds" if not error and isinstance(n_seeds, int) else "Run seeds"
        with solara.Row(style={"align-items": "center"}):
            solara.Button(label, on_click=on_run, disabled=bool(error) or running,
                          color="primary", classes=["womsim-seeds-run"])
            if running:
                k, total = seeds.progress.value
                solara.Text(f"seed {k} of {total}",
                            classes=["womsim-seeds-progress"],
                            style={"font-size": "0.85rem", "color": "#1f77b4"})
        if running:
            k, total = seeds.progress.value
            solara.ProgressLinear(100 * (k - 1) / total)
        else:
            with solara.Column(style={"margin-top": "4px"}):
                solara.Text("Runs A and B to the horizon on N seeds from the world's seed "
                            "on, and shows B − A with 95 % intervals.",
                            style={"font-size": "0.8rem", "color": "#555"})
        if run_error:
            solara.Error(run_error, dense=True, classes=["womsim-seeds-error"])


@dataclass(frozen=True)
class SeedsState:
    """What "Run N seeds" keeps between renders: N as typed, its error, the task, which seed it
    is on, the last study and the error of the last try."""

    n: solara.Reactive
    n_error: solara.Reactive
    progress: solara.Reactive
    study: solara.Reactive
    run_error: solara.Reactive
    task: Any


def seeds_table_html(study: SeedStudy) -> str:
    """The results table: one row per KPI (B − A mean, 95 % interval, B better in k of N, A's
    and B's means), in the KPI cards' units; the mean is coloured when its interval excludes 0.
    """
    head = ("<tr><th>KPI</th><th>B − A</th><th>95 % interval</th><th>B better in</th>"
            "<th>A</th><th>B</th></tr>")
    rows = []
    for d in study.differences():
        t = {k: html.escape(v) for k, v in d.texts().items()}
        tone = views.delta_tone(d.key, d.mean) if d.excludes_zero else "same"
        rows.append(
            f'<tr class="womsim-seeds-row womsim-seeds-row-{d.key}">'
            f'<td>{t["kpi"]}</td>'
            f'<td class="womsim-seeds-mean" style="color: {TONE_COLORS[tone]}">{t["mean"]}</td>'
            f'<td class="womsim-seeds-interval">{t["interval"]}</td>'
            f'<td class="womsim-seeds-better">{t["better"]}</td>'
            f'<td>{t["a"]}</td><td>{t["b"]}</td></tr>')
    return f'<table class="womsim-seeds-table">{head}{"".join(rows)}</table>'


@solara.component
def SeedResultsSlot(seeds: SeedsState, shown: solara.Reactive) -> None:
    """The last study's results, once there is one (read here: a new study re-renders only
    this part of the page)."""
    study = seeds.study.value
    if study is not None:
        SeedResults(study, stale=study.controls() != shown.value)


@solara.component
def SeedResults(study: SeedStudy, stale: bool) -> None:
    """The paired differences over the seeds and the mean series of A and B with bands."""
    fig = solara.use_memo(lambda: seed_views.band_figure(study, _labels(study)), [study])
    seeds, w = study.seeds, study.world
    title = f"Over {len(seeds)} seeds: B − A on day {w.steps}"
    with solara.Card(title, margin=0, classes=["womsim-seeds-results", "womsim-figure"]):
        solara.Text(f"Seeds {seeds[0]}–{seeds[-1]}, {w.n:,} consumers ({w.graph}); on each "
                    "seed A and B face the same consumers and luck, so each seed gives one "
                    "paired difference. Interval: t interval on the paired differences. "
                    f"Took {study.seconds:.1f} s.",
                    style={"font-size": "0.85rem", "color": "#555"})
        if stale:
            solara.Warning("The controls have changed since this run: run the seeds again.",
                           dense=True, classes=["womsim-seeds-stale"])
        solara.HTML(tag="div", unsafe_innerHTML=seeds_table_html(study))
        solara.FigureMatplotlib(fig, format="png", dependencies=[study])


# --------------------------------------------------------------------------------------------
# the page


@solara.component
def Page() -> None:
    """The dashboard: run controls and scenario controls in the sidebar, views in the main
    area.

    A control change is a *request* (the controls show it at once); a background task waits a
    moment (a dragged slider sends many values), rebuilds both scenarios with the latest request
    and re-runs them to the day shown, then swaps them in. Only controls that built are kept for
    Mesa's Reset; a rejected request shows its error and leaves the running models alone.
    """
    first = solara.use_memo(lambda: Comparison(DEFAULT_WORLD, DEFAULT_A, DEFAULT_B), [])
    initial_controls = solara.use_memo(first.controls, [])
    model = solara.use_reactive(first)
    applied = solara.use_reactive(initial_controls)  # what Mesa's Reset rebuilds from
    shown = solara.use_reactive(initial_controls)  # what the controls show
    request = solara.use_reactive(None)  # (controls, day) to build, or None
    error = solara.use_reactive(None)
    play_interval = solara.use_reactive(250)
    days_per_step = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    n_seeds = solara.use_reactive(DEFAULT_SEEDS)  # what the field holds, checked or not
    seeds_error = solara.use_reactive(None)
    seeds_progress = solara.use_reactive((1, DEFAULT_SEEDS))  # (k, N) while a study runs
    study = solara.use_reactive(None)  # the last SeedStudy
    study_error = solara.use_reactive(None)

    def rebuild() -> None:
        if request.value is None:
            return
        wanted, day = request.value
        time.sleep(REBUILD_DELAY)
        if not task.is_current():
            return
        try:
            new = Comparison(**wanted)
        except ControlError as err:
            error.set(str(err))
            return
        while new.day < day:
            if not task.is_current():
                return
            new.step()
        if task.is_current():
            error.set(None)
            applied.set(new.controls())
            model.set(new)
            force_update()

    task = solara.lab.use_task(rebuild, dependencies=[request.value], prefer_threaded=True)

    def on_seed(k: int, total: int) -> None:
        seeds_progress.set((k, total))
        time.sleep(SEED_PAUSE)  # lets the server send the progress before the runs go on

    def run_many() -> None:
        wanted = shown.value
        try:
            result = run_seeds(wanted["world"], wanted["a"], wanted["b"],
                               check_seeds(n_seeds.value), on_seed=on_seed,
                               keep_going=seeds_task.is_current)
        except ControlError as err:
            study_error.set(str(err))
            return
        if result is not None and seeds_task.is_current():
            study_error.set(None)
            study.set(result)

    seeds_task = solara.lab.use_task(run_many, dependencies=None, prefer_threaded=True)
    seeds = SeedsState(n=n_seeds, n_error=seeds_error, progress=seeds_progress, study=study,
                       run_error=study_error, task=seeds_task)

    def start_seeds() -> None:
        try:  # the first seed is shown as soon as the button is pressed
            seeds_progress.set((1, check_seeds(n_seeds.value)))
        except ControlError as err:
            seeds_error.set(str(err))
            return
        seeds_task()

    def set_n(value: int | None) -> None:
        n_seeds.set(value)
        try:
            check_seeds(value)
        except ControlError as err:
            seeds_error.set(str(err))
        else:
            seeds_error.set(None)

    def ask(**changed: World | Scenario) -> None:
        wanted = {**shown.value, **changed}
        shown.set(wanted)
        request.set((wanted, model.value.day))

    def change(which: str, name: str, value: Any) -> None:
        try:
            updated = replace(shown.value[which], **{name: value})
        except ControlError as err:
            error.set(f"{LABELS[which]}: {err}")
            return
        if updated != shown.value[which]:
            ask(**{which: updated})

    solara.Title(PAGE_TITLE)
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle("womsim — what if?")
    with solara.Sidebar(), solara.Column(style={"gap": "8px"}):
        with solara.Card("Run", margin=0, classes=["womsim-run"]):
            DayLabel(model.value)
            ModelController(model, model_parameters=applied, play_interval=play_interval,
                            render_interval=days_per_step, use_threads=use_threads)
            solara.SliderInt(f"Days per step {days_per_step.value}", value=days_per_step, min=1,
                             max=30)
            solara.SliderInt(f"Play interval {play_interval.value} ms", value=play_interval,
                             min=50, max=2000, step=50)
            if task.pending:
                solara.Text("Updating the scenarios…", classes=["womsim-updating"],
                            style={"font-size": "0.8rem", "color": "#1f77b4"})
            else:
                solara.Text("A changed control re-runs both scenarios to the current day; "
                            "Reset goes back to day 0.",
                            style={"font-size": "0.8rem", "color": "#555"})
        if error.value:
            solara.Error(error.value, classes=["womsim-error"])
        SeedsControls(seeds, on_n=set_n, on_run=start_seeds)
        WorldControls(shown.value["world"],
                      on_change=lambda name, value: change("world", name, value))
        ScenarioControls("a", shown.value["a"],
                         on_change=lambda name, value: change("a", name, value))
        solara.Button("Copy A to B", outlined=True, classes=["womsim-copy-a-b"],
                      on_click=lambda: ask(b=shown.value["a"]))
        ScenarioControls("b", shown.value["b"],
                         on_change=lambda name, value: change("b", name, value))
    with solara.Column(style={"gap": "12px"}):
        KpiCards(model.value)
        MoneyView(model.value)
        StrategyCards(model.value)
        SeedResultsSlot(seeds, shown)
        with solara.Columns([1, 1]):
            TimeseriesView(model.value)
            NetworkView(model.value)
        with solara.Columns([1, 1]):
            ConversionsView(model.value)
            CommandsView(model.value)
