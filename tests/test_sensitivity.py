"""womsim-sensitivity: indices of functions with known answers through the same machinery as
womsim (sampling, parallel resumable execution, seed averaging, analysis), resuming, the
study file's one-line errors, and a small womsim study end to end."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import yaml

from sim.errors import ConfigError
from sim.sensitivity.__main__ import main
from sim.sensitivity.functions import LINEAR_WEIGHTS, ishigami_indices, linear_indices
from sim.sensitivity.pipeline import run_study
from sim.sensitivity.study import StudyError, load_study, parse_study

PI = math.pi
LINEAR_BOUNDS = {"x1": (0.0, 1.0), "x2": (0.0, 2.0), "x3": (-1.0, 1.0), "x4": (0.0, 1.0)}


def write_study(tmp_path, name="study", **settings):
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(settings, sort_keys=False))
    return str(path)


def ishigami_study(tmp_path, samples=1024):
    return write_study(tmp_path, "ishigami", method="sobol", samples=samples, seeds=1,
                       function="sim.sensitivity.functions:ishigami", metrics=["y"],
                       parameters={x: [-PI, PI] for x in ("x1", "x2", "x3")})


def linear_study(tmp_path, method="sobol", samples=512, seeds=3,
                 metrics=("y", "y_private")):
    return write_study(tmp_path, f"linear_{method}", method=method, samples=samples,
                       seeds=seeds, function="sim.sensitivity.functions:linear",
                       metrics=list(metrics),
                       parameters={k: list(v) for k, v in LINEAR_BOUNDS.items()})


def index(table, metric, parameter, name):
    row = table[(table["metric"] == metric) & (table["parameter"] == parameter)
                & (table["index"] == name)]
    assert len(row) == 1
    return row.iloc[0]


def test_ishigami_indices_match_the_known_values_within_their_intervals(tmp_path):
    result = run_study(load_study(ishigami_study(tmp_path)), tmp_path / "out")
    known = ishigami_indices()
    for parameter, values in known.items():
        for name, true in values.items():
            row = index(result.table, "y", parameter, name)
            assert row["low"] <= true <= row["high"], (parameter, name, row["value"], true)
    saved = pd.read_parquet(tmp_path / "out" / "sensitivity.parquet")
    assert len(saved) == 6 and set(saved["index"]) == {"S1", "ST"}
    assert (tmp_path / "out" / "figures" / "y.png").stat().st_size > 0
    assert "## What matters" in (tmp_path / "out" / "report.md").read_text()


def test_common_random_numbers_average_the_noise_away_in_parallel_workers(tmp_path):
    """linear(): y carries noise that depends on the seed only; averaged over the same three
    seeds for every sample it is a constant, so the noiseless indices come out."""
    result = run_study(load_study(linear_study(tmp_path)), tmp_path / "out", workers=2)
    known = linear_indices(LINEAR_BOUNDS)
    for parameter, values in known.items():
        for name, true in values.items():
            row = index(result.table, "y", parameter, name)
            assert row["low"] <= true <= row["high"], (parameter, name, row["value"], true)
    evaluations = pd.read_parquet(tmp_path / "out" / "evaluations.parquet")
    assert sorted(evaluations["seed"].unique()) == [0, 1, 2]
    assert len(evaluations) == 512 * (4 + 2) * 3
    # x4 has weight 0: with common random numbers, changing it changes nothing at all ...
    assert index(result.table, "y", "x4", "ST")["value"] == pytest.approx(0.0, abs=1e-12)
    # ... with noise private to each sample, it seems to matter (the noise's share, ~10 %)
    assert index(result.table, "y_private", "x4", "ST")["low"] > 0.05


def test_morris_effects_of_an_additive_function_are_its_weights_over_the_ranges(tmp_path):
    result = run_study(load_study(linear_study(tmp_path, "morris", samples=10,
                                               metrics=["y"])), tmp_path / "out")
    for parameter, weight in LINEAR_WEIGHTS.items():
        lo, hi = LINEAR_BOUNDS[parameter]
        assert index(result.table, "y", parameter, "mu_star")["value"] == pytest.approx(
            weight * (hi - lo))
        assert index(result.table, "y", parameter, "sigma")["value"] == pytest.approx(
            0.0, abs=1e-9)
    assert "`x4`" in (tmp_path / "out" / "report.md").read_text().split(
        "## What barely matters")[1].split("##")[0]


def test_samples_without_a_value_take_their_trajectory_out_of_the_analysis(tmp_path):
    result = run_study(load_study(linear_study(tmp_path, "morris", samples=10, seeds=1,
                                               metrics=["y_partial"])), tmp_path / "out")
    (note,) = result.notes
    assert note.startswith("y_partial: ") and "of 10 trajectories left out" in note
    assert index(result.table, "y_partial", "x2", "mu_star")["value"] == pytest.approx(4.0)


def test_a_sobol_study_screens_its_parameters_from_a_morris_study(tmp_path):
    run_study(load_study(linear_study(tmp_path, "morris", samples=10)), tmp_path / "screen")
    study = load_study(linear_study(tmp_path, "sobol", samples=64, seeds=1),
                       screen={"study": str(tmp_path / "screen"), "top": 2})
    result = run_study(study, tmp_path / "sobol")
    assert result.study.names == ["x1", "x2"]
    assert set(result.table["parameter"]) == {"x1", "x2"}


def test_a_study_run_again_skips_its_finished_samples(tmp_path):
    study = load_study(ishigami_study(tmp_path, samples=256))
    out = tmp_path / "out"
    first = run_study(study, out)
    assert first.counts == {**first.counts, "total": 1280, "skipped": 0, "ran": 1280}
    parts = sorted((out / "evaluations").glob("part-*.parquet"))
    parts[-1].unlink()  # as if the study had been killed during its last chunk
    (out / "evaluations" / ".part-0001024-256.parquet.tmp").write_text("half")
    again = run_study(study, out)
    assert again.counts["skipped"] == 1024 and again.counts["ran"] == 256
    assert not list((out / "evaluations").glob(".part-*"))
    pd.testing.assert_frame_equal(first.table, again.table)
    other = load_study(ishigami_study(tmp_path, samples=128))
    with pytest.raises(StudyError, match="holds the results of another study"):
        run_study(other, out)


@pytest.mark.parametrize(("settings", "message"), [
    ({"method": "sobol", "samples": 100}, "samples=100 is invalid: allowed a power of two"),
    ({"method": "fast"}, "method='fast' is invalid: allowed one of morris, sobol"),
    ({"parameters": {"a": {"dist": "gamma", "bounds": [1, 2]}, "b": [0, 1]}},
     "parameters.a.dist='gamma' is invalid"),
    ({"parameters": {"a": [1, 0], "b": [0, 1]}}, "parameters.a.bounds=[1.0, 0.0] is invalid"),
    ({"parameters": {"a": {"dist": "norm", "bounds": [0, 1]}, "b": [0, 1]}},
     "a bounded distribution for morris"),
    ({"metrics": []}, "metrics=[] is invalid"),
    ({"sampels": 4}, "sampels=4 is invalid: allowed the keys"),
])
def test_a_bad_study_file_is_one_line_naming_the_key(settings, message):
    data = {"method": "morris", "samples": 4, "metrics": ["reach"],
            "parameters": {"model.quality": [0.5, 0.9], "model.attention": [0.2, 0.8]},
            **settings}
    with pytest.raises(StudyError) as err:
        parse_study(data, "study.yaml")
    assert message in str(err.value) and "\n" not in str(err.value)
    assert str(err.value).startswith("study.yaml: ")


def womsim_study(tmp_path, **parameters):
    return write_study(tmp_path, "womsim", method="morris", samples=2, seeds=1,
                       metrics=["reach", "customers", "retention", "npv"],
                       overrides=["graph.n=200", "steps=30"],
                       parameters=parameters or {"model.quality": [0.6, 0.8],
                                                 "model.initial_aware_count": [0, 10]})


def test_a_small_womsim_study_runs_end_to_end_and_rounds_integer_keys(tmp_path):
    result = run_study(load_study(womsim_study(tmp_path)), tmp_path / "out")
    assert [p.integer for p in result.study.parameters] == [False, True]
    assert set(result.table["metric"]) == {"reach", "customers", "retention", "npv"}
    evaluations = pd.read_parquet(tmp_path / "out" / "evaluations.parquet")
    assert len(evaluations) == 2 * 3 and evaluations["reach"].between(0, 1).all()
    report = (tmp_path / "out" / "report.md").read_text()
    assert "`model.initial_aware_count` | unif (rounded) | 0, 10 |" in report


def test_womsim_refuses_a_range_outside_what_it_allows_before_any_run(tmp_path):
    study = load_study(womsim_study(tmp_path, **{"model.quality": [0.5, 1.5],
                                                 "model.attention": [0.2, 0.8]}))
    with pytest.raises(ConfigError, match=r"parameter model.quality: its largest sampled "
                                          r"value 1.5 is refused by womsim: model.quality=1.5"):
        run_study(study, tmp_path / "out")
    assert not (tmp_path / "out" / "evaluations").exists()
    study = load_study(womsim_study(tmp_path, **{"model.qualty": [0.5, 0.9],
                                                 "model.attention": [0.2, 0.8]}))
    with pytest.raises(ConfigError, match="parameter model.qualty: no such key"):
        run_study(study, tmp_path / "out")


def test_the_command_prints_one_line_errors_and_its_summary(tmp_path, capsys):
    assert main([str(tmp_path / "missing.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("womsim-sensitivity: error: ") and err.count("\n") == 1
    path = ishigami_study(tmp_path, samples=64)
    assert main([path, "--out", str(tmp_path / "out"), "--workers", "1", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "320 samples (0 finished before, 320 run now" in out and "report.md" in out
