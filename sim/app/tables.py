"""The dashboard's HTML tables: money and plan figures of A and B, a strategy's own figures
and the results of "Run N seeds" (strings; each label's tooltip is its ``title``)."""

from __future__ import annotations

import html

from sim.app import money, views
from sim.app.seeds import SeedStudy
from sim.app.state import Comparison
from sim.catalog import METRICS

#: text colour of a difference by whether B is better
TONE_COLORS = {"better": "#1b7a35", "worse": "#c62828", "same": "#555555"}


def cell(text: str, *, tip: str = "", cls: str = "", color: str = "") -> str:
    """A table cell of ``text`` (escaped), with a tooltip, class and colour if given."""
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
                    + cell(m.title, tip=money.tooltip(m, cur)) + cell(a) + cell(b)
                    + cell(money.format_difference(m, diff[key], cur), color=tone) + "</tr>")
    return f'<table class="womsim-money-table">{head}{"".join(rows)}</table>'


def strategy_table_html(figures: money.StrategyFigures, currency: str) -> str:
    """One strategy's figures today (its plugin's metrics), one row each, with tooltips."""
    spent = METRICS["cost"]
    rows = ['<tr class="womsim-strategy-figure womsim-strategy-figure-spent">'
            + cell("Spent", tip=money.tooltip(spent, currency))
            + cell(f"{money.spend_text(figures.spent, figures.budget, currency)}, "
                    f"{money.spend_days(figures.first_spend, figures.last_spend)}") + "</tr>"]
    for m, value in figures.rows:
        rows.append(f'<tr class="womsim-strategy-figure womsim-strategy-figure-{m.name}">'
                    + cell(m.title, tip=money.tooltip(m, currency))
                    + cell(money.format_value(m, value, currency)) + "</tr>")
    return f'<table class="womsim-strategy-table">{"".join(rows)}</table>'


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
