"""The payoff engine against plain-Python references on random games (hypothesis)."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gamesim as gs
from gamesim.sim import engine
from gamesim.sim.games import NormalFormGame


@st.composite
def games(draw, max_players=4, max_actions=4):
    n = draw(st.integers(1, max_players))
    shape = tuple(draw(st.integers(1, max_actions)) for _ in range(n))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    return NormalFormGame(rng.integers(-9, 10, size=(n, *shape)).astype(float)), rng


def ref_play(game, actions):
    out = np.empty((game.n_players, len(actions[0])))
    for k in range(len(actions[0])):
        profile = tuple(int(actions[i][k]) for i in range(game.n_players))
        for i in range(game.n_players):
            out[i, k] = game.payoffs[(i,) + profile]
    return out


def ref_expected(game, xs):
    out = np.zeros(game.n_players)
    for profile in itertools.product(*(range(m) for m in game.n_actions)):
        prob = 1.0
        for j, a in enumerate(profile):
            prob *= xs[j][a]
        for i in range(game.n_players):
            out[i] += prob * game.payoffs[(i,) + profile]
    return out


def random_mixed(rng, m):
    x = rng.random(m) ** 3      # skewed, often near-pure: not the uniform start
    return x / x.sum()


@settings(max_examples=60, deadline=None)
@given(games(), st.integers(1, 30))
def test_play_matches_reference(game_rng, batch):
    game, rng = game_rng
    actions = np.stack([rng.integers(0, m, size=batch) for m in game.n_actions])
    np.testing.assert_array_equal(engine.play(game, actions), ref_play(game, actions))


@settings(max_examples=60, deadline=None)
@given(games(), st.integers(1, 6))
def test_expected_payoffs_and_action_values_match_reference(game_rng, batch):
    game, rng = game_rng
    profiles = [[random_mixed(rng, m) for m in game.n_actions] for _ in range(batch)]
    batched = [np.stack([p[j] for p in profiles]) for j in range(game.n_players)]
    got = engine.expected_payoffs(game, batched)
    want = np.stack([ref_expected(game, p) for p in profiles], axis=1)
    np.testing.assert_allclose(got, want, atol=1e-9)
    for i in range(game.n_players):
        vals = engine.action_values(game, i, batched)
        for k, p in enumerate(profiles):
            for a in range(game.n_actions[i]):
                pure = list(p)
                pure[i] = np.eye(game.n_actions[i])[a]
                assert vals[k, a] == pytest.approx(ref_expected(game, pure)[i], abs=1e-9)


def test_single_profile_shapes():
    g = gs.games.prisoners_dilemma()
    assert engine.expected_payoffs(g, [[1, 0], [0, 1]]).tolist() == [0.0, 5.0]
    assert engine.action_values(g, 0, [None, [1, 0]]).tolist() == [3.0, 5.0]
    assert engine.play(g, [1, 0]).tolist() == [[5.0], [0.0]]


@pytest.mark.parametrize(
    "actions, match",
    [
        ([[0, 1, 2], [0, 0, 0]], r"^actions\[0\]: action 2 out of range"),
        ([[0, -1], [0, 0]], r"^actions\[0\]: action -1 out of range"),
        ([[0, 1]], r"^actions: expected shape"),
        ([[0.5, 1], [0, 0]], r"^actions: expected integer"),
    ],
)
def test_play_rejects_bad_actions(actions, match):
    with pytest.raises(ValueError, match=match):
        engine.play(gs.games.prisoners_dilemma(), actions)


@pytest.mark.parametrize(
    "mixed, match",
    [
        ([[0.5, 0.5]], r"^mixed: 1 strategies given for 2 players"),
        ([[0.5, 0.6], [1, 0]], r"^mixed\[0\]: probabilities must sum to 1"),
        ([[1.5, -0.5], [1, 0]], r"^mixed\[0\]: probabilities must be finite and non-negative"),
        ([[1, 0, 0], [1, 0]], r"^mixed\[0\]: expected 2 probabilities"),
        ([[[1, 0]] * 3, [[1, 0]] * 2], r"^mixed: batch sizes differ"),
    ],
)
def test_expected_payoffs_rejects_bad_mixed(mixed, match):
    with pytest.raises(ValueError, match=match):
        engine.expected_payoffs(gs.games.prisoners_dilemma(), mixed)
