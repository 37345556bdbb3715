"""The five learning scenarios against their known results (small parameters, fast)."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from gamesim import scenarios
from gamesim.cli import main
from gamesim.scenarios import get_scenario, run_scenario

LEARNING = ("fp_matching_pennies", "fp_zero_sum", "fp_shapley_cycle", "regret_matching_chicken", "learning_showdown")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def is_png(path):
    return path.is_file() and path.read_bytes()[:8] == PNG_MAGIC


def test_learning_scenarios_are_registered():
    assert set(LEARNING) <= set(scenarios.available())


# -- fictitious play on matching pennies ------------------------------------------------------
@pytest.fixture(scope="module")
def pennies(tmp_path_factory):
    out = tmp_path_factory.mktemp("pennies")
    return run_scenario("fp_matching_pennies", {}, 0, out), out


def test_pennies_frequencies_converge_to_one_half(pennies):
    s, _ = pennies
    assert s["parameters"]["rounds"] == 100_000
    for player in ("player_1", "player_2"):
        freq = s["frequencies"][player]
        assert set(freq) == {"H", "T"} and math.isclose(sum(freq.values()), 1.0)
        assert all(abs(p - 0.5) < 0.01 for p in freq.values())
    assert s["max_deviation"] < 0.01
    assert 0 <= s["nash_conv"] < 0.02


def test_pennies_opening_play_is_the_notes(pennies):
    # Notes: player 1 believes (1.5, 2) and plays T; player 2 believes (2, 1.5) and plays T;
    # then player 1's beliefs are (1.5, 3), player 2's (2, 2.5): (T, H) follows.
    s, _ = pennies
    assert s["first_joint_actions"][:4] == ["(T, T)", "(T, H)", "(T, H)", "(H, H)"]
    assert len(s["first_joint_actions"]) == 6


def test_pennies_writes_data_and_plot(pennies):
    s, out = pennies
    assert json.loads((out / "summary.json").read_text())["scenario"] == "fp_matching_pennies"
    assert is_png(out / "convergence.png")
    trace = pd.read_csv(out / "convergence.csv")
    assert trace["rounds"].iloc[-1] == 100_000
    assert trace["p1_H"].iloc[-1] == pytest.approx(s["frequencies"]["player_1"]["H"])
    play = pd.read_csv(out / "play.csv")
    assert play["length"].sum() == 100_000 and list(play.iloc[0][["player_1", "player_2"]]) == ["T", "T"]


def test_pennies_engines_play_the_same_rounds():
    from gamesim.scenarios.fp_matching_pennies import play_segments

    sc = get_scenario("fp_matching_pennies")
    fast = play_segments(sc.resolve({"rounds": 3000}), 0, None)
    env = play_segments(sc.resolve({"rounds": 3000, "engine": "environment"}), 0, None)
    np.testing.assert_array_equal(fast, env)


def test_pennies_other_beliefs():
    s = run_scenario("fp_matching_pennies", {"rounds": 1000, "belief_1": "2,1", "belief_2": "1,2"})
    assert s["first_joint_actions"][0] == "(H, H)"


# -- fictitious play on random zero-sum games --------------------------------------------------
def test_zero_sum_bounds_bracket_the_lp_value_and_the_gap_shrinks(tmp_path):
    from gamesim.analysis.equilibria import zero_sum_value

    s = run_scenario("fp_zero_sum", {"rows": 3, "cols": 4, "games": 3, "rounds": 20_000}, 7, tmp_path)
    assert s["brackets"] and s["gap_shrinks"]
    data = np.load(tmp_path / "games.npz")
    A, lo, hi, v = data["payoffs"], data["lower"], data["upper"], data["values"]
    assert A.shape == (3, 3, 4) and lo.shape == hi.shape == (3, data["checkpoints"].size)
    for g in range(3):
        assert zero_sum_value(A[g]).value == pytest.approx(s["values"][g], abs=1e-9)     # the LP, independently
        assert np.all(lo[g] <= v[g] + 1e-9) and np.all(hi[g] >= v[g] - 1e-9)            # at every checkpoint
        assert s["lower"][g] <= s["values"][g] <= s["upper"][g]
        assert s["gaps"][g] == pytest.approx(s["upper"][g] - s["lower"][g])
        assert s["gaps"][g] < 0.05 * (hi[g, 0] - lo[g, 0]) + 1e-12                        # gap -> 0
    assert -1.0 < s["gap_slope"] < -0.2
    assert is_png(tmp_path / "gap.png")
    assert len(pd.read_csv(tmp_path / "gaps.csv")) == 3 * data["checkpoints"].size


def test_zero_sum_games_follow_the_seed():
    p = {"games": 2, "rounds": 100}
    assert run_scenario("fp_zero_sum", p, 1)["values"] == run_scenario("fp_zero_sum", p, 1)["values"]
    assert run_scenario("fp_zero_sum", p, 1)["values"] != run_scenario("fp_zero_sum", p, 2)["values"]


# -- fictitious play on Shapley's game ------------------------------------------------------------
def test_shapley_nash_conv_stays_away_from_zero(tmp_path):
    s = run_scenario("fp_shapley_cycle", {"rounds": 200_000}, 0, tmp_path)
    assert s["settled"] is False
    assert s["min_nash_conv"] > 0.2
    assert set(s["nash_conv_at"]) == {"10", "100", "1000", "10000", "100000", "200000"}
    assert all(v > 0.2 for v in s["nash_conv_at"].values())
    trace = pd.read_csv(tmp_path / "trace.csv")
    assert (trace.loc[trace["rounds"] >= 10, "nash_conv"] > 0.2).all()
    for f in ("simplex.png", "nash_conv.png"):
        assert is_png(tmp_path / f)


def test_shapley_runs_grow_geometrically(tmp_path):
    s = run_scenario("fp_shapley_cycle", {"rounds": 200_000, "show_runs": 50}, 0, tmp_path)
    L = np.array(s["run_lengths"])
    assert L[:6].tolist() == [1, 2, 4, 7, 11, 17]                 # from (a, a)
    assert np.all(np.diff(L) > 0)
    assert 1.4 < s["growth_ratio"] < 1.55
    assert np.all(np.abs(L[-6:] / L[-7:-1] - s["growth_ratio"]) < 0.05)
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert runs["length"].sum() == 200_000 and len(runs) == s["runs"]
    # the joint action cycles through six profiles: each run differs from the last in one player's action
    cycle = runs["joint_action"].tolist()
    assert cycle[:7] == ["(a, a)", "(a, b)", "(b, b)", "(b, c)", "(c, c)", "(c, a)", "(a, a)"]


def test_shapley_other_start():
    s = run_scenario("fp_shapley_cycle", {"rounds": 50_000, "start": "b,c"})
    assert not s["settled"] and s["min_nash_conv"] > 0.2


# -- regret matching on chicken -------------------------------------------------------------------
def test_chicken_conditional_regret_matching_reaches_the_ce_polytope(tmp_path):
    s = run_scenario("regret_matching_chicken", {"pairs": 10, "rounds": 2000}, 0, tmp_path)
    assert s["ce_violation"]["conditional"]["mean"] < 0.02
    assert s["ce_violation"]["conditional"]["max"] < 0.05
    assert s["ce_violation"]["unconditional"]["mean"] < 0.05
    for v in ("conditional", "unconditional"):
        joint = s["empirical_joint"][v]
        assert list(joint) == ["(Dare, Dare)", "(Dare, Chicken)", "(Chicken, Dare)", "(Chicken, Chicken)"]
        assert math.isclose(sum(joint.values()), 1.0)
        assert s["external_regret"][v] < 0.05
    # Aumann's chicken: the welfare-maximising CE is 1/4, 1/4, 1/2 off (Dare, Dare), paying 5.25 each
    ce = s["welfare_ce"]
    assert ce["(Dare, Dare)"] == pytest.approx(0, abs=1e-9) and ce["(Chicken, Chicken)"] == pytest.approx(0.5)
    assert ce["(Dare, Chicken)"] == pytest.approx(0.25) and s["welfare_ce_payoffs"] == pytest.approx([5.25, 5.25])
    for f in ("regret_decay.png", "ce_violation.png"):
        assert is_png(tmp_path / f)
    assert len(pd.read_csv(tmp_path / "joint.csv")) == 20
    trace = pd.read_csv(tmp_path / "trace.csv")
    cond = trace[trace["version"] == "conditional"]
    assert cond["ce_violation_mean"].iloc[-1] < cond["ce_violation_mean"].iloc[len(cond) // 4]


# -- the showdown --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def showdown(tmp_path_factory):
    out = tmp_path_factory.mktemp("showdown")
    return run_scenario("learning_showdown", {"rounds": 300, "runs": 4}, 0, out), out


def test_showdown_table_is_complete_and_finite(showdown):
    from gamesim.scenarios.learning_showdown import GAMES, LEARNERS, METRICS

    s, out = showdown
    table = s["table"]
    assert list(table) == list(LEARNERS)
    for learner in LEARNERS:
        assert list(table[learner]) == list(GAMES)
        for game in GAMES:
            cell = table[learner][game]
            assert set(cell) == set(METRICS)
            assert all(v is not None and math.isfinite(v) and v >= -1e-12 for v in cell.values())
    csv = pd.read_csv(out / "showdown.csv")
    assert len(csv) == len(LEARNERS) * len(GAMES)
    assert np.isfinite(csv[list(METRICS)].to_numpy()).all()
    for f in ("nash_conv_heatmap.png", "convergence_grid.png"):
        assert is_png(out / f)


def test_showdown_fp_converges_on_pennies_not_on_shapley(showdown):
    s, _ = showdown
    fp = s["table"]["fictitious_play"]
    assert fp["matching_pennies"]["nash_conv"] < fp["shapley"]["nash_conv"]
    assert fp["shapley"]["nash_conv"] > 0.2


def test_showdown_is_reproducible_and_games_do_not_interact():
    p = {"rounds": 60, "runs": 2, "games": "random_zero_sum,chicken", "learners": "hedge,regret_matching"}
    a = run_scenario("learning_showdown", p, 3)
    b = run_scenario("learning_showdown", {**p, "games": "chicken"}, 3)
    assert a["table"] == run_scenario("learning_showdown", p, 3)["table"]
    assert list(a["table"]) == ["hedge", "regret_matching"]
    assert a["table"]["hedge"]["chicken"] == b["table"]["hedge"]["chicken"]


# -- parameters, summaries, command line ------------------------------------------------------------
@pytest.mark.parametrize("name, key, value, pattern", [
    ("fp_matching_pennies", "belief_1", "1,x", r"^belief_1: expected 2 comma-separated numbers"),
    ("fp_matching_pennies", "belief_2", "1,-2", r"^belief_2: weights must be non-negative"),
    ("fp_matching_pennies", "engine", "gpu", r"^engine: must be one of fast, environment"),
    ("fp_zero_sum", "rows", "0", r"^rows: must be positive"),
    ("fp_shapley_cycle", "start", "a,z", r"^start: unknown action 'z' for player 2"),
    ("fp_shapley_cycle", "start", "a", r"^start: expected 2 comma-separated actions"),
    ("regret_matching_chicken", "tie", "8", r"^win, tie, lose, crash: chicken needs win > tie > lose > crash"),
    ("regret_matching_chicken", "mu", "5", r"^mu: must exceed"),
    ("learning_showdown", "games", "chicken,poker", r"^games: unknown game 'poker'"),
    ("learning_showdown", "learners", "hedge,hedge", r"^learners: hedge is listed twice"),
    ("learning_showdown", "runs", "0", r"^runs: must be positive"),
])
def test_bad_parameters_are_one_line_errors(name, key, value, pattern):
    with pytest.raises(ValueError, match=pattern):
        get_scenario(name).resolve({key: value})


@pytest.mark.parametrize("name, params", [
    ("fp_matching_pennies", {"rounds": 50}),
    ("fp_zero_sum", {"games": 2, "rounds": 50}),
    ("fp_shapley_cycle", {"rounds": 50}),
    ("regret_matching_chicken", {"pairs": 2, "rounds": 30}),
    ("learning_showdown", {"rounds": 20, "runs": 1, "games": "shapley,stag_hunt"}),
])
def test_summaries_print(name, params):
    sc = get_scenario(name)
    s = run_scenario(name, params)
    headline = {k: v for k, v in s.items() if k not in ("scenario", "parameters", "seed", "version")}
    text = sc.format_summary(headline)
    assert text and all(line.strip() for line in text.splitlines())


def test_cli_run_learning_scenario(tmp_path, capsys):
    out = tmp_path / "out"
    rc = main(["run", "fp_shapley_cycle", "--out", str(out), "--set", "rounds=20000", "--set", "show_runs=8"])
    stdout = capsys.readouterr().out
    assert rc == 0
    assert "settled: False" in stdout and "runs of constant play: 1 2 4 7 11 17 26 39" in stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "fp_shapley_cycle" and summary["parameters"]["rounds"] == 20000
    assert summary["settled"] is False
    for f in ("simplex.png", "nash_conv.png"):
        assert is_png(out / f)


def test_cli_bad_value_exit_2(tmp_path, capsys):
    rc = main(["run", "learning_showdown", "--out", str(tmp_path), "--set", "games=poker"])
    assert rc == 2
    assert capsys.readouterr().err.startswith("gamesim: error: games: unknown game 'poker'")
