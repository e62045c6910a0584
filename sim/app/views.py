"""The dashboard's views as plain matplotlib figures and strings (no UI toolkit).

Figures are :class:`matplotlib.figure.Figure` objects made without pyplot (thread-safe, nothing
global), small and drawn at a low dpi so that one step re-renders in a fraction of a second even
at 100,000 consumers. The network view draws a sample of at most ``max_nodes`` consumers whose
seeded layout is computed once per graph and kept (:func:`network_sample`). Labels, number
formats and which way is better come from :mod:`sim.catalog`; the time-series panels are drawn
with :func:`sim.report.plots.plot_series`, as the command line's figure is.
"""

from __future__ import annotations

import functools
import math
from collections import deque
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from numba import njit

from sim import catalog
from sim.app.state import DETRACTOR, NEUTRAL, PROMOTER, UNAWARE
from sim.graphs import Graph
from sim.report.plots import plot_series

#: line and bar colours of the scenarios
SCENARIO_COLORS = {"a": "#1f77b4", "b": "#ff7f0e"}
#: node colours by sentiment status
STATUS_COLORS = {UNAWARE: "#d4d4d4", NEUTRAL: "#7f8fa6", PROMOTER: "#1a9850",
                 DETRACTOR: "#d73027"}
STATUS_NAMES = {UNAWARE: "unaware", NEUTRAL: "neutral", PROMOTER: "promoter",
                DETRACTOR: "detractor"}
DPI = 100


# --------------------------------------------------------------------------------------------
# KPI text


def delta_tone(key: str, delta: float | None, *, eps: float = 1e-12) -> str:
    """``"better"``, ``"worse"`` or ``"same"`` for B compared with A on ``key`` (``"same"``
    also for a metric the catalog says is neither better higher nor lower)."""
    better_up = catalog.METRICS[key].higher_is_better
    if delta is None or abs(delta) <= eps or better_up is None:
        return "same"
    return "better" if (delta > 0) == better_up else "worse"


# --------------------------------------------------------------------------------------------
# network sample and layout


@dataclass(frozen=True, eq=False)
class NetworkSample:
    """A sample of consumers with the ties among them and a fixed layout.

    Attributes
    ----------
    nodes : numpy.ndarray of int64, shape (m,)
        The sampled consumers (graph node numbers, ascending).
    src, dst : numpy.ndarray of int64, shape (e,)
        Ties among them, each once, as positions in ``nodes``.
    pos : numpy.ndarray of float64, shape (m, 2)
        Layout coordinates in [0, 1].
    total : int
        Consumers in the whole graph.
    """

    nodes: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    pos: np.ndarray
    total: int


def sample_nodes(graph: Graph, max_nodes: int, rng: np.random.Generator, *,
                 fanout: int = 8) -> np.ndarray:
    """At most ``max_nodes`` consumers: all of a small graph, else a snowball sample.

    The snowball starts at a random consumer and visits, breadth first, up to ``fanout``
    random not-yet-sampled neighbours of each sampled consumer (restarting at another random
    consumer when it runs out), so the sample keeps local structure (ties, hubs, clusters) that
    a uniform sample of a large sparse graph would lose.
    """
    n = graph.n
    if n <= max_nodes:
        return np.arange(n, dtype=np.int64)
    chosen = np.zeros(n, dtype=bool)
    order: list[int] = []
    queue: deque[int] = deque()
    while len(order) < max_nodes:
        if not queue:
            start = int(rng.integers(n))
            while chosen[start]:
                start = int(rng.integers(n))
            chosen[start] = True
            order.append(start)
            queue.append(start)
            continue
        nbrs = graph.neighbors(queue.popleft())
        nbrs = nbrs[~chosen[nbrs]]
        if nbrs.size > fanout:
            nbrs = rng.choice(nbrs, fanout, replace=False)
        for v in nbrs[: max_nodes - len(order)]:
            chosen[v] = True
            order.append(int(v))
            queue.append(int(v))
    return np.sort(np.asarray(order, dtype=np.int64))


def induced_edges(graph: Graph, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ties among ``nodes`` (ascending node numbers), each once, as positions in ``nodes``."""
    sub = graph.to_scipy()[nodes][:, nodes].tocoo()
    keep = sub.row < sub.col
    return sub.row[keep].astype(np.int64), sub.col[keep].astype(np.int64)


@njit(cache=True)
def _force_layout(pos: np.ndarray, src: np.ndarray, dst: np.ndarray, iterations: int,
                  gravity: float) -> np.ndarray:  # pragma: no cover - compiled
    """Fruchterman-Reingold with a little gravity toward the centre, in place."""
    n = pos.shape[0]
    k = math.sqrt(1.0 / max(n, 1))
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    disp = np.zeros_like(pos)
    for _ in range(iterations):
        disp[:] = 0.0
        for i in range(n):
            xi, yi = pos[i, 0], pos[i, 1]
            for j in range(i + 1, n):
                dx = xi - pos[j, 0]
                dy = yi - pos[j, 1]
                d2 = dx * dx + dy * dy + 1e-9
                f = k * k / d2
                disp[i, 0] += dx * f
                disp[i, 1] += dy * f
                disp[j, 0] -= dx * f
                disp[j, 1] -= dy * f
        for e in range(src.size):
            i, j = src[e], dst[e]
            dx = pos[i, 0] - pos[j, 0]
            dy = pos[i, 1] - pos[j, 1]
            f = math.sqrt(dx * dx + dy * dy) / k
            disp[i, 0] -= dx * f
            disp[i, 1] -= dy * f
            disp[j, 0] += dx * f
            disp[j, 1] += dy * f
        for i in range(n):
            gx = disp[i, 0] - gravity * pos[i, 0] / k
            gy = disp[i, 1] - gravity * pos[i, 1] / k
            length = math.sqrt(gx * gx + gy * gy)
            if length > 0:
                step = min(length, temperature) / length
                pos[i, 0] += gx * step
                pos[i, 1] += gy * step
        temperature -= cooling
    return pos


def force_layout(m: int, src: np.ndarray, dst: np.ndarray, rng: np.random.Generator, *,
                 iterations: int = 80, gravity: float = 0.3) -> np.ndarray:
    """A seeded force-directed layout of ``m`` nodes and the ties ``src``-``dst``, scaled to
    [0, 1] (the same ``rng`` state gives the same layout)."""
    pos = rng.uniform(-0.5, 0.5, size=(m, 2))
    if m > 1:
        pos = _force_layout(pos, np.asarray(src, np.int64), np.asarray(dst, np.int64),
                            iterations, gravity)
    lo, hi = pos.min(axis=0), pos.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    return (pos - lo) / span


@functools.lru_cache(maxsize=8)
def network_sample(graph: Graph, max_nodes: int = 2000, seed: int = 0) -> NetworkSample:
    """The sampled consumers, their ties and a seeded layout; kept for the last few graphs
    (graphs are immutable and compared by identity), so each step only recolours nodes."""
    rng = np.random.default_rng([seed, 0x5A4D])
    nodes = sample_nodes(graph, max_nodes, rng)
    src, dst = induced_edges(graph, nodes)
    pos = force_layout(nodes.size, src, dst, rng)
    return NetworkSample(nodes=nodes, src=src, dst=dst, pos=pos, total=graph.n)


# --------------------------------------------------------------------------------------------
# figures
#
# Each plot is an object that builds its figure once and then only updates the data: no axes,
# ticks or edges are rebuilt per step, which keeps a step's re-render small. Titles are placed
# at a fixed height (matplotlib would otherwise measure the tick labels at every draw).

LIMITS = (-0.02, 1.02)


def edge_image(sample: NetworkSample, pixels: int) -> np.ndarray:
    """The sample's ties drawn once into a transparent RGBA image of ``pixels`` x ``pixels``
    covering :data:`LIMITS` on both axes (a network panel shows it under the nodes)."""
    fig = Figure(figsize=(pixels / DPI, pixels / DPI), dpi=DPI)
    fig.patch.set_alpha(0.0)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(*LIMITS)
    ax.set_ylim(*LIMITS)
    ax.set_axis_off()
    segments = np.stack([sample.pos[sample.src], sample.pos[sample.dst]], axis=1)
    ax.add_collection(LineCollection(segments, colors="#9a9a9a", linewidths=0.3, alpha=0.35))
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


class NetworkPlot:
    """The sampled network once per panel, nodes coloured by sentiment status.

    Parameters
    ----------
    sample : NetworkSample
        Nodes, ties and layout, shared by the panels (the same consumers in the same places).
    panels : int
        Number of panels side by side.
    width : float
        Figure width in inches.
    """

    def __init__(self, sample: NetworkSample, panels: int = 2, *, width: float = 5.8) -> None:
        self.sample = sample
        gap, top, bottom = 0.1, 0.3, 0.55
        side = (width - gap * (panels + 1)) / panels
        height = side + top + bottom
        self.figure = Figure(figsize=(width, height), dpi=DPI)
        m = sample.nodes.size
        self.size = 6.0 if m > 1000 else 12.0 if m > 300 else 24.0
        background = edge_image(sample, round(side * DPI))
        self.palette = np.array([_rgba(STATUS_COLORS[c]) for c in sorted(STATUS_COLORS)])
        self.rim = _rgba("#222222")
        self.axes, self.dots, self.titles = [], [], []
        for i in range(panels):
            ax = self.figure.add_axes(((gap + i * (side + gap)) / width, bottom / height,
                                       side / width, side / height))
            ax.imshow(background, extent=(*LIMITS, *LIMITS), interpolation="nearest",
                      zorder=1)
            ax.set_xlim(*LIMITS)
            ax.set_ylim(*LIMITS)
            ax.set_aspect("auto")
            ax.set_axis_off()
            self.dots.append(ax.scatter(sample.pos[:, 0], sample.pos[:, 1], s=self.size,
                                        c=[self.palette[UNAWARE]], linewidths=0.4, zorder=2))
            self.titles.append(ax.set_title("", fontsize=10, y=1.0, pad=3))
            self.axes.append(ax)
        handles = [Line2D([], [], marker="o", linestyle="", color=STATUS_COLORS[c],
                          markersize=6, label=STATUS_NAMES[c]) for c in sorted(STATUS_COLORS)]
        handles.append(Line2D([], [], marker="o", linestyle="", color="#bbbbbb", markersize=8,
                              markeredgecolor="#222222", label="customer"))
        shown = (f"all {m:,} consumers" if m == sample.total
                 else f"a sample of {m:,} of {sample.total:,} consumers")
        self.figure.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=7,
                           frameon=False, title=shown, title_fontsize=7, borderaxespad=0.1,
                           columnspacing=0.8, handletextpad=0.2)

    def update(self, panels: list[tuple[str, np.ndarray, np.ndarray]]) -> Figure:
        """Recolour the nodes.

        Parameters
        ----------
        panels : list of (title, status, customer)
            Per panel: a title, each sampled consumer's status (``sim.app.state`` codes) and
            whether they are a customer (drawn larger, with a dark rim).
        """
        for dots, title, (text, status, customer) in zip(self.dots, self.titles, panels,
                                                        strict=True):
            order = np.argsort(status, kind="stable")  # promoters and detractors on top
            colors = self.palette[status[order]]
            dots.set_offsets(self.sample.pos[order])
            dots.set_facecolor(colors)
            dots.set_edgecolor(np.where(customer[order, None], self.rim, colors))
            dots.set_sizes(np.where(customer[order], self.size * 2.2, self.size))
            title.set_text(text)
        return self.figure


class TimeseriesPlot:
    """Reach, customers, net sentiment and mean loyalty over time, scenarios overlaid.

    Parameters
    ----------
    horizon : int
        Last day of the x axis.
    labels : dict, optional
        Legend label per scenario (``"a"``, ``"b"``).
    width : float
        Figure width in inches.
    """

    #: the series drawn, one panel each (of :data:`sim.app.state.SERIES`)
    PANELS = ("reach", "customers", "net_sentiment", "mean_loyalty")

    def __init__(self, horizon: int, labels: dict[str, str] | None = None, *,
                 width: float = 5.8) -> None:
        labels = labels or {"a": "A", "b": "B"}
        self.figure = Figure(figsize=(width, width * 0.62), dpi=DPI)
        self.axes = self.figure.subplots(2, 2, sharex=True).ravel()
        self.figure.subplots_adjust(left=0.11, right=0.98, top=0.87, bottom=0.14, hspace=0.4,
                                    wspace=0.3)
        self.lines: dict[tuple[str, str], Line2D] = {}
        self.scales = {key: _scale(key) for key in self.PANELS}
        for ax, key in zip(self.axes, self.PANELS, strict=True):
            empty = {"step": np.zeros(0), key: np.zeros(0)}
            for which, label in labels.items():  # drawn empty; update() sets the data
                plot_series(empty, (key,), ax=ax, labels={key: label}, lw=1.6,
                            color=SCENARIO_COLORS[which], ls="-" if which == "a" else "--")
                self.lines[which, key] = ax.get_lines()[-1]
            ax.set_title(catalog.metric(key).title, fontsize=8, y=1.0, pad=2)
            ax.set_ylabel(axis_unit(key), fontsize=7)
            ax.tick_params(labelsize=7)
            ax.set_xlim(0, max(horizon, 1))
            ax.grid(alpha=0.3)
            if key == "net_sentiment":
                ax.axhline(0.0, color="#888888", lw=0.6)
        for ax in self.axes[2:]:
            ax.set_xlabel("time (days)", fontsize=7)
        self.figure.legend(handles=[self.lines[w, self.PANELS[0]] for w in labels],
                           loc="upper center", ncol=1, fontsize=7, frameon=False,
                           borderaxespad=0.1)

    def update(self, series: dict[str, dict[str, np.ndarray]]) -> Figure:
        """Show ``series`` (per scenario: :meth:`sim.app.state.Comparison.timeseries`)."""
        for ax, key in zip(self.axes, self.PANELS, strict=True):
            scale = self.scales[key]
            values = []
            for which, ts in series.items():
                y = scale * np.asarray(ts[key], dtype=float)
                self.lines[which, key].set_data(ts["step"], y)
                values.append(y[np.isfinite(y)])
            finite = np.concatenate(values) if values else np.zeros(0)
            if key == "net_sentiment":
                ax.set_ylim(*axis_limits(finite, symmetric=True, least=0.05))
            else:
                ax.set_ylim(*axis_limits(finite, floor=0.0, least=scale * 0.01))
        return self.figure


def axis_limits(values: np.ndarray, *, floor: float | None = None, symmetric: bool = False,
                least: float = 1.0, pad: float = 0.08) -> tuple[float, float]:
    """A y range for ``values`` (finite ones) that never collapses: from ``floor`` (if given)
    or the lowest value, to the highest, at least ``least`` wide, padded; ``symmetric``
    centres 0 (for signed figures and differences). No values: ``[floor or -least, least]``.
    """
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if symmetric:
        top = max(float(np.abs(values).max()) if values.size else 0.0, least)
        return -top * (1 + pad), top * (1 + pad)
    lo = float(values.min()) if values.size else 0.0
    hi = float(values.max()) if values.size else 0.0
    if floor is not None:
        lo = min(lo, floor)
    hi = max(hi, lo + least)
    span = hi - lo
    return (lo if floor is not None and lo == floor else lo - pad * span), hi + pad * span


def axis_unit(key: str) -> str:
    """The y-axis label of a time-series panel: the unit (``% of consumers``, ``index, −1 to
    1``)."""
    entry = catalog.metric(key)
    if entry.display == "percent":
        return f"% {entry.unit.removeprefix('share ')}"
    return "index, −1 to 1" if key == "net_sentiment" else "index, 0 to 1"


def _scale(key: str) -> float:
    """Shares are drawn in percent."""
    return 100.0 if catalog.metric(key).display == "percent" else 1.0


class ConversionsPlot:
    """Purchases so far by source, one bar per scenario and source.

    Parameters
    ----------
    labels : dict, optional
        Legend label per scenario (``"a"``, ``"b"``).
    width : float
        Figure width in inches.
    """

    def __init__(self, labels: dict[str, str] | None = None, *, width: float = 5.8) -> None:
        labels = labels or {"a": "A", "b": "B"}
        self.figure = Figure(figsize=(width, width * 0.5), dpi=DPI)
        self.ax = ax = self.figure.subplots()
        self.figure.subplots_adjust(left=0.22, right=0.97, top=0.86, bottom=0.15)
        self.sources = [source.name for source in catalog.SOURCES]
        y = np.arange(len(self.sources))
        height = 0.8 / len(labels)
        self.bars, self.texts = {}, {}
        for i, (which, label) in enumerate(labels.items()):
            at = y + (i - (len(labels) - 1) / 2) * height
            self.bars[which] = ax.barh(at, np.zeros(len(y)), height=height,
                                       color=SCENARIO_COLORS[which], label=label)
            self.texts[which] = [ax.annotate("0", (0, yy), xytext=(2, 0),
                                             textcoords="offset points", va="center",
                                             fontsize=7) for yy in at]
        ax.set_yticks(y, [source.label for source in catalog.SOURCES], fontsize=8)
        ax.invert_yaxis()
        ax.tick_params(axis="x", labelsize=8)
        ax.set_xlabel("purchases so far (count)", fontsize=8)
        self.figure.legend(fontsize=7, loc="upper center", ncol=1, frameon=False,
                           borderaxespad=0.1)  # above the bars: it covers none
        ax.grid(axis="x", alpha=0.3)

    def update(self, counts: dict[str, dict[str, int]]) -> Figure:
        """Show ``counts`` (per scenario: :meth:`sim.app.state.Comparison.conversions`)."""
        top = 0
        for which, by_source in counts.items():
            for bar, text, source in zip(self.bars[which], self.texts[which], self.sources,
                                         strict=True):
                value = int(by_source.get(source, 0))
                bar.set_width(value)
                text.xy = (value, text.xy[1])
                text.set_text(f"{value:,}")
                top = max(top, value)
        self.ax.set_xlim(0, max(top, 1) * 1.18)
        return self.figure


def network_figure(sample: NetworkSample, panels: list[tuple[str, np.ndarray, np.ndarray]], *,
                   width: float = 5.8) -> Figure:
    """A one-off :class:`NetworkPlot` figure of ``panels``."""
    return NetworkPlot(sample, len(panels), width=width).update(panels)


def conversions_figure(counts: dict[str, dict[str, int]], *,
                       labels: dict[str, str] | None = None, width: float = 5.8) -> Figure:
    """A one-off :class:`ConversionsPlot` figure of ``counts``."""
    return ConversionsPlot(labels, width=width).update(counts)


def _rgba(color: str) -> np.ndarray:
    from matplotlib.colors import to_rgba

    return np.asarray(to_rgba(color))


__all__ = ["ConversionsPlot", "NetworkPlot", "NetworkSample", "TimeseriesPlot",
           "conversions_figure", "delta_tone", "edge_image", "force_layout", "network_figure",
           "network_sample", "sample_nodes"]
