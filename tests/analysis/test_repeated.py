"""Repeated-game analysis: grim trigger thresholds and the folk theorem (course notes)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gamesim as gs
from gamesim.analysis import grim_trigger_threshold, is_enforceable, is_feasible, minmax_values
from gamesim.agents import Defector, GrimTrigger
from gamesim.sim import Environment


def test_notes_thresholds():
    # Notes, "Discounted Repeated Games": delta >= 1/2 for T=5 and delta >= 7/9 for T=10.
    assert grim_trigger_threshold(gs.games.prisoners_dilemma(3, 0, 5, 1)).delta == pytest.approx(0.5)
    assert grim_trigger_threshold(gs.games.prisoners_dilemma(3, 0, 10, 1)).delta == pytest.approx(7 / 9)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(-20, 20), min_size=4, max_size=4, unique=True))
def test_pd_threshold_formula(values):
    S, P, R, T = sorted(values)
    g = gs.games.prisoners_dilemma(R=R, S=S, T=T, P=P)
    assert grim_trigger_threshold(g).delta == pytest.approx((T - R) / (T - P))


def test_threshold_matches_simulated_discounted_payoffs():
    # Cooperating forever vs the best one-shot deviation (defect in round 0, then
    # punished forever) against grim trigger, by simulation with discounting.
    g = gs.games.prisoners_dilemma(3, 0, 5, 1)
    delta_star = grim_trigger_threshold(g).delta
    for delta in (0.3, 0.45, 0.55, 0.8):
        coop = Environment(g, {GrimTrigger(): 2}, rounds=400, discount=delta, self_play=False).run()
        dev = Environment(g, [Defector(), GrimTrigger()], rounds=400, discount=delta, self_play=False).run()
        sustained = coop.discounted_payoff[0] >= dev.discounted_payoff[0]
        assert sustained == (delta >= delta_star)


def test_general_game_threshold_uses_minmax():
    # Chicken (7, 6, 2, 0): agreed (Chicken, Chicken) = 6 each; best deviation Dare = 7;
    # minmax value 2 (the partner dares).  delta* = (7 - 6) / (7 - 2) = 1/5.
    t = grim_trigger_threshold(gs.games.chicken())
    assert t.agreed == (1, 1)
    assert t.punishment_payoff.tolist() == pytest.approx([2, 2])
    assert t.delta == pytest.approx(0.2)
    assert t.sustains(0.2) and not t.sustains(0.19)


def test_unsustainable_and_free_profiles():
    # An agreed profile below a player's minmax value can never be sustained ...
    g = gs.games.prisoners_dilemma()
    t = grim_trigger_threshold(g, agreed=("C", "D"))
    assert t.delta == np.inf
    # ... and a Nash equilibrium needs no patience at all.
    assert grim_trigger_threshold(g, agreed=("D", "D")).delta == 0.0
    with pytest.raises(ValueError, match="^agreed:"):
        grim_trigger_threshold(g, agreed=(0,))
    with pytest.raises(ValueError, match="^action:"):
        grim_trigger_threshold(g, agreed=("C", "X"))


def test_folk_theorem_example():
    # Notes: in (2,0),(0,0)/(0,0),(0,2) the payoff (1,1) is feasible and enforceable;
    # (2,2) is not feasible.
    g = gs.games.folk_theorem_game()
    assert is_feasible(g, [1, 1]) and is_enforceable(g, [1, 1])
    assert not is_feasible(g, [2, 2])
    with pytest.raises(ValueError, match="^payoff:"):
        is_feasible(g, [1, 1, 1])


def test_pd_minmax_is_punishment_payoff():
    for R, S, T, P in [(3, 0, 5, 1), (4, -1, 7, 2)]:
        np.testing.assert_allclose(minmax_values(gs.games.prisoners_dilemma(R, S, T, P)).values, [P, P])
