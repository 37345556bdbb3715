"""The simulated-bargainer scenarios: ``bargainers_tournament`` and ``threat_incentive``.

Known results checked:

* two copies of one bargainer play its settlement, so every bargainer's self-play
  payoff equals the oracle's ``settlement(game).achieved`` -- seat by seat and on
  average -- within four standard errors of the mean (std of the per-round payoffs
  over sqrt(rounds); a pure settlement has standard error 0 and must match to
  rounding);
* in the division game with a threat action, the CoCo threatener's simulated
  payoff rises by half the harm (slope 1/2 within four standard errors of the
  fitted slope; a curse of half the total is worth a quarter of it, the essay's
  $1000 curse on $2000 is worth $500) and the correlated-fallback bargainers'
  payoffs stay where they were without the threat (within four standard errors of
  the difference).

Runs are kept small (a few hundred to a few thousand rounds, three harms, a
division of 20 rather than 2000) because the correlated-fallback oracle takes up to
seconds per game at the larger scale; the threat games are the same in every test
of this file, so the oracle's cache computes each once.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from gamesim import scenarios
from scenario_helpers import call, is_png
from gamesim.scenarios import get_scenario, run_scenario
from gamesim.scenarios.bargainers_tournament import GAMES, build_game, play_game, population

Z = 4.0
BARGAINER_NAMES = ("CoCoBargainer", "HarsanyiBargainer", "NashBargainer", "NashBargainer('threat')",
                   "CorrelatedFallbackBargainer")
OTHER_NAMES = ("GrimTrigger", "TitForTat", "FictitiousPlay", "RegretMatching")
# A division of 20, harms 0, 5, 10: the correlated-fallback oracle's solver takes ~0.1 s per
# game at this scale but up to seconds at the default scale of 2000; the results scale.
THREAT = {"total": 20, "harm_max": 10, "n_harms": 3, "rounds": 2000}


def slack(game):
    """Rounding room for an oracle payoff (pure settlements have standard error 0)."""
    return 1e-6 * (1.0 + float(np.max(np.abs(game.payoffs))))


def test_registered_with_defaults():
    assert {"bargainers_tournament", "threat_incentive"} <= set(scenarios.available())
    assert get_scenario("bargainers_tournament").defaults == {
        "games": "chicken,battle_of_the_sexes,prisoners_dilemma,pd_threat", "rounds": 1000, "noise": 0.0,
        "forgiveness": None, "secure": True, "signal": "random"}
    assert get_scenario("threat_incentive").defaults == {
        "total": 2000.0, "n": 7, "harm_max": 1500.0, "n_harms": 7, "rounds": 4000, "signal": "random"}


# ---------------------------------------------------------------------------
# bargainers_tournament
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tournament(tmp_path_factory):
    out = tmp_path_factory.mktemp("tournament")
    summary = run_scenario("bargainers_tournament", {"rounds": 400}, seed=3, out_dir=out)
    return summary, out


def test_tournament_files(tournament):
    s, out = tournament
    assert json.loads((out / "summary.json").read_text())["scenario"] == "bargainers_tournament"
    for name in ("scores.png", "per_round_payoffs.png"):
        assert is_png(out / name), name
    scores = pd.read_csv(out / "scores.csv")
    assert list(scores.columns) == ["game", "strategy", "score", "rank", "self_play"]
    assert list(scores["game"].unique()) == list(GAMES)
    names = BARGAINER_NAMES + OTHER_NAMES
    for game in GAMES:
        part = scores[scores["game"] == game].set_index("strategy")
        assert tuple(part.index) == names
        assert sorted(part["rank"]) == list(range(1, 10))
        for name in names:
            assert part.loc[name, "score"] == pytest.approx(s["by_game"][game]["scores"][name], abs=1e-12)
        table = pd.read_csv(out / f"pairwise_{game}.csv", index_col="strategy")
        assert tuple(table.index) == names and tuple(table.columns) == names
        # the diagonal is self-play, the number compared with the oracle (mean over both seats)
        np.testing.assert_allclose(np.diag(table.to_numpy()), part["self_play"], atol=1e-12)
        for name in BARGAINER_NAMES:
            assert table.loc[name, name] == pytest.approx(s["by_game"][game]["bargainers"][name]["self_play"])
    self_play = pd.read_csv(out / "self_play.csv")
    assert list(self_play.columns) == ["game", "strategy", "seat", "self_play", "oracle", "se"]
    assert len(self_play) == len(GAMES) * len(BARGAINER_NAMES) * 2


@pytest.mark.parametrize("game", GAMES)
def test_tournament_self_play_equals_the_oracle(tournament, game):
    s, _ = tournament
    g = build_game(game)
    bargainers = s["by_game"][game]["bargainers"]
    assert tuple(bargainers) == BARGAINER_NAMES
    for strat in population()[:5]:
        b = bargainers[strat.name]
        achieved = np.asarray(strat.settlement(g).achieved, dtype=float)
        np.testing.assert_allclose(b["oracle_seats"], achieved)
        assert b["oracle"] == pytest.approx(achieved.mean())
        assert abs(b["self_play"] - b["oracle"]) <= Z * b["se"] + slack(g), strat.name
        assert np.all(np.abs(np.subtract(b["self_play_seats"], achieved))
                      <= Z * np.asarray(b["se_seats"]) + slack(g)), strat.name
        assert b["within_tolerance"] is True
    assert s["self_play_matches_oracle"] is True


def test_tournament_known_numbers(tournament):
    s, _ = tournament
    by = s["by_game"]
    # Prisoner's dilemma: every bargainer settles on mutual cooperation.
    for name in BARGAINER_NAMES:
        assert by["prisoners_dilemma"]["bargainers"][name]["self_play_seats"] == [3.0, 3.0]
    # PD + threat: the threat solution and Harsanyi hand the threatener the temptation (5, 0);
    # CoCo's value (8, -2) needs a transfer of 5, so its bargainers play mutual cooperation.
    pdt = by["pd_threat"]["bargainers"]
    assert pdt["HarsanyiBargainer"]["self_play_seats"] == pytest.approx([5.0, 0.0], abs=1e-9)
    assert pdt["NashBargainer('threat')"]["self_play_seats"] == pytest.approx([5.0, 0.0], abs=1e-9)
    assert pdt["CoCoBargainer"]["self_play_seats"] == pytest.approx([3.0, 3.0], abs=1e-9)
    assert pdt["CorrelatedFallbackBargainer"]["self_play_seats"] == pytest.approx([3.0, 3.0], abs=1e-9)
    # Battle of the sexes: CoCo alternates (2, 1) and (1, 2) -- every round averages 1.5 over the
    # seats, each seat varies.
    bos = by["battle_of_the_sexes"]["bargainers"]["CoCoBargainer"]
    assert bos["self_play"] == pytest.approx(1.5, abs=1e-12) and bos["se"] == pytest.approx(0.0, abs=1e-12)
    assert min(bos["se_seats"]) > 0
    for game, g in by.items():
        assert g["winner"] == g["ranking"][0] and g["winner"] in g["winners"]
        assert s["winners"][game] == g["winner"]
        assert g["scores"][g["winner"]] == max(g["scores"].values())


def test_tournament_per_round_series_averages_to_the_score():
    r = play_game("battle_of_the_sexes", {"rounds": 120, "noise": 0.0, "forgiveness": None, "secure": True,
                                          "signal": "random"}, seed=5)
    means = np.nanmean(r["series"], axis=0)
    np.testing.assert_allclose(means, [r["scores"][n] for n in r["result"].strategy_names], atol=1e-12)


def test_tournament_rotation_and_forgiveness():
    s = run_scenario("bargainers_tournament", {"games": "battle_of_the_sexes, chicken", "rounds": 300,
                                               "signal": "rotation", "forgiveness": "5"}, seed=1)
    assert s["parameters"]["forgiveness"] == 5 and list(s["by_game"]) == ["battle_of_the_sexes", "chicken"]
    assert [b.name for b in population(5)[:5]] == list(s["by_game"]["chicken"]["bargainers"])
    assert population(5)[0].forgiveness == 5
    assert s["self_play_matches_oracle"] is True


def test_tournament_noise_breaks_self_play():
    # A flipped action starts the fallback: self-play no longer reaches the oracle.
    s = run_scenario("bargainers_tournament", {"games": "prisoners_dilemma", "rounds": 300, "noise": 0.1}, seed=0)
    sp = s["by_game"]["prisoners_dilemma"]["bargainers"]
    assert all(b["self_play"] < 3.0 for b in sp.values())
    assert s["self_play_matches_oracle"] is False


@pytest.mark.parametrize("overrides, pattern", [
    ({"games": "chicken,nope"}, r"^games: unknown game 'nope' \(known: chicken, battle_of_the_sexes"),
    ({"games": "chicken, chicken"}, r"^games: a game is listed twice"),
    ({"games": " "}, r"^games: no game given"),
    ({"rounds": 0}, r"^rounds: must be positive"),
    ({"noise": 1.5}, r"^noise: must lie in \[0, 1\]"),
    ({"forgiveness": 0}, r"^forgiveness: must be positive"),
    ({"forgiveness": "x"}, r"^forgiveness: expected an integer"),
    ({"signal": "sobol"}, r"^signal: must be one of random, rotation"),
    ({"secure": "maybe"}, r"^secure: expected true or false"),
])
def test_tournament_bad_parameters(overrides, pattern):
    with pytest.raises(ValueError, match=pattern) as info:
        get_scenario("bargainers_tournament").run(overrides, seed=0, out_dir=None)
    assert "\n" not in str(info.value)


def test_tournament_forgiveness_none():
    sc = get_scenario("bargainers_tournament")
    assert sc.resolve({"forgiveness": "none"})["forgiveness"] is None
    assert sc.resolve({"forgiveness": "12"})["forgiveness"] == 12


# ---------------------------------------------------------------------------
# threat_incentive
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def threat(tmp_path_factory):
    out = tmp_path_factory.mktemp("threat")
    summary = run_scenario("threat_incentive", THREAT, seed=0, out_dir=out)
    return summary, out


def test_threat_files(threat):
    s, out = threat
    assert is_png(out / "threat_incentive.png")
    df = pd.read_csv(out / "threat_incentive.csv")
    cols = ["harm"] + [f"{k}_{r}{x}" for k in ("coco", "harsanyi", "ce_fallback")
                       for r in ("threatener", "victim") for x in ("", "_se", "_oracle")]
    assert list(df.columns) == cols
    np.testing.assert_allclose(df["harm"], [0, 5, 10])
    np.testing.assert_allclose(df["coco_threatener"], np.asarray(s["simulated"]["coco"])[:, 0])
    np.testing.assert_allclose(df["ce_fallback_victim_se"], np.asarray(s["se"]["ce_fallback"])[:, 1])


def test_threat_oracle_values(threat):
    s, _ = threat
    c = np.array(s["harms"])
    for kind in ("coco", "harsanyi"):
        np.testing.assert_allclose(s["oracle"][kind], np.c_[10 + c / 2, 10 - c / 2], atol=1e-6)
    np.testing.assert_allclose(s["oracle"]["ce_fallback"], 10.0, atol=1e-6)
    assert s["ce_fallback_oracle_max_shift"] <= 1e-6
    assert s["coco_curse_gain_oracle"] == pytest.approx(5.0, abs=1e-6)


def test_threat_simulation_within_sampling_error(threat):
    s, _ = threat
    for kind in ("coco", "harsanyi", "ce_fallback"):
        sim, ora, se = (np.asarray(s[k][kind]) for k in ("simulated", "oracle", "se"))
        assert np.all(np.abs(sim - ora) <= Z * se + 1e-6), kind
        # the bargainers carry out divisions: the two payoffs always add up to the total
        np.testing.assert_allclose(sim.sum(axis=1), 20.0, atol=1e-9)


def test_threat_headline(threat):
    s, _ = threat
    assert s["linear_up_to_harm"] == 15.0
    # CoCo: the threat is worth half its harm
    # The settlements are single divisions here (each CoCo point is one of the grid's
    # divisions), so the simulation reproduces them exactly: zero standard error.
    assert 0 <= s["coco_slope_se"] < 0.05
    assert abs(s["coco_slope"] - 0.5) <= Z * s["coco_slope_se"]
    assert abs(s["harsanyi_slope"] - 0.5) <= Z * s["harsanyi_slope_se"]
    assert s["curse_harm"] == 10.0                           # half the total: the essay's $1000 of $2000
    assert abs(s["coco_curse_gain"] - 5.0) <= Z * s["coco_curse_gain_se"]
    assert s["coco_threatener_at_curse"] - s["coco_threatener_at_0"] == pytest.approx(s["coco_curse_gain"])
    # the correlated fallback: no movement beyond sampling error
    assert s["ce_fallback_max_shift_in_se"] <= Z and s["ce_fallback_max_z"] <= Z
    assert s["ce_fallback_max_shift"] == pytest.approx(s["ce_fallback_max_shift_in_se"] * s["ce_fallback_max_shift_se"])
    assert s["ce_fallback_max_shift"] < 0.1 * s["coco_curse_gain"]


def test_threat_cli(threat, tmp_path):
    out = tmp_path / "out"
    argv = ["run", "threat_incentive", "--seed", "0", "--out", out]
    for k, v in THREAT.items():
        argv += ["--set", f"{k}={v}"]
    rc, stdout, stderr = call(*argv)
    assert rc == 0, stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["scenario"] == "threat_incentive" and s["seed"] == 0
    assert s["parameters"] == {"total": 20.0, "n": 7, "harm_max": 10.0, "n_harms": 3, "rounds": 2000,
                               "signal": "random"}
    # the same seed gives the same numbers as the in-process run
    assert s["coco_slope"] == threat[0]["coco_slope"]
    assert s["simulated"] == threat[0]["simulated"]
    assert is_png(out / "threat_incentive.png") and len(pd.read_csv(out / "threat_incentive.csv")) == 3
    assert "(theory: 0.5)" in stdout and "Division of 20 (7 ways)" in stdout


@pytest.mark.parametrize("overrides, pattern", [
    ({"harm_max": 4000, "n_harms": 2}, r"^harm_max, n_harms: the slope needs two grid harms in \[0, 1500\]"),
    ({"n": 1}, r"^n: must be at least 2"),
    ({"n_harms": 1}, r"^n_harms: must be at least 2"),
    ({"total": 0}, r"^total: must be positive"),
    ({"harm_max": -5}, r"^harm_max: must be positive"),
    ({"rounds": "many"}, r"^rounds: expected an integer"),
    ({"signal": "x"}, r"^signal: must be one of random, rotation"),
])
def test_threat_bad_parameters(overrides, pattern):
    with pytest.raises(ValueError, match=pattern) as info:
        get_scenario("threat_incentive").run(overrides, seed=0, out_dir=None)
    assert "\n" not in str(info.value)


def test_threat_bad_parameter_on_the_command_line(tmp_path):
    out = tmp_path / "out"
    rc, stdout, stderr = call("run", "threat_incentive", "--set", "n_harms=1", "--out", out)
    assert rc == 2 and stdout == ""
    assert stderr.splitlines() == [stderr.strip()] and stderr.startswith("gamesim: error: n_harms:")
    assert not out.exists()
