"""The dashboard's result views (Solara components): KPI cards, money and strategy figures,
the charts, the commands and the results of "Run N seeds".

Each view takes the :class:`~sim.app.driver.Frame` on show; the charts are redrawn only when
the frame's ``chart_day`` (the network view: ``network_day``) or the comparison changes, so a
frame of Play that only moves the KPIs re-renders no figure. Figures come from
:mod:`sim.app.views`, :mod:`sim.app.diff_views` and :mod:`sim.app.seed_views`, tables from
:mod:`sim.app.tables`, words from :mod:`sim.app.legends`.
"""

from __future__ import annotations

import solara

from sim.app import diff_views, money, seed_views, tables, views
from sim.app.driver import Frame
from sim.app.legends import scenario_labels
from sim.app.seeds import SeedStudy
from sim.app.state import KPIS, Comparison
from sim.catalog import METRICS
from sim.strategies import PLUGINS

SCENARIO_TITLES = {"a": "Scenario A — the plan now", "b": "Scenario B — what if"}
STRATEGY_LABELS = {name: plugin.title for name, plugin in PLUGINS.items()}
#: consumers drawn in the network view: few enough to see who is who
NETWORK_SAMPLE = 300
#: figure width (inches) of the charts, two side by side
CHART_WIDTH = 4.4
NOTE = {"font-size": "0.8rem", "color": "#555"}


def labels(model: Comparison | SeedStudy) -> dict[str, str]:
    """Legend labels of A and B: strategies and the settings in which they differ."""
    return scenario_labels(model.a, model.b)


@solara.component
def KpiCard(key: str, a: float | None, b: float | None, delta: float | None,
            currency: str = "") -> None:
    """One KPI: the difference B − A in large, both values below; its label's tooltip says
    what it means (from the metric table)."""
    color = tables.TONE_COLORS[views.delta_tone(key, delta)]
    m = METRICS[key]
    with solara.Card(margin=0, classes=["womsim-kpi", f"womsim-kpi-{key}"]):
        with solara.Tooltip(money.tooltip(m, currency)):
            solara.Text(f"{m.title}  (B − A)", classes=["womsim-kpi-label"])
        solara.Text(money.format_difference(m, delta, currency), classes=["womsim-kpi-delta"],
                    style={"color": color})
        solara.Text(f"A {money.format_value(m, a, currency)}  ·  "
                    f"B {money.format_value(m, b, currency)}", classes=["womsim-kpi-values"])


@solara.component
def KpiCards(frame: Frame) -> None:
    """Reach, customers, net sentiment, mean loyalty and cost per customer of A and B, in
    one row of five."""
    model = frame.model
    ka, kb, diff = model.kpis("a"), model.kpis("b"), model.differences()
    with solara.Div(classes=["womsim-kpis"]):
        for key in KPIS:
            KpiCard(key, ka[key], kb[key], diff[key], model.currency("a"))


@solara.component
def SpendCard(frame: Frame, which: str) -> None:
    """What scenario ``which`` has spent against its budget, and per strategy when."""
    model = frame.model
    cur, spent = model.currency(which), model.money(which)
    with solara.Card(margin=0, classes=["womsim-spend", f"womsim-spend-{which}"]):
        solara.Text(f"Spent — {which.upper()}", classes=["womsim-kpi-label"])
        if not model.scenario(which).strategies:
            solara.Text(f"{METRICS['cost'].format(0.0)} {cur}", classes=["womsim-spend-total"])
            solara.Text("no strategies: nothing to spend", classes=["womsim-kpi-values"])
            return
        solara.Text(money.spend_text(spent["cost"], spent["budget"], cur),
                    classes=["womsim-spend-total"])
        for sf in model.strategy_figures(which):
            label = STRATEGY_LABELS.get(sf.name, sf.name)
            solara.Text(f"{label}: {money.spend_text(sf.spent, sf.budget, cur)}, spent "
                        f"{money.spend_days(sf.first_spend, sf.last_spend)}",
                        classes=["womsim-kpi-values", f"womsim-spend-{which}-{sf.name}"])


@solara.component
def MoneyView(frame: Frame) -> None:
    """Spend against budget per scenario and the money and plan KPIs of A and B."""
    model = frame.model
    day, cur = model.day, model.currency("a")
    with solara.Row(classes=["womsim-spends"], style={"flex-wrap": "wrap", "gap": "6px"}):
        for which in ("a", "b"):
            SpendCard(frame, which)
    with solara.Card(f"Money and plan, day {day} ({cur})", margin=0,
                     classes=["womsim-money"]):
        solara.HTML(tag="div", unsafe_innerHTML=tables.money_table_html(model))
        solara.Text(f"Each figure is the run's so far, as `womsim … steps={day}` reports it. "
                    "Against no plan: the same scenario without strategies on the same graph "
                    f"and seed. Money in {cur} (value.currency). Hover a label for its meaning.",
                    classes=["womsim-note"])


@solara.component
def StrategyCards(frame: Frame) -> None:
    """A card per active strategy of A and B with its plugin's figures so far (the plugin
    registry's metrics: a new strategy's figures show without changing the page)."""
    model = frame.model
    cards = [(w, sf) for w in ("a", "b") for sf in model.strategy_figures(w)]
    if not cards:
        return
    with solara.Row(classes=["womsim-strategy-cards"], style={"flex-wrap": "wrap",
                                                              "gap": "6px"}):
        for which, sf in cards:
            title = f"{which.upper()}: {STRATEGY_LABELS.get(sf.name, sf.name)}, day {model.day}"
            with solara.Card(title, margin=0,
                             classes=["womsim-strategy-card",
                                      f"womsim-strategy-card-{which}-{sf.name}"]):
                solara.HTML(tag="div", unsafe_innerHTML=tables.strategy_table_html(
                    sf, model.currency(which)))


def _series(model: Comparison) -> dict:
    return {w: model.timeseries(w) for w in ("a", "b")}


@solara.component
def TimeseriesView(frame: Frame) -> None:
    """Reach, customers, net sentiment and loyalty over time, A and B overlaid."""
    model, day = frame.model, frame.chart_day
    plot = solara.use_memo(lambda: views.TimeseriesPlot(model.world.steps, labels(model),
                                                        width=CHART_WIDTH), [model])
    fig = solara.use_memo(lambda: plot.update(_series(model)), [model, day])
    with solara.Card("Over time", margin=0, classes=["womsim-figure", "womsim-timeseries"]):
        solara.FigureMatplotlib(fig, format="png", dependencies=[model, day])


@solara.component
def DifferenceView(frame: Frame) -> None:
    """B − A over time, one panel per series, in the series' units."""
    model, day = frame.model, frame.chart_day
    plot = solara.use_memo(lambda: diff_views.DifferencePlot(model.world.steps,
                                                             width=CHART_WIDTH), [model])
    fig = solara.use_memo(lambda: plot.update(_series(model)), [model, day])
    with solara.Card("B − A over time", margin=0,
                     classes=["womsim-figure", "womsim-difference"]):
        solara.FigureMatplotlib(fig, format="png", dependencies=[model, day])


@solara.component
def NetworkView(frame: Frame) -> None:
    """A readable sample of the network coloured by sentiment, A beside B, and the spread of
    sentiment over time in the whole population."""
    model, day = frame.model, frame.network_day
    plot = solara.use_memo(
        lambda: views.NetworkPlot(views.network_sample(model.graph, NETWORK_SAMPLE,
                                                       model.world.seed), width=CHART_WIDTH),
        [model])
    spread = solara.use_memo(lambda: diff_views.SpreadPlot(model.world.steps, labels(model),
                                                           width=CHART_WIDTH), [model])

    def update():
        nodes = plot.sample.nodes
        return plot.update([(f"{w.upper()} — day {day}", model.status(w, nodes),
                             model.customers(w, nodes)) for w in ("a", "b")])

    fig = solara.use_memo(update, [model, day])
    spread_fig = solara.use_memo(lambda: spread.update(_series(model)), [model, day])
    m, total = plot.sample.nodes.size, plot.sample.total
    shown = f"all {m:,} consumers" if m == total else f"a sample of {m:,} of {total:,} consumers"
    with solara.Card("Who thinks what", margin=0, classes=["womsim-figure", "womsim-network"]):
        solara.FigureMatplotlib(fig, format="png", dependencies=[model, day])
        solara.Text(f"Sentiment of {shown} (ties among them; customers ringed), same layout "
                    "for A and B. Below: all consumers by sentiment, day by day.",
                    classes=["womsim-network-caption"], style=NOTE)
        with solara.Div(classes=["womsim-spread"]):
            solara.FigureMatplotlib(spread_fig, format="png", dependencies=[model, day])


@solara.component
def ConversionsView(frame: Frame) -> None:
    """Purchases so far by source, A and B."""
    model, day = frame.model, frame.chart_day
    plot = solara.use_memo(lambda: views.ConversionsPlot(labels(model), width=CHART_WIDTH),
                           [model])
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
                    "differences are the effect of the controls.", style=NOTE)


@solara.component
def SeedResultsSlot(study: solara.Reactive, shown: dict) -> None:
    """The last study's results, once there is one (read here: a new study re-renders only
    this part of the page)."""
    result = study.value
    if result is not None:
        SeedResults(result, stale=result.controls() != shown)


@solara.component
def SeedResults(study: SeedStudy, stale: bool) -> None:
    """The paired differences over the seeds and the mean series of A and B with bands."""
    fig = solara.use_memo(lambda: seed_views.band_figure(study, labels(study)), [study])
    seeds, w = study.seeds, study.world
    title = f"Over {len(seeds)} seeds: B − A on day {w.steps}"
    with solara.Card(title, margin=0, classes=["womsim-seeds-results", "womsim-figure"]):
        solara.Text(f"Seeds {seeds[0]}–{seeds[-1]}, {w.n:,} consumers ({w.graph}); on each "
                    "seed A and B face the same consumers and luck, so each seed gives one "
                    "paired difference. Interval: t interval on the paired differences. "
                    f"Took {study.seconds:.1f} s.", style=NOTE)
        if stale:
            solara.Warning("The controls have changed since this run: run the seeds again.",
                           dense=True, classes=["womsim-seeds-stale"])
        solara.HTML(tag="div", unsafe_innerHTML=tables.seeds_table_html(study))
        solara.FigureMatplotlib(fig, format="png", dependencies=[study])
