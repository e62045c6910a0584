"""The catalog of names every reader looks up: metrics and purchase sources.

The command line's summary, the sweep report and the dashboard import :data:`METRICS` and
:data:`SOURCES` from here, never from :mod:`sim.vocabulary` directly: :data:`METRICS` is the
vocabulary's table of the model's figures plus the entries each strategy plugin declares for the
figures it reports (``StrategyPlugin.metrics``), so a strategy's labels live in its module.
"""

from __future__ import annotations

from sim.strategies import PLUGINS
from sim.vocabulary import METRICS as MODEL_METRICS
from sim.vocabulary import SOURCES, Metric, Source

#: every final figure a summary, report or dashboard shows, by name: the model's, then each
#: strategy's, in registry order
METRICS: dict[str, Metric] = {
    **MODEL_METRICS,
    **{m.name: m for plugin in PLUGINS.values() for m in plugin.metrics},
}

__all__ = ["METRICS", "SOURCES", "Metric", "Source", "metric", "source"]


def metric(name: str) -> Metric:
    """The entry of metric ``name``; for a figure no table describes yet, a plain one (its name
    as label, with spaces, written as a number).

    Parameters
    ----------
    name : str
        A key of metrics.json.

    Returns
    -------
    Metric
    """
    found = METRICS.get(name)
    return found if found is not None else Metric(name, name.replace("_", " "))


def source(name: str) -> Source:
    """The entry of purchase source ``name``; for an unknown one, a plain one (its name as
    label).

    Parameters
    ----------
    name : str
        A ``source`` of conversions.csv.

    Returns
    -------
    Source
    """
    return next((s for s in SOURCES if s.name == name), Source(name, name))
