"""The ECL scenarios: ``ecl_bayesian_pd`` and ``ecl_similarity``.

Known results checked (Treutlein 2023, Example 35, corollary 40 / equation (41),
section 4.6 / equation (49)):

* example 35: the left-hand side of (41) for "everyone plays action 1" is
  ``(n - 3) / 2``, so cooperation passes from ``n = 3``; at ``n = 2`` the Bayesian Nash
  profile is worth 4.5 and cooperation 4 (fails); at ``n = 10`` it passes (20 against
  16.5);
* equation (49) with the cooperators believing the true share ``b = q`` holds from
  ``q = 2 / (n - 1)``: 2/9 at ``n = 10`` (the left-hand side is ``-1 + 4.5 b``), 2/99 at
  ``n = 100``;
* gains from trade at ``q = 0`` are exactly 0 (everyone plays the Bayesian Nash
  action on the same draws), and at ``q = 1`` the cooperators realize the
  compromise's expected utility within sampling error (exactly ``2n`` in example 35,
  where every player gives everyone 2).

Sampling checks allow four standard errors.  Runs are kept small (a few thousand
players per share).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from gamesim import scenarios
from scenario_helpers import call, is_png
from gamesim.scenarios import get_scenario, run_scenario
from gamesim.scenarios.ecl_similarity import threshold_share
from gamesim.sim.ecl import treutlein_example_35

Z = 4.0
PD_SMALL = {"n_min": 2, "n_max": 30, "sim_ns": "2,10,30", "sim_players": 6000}
SIM_SMALL = {"n_players": 10, "n_shares": 19, "n_universes": 400}


def test_registered_with_defaults():
    assert {"ecl_bayesian_pd", "ecl_similarity"} <= set(scenarios.available())
    assert get_scenario("ecl_bayesian_pd").defaults == {
        "n_min": 2, "n_max": 100, "sim_ns": "2,3,4,10,100", "sim_players": 100_000, "mix_share": 0.5}
    assert get_scenario("ecl_similarity").defaults == {
        "game": "example35", "n_players": 100, "belief": "true", "n_shares": 101, "n_universes": 1000,
        "types": 4, "actions": 3}


# ---------------------------------------------------------------------------
# ecl_bayesian_pd
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pd_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ecl_pd")
    return run_scenario("ecl_bayesian_pd", PD_SMALL, seed=2, out_dir=out), out


def test_pd_files(pd_run):
    s, out = pd_run
    assert json.loads((out / "summary.json").read_text())["scenario"] == "ecl_bayesian_pd"
    assert is_png(out / "ecl_bayesian_pd.png")
    df = pd.read_csv(out / "ecl_bayesian_pd.csv")
    assert list(df["n"]) == list(range(2, 31))
    assert {"lhs_eq41_type1", "lhs_eq41_type2", "eq41_holds", "eu_coop_type1", "eu_bne_type1"} <= set(df.columns)
    np.testing.assert_allclose(df["lhs_eq41_type1"], (df["n"] - 3) / 2, atol=1e-12)
    np.testing.assert_allclose(df["lhs_eq41_type2"], (df["n"] - 3) / 2, atol=1e-12)
    np.testing.assert_allclose(df["eu_coop_type1"], 2 * df["n"], atol=1e-12)
    np.testing.assert_allclose(df["eu_bne_type2"], 3 + 1.5 * (df["n"] - 1), atol=1e-12)
    assert list(df["eq41_holds"]) == [n >= 3 for n in df["n"]]
    sim = pd.read_csv(out / "ecl_bayesian_pd_simulation.csv")
    assert list(sim["n"]) == [2, 10, 30]


def test_pd_headline(pd_run):
    s, _ = pd_run
    assert s["threshold_n"] == 3 == s["closed_form_threshold_n"]
    assert s["threshold_n_strict"] == 4
    assert s["closed_form_max_abs_error"] <= 1e-12
    assert s["passes_for_all_n_from_threshold"] is True
    # the compromise needs a strict gain: the ECL cooperators cooperate from n = 4
    assert s["ecl_cooperates_from_n"] == 4
    n2, n10 = s["at_n2"], s["at_n10"]
    assert n2["eu_bne"] == [4.5, 4.5] and n2["eu_coop"] == [4.0, 4.0]
    assert n2["holds"] is False and n2["lhs_eq41"] == [-0.5, -0.5]
    assert n10["holds"] is True and n10["lhs_eq41"] == [3.5, 3.5]
    assert n10["eu_coop"] == [20.0, 20.0] and n10["eu_bne"] == [16.5, 16.5] and n10["compromise"] == [0, 0]


def test_pd_simulated_populations(pd_run):
    s, _ = pd_run
    by = {r["n"]: r for r in s["simulation"]}
    # n = 2: nobody cooperates, nothing is gained
    assert by[2]["ecl_cooperates"] is False and by[2]["ecl_gain"] == 0.0 and by[2]["mixed_gain"] == 0.0
    for n in (10, 30):
        r = by[n]
        # all cooperators: every player gets 2 from everyone, so exactly 2n; gains ~ (n - 3) / 2
        assert r["ecl_cooperates"] is True and r["ecl_mean"] == pytest.approx(2 * n, abs=1e-9)
        assert abs(r["ecl_gain"] - (n - 3) / 2) <= Z * r["ecl_gain_se"]
        assert r["cdt_gain"] == 0.0 and abs(r["cdt_mean"] - (3 + 1.5 * (n - 1))) < 0.2
        # mixed, half cooperators believing 1/2: eq. (49) -1 + (n - 1) / 4 >= 0 from n = 5
        assert r["mixed_ecl_cooperates"] is True
        assert abs(r["mixed_ecl"]["gain"] - (-1 + (n - 1) / 4)) <= Z * r["mixed_ecl"]["gain_se"]
        assert abs(r["mixed_cdt"]["gain"] - (n - 1) / 4) <= Z * r["mixed_cdt"]["gain_se"]


def test_pd_same_seed_same_numbers(pd_run):
    s = run_scenario("ecl_bayesian_pd", PD_SMALL, seed=2)
    assert s["simulation"] == pd_run[0]["simulation"]


@pytest.mark.parametrize("overrides, pattern", [
    ({"n_min": 20, "n_max": 10}, r"^n_min, n_max: need n_min <= n_max"),
    ({"n_min": 0}, r"^n_min: must be at least 1"),
    ({"n_max": "x"}, r"^n_max: expected an integer"),
    ({"sim_ns": "2,x"}, r"^sim_ns: expected comma-separated integers"),
    ({"sim_ns": "2,0"}, r"^sim_ns: every n must be at least 1"),
    ({"sim_ns": "3,3"}, r"^sim_ns: n = 3 is listed twice"),
    ({"sim_players": 0}, r"^sim_players: must be positive"),
    ({"mix_share": 1.5}, r"^mix_share: must lie in \[0, 1\]"),
])
def test_pd_bad_parameters(overrides, pattern):
    with pytest.raises(ValueError, match=pattern) as info:
        get_scenario("ecl_bayesian_pd").run(overrides, seed=0, out_dir=None)
    assert "\n" not in str(info.value)


def test_pd_cli(tmp_path):
    out = tmp_path / "out"
    rc, stdout, stderr = call("run", "ecl_bayesian_pd", "--seed", "1", "--out", out, "--set", "n_max=12",
                              "--set", "sim_ns=10", "--set", "sim_players=2000")
    assert rc == 0, stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["scenario"] == "ecl_bayesian_pd" and s["threshold_n"] == 3
    assert s["parameters"]["n_max"] == 12
    assert is_png(out / "ecl_bayesian_pd.png") and len(pd.read_csv(out / "ecl_bayesian_pd.csv")) == 11
    assert "from n = 3" in stdout


# ---------------------------------------------------------------------------
# ecl_similarity
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sim_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ecl_sim")
    return run_scenario("ecl_similarity", SIM_SMALL, seed=4, out_dir=out), out


def test_similarity_files(sim_run):
    s, out = sim_run
    assert is_png(out / "ecl_similarity.png")
    df = pd.read_csv(out / "ecl_similarity.csv")
    assert len(df) == 19 and df["q"].iloc[0] == 1.0 and df["q"].iloc[-1] == 0.0
    assert {"q", "eq49_holds", "coop_mean", "cdt_mean", "gains", "gains_se", "gains_expected"} <= set(df.columns)
    np.testing.assert_allclose(df["gains"], s["by_share"]["gains"])


def test_similarity_threshold_two_ninths(sim_run):
    s, _ = sim_run
    # n = 10: eq. (49) reads -1 + 4.5 b >= 0
    assert s["threshold_share"] == pytest.approx(2 / 9, abs=1e-12)
    assert s["threshold_share_closed_form"] == pytest.approx(2 / 9, abs=1e-15)
    q = np.array(s["by_share"]["q"])
    np.testing.assert_allclose(s["by_share"]["eq49_lhs_min"], -1 + 4.5 * q, atol=1e-12)
    assert s["by_share"]["eq49_holds"] == [bool(x >= 2 / 9 - 1e-12) for x in q]
    # with b = q the cooperators stop cooperating below the threshold: nothing is gained
    below = q < 2 / 9
    assert not any(np.array(s["by_share"]["cooperators_comply"])[below])
    assert np.all(np.array(s["by_share"]["gains"])[below] == 0.0)
    # and the module agrees at other n
    assert threshold_share(treutlein_example_35(100), (0, 0), (1, 1)) == pytest.approx(2 / 99, abs=1e-12)


def test_similarity_gains_at_the_ends(sim_run):
    s, _ = sim_run
    assert s["gains_at_q0"] == 0.0                     # exactly: everyone plays Bayesian Nash
    assert s["by_share"]["coop_players"][-1] == 0
    # q = 1: every player gives everyone 2, so cooperators realize 2n = 20 = EU of the compromise
    assert s["eu_compromise"] == 20.0 and s["eu_bne"] == 16.5
    assert abs(s["coop_mean_at_q1"] - s["eu_compromise"]) <= Z * s["coop_mean_se_at_q1"] + 1e-9
    assert abs(s["gains_at_q1"] - 3.5) <= Z * s["gains_se_at_q1"]
    # every share within sampling error of the exact expectation
    assert s["max_gain_z"] <= Z


def test_similarity_overconfident_cooperators_are_exploited():
    s = run_scenario("ecl_similarity", {**SIM_SMALL, "belief": "overconfident"}, seed=5)
    by = s["by_share"]
    q = np.array(by["q"])
    assert all(by["cooperators_comply"][:-1])           # b = 1: they cooperate at every share
    assert s["threshold_share"] == pytest.approx(2 / 9)
    # below 2/9 the cooperators lose against the Bayesian Nash outcome: -1 + 4.5 q
    np.testing.assert_allclose(by["coop_gain_expected"][:-1], (-1 + 4.5 * q)[:-1], atol=1e-12)
    for i in np.flatnonzero((q > 0) & (q < 0.15)):
        assert by["coop_gain"][i] < 0
        assert abs(by["coop_gain"][i] - by["coop_gain_expected"][i]) <= Z * by["coop_gain_se"][i]
    assert s["cooperators_lose_on_average_below_share"] < 2 / 9
    assert s["gains_at_q0"] == 0.0


def test_similarity_random_game():
    s = run_scenario("ecl_similarity", {"game": "random", "types": 4, "actions": 3, "n_players": 50,
                                        "n_shares": 6, "n_universes": 100}, seed=0)
    assert s["types"] == 4 and s["actions"] == 3 and s["compromise_method"] == "nbs"
    # the oracle's compromise: one lottery per type; its EU is what the cooperators expect
    strategy = np.array(s["compromise_strategy"])
    assert strategy.shape == (4, 3) and np.allclose(strategy.sum(axis=1), 1.0)
    assert s["gains_at_q0"] == 0.0
    assert 0.0 <= s["threshold_share"] <= 1.0
    assert s["max_gain_z"] <= Z
    # q = 1: the cooperators' mean realized utility is the prior-weighted EU of the compromise
    assert abs(s["coop_mean_at_q1"] - s["eu_compromise"]) <= Z * s["coop_mean_se_at_q1"]
    assert s["eu_compromise"] > s["eu_bne"]
    # seeded: the same game and numbers again
    again = run_scenario("ecl_similarity", {"game": "random", "types": 4, "actions": 3, "n_players": 50,
                                            "n_shares": 6, "n_universes": 100}, seed=0)
    assert again["by_share"] == s["by_share"] and again["prior"] == s["prior"]


@pytest.mark.parametrize("overrides, pattern", [
    ({"game": "chess"}, r"^game: must be one of example35, random"),
    ({"belief": "maybe"}, r"^belief: must be one of true, overconfident"),
    ({"n_players": 1}, r"^n_players: must be at least 2"),
    ({"n_shares": 1}, r"^n_shares: must be at least 2"),
    ({"n_universes": 0}, r"^n_universes: must be positive"),
    ({"types": 0}, r"^types: must be at least 1"),
    ({"actions": 1}, r"^actions: must be at least 2"),
    ({"game": "random", "types": 51, "actions": 3}, r"^types: at most 50"),
    ({"n_players": 100_000, "n_universes": 1000}, r"^n_players, n_universes: at most"),
])
def test_similarity_bad_parameters(overrides, pattern):
    with pytest.raises(ValueError, match=pattern) as info:
        get_scenario("ecl_similarity").run(overrides, seed=0, out_dir=None)
    assert "\n" not in str(info.value)


def test_similarity_cli(tmp_path):
    out = tmp_path / "out"
    rc, stdout, stderr = call("run", "ecl_similarity", "--seed", "3", "--out", out,
                              "--set", "n_players=10", "--set", "n_shares=10", "--set", "n_universes=200")
    assert rc == 0, stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["scenario"] == "ecl_similarity" and s["seed"] == 3
    assert s["threshold_share"] == pytest.approx(2 / 9) and s["gains_at_q0"] == 0.0
    assert is_png(out / "ecl_similarity.png") and len(pd.read_csv(out / "ecl_similarity.csv")) == 10
    assert "q >= 0.2222" in stdout and "2 / (n - 1)" in stdout


def test_similarity_bad_parameter_on_the_command_line(tmp_path):
    out = tmp_path / "out"
    rc, stdout, stderr = call("run", "ecl_similarity", "--set", "belief=x", "--out", out)
    assert rc == 2 and stdout == ""
    assert stderr.startswith("gamesim: error: belief:") and not out.exists()
