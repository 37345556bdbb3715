"""The bargaining scenarios: ``bargaining_examples`` and ``coco_threats``.

Run through the scenario interface (``get_scenario(name).run``) and through the
command line (``gamesim.cli.main``), against the numbers of KNOWN_RESULTS.md and
ALGORITHMS.md: every worked example matches; CoCo pays half the harm of a threat
action (slope 1/2), the correlated-equilibrium fallback does not move.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from gamesim import scenarios
from scenario_helpers import call, is_png
from gamesim.scenarios import get_scenario

EXAMPLE_FILES = ("examples.csv", "example_60.png", "example_10.png", "example_54.png")


def test_both_scenarios_are_registered():
    assert {"bargaining_examples", "coco_threats"} <= set(scenarios.available())
    assert get_scenario("bargaining_examples").defaults == {"tolerance": 1e-6}
    assert get_scenario("coco_threats").defaults == {
        "game": "battle_of_the_sexes", "own_payoff": 0.0, "harm_max": 20.0, "harm_min": 0.0, "n": 21}


# ---------------------------------------------------------------------------
# bargaining_examples
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def examples_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("examples")
    headline = get_scenario("bargaining_examples").run({}, seed=0, out_dir=out)
    return headline, out


@pytest.fixture(scope="module")
def examples_cli(tmp_path_factory):
    out = tmp_path_factory.mktemp("examples_cli") / "out"
    rc, stdout, stderr = call("run", "bargaining_examples", "--out", out)
    return rc, stdout, stderr, out


def test_examples_all_match(examples_run):
    h, _ = examples_run
    assert h["all_match"] is True
    assert h["examples"] == len(h["table"]) == h["matches"]
    assert h["examples"] >= 30
    bad = [r for r in h["table"] if r["match"] is not True]
    assert not bad, bad
    for r in h["table"]:
        assert set(r) == {"source", "quantity", "expected", "computed", "match"}


def row(h, source, quantity_start):
    rows = [r for r in h["table"] if r["source"] == source and r["quantity"] == quantity_start]
    rows = rows or [r for r in h["table"] if r["source"] == source and r["quantity"].startswith(quantity_start)]
    assert len(rows) == 1, (source, quantity_start)
    return rows[0]


@pytest.mark.parametrize("source, quantity, expected", [
    ("Treutlein ex. 60", "threat point", [-3.0, 2.0]),
    ("Treutlein ex. 60", "NBS from the threat point", [2.5, 4.75]),
    ("Treutlein ex. 60", "gains over the threat point", [5.5, 2.75]),
    ("Treutlein ex. 64", "NBS", [13 / 3, 13 / 3, 17 / 3]),
    ("CoCo", "example game", [1.5, 6.5]),
    ("CoCo", "battle of the sexes + torture action", [7.0, -2.0]),
    ("CoCo", "public goods + sabotage", [0.5, 0.5, 2.0]),
    ("Harsanyi", "example game", [2.5, 4.75]),
    ("Harsanyi", "public goods + sabotage", [1.0, 1.0, 1.0]),
    ("CE fallback", "chicken", [6.0, 6.0]),
    ("CE fallback", "battle of the sexes + torture action", [2.5, 2.5]),
    ("CE fallback", "example game", [4.0, 4.0]),
])
def test_examples_rows_against_the_notes(examples_run, source, quantity, expected):
    r = row(examples_run[0], source, quantity)
    np.testing.assert_allclose(r["expected"], expected, atol=1e-12)
    np.testing.assert_allclose(r["computed"], expected, atol=1e-6)
    assert r["match"] is True


def test_examples_files(examples_run):
    h, out = examples_run
    for name in EXAMPLE_FILES:
        assert (out / name).is_file(), name
    for name in EXAMPLE_FILES[1:]:
        assert is_png(out / name), name
    csv = pd.read_csv(out / "examples.csv")
    assert list(csv.columns) == ["source", "quantity", "expected", "computed", "match"]
    assert len(csv) == h["examples"]
    assert csv["match"].all()


def test_examples_cli(examples_cli):
    rc, stdout, stderr, out = examples_cli
    assert rc == 0, stderr
    for name in EXAMPLE_FILES + ("summary.json",):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    s = json.loads((out / "summary.json").read_text())
    assert s["scenario"] == "bargaining_examples" and s["seed"] == 0
    assert s["parameters"] == {"tolerance": 1e-6}
    assert s["all_match"] is True and s["matches"] == s["examples"]
    assert all(r["match"] for r in s["table"])
    assert f"{s['examples']} of {s['examples']} examples match" in stdout
    assert " NO" not in stdout


def test_examples_tolerance_is_used():
    from gamesim.scenarios.bargaining_examples import _matches

    assert _matches([1.0, 2.0], [1.0, 2.0 + 1e-7], 1e-6, None)
    assert not _matches([1.0, 2.0], [1.0, 2.0 + 1e-5], 1e-6, None)
    assert _matches([0.92, 0.39], [0.9221, 0.3868], 1e-9, 2)          # 2-decimal rows: |diff| <= 5e-3
    assert not _matches([0.92, 0.39], [0.926, 0.39], 1e-9, 2)
    assert not _matches([1.0, 2.0], [1.0, 2.0, 3.0], 1.0, None)       # shapes differ
    assert _matches("b1, a2", "b1, a2", 0.0, None) and not _matches(True, False, 1.0, None)


# ---------------------------------------------------------------------------
# coco_threats
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def threats_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("threats")
    headline = get_scenario("coco_threats").run({}, seed=0, out_dir=out)
    return headline, out


def test_threats_default_headline(threats_run):
    h, _ = threats_run
    assert h["game"] == "Battle of the sexes"
    assert h["coco_slope_player1"] == pytest.approx(0.5, abs=1e-9)
    assert h["ce_fallback_max_shift"] <= 1e-9
    np.testing.assert_allclose(h["coco_without_threat"], [2.5, 2.5], atol=1e-9)
    np.testing.assert_allclose(h["coco_at_max_harm"], [2.5 + 10, 2.5 - 10], atol=1e-9)   # c / 2 at c = 20
    np.testing.assert_allclose(h["harsanyi_at_max_harm"], [3.0, 2.0], atol=1e-6)
    np.testing.assert_allclose(h["ce_fallback_without_threat"], [2.5, 2.5], atol=1e-7)


def test_threats_files(threats_run):
    h, out = threats_run
    assert is_png(out / "threat_sweep.png")
    df = pd.read_csv(out / "threat_sweep.csv")
    assert list(df.columns) == ["harm", "coco_1", "coco_2", "harsanyi_1", "harsanyi_2",
                                "ce_fallback_1", "ce_fallback_2"]
    np.testing.assert_allclose(df["harm"], np.linspace(0, 20, 21))
    upper = df[df["harm"] >= 10]
    np.testing.assert_allclose(upper["coco_1"], 2.5 + upper["harm"] / 2, atol=1e-9)
    np.testing.assert_allclose(upper["coco_2"], 2.5 - upper["harm"] / 2, atol=1e-9)
    # CoCo is efficient: the two values always sum to T = 5
    np.testing.assert_allclose(df["coco_1"] + df["coco_2"], 5.0, atol=1e-9)
    np.testing.assert_allclose(df[["ce_fallback_1", "ce_fallback_2"]], 2.5, atol=1e-7)
    np.testing.assert_allclose(df.iloc[-1][["coco_1", "coco_2"]], h["coco_at_max_harm"])
    np.testing.assert_allclose(df.iloc[-1][["harsanyi_1", "harsanyi_2"]], h["harsanyi_at_max_harm"])


@pytest.mark.parametrize("game, name", [("chicken", "Chicken"),
                                        ("prisoners_dilemma", "Prisoner's dilemma")])
def test_threats_other_games(game, name):
    h = get_scenario("coco_threats").run({"game": game}, seed=0, out_dir=None)
    assert h["game"].startswith(name)
    assert h["coco_slope_player1"] == pytest.approx(0.5, abs=1e-9)
    assert h["ce_fallback_max_shift"] <= 1e-9
    base = np.asarray(h["coco_without_threat"])
    np.testing.assert_allclose(h["coco_at_max_harm"], base + [10, -10], atol=1e-9)
    np.testing.assert_allclose(h["ce_fallback_without_threat"], [6.0, 6.0] if game == "chicken" else [3.0, 3.0],
                               atol=1e-7)


def test_threats_cli(tmp_path):
    out = tmp_path / "out"
    rc, stdout, stderr = call("run", "coco_threats", "--set", "game=chicken", "--set", "n=5",
                              "--set", "harm_max=40", "--out", out)
    assert rc == 0, stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["scenario"] == "coco_threats"
    assert s["parameters"] == {"game": "chicken", "own_payoff": 0.0, "harm_max": 40.0, "harm_min": 0.0, "n": 5}
    assert s["coco_slope_player1"] == pytest.approx(0.5, abs=1e-9)
    assert s["ce_fallback_max_shift"] <= 1e-9
    np.testing.assert_allclose(s["coco_at_max_harm"], [26.0, -14.0], atol=1e-9)
    assert is_png(out / "threat_sweep.png") and len(pd.read_csv(out / "threat_sweep.csv")) == 5
    assert "(theory: 0.5)" in stdout and "Chicken" in stdout


@pytest.mark.parametrize("overrides, pattern", [
    ({"harm_min": 5, "harm_max": 5}, r"^harm_min, harm_max: need harm_min < harm_max, got 5 >= 5$"),
    ({"harm_min": 30}, r"^harm_min, harm_max: need harm_min < harm_max"),
    ({"game": "nope"}, r"^game: must be one of battle_of_the_sexes, chicken, prisoners_dilemma, stag_hunt"),
    ({"game": "matching_pennies"}, r"^game: must be one of"),
    ({"harm_max": 0}, r"^harm_max: must be positive"),
    ({"harm_min": -1}, r"^harm_min: must be non-negative"),
    ({"n": 0}, r"^n: must be at least 4"),
    ({"n": 3}, r"^n: must be at least 4"),
    ({"own_payoff": "x"}, r"^own_payoff: expected a number"),
    ({"bogus": 1}, r"^unknown parameter 'bogus' for scenario coco_threats"),
])
def test_threats_bad_parameters(overrides, pattern):
    sc = get_scenario("coco_threats")
    with pytest.raises(ValueError, match=pattern) as info:
        sc.run(overrides, seed=0, out_dir=None)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("argv, field", [
    (("coco_threats", "--set", "harm_min=5", "--set", "harm_max=5"), "harm_min, harm_max"),
    (("coco_threats", "--set", "harm_min=25"), "harm_min, harm_max"),
    (("coco_threats", "--set", "game=nope"), "game"),
    (("coco_threats", "--set", "n=0"), "n"),
    (("bargaining_examples", "--set", "tolerance=0"), "tolerance"),
    (("bargaining_examples", "--set", "tolerance=abc"), "tolerance"),
])
def test_bad_parameters_on_the_command_line(tmp_path, argv, field):
    out = tmp_path / "out"
    rc, stdout, stderr = call("run", *argv, "--out", out)
    assert rc == 2
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"gamesim: error: {field}:")
    assert "Traceback" not in stderr and stdout == ""
    assert not out.exists()
