"""The house's structure: strategy plugins, their documentation, the World protocol, and the
layers contract."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import make_config
from sim.config import StrategyConfig
from sim.engines import ENGINES
from sim.run import build_model
from sim.strategies import PLUGINS, STRATEGIES, StrategySet, strategies_table
from sim.strategies.base import Strategy

ROOT = Path(__file__).resolve().parent.parent
STRATEGIES_MD = (ROOT / "docs" / "strategies.md").read_text()


def test_every_plugin_declares_schema_hooks_checks_and_summary():
    for name, plugin in PLUGINS.items():
        assert plugin.name == name
        assert issubclass(plugin.schema, StrategyConfig)
        assert issubclass(plugin.strategy, Strategy)
        assert plugin.strategy.name == name
        assert callable(plugin.validate)
        assert plugin.summary.endswith(".")
        assert STRATEGIES[name] is plugin.strategy


def test_strategy_set_has_one_optional_field_per_plugin():
    fields = {f.name: f for f in dataclasses.fields(StrategySet)}
    assert list(fields) == list(PLUGINS)
    assert all(f.default is None for f in fields.values())


def test_docs_show_the_plugins_table_as_generated():
    assert strategies_table() in STRATEGIES_MD


@pytest.mark.parametrize("name", list(PLUGINS))
def test_docs_document_every_key_of_every_strategy(name):
    """Each key of a strategy's schema appears in the parameter table of its section."""
    section = STRATEGIES_MD.split(f"## `{name}`", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`(\w+)`", "\n".join(
        line.split("|")[1] for line in section.splitlines() if line.startswith("| `"))))
    shared = {"budget", "start", "end"}  # documented once, under "Budgets and costs"
    keys = {f.name for f in dataclasses.fields(PLUGINS[name].schema)} - shared
    assert keys <= documented, f"undocumented in docs/strategies.md: {sorted(keys - documented)}"


def test_engines_have_the_four_phase_groups_and_no_empty_phases():
    for engine in ENGINES.values():
        for phase in ("start_day", "brand_and_experience", "talk", "adoption",
                      "loyalty_and_forgetting"):
            assert callable(getattr(engine, phase))
        for gone in ("brand", "experience", "loyalty", "forgetting"):
            assert not hasattr(engine, gone)


def test_give_product_is_what_kol_seeding_did_to_the_state():
    """World.give_product: aware (by seeding when unaware), attitude, customers with initial
    loyalty and source ``seeded``; existing customers keep loyalty and source; logged."""
    from sim.population import SOURCE_CODES, VIA_MEDIA, VIA_SEEDED

    model = build_model(make_config("graph.n=50", "steps=1"))
    s = model.state
    s.aware[[1, 2]] = True
    s.aware_via[[1, 2]] = VIA_MEDIA
    s.customer[2] = s.ever_customer[2] = True
    s.loyalty[2], s.source[2] = 0.9, SOURCE_CODES["organic"]
    s.churned[3] = True
    model.t = 4
    model.give_product(np.array([0, 1, 2, 3]), 0.6, "seeded")
    assert s.aware[:4].all() and np.allclose(s.attitude[:4], 0.6)
    assert list(s.aware_via[:4]) == [VIA_SEEDED, VIA_MEDIA, VIA_MEDIA, VIA_SEEDED]
    assert s.customer[:4].all() and s.ever_customer[:4].all() and not s.churned[:4].any()
    assert s.loyalty[2] == 0.9 and s.source[2] == SOURCE_CODES["organic"]
    assert np.allclose(s.loyalty[[0, 1, 3]], model.params.initial_loyalty)
    assert (s.source[[0, 1, 3]] == SOURCE_CODES["seeded"]).all()
    assert (s.converted_by[[0, 1, 3]] == -1).all() and (s.last_news[:4] == 4).all()
    day, buyers, sources, _ = model.conversions[-1]
    assert day == 4 and list(buyers) == [0, 1, 3]
    assert (sources == SOURCE_CODES["seeded"]).all()


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter not installed")
def test_imports_keep_the_layers_contract():
    """The layers in pyproject.toml ([tool.importlinter]); type-only imports count too."""
    out = subprocess.run(["lint-imports", "--no-logo", "--no-cache"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]


def test_every_figure_a_strategy_reports_has_its_entry_in_the_plugin():
    """The keys of each strategy's report() are exactly the metrics its plugin declares, and
    the catalog holds them beside the model's own (no name clashes)."""
    from sim import catalog
    from sim.vocabulary import METRICS as MODEL_METRICS

    model = build_model(make_config("graph.n=200", "steps=3",
                                    "strategy=[kol,rewards,fast_response,ads]", "budget=1000"))
    model.run(3)
    for strategy in model.strategies:
        declared = {m.name for m in PLUGINS[strategy.name].metrics}
        reported = set(strategy.report()) - {"complaints_received"}  # the model's complaints
        assert reported == declared, strategy.name
        for name in declared:
            assert name not in MODEL_METRICS
            assert catalog.METRICS[name].strategy == strategy.name
