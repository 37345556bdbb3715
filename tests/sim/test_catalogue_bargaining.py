"""Catalogue games for bargaining: bargaining_game, public_goods_game, with_threat_action;
and the separable-game round trip to normal form (Treutlein's example 64)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gamesim.sim import catalogue as cat
from gamesim.sim.games import NormalFormGame
from gamesim.sim.separable import SeparableGame, treutlein_example_64

SETTINGS = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 3))


# ---------------------------------------------------------------------------
# bargaining_game
# ---------------------------------------------------------------------------
def check_bargaining_layout(g, P, d):
    P, d = np.asarray(P, dtype=float), np.asarray(d, dtype=float)
    K, n = P.shape
    assert g.n_players == n
    assert g.n_actions == (K + 1,) + (2,) * (n - 1)
    for profile in itertools.product(*(range(m) for m in g.n_actions)):
        proposal, answers = profile[0], profile[1:]
        if proposal < K and all(a == 0 for a in answers):
            expected = P[proposal]              # a proposal everybody accepts is carried out
        else:
            expected = d                        # the proposer's veto or any other veto: d
        np.testing.assert_array_equal(g.payoff_vector(profile), expected, err_msg=str(profile))


def test_bargaining_game_two_players():
    P = [[4, 4], [2, 5], [-4, 2], [5, 2], [3, 3], [-3, 2]]
    g = cat.bargaining_game(P, [-3, 2])
    assert g.n_actions == (7, 2)
    assert g.actions == (("o0", "o1", "o2", "o3", "o4", "o5", "veto"), ("accept", "veto"))
    assert g.name == "Bargaining over 6 outcomes"
    check_bargaining_layout(g, P, [-3, 2])
    np.testing.assert_array_equal(g.payoffs[0][:6, 0], [4, 2, -4, 5, 3, -3])
    np.testing.assert_array_equal(g.payoffs[:, 6, 0], [-3, 2])     # proposer vetoes
    np.testing.assert_array_equal(g.payoffs[:, 2, 1], [-3, 2])     # responder vetoes


def test_bargaining_game_three_players():
    P = [[3, 0, 0], [0, 3, 0], [0, 0, 3], [2, 2, 0], [1, 1, 1]]
    g = cat.bargaining_game(P, [0.5, -1, 0], name="P3")
    assert g.name == "P3"
    assert g.n_actions == (6, 2, 2)
    assert g.actions[1] == g.actions[2] == ("accept", "veto")
    check_bargaining_layout(g, P, [0.5, -1, 0])
    np.testing.assert_array_equal(g.payoff_vector((3, 0, 0)), [2, 2, 0])
    np.testing.assert_array_equal(g.payoff_vector((3, 0, 1)), [0.5, -1, 0])
    np.testing.assert_array_equal(g.payoff_vector((3, 1, 0)), [0.5, -1, 0])


@SETTINGS
@given(data=st.data())
def test_bargaining_game_layout_random(data):
    n = data.draw(st.integers(2, 4), label="n")
    K = data.draw(st.integers(1, 4), label="K")
    P = data.draw(st.lists(st.lists(finite, min_size=n, max_size=n), min_size=K, max_size=K), label="P")
    d = data.draw(st.lists(finite, min_size=n, max_size=n), label="d")
    g = cat.bargaining_game(P, d)
    check_bargaining_layout(g, P, d)


def test_bargaining_game_does_not_alias_its_inputs():
    P = np.array([[1.0, 2.0]])
    d = np.array([0.0, 0.0])
    g = cat.bargaining_game(P, d)
    P[0, 0] = 99.0
    d[0] = 99.0
    np.testing.assert_array_equal(g.payoff_vector((0, 0)), [1, 2])
    np.testing.assert_array_equal(g.payoff_vector((1, 0)), [0, 0])


@pytest.mark.parametrize("outcomes, disagreement, pattern", [
    ([1, 2], [0, 0], r"^outcomes: expected shape \(K, n\) with K >= 1 and n >= 2, got \(2,\)$"),
    ([[1], [2]], [0], r"^outcomes: expected shape \(K, n\)"),
    (np.zeros((0, 2)), [0, 0], r"^outcomes: expected shape \(K, n\) .*got \(0, 2\)$"),
    ([[1, np.nan]], [0, 0], r"^outcomes: contains NaN or infinite entries$"),
    ([[1, np.inf]], [0, 0], r"^outcomes: contains NaN or infinite entries$"),
    ([[1, 2]], [0, 0, 0], r"^disagreement: expected 2 finite numbers"),
    ([[1, 2]], [0], r"^disagreement: expected 2 finite numbers"),
    ([[1, 2]], [0, np.nan], r"^disagreement: expected 2 finite numbers"),
])
def test_bargaining_game_validation(outcomes, disagreement, pattern):
    with pytest.raises(ValueError, match=pattern):
        cat.bargaining_game(outcomes, disagreement)


# ---------------------------------------------------------------------------
# public_goods_game
# ---------------------------------------------------------------------------
def public_goods_by_hand(profile, cost, benefit, sabotage):
    """u_i = benefit * #C - cost [i plays C] - own_cost_i [i plays S] - sum_{j != i plays S} harm_j."""
    n = len(profile)
    contributors = sum(a == 0 for a in profile)
    u = []
    for i, a in enumerate(profile):
        v = benefit * contributors
        if a == 0:
            v -= cost
        if a == 2:
            v -= sabotage[i][0]
        v -= sum(sabotage[j][1] for j in range(n) if j != i and profile[j] == 2)
        u.append(v)
    return np.array(u)


def test_public_goods_three_players_every_profile():
    g = cat.public_goods_game(3)
    assert g.n_actions == (2, 2, 2)
    assert g.actions == (("C", "D"),) * 3
    assert g.name == "Public goods (n=3)"
    for profile in itertools.product(range(2), repeat=3):
        np.testing.assert_allclose(g.payoff_vector(profile), public_goods_by_hand(profile, 1.0, 2 / 3, {}),
                                   atol=1e-12, err_msg=str(profile))
    np.testing.assert_allclose(g.payoff_vector((0, 0, 0)), [1, 1, 1], atol=1e-12)
    np.testing.assert_allclose(g.payoff_vector((1, 1, 1)), [0, 0, 0], atol=1e-12)
    np.testing.assert_allclose(g.payoff_vector((0, 1, 1)), [-1 / 3, 2 / 3, 2 / 3], atol=1e-12)


def test_public_goods_with_sabotage_every_profile():
    sab = {2: (1.0, 2.0)}
    g = cat.public_goods_game(3, sabotage=sab)
    assert g.n_actions == (2, 2, 3)
    assert g.actions == (("C", "D"), ("C", "D"), ("C", "D", "S"))
    for profile in itertools.product(range(2), range(2), range(3)):
        np.testing.assert_allclose(g.payoff_vector(profile), public_goods_by_hand(profile, 1.0, 2 / 3, sab),
                                   atol=1e-12, err_msg=str(profile))
    # the documented example, and sabotage against two contributors
    np.testing.assert_allclose(g.payoff_vector((1, 1, 2)), [-2, -2, -1], atol=1e-12)
    np.testing.assert_allclose(g.payoff_vector((0, 0, 2)), [4 / 3 - 1 - 2, 4 / 3 - 1 - 2, 4 / 3 - 1], atol=1e-12)
    # the sub-game without S is the plain public goods game
    np.testing.assert_allclose(g.payoffs[:, :, :, :2], cat.public_goods_game(3).payoffs, atol=1e-12)


@SETTINGS
@given(data=st.data())
def test_public_goods_random_parameters(data):
    n = data.draw(st.integers(2, 4), label="n")
    cost = data.draw(st.floats(0, 5, allow_nan=False).map(lambda x: round(x, 3)), label="cost")
    benefit = data.draw(st.floats(0, 5, allow_nan=False).map(lambda x: round(x, 3)), label="benefit")
    saboteurs = data.draw(st.sets(st.integers(0, n - 1), max_size=2), label="saboteurs")
    sab = {i: (data.draw(finite), data.draw(finite)) for i in sorted(saboteurs)}
    g = cat.public_goods_game(n, cost=cost, benefit=benefit, sabotage=sab)
    m = tuple(3 if i in sab else 2 for i in range(n))
    assert g.n_actions == m
    for profile in itertools.product(*(range(k) for k in m)):
        np.testing.assert_allclose(g.payoff_vector(profile), public_goods_by_hand(profile, cost, benefit, sab),
                                   atol=1e-9, err_msg=str(profile))


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(n=1), r"^n: need an integer >= 2, got 1$"),
    (dict(n=2.5), r"^n: need an integer >= 2, got 2.5$"),
    (dict(n=0), r"^n: need an integer >= 2"),
    (dict(n=3, sabotage={3: (1, 2)}), r"^sabotage: player index 3 is not in 0..2$"),
    (dict(n=3, sabotage={-1: (1, 2)}), r"^sabotage: player index -1 is not in 0..2$"),
])
def test_public_goods_validation(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        cat.public_goods_game(**kwargs)


# ---------------------------------------------------------------------------
# with_threat_action
# ---------------------------------------------------------------------------
def test_with_threat_action_documented_example():
    base = cat.battle_of_the_sexes(3, 2)
    g = cat.with_threat_action(base, 0, own_payoff=-1, harm=10)
    assert g.n_actions == (3, 2)
    assert g.actions == (("B", "F", "threat"), ("B", "F"))
    assert g.name == "Battle of the sexes + threat"
    assert g.players == base.players
    np.testing.assert_array_equal(g.payoffs[:, :2, :], base.payoffs)
    for col in range(2):
        np.testing.assert_array_equal(g.payoff_vector((2, col)), [-1, -10])


def test_with_threat_action_for_the_column_player_and_a_name():
    base = cat.prisoners_dilemma()
    g = cat.with_threat_action(base, 1, own_payoff=0.5, harm=3, name="curse")
    assert g.n_actions == (2, 3)
    assert g.actions[1] == ("C", "D", "curse") and g.actions[0] == ("C", "D")
    assert g.name.endswith("+ curse")
    np.testing.assert_array_equal(g.payoffs[:, :, :2], base.payoffs)
    for row in range(2):
        np.testing.assert_array_equal(g.payoff_vector((row, 2)), [-3, 0.5])


def test_with_threat_action_does_not_change_the_base_game():
    base = cat.battle_of_the_sexes(3, 2)
    before = base.payoffs.copy()
    cat.with_threat_action(base, 0)
    np.testing.assert_array_equal(base.payoffs, before)
    assert base.n_actions == (2, 2)


@SETTINGS
@given(data=st.data())
def test_with_threat_action_random(data):
    shape = tuple(data.draw(st.lists(st.integers(1, 3), min_size=2, max_size=3), label="shape"))
    n = len(shape)
    values = data.draw(st.lists(finite, min_size=n * int(np.prod(shape)),
                                max_size=n * int(np.prod(shape))), label="payoffs")
    base = NormalFormGame(np.array(values).reshape((n,) + shape))
    player = data.draw(st.integers(0, n - 1), label="player")
    own, harm = data.draw(finite, label="own"), data.draw(finite, label="harm")
    g = cat.with_threat_action(base, player, own_payoff=own, harm=harm)
    expected_shape = list(shape)
    expected_shape[player] += 1
    assert g.n_actions == tuple(expected_shape)
    assert g.actions[player][:-1] == base.actions[player] and g.actions[player][-1] == "threat"
    # the original sub-tensor is kept
    keep = (slice(None),) + tuple(slice(0, m) for m in shape)
    np.testing.assert_array_equal(g.payoffs[keep], base.payoffs)
    # the new action: own_payoff to the player, -harm to everybody else, whatever they do
    new = np.take(g.payoffs, shape[player], axis=1 + player)
    for i in range(n):
        np.testing.assert_array_equal(new[i], own if i == player else -harm)


@pytest.mark.parametrize("player, own, harm, pattern", [
    (2, 0.0, 1.0, r"^player: must be an integer in 0..1, got 2$"),
    (-1, 0.0, 1.0, r"^player: must be an integer in 0..1, got -1$"),
    (0, np.nan, 1.0, r"^own_payoff: must be a finite number"),
    (0, 0.0, np.inf, r"^harm: must be a finite number"),
])
def test_with_threat_action_validation(player, own, harm, pattern):
    with pytest.raises(ValueError, match=pattern):
        cat.with_threat_action(cat.battle_of_the_sexes(), player, own_payoff=own, harm=harm)


def test_with_threat_action_twice_needs_distinct_names():
    once = cat.with_threat_action(cat.battle_of_the_sexes(3, 2), 0)
    twice = cat.with_threat_action(once, 0, harm=5, name="threat2")
    assert twice.n_actions == (4, 2)
    np.testing.assert_array_equal(twice.payoff_vector((3, 0)), [0, -5])
    with pytest.raises(ValueError, match=r"^actions\[0\]"):
        cat.with_threat_action(once, 0)


# ---------------------------------------------------------------------------
# SeparableGame.to_normal_form: Treutlein's example 64
# ---------------------------------------------------------------------------
def test_example_64_to_normal_form_is_the_sum_of_contributions():
    sg = treutlein_example_64()
    g = sg.to_normal_form()
    assert isinstance(g, NormalFormGame)
    assert g.n_actions == (3, 3, 3) == sg.n_options
    assert g.actions == sg.actions and g.players == sg.players and g.name == "Treutlein example 64"
    C = [np.asarray(c) for c in sg.contributions]
    for a in itertools.product(range(3), repeat=3):
        expected = C[0][a[0]] + C[1][a[1]] + C[2][a[2]]
        np.testing.assert_allclose(g.payoff_vector(a), expected, atol=1e-12, err_msg=str(a))
        np.testing.assert_allclose(sg.payoff(a), expected, atol=1e-12)
    # the table's landmarks
    np.testing.assert_allclose(g.payoff_vector((0, 0, 0)), [3, 3, 3])
    np.testing.assert_allclose(g.payoff_vector((1, 1, 0)), [5, 5, 3])


def test_example_64_round_trip():
    sg = treutlein_example_64()
    g = sg.to_normal_form()
    back = SeparableGame.from_normal_form(g)
    np.testing.assert_allclose(back.to_normal_form().payoffs, g.payoffs, atol=1e-12)
    assert back.to_normal_form() == g
    # option 0 contributes nothing to the other players, so even the decomposition is recovered
    assert back == sg


@SETTINGS
@given(data=st.data())
def test_separable_round_trip_random(data):
    n = data.draw(st.integers(1, 3), label="n")
    k = data.draw(st.lists(st.integers(1, 3), min_size=n, max_size=n), label="options")
    contributions = [data.draw(st.lists(st.lists(finite, min_size=n, max_size=n), min_size=kj, max_size=kj))
                     for kj in k]
    sg = SeparableGame(contributions)
    g = sg.to_normal_form()
    assert g.n_actions == tuple(k)
    for a in itertools.product(*(range(kj) for kj in k)):
        expected = sum(np.asarray(contributions[j][a[j]], dtype=float) for j in range(n))
        np.testing.assert_allclose(g.payoff_vector(a), expected, atol=1e-9)
    back = SeparableGame.from_normal_form(g)
    np.testing.assert_allclose(back.to_normal_form().payoffs, g.payoffs, atol=1e-9)
