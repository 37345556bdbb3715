"""Convergence metrics against hand computations and slow references."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gamesim as gs
from gamesim.analysis.convergence import (
    convergence_metrics, convergence_trace, distance_to_nash, empirical_marginals, external_regret,
    joint_counts, log_checkpoints,
)
from gamesim.sim.games import NormalFormGame


def test_log_checkpoints():
    cps = log_checkpoints(10_000, n=50)
    assert cps[0] == 1 and cps[-1] == 10_000 and np.all(np.diff(cps) > 0)
    with pytest.raises(ValueError, match="^rounds:"):
        log_checkpoints(0)


def test_pd_all_cooperate_by_hand():
    g = gs.games.prisoners_dilemma()
    counts = np.array([[10.0, 0.0], [0.0, 0.0]])         # always (C, C)
    m = convergence_metrics(g, counts)
    assert [x[0].tolist() for x in m["marginals"]] == [[1, 0], [1, 0]]
    assert m["nash_conv"][0] == pytest.approx(4.0)       # each gains T - R = 2
    assert m["ce_violation"][0] == pytest.approx(2.0)
    assert m["external_regret"][0].tolist() == pytest.approx([2.0, 2.0])
    assert m["distance_to_nash"][0] == pytest.approx(4.0)  # |(1,0)-(0,1)|_1 for both players


def slow_external_regret(game, D):
    n = game.n_players
    out = []
    for i in range(n):
        realised = sum(D[a] * game.payoffs[(i,) + a] for a in itertools.product(*map(range, game.n_actions)))
        best = -np.inf
        for l in range(game.n_actions[i]):
            v = 0.0
            for a in itertools.product(*map(range, game.n_actions)):
                b = list(a)
                b[i] = l
                v += D[a] * game.payoffs[(i,) + tuple(b)]
            best = max(best, v)
        out.append(best - realised)
    return np.array(out)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 3), st.integers(0, 2**31))
def test_external_regret_matches_reference(n, seed):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(2, 4, size=n))
    g = NormalFormGame(rng.integers(-5, 6, size=(n, *shape)).astype(float))
    counts = rng.integers(0, 5, size=shape).astype(float)
    counts.flat[0] += 1
    D = counts / counts.sum()
    np.testing.assert_allclose(external_regret(g, counts)[0], slow_external_regret(g, D), atol=1e-12)
    marg = empirical_marginals(g, counts)
    for i in range(n):
        np.testing.assert_allclose(marg[i][0], D.sum(axis=tuple(j for j in range(n) if j != i)))


def test_history_counts_and_trace():
    g = gs.games.matching_pennies()
    # two runs: one alternating over all four outcomes, one stuck at (H, H)
    cycle = np.array([[0, 0], [1, 1], [0, 1], [1, 0]])
    h = np.stack([np.tile(cycle, (25, 1)), np.zeros((100, 2), int)], axis=1)   # (100, 2, 2)
    counts = joint_counts(g, h)
    assert counts[0].tolist() == [[25, 25], [25, 25]] and counts[1].tolist() == [[100, 0], [0, 0]]
    tr = convergence_trace(g, h, checkpoints=[4, 100])
    assert tr.rounds.tolist() == [4, 100]
    assert tr.nash_conv[:, 0].tolist() == pytest.approx([0.0, 0.0])
    assert tr.distance_to_nash[:, 0].tolist() == pytest.approx([0.0, 0.0])
    # (H, H) forever: the column player gains 2 by switching to T; distance 2 from uniform.
    assert tr.nash_conv[1, 1] == pytest.approx(2.0)
    assert tr.distance_to_nash[1, 1] == pytest.approx(2.0)
    with pytest.raises(ValueError, match="^checkpoints:"):
        convergence_trace(g, h, checkpoints=[0])
    with pytest.raises(ValueError, match="^history:"):
        convergence_trace(g, h[:, :, :1])


def test_distance_to_nearest_of_several_equilibria():
    g = gs.games.battle_of_the_sexes()
    # Close to the pure equilibrium (B, B): distance is measured to it, not to the others.
    d = distance_to_nash(g, [[0.9, 0.1], [0.95, 0.05]])
    assert d[0] == pytest.approx(0.2 + 0.1)
    with pytest.raises(ValueError, match="^game:"):
        distance_to_nash(NormalFormGame(np.zeros((3, 2, 2, 2))), [[1, 0]] * 3)
