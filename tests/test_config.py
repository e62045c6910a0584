"""Configuration: schema errors at composition, value errors before the run, one line each."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hydra.errors import ConfigCompositionException
from omegaconf import OmegaConf

from conftest import DATA, make_config
from sim.compose import CONFIG_DIR
from sim.config import GRAPH_SCHEMAS, PRESET_SCHEMAS, WomModelConfig
from sim.errors import ConfigError
from sim.schema import validate

MODEL_SCHEMAS = {"wom": WomModelConfig, **PRESET_SCHEMAS}


def test_default_config_is_valid_and_uses_ba():
    cfg = make_config()
    validate(cfg)
    assert cfg.graph.kind == "ba" and cfg.model.name == "wom" and cfg.engine == "vectorized"


@pytest.mark.parametrize("kind", ["ba", "ws", "er", "powerlaw_cluster", "sbm", "complete"])
def test_every_graph_kind_composes_with_n(kind):
    cfg = make_config(f"graph={kind}", "graph.n=100")
    validate(cfg)
    assert cfg.graph.kind == kind and cfg.graph.n == 100


def test_file_graph_composes():
    cfg = make_config("graph=file", f"graph.path={DATA / 'facebook_combined.txt'}")
    validate(cfg)


@pytest.mark.parametrize("override", [
    "graph.nn=5",          # misspelt key
    "graph.n=many",        # wrong type
    "model.quality=good",  # wrong type
    "stepz=3",             # unknown top-level key
    "graph=lattice",       # unknown graph kind
])
def test_schema_errors_fail_at_composition(override):
    with pytest.raises(ConfigCompositionException):
        make_config(override)


@pytest.mark.parametrize(("overrides", "key", "value"), [
    (["model.quality=1.5"], "model.quality", "1.5"),
    (["model.media_awareness=-0.1"], "model.media_awareness", "-0.1"),
    (["graph.n=1"], "graph.n", "1"),
    (["graph.m=10", "graph.n=10"], "graph.m", "10"),
    (["graph=ws", "graph.k=50", "graph.n=20"], "graph.k", "50"),
    (["graph=ws", "graph.k=5"], "graph.k", "5"),
    (["graph=sbm", "graph.n=100", "graph.mean_degree=30"], "graph.mean_degree", "30"),
    (["graph=er", "graph.mean_degree=0"], "graph.mean_degree", "0"),
    (["graph=sbm", "graph.homophily=2"], "graph.homophily", "2"),
    (["graph=sbm", "graph.n=10", "graph.communities=11"], "graph.communities", "11"),
    (["graph=powerlaw_cluster", "graph.p=1.2"], "graph.p", "1.2"),
    (["graph=file", "graph.path=/no/such/edges.csv"], "graph.path", "/no/such/edges.csv"),
    (["steps=0"], "steps", "0"),
    (["seed=-1"], "seed", "-1"),
    (["engine=gpu"], "engine", "gpu"),
    (["threads=0"], "threads", "0"),
    (["model.negativity_bias=0.5"], "model.negativity_bias", "0.5"),
    (["model.news_memory=0"], "model.news_memory", "0"),
    (["population.talkativeness.dist=gamma"], "population.talkativeness.dist", "gamma"),
    (["population.susceptibility.sd=0.6"], "population.susceptibility.sd", "0.6"),
    (["population.credibility.dist=uniform", "population.credibility.sd=0.3"],
     "population.credibility.sd", "0.3"),
    (["graph.strong_tie_share=1.1"], "graph.strong_tie_share", "1.1"),
    (["graph.weak_tie_weight=0"], "graph.weak_tie_weight", "0"),
])
def test_value_errors_name_key_value_and_allowed(overrides, key, value):
    cfg = make_config(*overrides)
    with pytest.raises(ConfigError) as err:
        validate(cfg)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{key}=") and value in message and "allowed" in message


def test_graph_and_model_groups_have_one_yaml_per_option():
    assert {p.stem for p in Path(CONFIG_DIR, "graph").glob("*.yaml")} == set(GRAPH_SCHEMAS)
    assert {p.stem for p in Path(CONFIG_DIR, "model").glob("*.yaml")} == set(MODEL_SCHEMAS)


@pytest.mark.parametrize(("group", "name", "schema"),
                         [("graph", name, schema) for name, schema in GRAPH_SCHEMAS.items()]
                         + [("model", name, schema) for name, schema in MODEL_SCHEMAS.items()])
def test_each_option_yaml_extends_its_schema_with_exactly_its_defaults(group, name, schema):
    text = yaml.safe_load(Path(CONFIG_DIR, group, f"{name}.yaml").read_text())
    assert text.pop("defaults") == [f"/schema/{group}/{name}@_here_", "_self_"]
    defaults = OmegaConf.to_container(OmegaConf.structured(schema))  # MISSING is "???"
    assert text == defaults, "the file lists every default of the schema, with the same value"
    assert [type(v) for v in text.values()] == [type(v) for v in defaults.values()]
    composed = make_config(f"{group}={name}")[group]
    assert OmegaConf.get_type(composed) is schema
    assert OmegaConf.to_container(composed) == defaults


@pytest.mark.parametrize("overrides", [
    ["graph.n=1.5"], ["graph=ws", "graph.k=2.5"], ["graph=sbm", "graph.homophily=high"],
    ["graph=ws", "graph.m=3"], ["graph=file", "graph.n=10"],
    ["model=sir", "model.beta=x"], ["model=bass", "model.quality=0.5"],
    ["model=independent_cascade", "model.use_weights=maybe"],
])
def test_the_chosen_options_schema_checks_its_keys_and_types(overrides):
    with pytest.raises(ConfigCompositionException):
        make_config(*overrides)
