"""What a job's overrides say: the condition it belongs to, its typed parameters and the short
labels of conditions.

A condition is the set of overrides of a job other than the seed, the experiment preset and
``hydra.*`` settings: the runs of one condition differ only by their seed. These are pure
functions of override strings; reading the sweep directory is :mod:`sim.report.collect`'s part.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

#: override prefixes that are not parameters of a run
SKIP_AS_PARAMETER = ("hydra.", "+hydra.", "+experiment=", "experiment=")

#: override prefixes that do not define a condition
SKIP_IN_CONDITION = ("seed=", *SKIP_AS_PARAMETER)


def condition_label(overrides: list[str]) -> str:
    """The overrides that define a job's condition: all but the seed, the experiment preset
    and hydra.* settings, joined by spaces; ``(default)`` when none is left."""
    keep = [str(o) for o in overrides if not str(o).startswith(SKIP_IN_CONDITION)]
    return " ".join(keep) if keep else "(default)"


def parse_override(override: str) -> tuple[str, Any] | None:
    """``"+model.quality=0.6"`` -> ``("model.quality", 0.6)``; None for deletions (``~key``)
    and entries without ``=``. Values are typed with :func:`parse_value`."""
    key, sep, value = str(override).partition("=")
    if not sep or key.startswith("~"):
        return None
    return key.lstrip("+"), parse_value(value)


def parse_value(text: str) -> Any:
    """Type an override's value as Hydra reads it: int, float, bool (``true``/``false``) or None
    (``null``) when it reads as one, else the string (outer quotes removed)."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    lowered = text.lower()
    if lowered == "null":
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def short_labels(runs: pd.DataFrame, params: list[str]) -> dict[str, str]:
    """Condition -> ``key=value`` of the swept parameters only, in override order."""
    conditions = list(pd.unique(runs["condition"]))
    if not params:
        return {c: c for c in conditions}
    keys = set(params)
    labels = {}
    for condition in conditions:
        tokens = [t for t in condition.split() if t.partition("=")[0].lstrip("+") in keys]
        labels[condition] = " ".join(tokens) or condition
    if len(set(labels.values())) < len(labels):
        return {c: c for c in conditions}
    return labels


def typed_overrides(overrides: list[str]) -> dict[str, Any]:
    """A job's overrides as ``{key: typed value}``, without hydra.* settings and the experiment
    preset (the seed included)."""
    typed = {}
    for override in overrides:
        if str(override).startswith(SKIP_AS_PARAMETER):
            continue
        parsed = parse_override(override)
        if parsed is not None:
            typed[parsed[0]] = parsed[1]
    return typed
