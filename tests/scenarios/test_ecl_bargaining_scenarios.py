"""The ECL Bayesian bargaining scenarios (Treutlein 2023, examples 46 and 54-56).

Known results checked (from the paper and KNOWN_RESULTS.md):

* example 46 (figure 10): ``n = 3``, uniform independent types: ``f^(1) = diag(2, 1)``,
  ``f^(2) = diag(1, 2)``; BNE ``(2, 2)``; NBS ``(sqrt 5, sqrt 5)``;
* example 54 (figure 11): prior ``(3/4, 1/4)``, ``d = (3/4, 1/4)``: weighted NBS
  ``(0.922159, 0.386810)``; ``p = 1/2``: ``(sqrt2/2, sqrt2/2)``;
* example 55 (figure 13): share ``(1-p)^2 / (1 - 2(1-p)p)`` and gains
  ``sqrt(1 - 2(1-p)p) / p - 1``, to ``1e-6``;
* example 56 (figure 15): Treutlein's closed forms for ``p <= 0.97`` within the
  ``1e-8`` the bargaining tests (tests/bargaining/test_ecl_bargaining.py) use.

Grids are small to keep the file fast.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from gamesim import scenarios
from scenario_helpers import call, is_png
from gamesim.scenarios import get_scenario, run_scenario
from gamesim.scenarios.ecl_double_decrease import gains_closed_form as gains_55
from gamesim.scenarios.ecl_double_decrease import share_closed_form as share_55
from gamesim.scenarios.ecl_paretotopia import exact_closed_forms
from gamesim.scenarios.ecl_paretotopia import gains_closed_form as gains_56
from gamesim.scenarios.ecl_paretotopia import share_closed_form as share_56

NAMES = ("ecl_feasible_sets", "ecl_prior_weights", "ecl_double_decrease", "ecl_paretotopia")
SQRT5 = math.sqrt(5.0)
TOL_56 = 1e-8          # tests/bargaining/test_ecl_bargaining.py::test_example_56_paretotopia


def test_registered_with_defaults():
    assert set(NAMES) <= set(scenarios.available())
    assert scenarios.available()[-4:] == list(NAMES)
    assert get_scenario("ecl_feasible_sets").defaults == {"n_players": 3, "n_boundary": 360}
    assert get_scenario("ecl_prior_weights").defaults == {"p": 0.75, "n_grid": 50}
    assert get_scenario("ecl_double_decrease").defaults == {"n_grid": 51}
    assert get_scenario("ecl_paretotopia").defaults == {"r": "100,1e9", "n_grid": 51, "check_p_max": 0.97}


# ---------------------------------------------------------------------------
# example 46
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sets_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ecl_sets")
    return run_scenario("ecl_feasible_sets", {"n_boundary": 72}, out_dir=out), out


def test_feasible_sets_headline(sets_run):
    s, _ = sets_run
    assert s["map_type1"] == [[2.0, 0.0], [0.0, 1.0]]          # (53), (55)
    assert s["map_type2"] == [[1.0, 0.0], [0.0, 2.0]]          # (54), (56)
    np.testing.assert_allclose(s["bne"], [2, 2], atol=1e-12)
    np.testing.assert_allclose(s["bne_profile"], [[1, 0], [0, 1]], atol=1e-12)
    np.testing.assert_allclose(s["nbs"], [SQRT5, SQRT5], atol=1e-9)
    np.testing.assert_allclose(s["nbs_contributions"], np.array([[4, 1], [1, 4]]) / SQRT5, atol=1e-9)
    np.testing.assert_allclose(s["weights"], [0.5, 0.5])
    assert s["closed_form_max_abs_deviation"] < 1e-9


def test_feasible_sets_files(sets_run):
    _, out = sets_run
    assert json.loads((out / "summary.json").read_text())["scenario"] == "ecl_feasible_sets"
    assert is_png(out / "ecl_feasible_sets.png")
    df = pd.read_csv(out / "ecl_feasible_sets.csv")
    assert set(df["set"]) == {"F_1", "F_2", "F"} and {"point", "x1", "x2"} <= set(df.columns)
    f1, f2, f = (df[df["set"] == k] for k in ("F_1", "F_2", "F"))
    # F_1 is the quarter ellipse with semi-axes (2, 1), F_2 its mirror, F reaches 3 on the axes
    e1 = (f1["x1"] / 2) ** 2 + f1["x2"] ** 2
    e2 = f2["x1"] ** 2 + (f2["x2"] / 2) ** 2
    assert e1.max() == pytest.approx(1.0, abs=1e-9) and e2.max() == pytest.approx(1.0, abs=1e-9)
    assert (df[["x1", "x2"]] >= -1e-12).all().all()
    assert f["x1"].max() == pytest.approx(3.0) and f["x2"].max() == pytest.approx(3.0)
    for part in (f1, f2, f):           # closed polygons
        assert part.iloc[0][["x1", "x2"]].tolist() == part.iloc[-1][["x1", "x2"]].tolist()


def test_feasible_sets_other_n():
    s = run_scenario("ecl_feasible_sets", {"n_players": 5})
    assert s["map_type1"] == [[3.0, 0.0], [0.0, 2.0]]
    np.testing.assert_allclose(s["bne"], [3, 3], atol=1e-12)
    np.testing.assert_allclose(s["nbs"], [math.sqrt(13)] * 2, atol=1e-9)   # sqrt((n^2 + 1) / 2)


# ---------------------------------------------------------------------------
# example 54
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def prior_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ecl_prior")
    return run_scenario("ecl_prior_weights", {"n_grid": 6}, out_dir=out), out


def test_prior_weights_headline(prior_run):
    s, _ = prior_run
    assert s["p"] == 0.75
    np.testing.assert_allclose(s["weights"], [0.75, 0.25])
    np.testing.assert_allclose(s["disagreement"], [0.75, 0.25], atol=1e-12)
    np.testing.assert_allclose(s["nbs"], [0.922159, 0.386810], atol=1e-5)
    np.testing.assert_allclose(s["nbs"], [0.92, 0.39], atol=5e-3)           # the paper's rounding
    np.testing.assert_allclose(s["nbs"], [0.9221594312146825, 0.3868100094643535], atol=1e-9)
    assert s["nbs_deviation"] < 1e-9
    np.testing.assert_allclose(s["nbs_symmetric"], [math.sqrt(2) / 2] * 2, atol=1e-9)
    assert s["nbs_symmetric_deviation"] < 1e-9
    assert s["max_action_difference"] < 1e-8                               # same point, scaled down
    assert s["sweep_points"] == 6 and s["sweep_max_abs_deviation"] < 1e-8


def test_prior_weights_files(prior_run):
    s, out = prior_run
    assert is_png(out / "ecl_prior_weights.png")
    df = pd.read_csv(out / "ecl_prior_weights.csv")
    np.testing.assert_allclose(df["p"], 0.5 + np.arange(6) / 12)
    np.testing.assert_allclose(df["d1"], df["p"], atol=1e-12)
    np.testing.assert_allclose(df["nbs1"], df["reference1"], atol=1e-8)
    np.testing.assert_allclose(df["nbs2"], df["reference2"], atol=1e-8)
    np.testing.assert_allclose(df["gain1"], df["nbs1"] - df["d1"], atol=1e-12)
    assert (df[["gain1", "gain2"]] > 0).all().all()
    np.testing.assert_allclose(df["nbs1"] ** 2 + df["nbs2"] ** 2, 1.0, atol=1e-9)   # F = unit quarter disc


def test_prior_weights_other_p():
    s = run_scenario("ecl_prior_weights", {"p": 0.6, "n_grid": 2})
    np.testing.assert_allclose(s["nbs"], s["nbs_reference"], atol=1e-9)
    np.testing.assert_allclose(s["disagreement"], [0.6, 0.4], atol=1e-12)


# ---------------------------------------------------------------------------
# example 55
# ---------------------------------------------------------------------------
def test_double_decrease(tmp_path):
    s = run_scenario("ecl_double_decrease", {"n_grid": 11}, out_dir=tmp_path)
    assert s["grid_points"] == 11
    assert s["max_abs_deviation"] < 1e-6
    assert s["max_type_asymmetry"] < 1e-9
    assert s["share_at_half"] == pytest.approx(0.5, abs=1e-9)
    assert s["gains_at_half"] == pytest.approx(math.sqrt(2) - 1, abs=1e-9)
    assert s["share_at_one"] == pytest.approx(0.0, abs=1e-9) and s["gains_at_one"] == pytest.approx(0.0, abs=1e-9)
    assert s["p_near_one"] == pytest.approx(0.95)
    eps = 0.05
    assert s["share_over_eps2_near_one"] == pytest.approx(share_55(0.95) / eps ** 2, rel=1e-6)
    assert 1.0 < s["share_over_eps2_near_one"] < 1.15 and 0.5 < s["gains_over_eps2_near_one"] < 0.56
    assert is_png(tmp_path / "ecl_double_decrease.png")
    df = pd.read_csv(tmp_path / "ecl_double_decrease.csv")
    np.testing.assert_allclose(df["p"], np.linspace(0.5, 1, 11))
    np.testing.assert_allclose(df["share"], share_55(df["p"]), atol=1e-6)
    np.testing.assert_allclose(df["gains"], gains_55(df["p"]), atol=1e-6)
    np.testing.assert_allclose(df["disagreement"], df["p"], atol=1e-12)
    assert np.all(np.diff(df["share"]) < 0) and np.all(np.diff(df["gains"]) < 0)


# ---------------------------------------------------------------------------
# example 56
# ---------------------------------------------------------------------------
def test_paretotopia(tmp_path):
    s = run_scenario("ecl_paretotopia", {"n_grid": 11}, out_dir=tmp_path)
    assert s["r_values"] == [100.0, 1e9] and s["check_p_max"] == 0.97
    assert s["max_abs_deviation"] < TOL_56
    assert s["max_abs_deviation_exact"] < 1e-7
    by = {x["r"]: x for x in s["by_r"]}
    for r in (100.0, 1e9):
        x = by[r]
        assert x["max_abs_deviation"] < TOL_56
        assert x["share_at_half"] == pytest.approx(0.5, abs=1e-9)
        assert x["gains_at_half"] == pytest.approx(math.log(r / 2) / (0.5 * math.log(r)) - 1, abs=1e-8)
        assert x["bne_at_half"] == pytest.approx(0.5 * math.log(r - 1), rel=1e-12)
        assert x["no_trade_above_p"] == pytest.approx(1 - 1 / r)
    # the approximation shows at r = 100: BNE p log(r - 1) rather than p log r, and no trade above 0.99
    assert 1e-3 < by[100.0]["max_gap_gains_vs_bne"] < 1e-2
    assert by[1e9]["max_gap_gains_vs_bne"] < 1e-8
    assert by[100.0]["max_abs_deviation_full_grid"] == pytest.approx(1 - math.log(99) / math.log(100), rel=1e-6)
    # with r = 1e9 the share falls slower than in example 55 (roughly linearly)
    assert by[1e9]["share_near_one"] > 0.04 > 10 * share_55(0.95)
    assert is_png(tmp_path / "ecl_paretotopia.png")
    df = pd.read_csv(tmp_path / "ecl_paretotopia.csv")
    assert len(df) == 22 and set(df["r"]) == {100.0, 1e9}
    for r, part in df.groupby("r"):
        p = part["p"].to_numpy()
        keep = p <= 0.97
        np.testing.assert_allclose(part["share"][keep], share_56(p[keep], r), atol=TOL_56)
        np.testing.assert_allclose(part["gains"][keep], gains_56(p[keep], r), atol=TOL_56)
        share, _total, gains = exact_closed_forms(p, r)
        np.testing.assert_allclose(part["share"], share, atol=1e-7)
        np.testing.assert_allclose(part["gains_vs_bne"], gains, atol=1e-7)


def test_paretotopia_single_r():
    s = run_scenario("ecl_paretotopia", {"r": "50", "n_grid": 3, "check_p_max": 1.0})
    assert s["r_values"] == [50.0] and len(s["by_r"]) == 1
    # p = 1 is on the checked grid: the closed form's gains there are 0, the game's log(49)/log(50) - 1
    assert s["max_abs_deviation"] == pytest.approx(1 - math.log(49) / math.log(50), rel=1e-6)


# ---------------------------------------------------------------------------
# parameters and the command line
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name, overrides, pattern", [
    ("ecl_feasible_sets", {"n_players": 1}, r"^n_players: must be at least 2"),
    ("ecl_feasible_sets", {"n_boundary": 4}, r"^n_boundary: must be at least 16"),
    ("ecl_feasible_sets", {"n_players": "three"}, r"^n_players: expected an integer"),
    ("ecl_prior_weights", {"p": 1.0}, r"^p: must lie in \(0, 1\)"),
    ("ecl_prior_weights", {"p": "0"}, r"^p: must lie in \(0, 1\)"),
    ("ecl_prior_weights", {"n_grid": 1}, r"^n_grid: must be at least 2"),
    ("ecl_double_decrease", {"n_grid": 1}, r"^n_grid: must be at least 2"),
    ("ecl_double_decrease", {"n_grid": "x"}, r"^n_grid: expected an integer"),
    ("ecl_paretotopia", {"r": "100,x"}, r"^r: expected comma-separated numbers"),
    ("ecl_paretotopia", {"r": "2"}, r"^r: every r must be greater than 2"),
    ("ecl_paretotopia", {"r": "inf"}, r"^r: expected finite numbers"),
    ("ecl_paretotopia", {"r": "100,1e2"}, r"^r: 1e2 is listed twice"),
    ("ecl_paretotopia", {"r": ""}, r"^r: no values given"),
    ("ecl_paretotopia", {"check_p_max": 0.3}, r"^check_p_max: must lie in \[0.5, 1\]"),
    ("ecl_paretotopia", {"n_grid": 0}, r"^n_grid: must be at least 2"),
])
def test_bad_parameters(name, overrides, pattern):
    with pytest.raises(ValueError, match=pattern) as info:
        get_scenario(name).run(overrides, seed=0, out_dir=None)
    assert "\n" not in str(info.value)


def test_cli(tmp_path):
    out = tmp_path / "out"
    rc, stdout, stderr = call("run", "ecl_double_decrease", "--out", out, "--set", "n_grid=6")
    assert rc == 0, stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["scenario"] == "ecl_double_decrease" and s["parameters"]["n_grid"] == 6
    assert s["max_abs_deviation"] < 1e-6
    assert is_png(out / "ecl_double_decrease.png") and len(pd.read_csv(out / "ecl_double_decrease.csv")) == 6
    assert "sqrt2 - 1" in stdout and "(-> 1/2)" in stdout


def test_cli_bad_parameter(tmp_path):
    out = tmp_path / "out"
    rc, stdout, stderr = call("run", "ecl_paretotopia", "--set", "r=1", "--out", out)
    assert rc == 2 and stdout == ""
    assert stderr.startswith("gamesim: error: r:") and not out.exists()
