"""Scenario registry, typed parameters, and the two scenarios against known numbers."""

import math

import numpy as np
import pandas as pd
import pytest

import gamesim as gs
from gamesim import scenarios
from gamesim.agents import GrimTrigger, MemoryOne, Random, TitForTat, TitForTwoTats
from gamesim.scenarios import Parameter, get_scenario, run_scenario
from gamesim.scenarios._base import run_environment
from gamesim.scenarios._sweep import flatten, sweep
from gamesim.scenarios.ipd_tournament import parse_player, parse_players
from reference_values import AXELROD_SCORES



# -- registry ------------------------------------------------------------------------------
def test_registry_lists_both_scenarios():
    assert scenarios.available()[:2] == ["ipd_tournament", "grim_trigger_threshold"]


@pytest.mark.parametrize("name", scenarios.SCENARIO_MODULES)
def test_scenario_modules_follow_the_protocol(name):
    sc = get_scenario(name)
    assert sc.name == name == sc.module.NAME
    assert sc.description and "\n" not in sc.description
    assert sc.parameters and all(isinstance(p, Parameter) and p.help for p in sc.parameters)
    assert callable(sc.module.run)
    # every default passes its own type and range check
    assert sc.resolve() == sc.defaults
    for p in sc.parameters:
        assert p.parse(p.default) == p.default


def test_unknown_scenario_suggests_a_name():
    with pytest.raises(ValueError, match="unknown scenario 'ipd_tournamnt'.*did you mean 'ipd_tournament'"):
        get_scenario("ipd_tournamnt")


# -- parameters --------------------------------------------------------------------------------
def test_parameter_parsing_from_strings():
    sc = get_scenario("ipd_tournament")
    p = sc.resolve({"turns": "50", "noise": "0.25", "R": "4", "continuation": "0.9", "copies": 3})
    assert p["turns"] == 50 and isinstance(p["turns"], int)
    assert p["noise"] == 0.25 and p["R"] == 4.0 and isinstance(p["R"], float)
    assert p["continuation"] == 0.9 and p["copies"] == 3
    assert sc.resolve({"continuation": "none"})["continuation"] is None
    assert sc.resolve({"continuation": None})["continuation"] is None


def test_bool_parameter():
    p = Parameter("flag", False, bool, "a switch")
    assert p.parse("yes") is True and p.parse("0") is False and p.parse(True) is True
    with pytest.raises(ValueError, match="^flag: expected true or false"):
        p.parse("maybe")


@pytest.mark.parametrize("key, value, pattern", [
    ("bogus", "1", r"^unknown parameter 'bogus' for scenario ipd_tournament \(known: turns, "),
    ("turns", "-5", r"^turns: must be positive, got '-5'$"),
    ("turns", "0", r"^turns: must be positive"),
    ("turns", "2.5", r"^turns: expected an integer, got '2.5'$"),
    ("turns", 2.5, r"^turns: expected an integer"),
    ("turns", True, r"^turns: expected an integer"),
    ("noise", "1.5", r"^noise: must lie in \[0, 1\], got '1.5'$"),
    ("noise", -0.1, r"^noise: must lie in \[0, 1\]"),
    ("noise", "abc", r"^noise: expected a number, got 'abc'$"),
    ("noise", "nan", r"^noise: expected a finite number"),
    ("continuation", "1", r"^continuation: must lie in \[0, 1\)"),
    ("matching", "ring", r"^matching: must be one of round_robin, random"),
    ("copies", "0", r"^copies: must be positive"),
    ("turns", None, r"^turns: a value is required"),
    ("players", "TitForTat,Nope", r"^players: unknown strategy 'Nope'"),
    ("players", "", r"^players: no strategies given"),
    ("players", "TitForTat,,Defector", r"^players: empty name"),
    ("players", "TitForTat,TitForTat", r"^players: TitForTat is listed twice"),
    ("players", "Random(2)", r"^players: Random\(2\): p: must lie in \[0, 1\]"),
    ("players", "Random(x)", r"^players: Random\(x\): expected numeric arguments"),
    ("players", "Random(0.1,0.2)", r"^players: Random\(0.1,0.2\): "),
    ("players", "Tit For Tat", r"^players: cannot read strategy"),
    ("players", "TitForTat", r"^players, copies: a tournament needs at least 2 agents"),
    ("T", "2", r"^R, S, T, P: a prisoner's dilemma needs T > R > P > S"),
])
def test_bad_parameters_raise_one_line_naming_the_field(key, value, pattern):
    with pytest.raises(ValueError, match=pattern) as info:
        get_scenario("ipd_tournament").resolve({key: value})
    assert "\n" not in str(info.value)


def test_grim_trigger_parameter_checks():
    sc = get_scenario("grim_trigger_threshold")
    with pytest.raises(ValueError, match="^delta_min: must lie in \\(0, 1\\)"):
        sc.resolve({"delta_min": "0"})
    with pytest.raises(ValueError, match="^delta_max: must lie in \\(0, 1\\)"):
        sc.resolve({"delta_max": 1})
    with pytest.raises(ValueError, match="^delta_min, delta_max: need delta_min <= delta_max"):
        sc.resolve({"delta_min": 0.9, "delta_max": 0.2})
    with pytest.raises(ValueError, match="^n: must be positive"):
        sc.resolve({"n": "0"})


# -- players ---------------------------------------------------------------------------------------
def test_parse_players_names_aliases_and_parameters():
    assert parse_player("Grudger") == GrimTrigger()
    assert parse_player("TitFor2Tats") == TitForTwoTats()
    assert parse_player("titfortat") == TitForTat()
    assert parse_player("Random(0.3)") == Random(0.3)
    assert parse_player("Random(p=0.3)") == Random(0.3)
    assert parse_player("MemoryOne(1,0,1,0)") == MemoryOne(1, 0, 1, 0)
    assert parse_player(" MemoryOne( 1, 0, 0, 1, initial=0 ) ") == MemoryOne(1, 0, 0, 1, initial=0)
    names = [s.name for s in parse_players("TitForTat,Random(0.3),MemoryOne(1,0,1,0),Defector")]
    assert names == ["TitForTat", "Random(0.3)", "MemoryOne", "Defector"]


def test_every_reactive_strategy_is_accepted():
    from gamesim.agents import REACTIVE_STRATEGIES

    text = ",".join(cls.__name__ for cls in REACTIVE_STRATEGIES)
    assert [type(s) for s in parse_players(text)] == list(REACTIVE_STRATEGIES)


# -- ipd_tournament ----------------------------------------------------------------------------------
def test_ipd_tournament_matches_axelrod():
    summary = run_scenario("ipd_tournament", seed=0)
    for name, value in AXELROD_SCORES.items():
        assert abs(summary["scores"][name] - value) <= 1e-12
    assert summary["ranking"] == sorted(AXELROD_SCORES, key=lambda n: -AXELROD_SCORES[n])
    assert summary["parameters"] == get_scenario("ipd_tournament").defaults
    assert summary["version"] == gs.__version__


def test_ipd_cooperation_rate_counts_turns():
    # TitForTat vs Defector, 100 turns, with self-play: TFT plays C in its 200 self-play
    # turns and once against Defector, out of 600 turns in all.
    s = run_scenario("ipd_tournament", {"players": "TitForTat,Defector", "turns": 100})
    assert s["cooperation_rate"] == pytest.approx(201 / 600, abs=1e-12)
    assert s["cooperation_by_strategy"] == pytest.approx({"TitForTat": 201 / 300, "Defector": 0.0})


def test_ipd_options_run_and_are_reproducible():
    params = {"players": "TitForTat,Grudger,Random(0.3),MemoryOne(1,0,0,1)", "turns": 60, "noise": 0.05,
              "continuation": 0.95, "copies": 2}
    a = run_scenario("ipd_tournament", params, seed=3)
    b = run_scenario("ipd_tournament", params, seed=3)
    c = run_scenario("ipd_tournament", params, seed=4)
    assert a == b and a["scores"] != c["scores"]
    assert all(math.isfinite(v) for v in a["scores"].values())
    assert 0 <= a["cooperation_rate"] <= 1
    r = run_scenario("ipd_tournament", {**params, "matching": "random", "continuation": None}, seed=1)
    assert set(r["scores"]) == {"TitForTat", "GrimTrigger", "Random(0.3)", "MemoryOne(1, 0, 0, 1)"}


def test_ipd_writes_data_and_plots(tmp_path):
    s = run_scenario("ipd_tournament", {"turns": 20}, seed=0, out_dir=tmp_path)
    for name in ("summary.json", "scores.csv", "series.csv", "arrays.npz", "parameters.json",
                 "score_distribution.png", "pairwise_heatmap.png", "cooperation_rate.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    table = pd.read_csv(tmp_path / "scores.csv")
    assert list(table["strategy"]) == s["ranking"]


def test_ipd_summary_text():
    sc = get_scenario("ipd_tournament")
    text = sc.format_summary(run_scenario("ipd_tournament"))
    lines = text.splitlines()
    assert lines[0].split() == ["rank", "strategy", "score/turn"]
    assert lines[1].split() == ["1", "TitForTat", "2.5693"]
    assert lines[-1].startswith("cooperation rate:")


# -- grim_trigger_threshold -----------------------------------------------------------------------------
@pytest.mark.parametrize("T, star, first", [(5, 0.5, 0.5), (10, 7 / 9, 0.8)])
def test_grim_trigger_threshold(T, star, first):
    s = run_scenario("grim_trigger_threshold", {"T": T})
    assert s["delta_star"] == pytest.approx(star, abs=1e-12)
    assert s["agrees"] is True
    assert s["delta_star_simulated"] == pytest.approx(first)
    assert len(s["sustained"]) == 19
    for key, sustained in s["sustained"].items():
        assert sustained == (float(key) >= star - 1e-9), key


def test_grim_trigger_payoffs_match_closed_form(tmp_path):
    run_scenario("grim_trigger_threshold", {"n": 7, "delta_min": 0.1, "delta_max": 0.97}, out_dir=tmp_path)
    df = pd.read_csv(tmp_path / "discount_sweep.csv")
    d = df["delta"].to_numpy()
    assert (d ** df["rounds"] < 1e-9).all() and (df["rounds"] <= 5000).all()
    np.testing.assert_allclose(df["cooperate_average"], 3.0, atol=1e-8)
    np.testing.assert_allclose(df["deviate_average"], (1 - d) * 5 + d * 1, atol=1e-8)
    np.testing.assert_allclose(df["cooperate_discounted"], 3 / (1 - d), rtol=1e-7)
    assert (tmp_path / "discount_sweep.png").stat().st_size > 0


def test_grim_trigger_other_payoffs_and_tight_cap():
    # Near-patient players with a small cap: the truncated tail is covered by the tolerance.
    s = run_scenario("grim_trigger_threshold", {"R": 2, "S": -1, "T": 4, "P": 0, "delta_min": 0.3,
                                                "delta_max": 0.99, "n": 24, "max_rounds": 300})
    assert s["delta_star"] == pytest.approx(0.5)
    assert s["agrees"] is True


# -- helpers -----------------------------------------------------------------------------------------------
def test_run_environment_with_progress_equals_run():
    from gamesim.agents import Defector

    def make():
        return gs.Environment(gs.games.prisoners_dilemma(), [TitForTat(), Defector(), Random(0.4)],
                              rounds=300, noise=0.02, seed=5)

    calls = []
    r1 = run_environment(make(), progress=lambda d, t, label: calls.append((d, t, label)), updates=10)
    r2 = make().run()
    assert r1.strategy_scores() == r2.strategy_scores()
    assert calls[0] == (0, 300, "rounds") and calls[-1] == (300, 300, "rounds")
    assert 10 <= len(calls) <= 12


def test_flatten_and_sweep_in_python(tmp_path):
    assert flatten({"a": {"b": 1, "c": {"d": 2}}, "e": [1, None]}) == {"a.b": 1, "a.c.d": 2, "e": "1;"}
    rows, summary = sweep("grim_trigger_threshold", {"T": [5, "10"]}, seeds=[0], overrides={"n": "3"},
                          out_dir=tmp_path)
    assert [r["T"] for r in rows] == [5.0, 10.0] and all(r["n"] == 3 for r in rows)
    assert [p["mean"]["delta_star"] for p in summary["points"]] == pytest.approx([0.5, 7 / 9])
    assert (tmp_path / "sweep.csv").is_file() and (tmp_path / "summary.json").is_file()


def test_ipd_strategy_that_never_plays_ranks_last(tmp_path):
    # three agents, random pairs, one round: one agent sits out and has no score
    s = run_scenario("ipd_tournament", {"players": "TitForTat,Defector,Cooperator", "matching": "random",
                                        "turns": 1}, seed=0, out_dir=tmp_path)
    idle = [n for n, v in s["scores"].items() if v is None]
    assert len(idle) == 1 and s["ranking"][-1] == idle[0]
    assert (tmp_path / "pairwise_heatmap.png").stat().st_size > 0
