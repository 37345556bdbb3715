"""The stochastic-game model (validation) and the vectorized transition engine."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from gamesim.sim.catalogue import prisoners_dilemma
from gamesim.sim.stochastic import StochasticGame, step


def random_game(rng, S, n, max_m=3):
    shapes = [tuple(int(x) for x in rng.integers(1, max_m + 1, size=n)) for _ in range(S)]
    rewards = [rng.integers(-5, 6, size=(n,) + m).astype(float) for m in shapes]
    transitions = [rng.dirichlet(np.ones(S), size=m) for m in shapes]
    return StochasticGame(rewards, transitions, 0.9), shapes


def reference_step(game, states, actions, u):
    """One match at a time, straight from the definition."""
    rewards = np.empty((game.n_players, len(states)))
    nxt = np.empty(len(states), dtype=int)
    for b, q in enumerate(states):
        a = tuple(int(actions[i, b]) for i in range(game.n_players))
        rewards[:, b] = game.rewards(q)[(slice(None),) + a]
        cum = np.cumsum(game.transitions(q)[a])
        nxt[b] = int(np.sum(u[b] >= cum[:-1]))
    return rewards, nxt


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), S=st.integers(1, 4), n=st.integers(1, 3), B=st.integers(1, 30))
def test_step_matches_the_per_match_reference(seed, S, n, B):
    rng = np.random.default_rng(seed)
    g, shapes = random_game(rng, S, n)
    states = rng.integers(0, S, size=B)
    actions = np.array([[rng.integers(0, shapes[q][i]) for q in states] for i in range(n)]).reshape(n, B)
    r, s = step(g, states, actions, np.random.default_rng(seed + 1))
    u = np.random.default_rng(seed + 1).random(B)
    r_ref, s_ref = reference_step(g, states, actions, u)
    np.testing.assert_array_equal(r, r_ref)
    if g.tables().deterministic_next is None:
        np.testing.assert_array_equal(s, s_ref)
    else:
        np.testing.assert_array_equal(s, [int(np.argmax(g.transitions(q)[tuple(actions[:, b])]))
                                          for b, q in enumerate(states)])


def test_step_samples_the_transition_law():
    P0 = np.zeros((2, 2, 3))
    P0[..., 0] = 0.2
    P0[..., 1] = 0.5
    P0[..., 2] = 0.3
    rew = [np.zeros((2, 2, 2)), np.zeros((2, 1, 1)), np.zeros((2, 1, 1))]
    tr = [P0, np.full((1, 1, 3), 1 / 3), np.full((1, 1, 3), 1 / 3)]
    g = StochasticGame(rew, tr, 0.9)
    B = 200_000
    _, s = step(g, np.zeros(B, int), np.zeros((2, B), int), np.random.default_rng(0))
    freq = np.bincount(s, minlength=3) / B
    np.testing.assert_allclose(freq, [0.2, 0.5, 0.3], atol=4 * np.sqrt(0.25 / B))


def test_step_is_seeded():
    rng = np.random.default_rng(3)
    g, shapes = random_game(rng, 3, 2)
    states = np.zeros(50, int)
    acts = np.zeros((2, 50), int)
    a = step(g, states, acts, np.random.default_rng(9))[1]
    b = step(g, states, acts, np.random.default_rng(9))[1]
    np.testing.assert_array_equal(a, b)


def test_one_million_matches_in_one_step():
    rng = np.random.default_rng(1)
    S, m = 10, (3, 3)
    g = StochasticGame([rng.normal(size=(2,) + m) for _ in range(S)],
                       [rng.dirichlet(np.ones(S), size=m) for _ in range(S)], 0.95)
    B = 1_000_000
    states = rng.integers(0, S, size=B)
    actions = rng.integers(0, 3, size=(2, B))
    r, s = step(g, states, actions, rng, check=False)
    assert r.shape == (2, B) and s.shape == (B,) and s.min() >= 0 and s.max() < S


def test_repeated_game_and_mdp_constructors():
    g = StochasticGame.repeated(prisoners_dilemma(), discount=0.9)
    assert g.n_states == 1 and g.n_actions(0) == (2, 2) and g.actions[0] == prisoners_dilemma().actions
    np.testing.assert_array_equal(g.stage_game(0).payoffs, prisoners_dilemma().payoffs)
    mdp = StochasticGame.mdp([[1.0, 2.0], [0.0]], [[[1.0, 0.0], [0.0, 1.0]], [[0.5, 0.5]]], 0.5)
    assert mdp.n_players == 1 and mdp.n_actions(0) == (2,) and mdp.n_actions(1) == (1,)


@pytest.mark.parametrize("kwargs, field", [
    (dict(rewards=[np.zeros((2, 2, 2))], transitions=[np.full((2, 2, 1), 0.5)]), "transitions"),
    (dict(rewards=[np.zeros((2, 2, 2))], transitions=[np.full((2, 3, 1), 1.0)]), "transitions"),
    (dict(rewards=[np.zeros((2, 2, 2))], transitions=[-np.ones((2, 2, 1))]), "transitions"),
    (dict(rewards=[np.zeros((2, 2))], transitions=[np.ones((2, 2, 1))]), "rewards"),
    (dict(rewards=[np.zeros((2, 2, 2))], transitions=[np.ones((2, 2, 1))], discount=1.0), "discount"),
    (dict(rewards=[np.zeros((2, 2, 2))], transitions=[np.ones((2, 2, 1))], initial=3), "initial"),
    (dict(rewards=[np.zeros((2, 2, 2))], transitions=[np.ones((2, 2, 1))], initial=[0.5]), "initial"),
    (dict(rewards=[np.zeros((2, 2, 2))], transitions=[np.ones((2, 2, 1))], states=["a", "b"]), "states"),
    (dict(rewards=[np.zeros((2, 2, 2))], transitions=[np.ones((2, 2, 1))], actions=[[["x"], ["y", "z"]]]),
     "actions"),
    (dict(rewards=[[[np.nan]]], transitions=[np.ones((1, 1))]), "rewards"),
])
def test_validation_names_the_field(kwargs, field):
    kwargs.setdefault("discount", 0.9)
    with pytest.raises(ValueError, match=field):
        StochasticGame(kwargs.pop("rewards"), kwargs.pop("transitions"), **kwargs)


def test_step_checks_its_input():
    g = StochasticGame.repeated(prisoners_dilemma(), discount=0.9)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="actions"):
        step(g, [0], [[2], [0]], rng)
    with pytest.raises(ValueError, match="states"):
        step(g, [1], [[0], [0]], rng)


def test_tiny_transition_probabilities_are_not_rounded_away():
    # Review regression: a row 1 - 5e-6 / 5e-6 used to be taken for deterministic.
    g = StochasticGame([np.zeros((1, 1)), np.zeros((1, 1))], [[[1 - 5e-6, 5e-6]], [[0.0, 1.0]]], 0.9)
    assert g.tables().deterministic_next is None
    B = 2_000_000
    _, s = step(g, np.zeros(B, int), np.zeros((1, B), int), np.random.default_rng(1))
    assert 0 < s.sum() < 40                                  # about 10 expected


@pytest.mark.parametrize("kwargs, message", [
    (dict(recovery="x"), "^recovery: expected a number, got 'x'$"),
    (dict(recovery=1.5), r"^recovery: must lie in \[0, 1\]"),
    (dict(restrained=0), "^restrained: must be finite and > 0"),
    (dict(greedy="2"), "^greedy: expected a number"),
    (dict(restrained=3.0, greedy=2.0), "^restrained, greedy: need 0 < restrained < greedy"),
    (dict(capacity=0), "^capacity"),
])
def test_commons_game_checks_its_parameters(kwargs, message):
    from gamesim.sim.stochastic import commons_game

    with pytest.raises(ValueError, match=message):
        commons_game(**kwargs)
