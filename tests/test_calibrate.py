"""womsim-calibrate: the observed CSV (one-line errors naming the line, missing days, weeks and
periods), known parameters recovered inside their 90 % posterior intervals, resuming, the
Optuna point fit, the Bass fit, and the calibrated experiment run by womsim."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import ROOT
from sim.calibrate.__main__ import main
from sim.calibrate.bass import bass_adopters, fit_bass
from sim.calibrate.observed import (
    DataError,
    Observed,
    from_timeseries,
    model_series,
    read_observed,
    write_observed,
)
from sim.calibrate.pipeline import calibrate
from sim.calibrate.spec import SpecError, load_spec, parse_spec
from sim.compose import compose_config
from sim.run import run


@pytest.mark.parametrize(("text", "message"), [
    ("day,new_customers\n1,3\n2,abc\n", "line 3: 'abc' in column new_customers is not a number"),
    ("day,new_customers\n1,3,4\n", "line 2: 3 fields, the header has 2"),
    ("# a comment\n\nday,new_customers\n2,3\n2,4\n", "line 5: day 2 does not come after day 2"),
    ("day,new_customers\n1.5,3\n", "line 2: day '1.5' is not a whole number"),
    ("week,new_customers\n0,3\n", "line 2: week 0 is before the first (1)"),
    ("day,customers\n1,3\n", "line 1: unknown column 'customers' (known: new_customers,"),
    ("date,new_customers\n1,3\n", "line 1: the first column is 'date'; it must be the time"),
    ("day,negative_mentions\n1,-2\n", "line 2: -2 in column negative_mentions is negative"),
    ("day,net_sentiment\n1,1.5\n", "line 2: 1.5 in column net_sentiment is outside [-1, 1]"),
    ("day,new_customers\n", "no data rows after the header"),
])
def test_a_malformed_csv_is_one_line_naming_the_line(tmp_path, text, message):
    path = tmp_path / "series.csv"
    path.write_text(text)
    with pytest.raises(DataError) as err:
        read_observed(path)
    assert str(err.value).startswith(str(path)) and message in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_days_and_empty_cells_are_missing_values(tmp_path):
    path = tmp_path / "series.csv"
    path.write_text("day,new_customers,net_sentiment\n1,3,0.1\n2,,NA\n5,7,0.2\n")
    observed = read_observed(path)
    assert list(observed.index) == [1, 2, 5] and observed.unit == "day"
    assert np.isnan(observed.values["new_customers"][1])
    assert np.isnan(observed.values["net_sentiment"][1])


def test_a_run_is_summed_averaged_or_taken_at_the_end_of_each_week_and_scaled():
    days = 15
    ts = pd.DataFrame({"step": range(days), "purchases": range(days),
                       "adoption": np.linspace(0, 0.7, days),
                       "net_sentiment": np.full(days, 0.25),
                       "positive_messages": 1, "negative_messages": 0})
    observed = Observed("x", "week", np.array([1, 2]),
                        {c: np.zeros(2) for c in ("new_customers", "cumulative_adopters",
                                                  "net_sentiment", "positive_mentions")})
    out = model_series(ts, observed, n=10, market_size=1000)
    assert list(out["new_customers"]) == [100 * sum(range(1, 8)), 100 * sum(range(8, 15))]
    assert out["cumulative_adopters"] == pytest.approx(1000 * np.linspace(0, 0.7, days)[[7, 14]])
    assert list(out["net_sentiment"]) == [0.25, 0.25]  # a ratio: averaged, not scaled
    assert list(out["positive_mentions"]) == [700, 700]
    period = Observed("x", "period", np.array([1, 2, 3]), {"new_customers": np.zeros(3)})
    per = model_series(ts, period, n=10, market_size=10, steps_per_period=4)
    assert list(per["new_customers"]) == [1 + 2 + 3 + 4, 5 + 6 + 7 + 8, 9 + 10 + 11 + 12]
    with pytest.raises(DataError, match="the run has 14 days; the series needs 21"):
        model_series(ts, Observed("x", "week", np.array([1, 2, 3]),
                                  {"new_customers": np.zeros(3)}), n=10, market_size=10,
                     steps_per_period=None)


def test_the_bass_fit_recovers_a_bass_curve():
    t = np.arange(1, 16)
    fit = fit_bass(t, bass_adopters(t, 5000.0, 0.02, 0.45))
    assert (fit.m, fit.p, fit.q) == pytest.approx((5000.0, 0.02, 0.45), rel=1e-4)
    assert fit.r2 == pytest.approx(1.0)


TRUE = {"model.quality": 0.66, "model.media_awareness": 0.004}
BASE = ["graph.n=600", "steps=60"]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A 60-day series of new customers and positive mentions womsim made with TRUE, every
    7th day missing."""
    folder = tmp_path_factory.mktemp("synthetic")
    result = run(compose_config(*BASE, *(f"{k}={v}" for k, v in TRUE.items()), "seed=11"))
    table = from_timeseries(result.timeseries, ["new_customers", "positive_mentions"],
                            missing=range(7, 61, 7))
    return write_observed(table, folder / "series.csv", "made by womsim with TRUE")


def spec_file(tmp_path, data, **settings):
    body = {"name": "recover", "data": str(data), "overrides": BASE,
            "parameters": {"model.quality": [0.5, 0.85],
                           "model.media_awareness": {"prior": "loguniform",
                                                     "bounds": [0.001, 0.016]}},
            "population": 100, "generations": 4, "predictive": 20, "seed": 3, **settings}
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(body, sort_keys=False))
    return str(path)


@pytest.mark.slow
def test_known_parameters_lie_inside_their_90_percent_posterior_intervals(tmp_path, synthetic):
    np.random.seed(5)  # noqa: NPY002 - pyabc draws its proposals from numpy's global one
    out = tmp_path / "out"
    result = calibrate(load_spec(spec_file(tmp_path, synthetic)), out, quiet=True)
    fitted = result.summary.set_index("parameter")
    for key, true in TRUE.items():
        assert fitted.loc[key, "q05"] <= true <= fitted.loc[key, "q95"], (key, fitted.loc[key])
    assert result.facts["generations"] == 4
    assert result.facts["coverage"] > 0.8
    for name in ("abc.db", "posterior.parquet", "predictive.parquet", "fit.csv", "report.md",
                 "figures/fit_new_customers.png", "figures/posterior.png"):
        assert (out / name).exists(), name
    text = result.experiment.read_text()
    assert text.startswith("# @package _global_\n")
    body = yaml.safe_load(text)
    assert body["graph"]["n"] == 600 and body["steps"] == 60
    assert body["model"]["quality"] == pytest.approx(fitted.loc["model.quality", "median"],
                                                     rel=1e-5)

    # run again: the fit is complete, nothing is simulated but the predictive runs
    again = calibrate(load_spec(spec_file(tmp_path, synthetic)), out, quiet=True)
    assert again.facts["generations"] == 4
    pd.testing.assert_frame_equal(again.summary, result.summary)
    # ask for one generation more: it continues from the database
    more = calibrate(load_spec(spec_file(tmp_path, synthetic), generations=5), out, quiet=True)
    assert more.facts["generations"] == 5
    with pytest.raises(SpecError, match="holds another calibration"):
        calibrate(load_spec(spec_file(tmp_path, synthetic), population=50), out, quiet=True)


@pytest.mark.slow
def test_womsim_runs_the_calibrated_experiment(tmp_path, synthetic):
    out = tmp_path / "out"
    result = calibrate(load_spec(spec_file(tmp_path, synthetic, method="optuna", trials=8,
                                           seeds=1, predictive=4)), out, quiet=True)
    assert result.facts["trials"] == 8
    best = result.summary.set_index("parameter")["median"]
    proc = subprocess.run([sys.executable, "-m", "sim", "--config-dir", str(out),
                           "+experiment=calibrated", f"hydra.run.dir={tmp_path / 'run'}",
                           "output.plot=false"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    saved = yaml.safe_load((tmp_path / "run" / ".hydra" / "config.yaml").read_text())
    assert saved["model"]["quality"] == pytest.approx(best["model.quality"], rel=1e-5)
    assert saved["graph"]["n"] == 600
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["steps"] == 60


def test_a_bad_spec_is_one_line_naming_the_key():
    with pytest.raises(SpecError, match=r"spec.yaml: parameters.model.quality.bounds=\[0.9, 0.5\]"
                                        r" is invalid"):
        parse_spec({"data": "x.csv", "parameters": {"model.quality": [0.9, 0.5]}}, "spec.yaml")
    with pytest.raises(SpecError, match="market_size=100 is invalid: allowed either a fixed"):
        parse_spec({"data": "x.csv", "market_size": 100,
                    "parameters": {"market_size": [10, 1000]}}, "spec.yaml")


def test_the_command_names_the_bad_line_of_the_data(tmp_path, capsys, synthetic):
    bad = tmp_path / "bad.csv"
    bad.write_text("day,new_customers\n1,2\n2,two\n")
    assert main([spec_file(tmp_path, synthetic), "--data", str(bad), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err == (f"womsim-calibrate: error: {bad} line 3: 'two' in column new_customers is "
                   "not a number\n")


def test_the_presets_read_and_their_data_files_parse():
    for name in ("synthetic_daily", "bass_room_air_conditioners"):
        spec = load_spec(name)
        observed = read_observed(spec.data)
        assert observed.columns and (ROOT / "data").samefile(
            __import__("pathlib").Path(spec.data).resolve().parent)
