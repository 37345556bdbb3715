"""The bargaining oracle: ``Oracle(method, ...).settle(game) -> Settlement``.

Expected numbers are those of KNOWN_RESULTS.md and ALGORITHMS.md (sections 1-5);
the Nash bargaining solutions that the notes do not list are recomputed here by a
brute-force search over the Pareto frontier, written independently of the library.

Treutlein's example 60 (player 1 = rows b1, b2; player 2 = columns a1, a2, a3) has
outcomes (4,4) (2,5) (-4,2) / (5,2) (3,3) (-3,2); its strict Pareto frontier is
(2,5) -- (4,4) -- (5,2), i.e. the edges x1 + 2 x2 = 12 and 2 x1 + x2 = 12.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gamesim.bargaining.feasible import feasible_set
from gamesim.bargaining.oracle import DISAGREEMENTS, METHODS, Oracle, Settlement
from gamesim.sim import catalogue as cat
from gamesim.sim.games import NormalFormGame

SETTINGS = settings(max_examples=15, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

G60_FRONTIER = np.array([[2.0, 5.0], [4.0, 4.0], [5.0, 2.0]])
TOL = 1e-7


# ---------------------------------------------------------------------------
# independent references
# ---------------------------------------------------------------------------
def brute_force_nbs(vertices, d, weights=(1.0, 1.0), num=20001):
    """argmax of sum_i w_i log(x_i - d_i) over a polygonal frontier, by a dense grid."""
    V = np.asarray(vertices, dtype=float)
    t = np.linspace(0.0, 1.0, num)[:, None]
    pts = np.vstack([V[k] + t * (V[k + 1] - V[k]) for k in range(len(V) - 1)])
    gain = pts - np.asarray(d, dtype=float)
    ok = np.all(gain > 0, axis=1)
    w = np.asarray(weights, dtype=float)
    obj = np.full(len(pts), -np.inf)
    obj[ok] = np.log(gain[ok]) @ w
    return pts[int(np.argmax(obj))]


def expected_payoffs(game, joint):
    return game.payoffs.reshape(game.n_players, -1) @ np.asarray(joint, dtype=float).ravel()


def assert_valid_joint(game, s: Settlement, atol=1e-7):
    j = np.asarray(s.joint)
    assert j.shape == game.n_actions
    assert np.all(j >= -1e-12)
    assert j.sum() == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_allclose(expected_payoffs(game, j), s.achieved, atol=atol)
    np.testing.assert_allclose(s.transfers, np.asarray(s.point) - np.asarray(s.achieved), atol=1e-12)


# ---------------------------------------------------------------------------
# shared games and settlements (Harsanyi settles are the slow part)
# ---------------------------------------------------------------------------
def bos_threat():
    return cat.with_threat_action(cat.battle_of_the_sexes(3, 2), 0, own_payoff=-1, harm=10)


def pg_sabotage():
    return cat.public_goods_game(3, sabotage={2: (1.0, 2.0)})


GAMES = {
    "g60": cat.treutlein_example_60,
    "bos": lambda: cat.battle_of_the_sexes(3, 2),
    "bos_threat": bos_threat,
    "chicken": lambda: cat.chicken(7, 6, 2, 0),
    "pd": cat.prisoners_dilemma,
    "pg_sabotage": pg_sabotage,
}

CONFIGS = {
    "nash": dict(method="nash"),
    "nash-threat": dict(method="nash", disagreement="threat"),
    "nash-minmax": dict(method="nash", disagreement="minmax"),
    "nash-ce": dict(method="nash", disagreement="ce"),
    "ks": dict(method="kalai-smorodinsky"),
    "ks-threat": dict(method="kalai-smorodinsky", disagreement="threat"),
    "egalitarian": dict(method="egalitarian"),
    "egalitarian-threat": dict(method="egalitarian", disagreement="threat"),
    "coco": dict(method="coco"),
    "harsanyi": dict(method="harsanyi"),
    "ce-fallback": dict(method="ce-fallback"),
    "ce-fallback-tu": dict(method="ce-fallback", transferable=True),
}


@pytest.fixture(scope="module")
def games():
    return {name: make() for name, make in GAMES.items()}


@pytest.fixture(scope="module")
def oracles():
    return {name: Oracle(**kw) for name, kw in CONFIGS.items()}


@pytest.fixture(scope="module")
def settle(games, oracles):
    """settle(game_name, config_name), memoised by the oracles' own caches."""
    def _settle(game_name, config):
        return oracles[config].settle(games[game_name])
    return _settle


# ---------------------------------------------------------------------------
# Treutlein's example 60
# ---------------------------------------------------------------------------
def test_example_60_coco_needs_transfers(games, settle):
    g = games["g60"]
    s = settle("g60", "coco")
    assert isinstance(s, Settlement) and s.method == "coco"
    np.testing.assert_allclose(s.point, [1.5, 6.5], atol=1e-9)
    # (1.5, 6.5) lies beyond the frontier edge x1 + 2 x2 = 12: 1.5 + 13 = 14.5 > 12
    assert s.point[0] + 2 * s.point[1] > 12 + 1e-6
    assert not feasible_set(g).contains(s.point)
    assert s.feasible is False
    assert_valid_joint(g, s)
    assert np.max(np.abs(s.transfers)) > 1e-6
    assert feasible_set(g).contains(s.achieved, tol=1e-7)
    np.testing.assert_allclose(s.weights, [0.5, 0.5])
    # the competitive threat pair is (b2, a3): d = (-3, 2)
    np.testing.assert_allclose(s.disagreement, [-3.0, 2.0], atol=1e-9)


def test_example_60_harsanyi_is_the_nash_threat_solution(games, settle):
    g = games["g60"]
    s = settle("g60", "harsanyi")
    np.testing.assert_allclose(s.point, [2.5, 4.75], atol=1e-7)
    np.testing.assert_allclose(s.disagreement, [-3.0, 2.0], atol=1e-7)
    np.testing.assert_allclose(s.weights, [1 / 3, 2 / 3], atol=1e-6)
    np.testing.assert_allclose(s.transfers, [0.0, 0.0], atol=1e-7)
    assert s.feasible is True
    assert_valid_joint(g, s)
    # the threats: b2 for player 1, a3 for player 2
    t1, t2 = s.disagreement_strategies
    np.testing.assert_allclose(t1, [0.0, 1.0], atol=1e-7)
    np.testing.assert_allclose(t2, [0.0, 0.0, 1.0], atol=1e-7)


def test_example_60_ce_fallback(games, settle):
    g = games["g60"]
    s = settle("g60", "ce-fallback")
    np.testing.assert_allclose(s.point, [4.0, 4.0], atol=1e-7)
    np.testing.assert_allclose(s.disagreement, [3.0, 3.0], atol=1e-7)
    assert s.feasible is True
    assert_valid_joint(g, s)
    # the unique correlated equilibrium is (b2, a2)
    expected = np.zeros((2, 3))
    expected[1, 1] = 1.0
    np.testing.assert_allclose(s.disagreement_joint, expected, atol=1e-7)
    tu = settle("g60", "ce-fallback-tu")
    np.testing.assert_allclose(tu.point, [4.0, 4.0], atol=1e-7)
    assert tu.feasible is True


def test_example_60_nash_from_the_threat_point(games, settle):
    s = settle("g60", "nash-threat")
    np.testing.assert_allclose(s.point, [2.5, 4.75], atol=1e-7)
    np.testing.assert_allclose(s.disagreement, [-3.0, 2.0], atol=1e-7)
    np.testing.assert_allclose(s.point, brute_force_nbs(G60_FRONTIER, [-3, 2]), atol=1e-3)
    np.testing.assert_allclose(s.transfers, 0.0, atol=1e-7)
    assert_valid_joint(games["g60"], s)


def test_example_60_nash_from_the_nash_equilibrium(games, settle):
    s = settle("g60", "nash")
    assert s.parameters["disagreement"] == "nash"
    np.testing.assert_allclose(s.disagreement, [3.0, 3.0], atol=1e-7)
    # By hand: on x1 + 2 x2 = 12 the unconstrained maximiser from (3, 3) is (4.5, 3.75), right
    # of the edge's end (4, 4); on 2 x1 + x2 = 12 it is (3.75, 4.5), left of the edge's start
    # (4, 4).  So the NBS is the vertex (4, 4).
    expected = brute_force_nbs(G60_FRONTIER, [3, 3])
    np.testing.assert_allclose(expected, [4.0, 4.0], atol=1e-3)
    np.testing.assert_allclose(s.point, [4.0, 4.0], atol=1e-7)
    assert_valid_joint(games["g60"], s)


@pytest.mark.parametrize("weights, expected", [
    ((1, 1), (2.5, 4.75)),
    ((3, 2), (3.6, 4.2)),     # inside the edge x1 + 2 x2 = 12: x1 = -3 + 0.6 * 11
    ((1, 2), (2.0, 5.0)),     # left end of the frontier
    ((2, 1), (4.0, 4.0)),     # the kink
])
def test_example_60_weighted_nbs_from_the_threat_point(games, weights, expected):
    s = Oracle("nash", disagreement="threat", weights=weights).settle(games["g60"])
    np.testing.assert_allclose(brute_force_nbs(G60_FRONTIER, [-3, 2], weights), expected, atol=1e-3)
    np.testing.assert_allclose(s.point, expected, atol=1e-7)
    assert s.parameters["bargaining_weights"] == list(map(float, weights))


def test_example_60_explicit_disagreement_vector(games):
    s = Oracle("nash", disagreement=[-3, 2]).settle(games["g60"])
    np.testing.assert_allclose(s.point, [2.5, 4.75], atol=1e-7)
    assert s.parameters["disagreement"] == [-3.0, 2.0]
    assert s.disagreement_strategies is None and s.disagreement_joint is None


def test_example_60_kalai_smorodinsky_and_egalitarian_by_hand(settle):
    # KS from (-3, 2): ideal point (5, 5); the ray (-3, 2) + t (8, 3) meets x1 + 2 x2 = 12 at t = 11/14
    np.testing.assert_allclose(settle("g60", "ks-threat").point, [23 / 7, 61 / 14], atol=1e-7)
    # egalitarian from (-3, 2): equal gains of 3 reach (0, 5) in the comprehensive hull; the
    # leximin refinement then raises player 1 to (2, 5)
    np.testing.assert_allclose(settle("g60", "egalitarian-threat").point, [2.0, 5.0], atol=1e-7)


KS_EG_CASES = [(g, c) for g in GAMES for c in ("ks", "egalitarian", "ks-threat", "egalitarian-threat")
               if not (g == "pg_sabotage" and c.endswith("threat"))]     # variable threats: 2 players


@pytest.mark.parametrize("game, config", KS_EG_CASES, ids=[f"{g}-{c}" for g, c in KS_EG_CASES])
def test_kalai_smorodinsky_and_egalitarian_are_feasible_and_dominate_d(games, settle, game, config):
    g = games[game]
    s = settle(game, config)
    assert feasible_set(g).contains(s.point, tol=1e-7)
    assert np.all(s.point >= s.disagreement - 1e-7)
    assert s.feasible is True
    np.testing.assert_allclose(s.transfers, 0.0, atol=1e-7)
    assert_valid_joint(g, s)


# ---------------------------------------------------------------------------
# threats: battle of the sexes + a torturizer action
# ---------------------------------------------------------------------------
def test_bos_threat_coco_rewards_the_threat(games, settle):
    s = settle("bos_threat", "coco")
    np.testing.assert_allclose(s.point, [7.0, -2.0], atol=1e-9)
    assert s.feasible is False
    np.testing.assert_allclose(settle("bos", "coco").point, [2.5, 2.5], atol=1e-9)
    assert_valid_joint(games["bos_threat"], s)


def test_bos_threat_ce_fallback_ignores_the_threat(games, settle):
    plain, threat = settle("bos", "ce-fallback"), settle("bos_threat", "ce-fallback")
    np.testing.assert_allclose(plain.point, [2.5, 2.5], atol=1e-7)
    np.testing.assert_allclose(threat.point, plain.point, atol=1e-9)
    np.testing.assert_allclose(threat.disagreement, plain.disagreement, atol=1e-9)
    # the dominated threat row is never recommended
    assert np.all(np.abs(threat.disagreement_joint[2]) <= 1e-9)
    assert np.all(np.abs(threat.joint[2]) <= 1e-9)
    assert_valid_joint(games["bos_threat"], threat)


def test_bos_threat_harsanyi_and_nash_threat_solution(games, settle):
    h = settle("bos_threat", "harsanyi")
    np.testing.assert_allclose(h.point, [3.0, 2.0], atol=1e-6)
    assert h.feasible is True
    assert_valid_joint(games["bos_threat"], h)
    np.testing.assert_allclose(settle("bos_threat", "nash-threat").point, [3.0, 2.0], atol=1e-6)


# ---------------------------------------------------------------------------
# chicken and the prisoner's dilemma
# ---------------------------------------------------------------------------
def test_chicken_ce_fallback(games, settle):
    s = settle("chicken", "ce-fallback")
    np.testing.assert_allclose(s.point, [6.0, 6.0], atol=1e-7)
    np.testing.assert_allclose(s.disagreement, [5.25, 5.25], atol=1e-7)
    assert s.parameters["transferable"] is False
    tu = settle("chicken", "ce-fallback-tu")
    np.testing.assert_allclose(tu.point, [6.0, 6.0], atol=1e-7)
    assert tu.feasible is True and tu.parameters["transferable"] is True
    np.testing.assert_allclose(tu.weights, [0.5, 0.5])
    for s_ in (s, tu):
        assert_valid_joint(games["chicken"], s_)


def test_prisoners_dilemma_known_values(games, settle):
    np.testing.assert_allclose(settle("pd", "coco").point, [3.0, 3.0], atol=1e-9)
    np.testing.assert_allclose(settle("pd", "harsanyi").point, [3.0, 3.0], atol=1e-6)
    fb = settle("pd", "ce-fallback")
    # the only correlated equilibrium is (D, D): d = (1, 1); the NTU NBS from it is (3, 3)
    np.testing.assert_allclose(fb.disagreement, [1.0, 1.0], atol=1e-7)
    np.testing.assert_allclose(fb.disagreement_joint, [[0, 0], [0, 1]], atol=1e-7)
    np.testing.assert_allclose(fb.point, [3.0, 3.0], atol=1e-7)


@pytest.mark.parametrize("config", list(CONFIGS))
def test_prisoners_dilemma_every_method_settles_on_mutual_cooperation(games, settle, config):
    s = settle("pd", config)
    np.testing.assert_allclose(s.point, [3.0, 3.0], atol=1e-6)
    np.testing.assert_allclose(s.achieved, [3.0, 3.0], atol=1e-6)
    assert s.feasible is True
    np.testing.assert_allclose(s.joint, [[1, 0], [0, 0]], atol=1e-6)


# ---------------------------------------------------------------------------
# three players: public goods with a sabotage action
# ---------------------------------------------------------------------------
def test_public_goods_sabotage_coco(games, settle):
    g = games["pg_sabotage"]
    s = settle("pg_sabotage", "coco")
    np.testing.assert_allclose(s.point, [0.5, 0.5, 2.0], atol=1e-9)
    assert s.point.sum() == pytest.approx(3.0)          # T = 3, everybody contributes
    assert s.feasible is False
    assert not feasible_set(g).contains(s.point)
    assert_valid_joint(g, s)
    np.testing.assert_allclose(s.weights, [1 / 3] * 3)


def test_public_goods_sabotage_harsanyi(games, settle):
    g = games["pg_sabotage"]
    s = settle("pg_sabotage", "harsanyi")
    np.testing.assert_allclose(s.point, [1.0, 1.0, 1.0], atol=1e-6)
    assert s.feasible is True
    np.testing.assert_allclose(s.transfers, 0.0, atol=1e-6)
    # the threat shows up only in the virtual prices (ALGORITHMS section 4)
    np.testing.assert_allclose(s.weights, [0.2414, 0.2414, 0.5172], atol=1e-3)
    assert_valid_joint(g, s, atol=1e-6)
    assert len(s.disagreement_strategies) == 3 and s.disagreement.shape == (3,)


def test_public_goods_sabotage_other_methods(games, settle):
    for config in ("nash", "ce-fallback", "nash-ce", "nash-minmax"):
        s = settle("pg_sabotage", config)
        np.testing.assert_allclose(s.point, [1.0, 1.0, 1.0], atol=1e-6)
        assert_valid_joint(games["pg_sabotage"], s, atol=1e-6)


# ---------------------------------------------------------------------------
# the joint strategies and the other Settlement fields
# ---------------------------------------------------------------------------
ALL_CASES = [(g, c) for g in GAMES for c in CONFIGS
             if not (g == "pg_sabotage" and c.endswith("threat"))]


@pytest.mark.parametrize("game, config", ALL_CASES, ids=[f"{g}-{c}" for g, c in ALL_CASES])
def test_joint_strategy_carries_out_the_settlement(games, settle, game, config):
    g = games[game]
    s = settle(game, config)
    n = g.n_players
    assert_valid_joint(g, s, atol=1e-6)
    for field in ("point", "achieved", "transfers", "disagreement"):
        arr = getattr(s, field)
        assert arr.shape == (n,) and np.all(np.isfinite(arr))
        assert not arr.flags.writeable, field
    if s.feasible:
        np.testing.assert_allclose(s.point, s.achieved, atol=1e-6)
    if s.weights is not None:
        assert s.weights.shape == (n,) and np.all(s.weights >= -1e-12)
    if s.disagreement_joint is not None:
        dj = s.disagreement_joint
        assert dj.shape == g.n_actions and dj.sum() == pytest.approx(1.0) and np.all(dj >= -1e-12)
    if s.disagreement_strategies is not None:
        assert len(s.disagreement_strategies) == n
        for i, strat in enumerate(s.disagreement_strategies):
            assert strat.shape == (g.n_actions[i],) and strat.sum() == pytest.approx(1.0)
    assert s.parameters["method"] == s.method == Oracle(**CONFIGS[config]).method


def test_settlement_is_immutable(settle):
    s = settle("g60", "coco")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.point = np.zeros(2)
    with pytest.raises(ValueError):
        s.joint[0, 0] = 1.0


@SETTINGS
@given(data=st.data())
def test_random_games_settlements_are_consistent(data):
    shape = data.draw(st.sampled_from([(2, 2), (2, 3), (3, 2)]), label="shape")
    values = data.draw(st.lists(st.integers(-5, 5), min_size=2 * shape[0] * shape[1],
                                max_size=2 * shape[0] * shape[1]), label="payoffs")
    g = NormalFormGame(np.array(values, dtype=float).reshape((2,) + shape))
    F = feasible_set(g)
    T = float(g.payoffs.sum(axis=0).max())
    for method in METHODS:
        s = Oracle(method).settle(g)
        assert_valid_joint(g, s, atol=1e-6)
        if method == "coco":
            assert s.point.sum() == pytest.approx(T, abs=1e-7)
            assert s.feasible == F.contains(s.point, tol=1e-7)
            continue
        # every other method settles inside F without transfers
        assert s.feasible is True
        np.testing.assert_allclose(s.transfers, 0.0, atol=1e-6)
        assert F.contains(s.point, tol=1e-6)
        if method in ("nash", "kalai-smorodinsky", "egalitarian", "ce-fallback"):
            assert np.all(s.point >= s.disagreement - 1e-6)


# ---------------------------------------------------------------------------
# caching
# ---------------------------------------------------------------------------
def test_equal_games_share_one_settlement():
    o = Oracle("coco")
    s1 = o.settle(cat.treutlein_example_60())
    s2 = o.settle(cat.treutlein_example_60())
    assert s1 is s2
    # the key is the payoff tensor: names do not matter
    renamed = NormalFormGame(cat.treutlein_example_60().payoffs, name="renamed")
    assert o.settle(renamed) is s1


def test_different_games_get_different_settlements():
    o = Oracle("coco")
    s1 = o.settle(cat.treutlein_example_60())
    s2 = o.settle(cat.prisoners_dilemma())
    assert s2 is not s1
    np.testing.assert_allclose(s2.point, [3.0, 3.0])
    # a different payoff anywhere is a different game
    p = cat.prisoners_dilemma().payoffs.copy()
    p[0, 1, 1] += 0.5
    assert o.settle(NormalFormGame(p)) is not s2


def test_oracles_do_not_share_a_cache():
    g = cat.prisoners_dilemma()
    assert Oracle("coco").settle(g) is not Oracle("coco").settle(g)


def test_lru_drops_the_least_recently_used():
    o = Oracle("coco", cache_size=2)
    a, b, c = cat.prisoners_dilemma(), cat.battle_of_the_sexes(3, 2), cat.chicken()
    sa, sb = o.settle(a), o.settle(b)
    assert o.settle(a) is sa                 # hit: a becomes the most recent
    sc = o.settle(c)                         # evicts b, the least recently used
    assert o.settle(a) is sa
    assert o.settle(c) is sc
    sb2 = o.settle(b)                        # recomputed ...
    assert sb2 is not sb
    np.testing.assert_allclose(sb2.point, sb.point)
    assert o.settle(a) is not sa             # ... and that evicted a (c was used after a)
    assert o.settle(b) is sb2


def test_cache_size_one():
    o = Oracle("harsanyi", cache_size=1)
    a, b = cat.prisoners_dilemma(), cat.chicken()
    sa = o.settle(a)
    assert o.settle(a) is sa
    o.settle(b)
    assert o.settle(a) is not sa


# ---------------------------------------------------------------------------
# options and errors
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("alias, method", [
    ("ks", "kalai-smorodinsky"), ("KS", "kalai-smorodinsky"), ("kalai_smorodinsky", "kalai-smorodinsky"),
    ("nbs", "nash"), ("ce_fallback", "ce-fallback"), ("cefallback", "ce-fallback"),
    (" Harsanyi ", "harsanyi"), ("CoCo", "coco"),
])
def test_method_aliases(alias, method):
    o = Oracle(alias)
    assert o.method == method
    assert repr(o).startswith(f"Oracle(method={method!r}")


def test_constants():
    assert METHODS == ("nash", "kalai-smorodinsky", "egalitarian", "coco", "harsanyi", "ce-fallback")
    assert DISAGREEMENTS == ("nash", "minmax", "threat", "ce")


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(method="bogus"), r"^method: expected one of nash, kalai-smorodinsky, .*got 'bogus'$"),
    (dict(method="nash", disagreement="bogus"), r"^disagreement: expected one of nash, minmax, threat, ce"),
    (dict(method="nash", disagreement=[np.nan, 1.0]), r"^disagreement: a payoff vector must be 1-D and finite"),
    (dict(method="nash", disagreement=[[1.0, 2.0]]), r"^disagreement: a payoff vector must be 1-D"),
    (dict(method="nash", disagreement=None), r"^disagreement: "),
    (dict(method="coco", weights=[1, 1]), r"^weights: only the 'nash' method takes bargaining weights, not 'coco'$"),
    (dict(method="ks", weights=[1, 1]), r"^weights: .*not 'kalai-smorodinsky'$"),
    (dict(method="nash", transferable=True), r"^transferable: only the 'ce-fallback' method takes it, not 'nash'$"),
    (dict(method="harsanyi", transferable=True), r"^transferable: .*not 'harsanyi'$"),
    (dict(method="nash", cache_size=0), r"^cache_size: must be a positive integer, got 0$"),
    (dict(method="nash", cache_size=2.5), r"^cache_size: must be a positive integer"),
])
def test_bad_options_raise_naming_the_field(kwargs, pattern):
    method = kwargs.pop("method")
    with pytest.raises(ValueError, match=pattern) as info:
        Oracle(method, **kwargs)
    assert "\n" not in str(info.value)


def test_disagreement_vector_of_the_wrong_length_fails_at_settle_time():
    o = Oracle("nash", disagreement=[0.0, 0.0, 0.0])         # fine until a game is given
    with pytest.raises(ValueError, match=r"^disagreement: expected 2 payoffs for this game, got 3$"):
        o.settle(cat.treutlein_example_60())
    # ... and the same oracle serves a three-player game
    s = o.settle(cat.public_goods_game(3))
    np.testing.assert_allclose(s.point, [1.0, 1.0, 1.0], atol=1e-6)


def test_weights_of_the_wrong_length_fail_at_settle_time():
    with pytest.raises(ValueError, match=r"^weights: "):
        Oracle("nash", weights=[1, 2, 3]).settle(cat.treutlein_example_60())
    with pytest.raises(ValueError, match=r"^weights: "):
        Oracle("nash", weights=[0, 1]).settle(cat.treutlein_example_60())


def test_settle_rejects_a_non_game():
    with pytest.raises(ValueError, match=r"^game: expected a NormalFormGame"):
        Oracle("coco").settle(np.zeros((2, 2, 2)))


def test_threat_disagreement_needs_two_players():
    with pytest.raises(ValueError, match=r"^game: .*two-player"):
        Oracle("nash", disagreement="threat").settle(cat.public_goods_game(3))


def test_no_strict_improvement_returns_the_disagreement_outcome():
    # matching pennies: F is the segment from (1, -1) to (-1, 1); nothing improves on (0, 0)
    g = cat.matching_pennies()
    s = Oracle("nash").settle(g)
    np.testing.assert_allclose(s.point, [0.0, 0.0], atol=1e-9)
    assert s.parameters.get("note") == "no point strictly improves on d"
    assert s.weights is None and s.feasible is True
    np.testing.assert_allclose(s.joint, np.full((2, 2), 0.25), atol=1e-9)
    assert_valid_joint(g, s)


# ---------------------------------------------------------------------------
# regressions: bugs found by review, fixed
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("disagreement, game", [
    ([-4.0, 5.0], cat.treutlein_example_60()),
    ("minmax", NormalFormGame.from_bimatrix([[-3, -2, 4], [-3, -2, 5]], [[2, 3, -4], [0, 3, -3]])),
], ids=["explicit-d", "minmax-d"])
def test_regression_nash_fallback_point_outside_F_claims_feasible(disagreement, game):
    s = Oracle("nash", disagreement=disagreement).settle(game)
    # the settlement must be consistent: a feasible settlement needs no transfers ...
    if s.feasible:
        np.testing.assert_allclose(s.transfers, 0.0, atol=1e-7)
    # ... and bargaining never leaves a player below the disagreement point
    assert np.all(s.achieved >= s.disagreement - 1e-7)


def test_regression_ce_fallback_runtime_error_on_a_three_player_game():
    U = [[[[0, -5], [4, 5]], [[-2, 0], [0, 3]]],
         [[[-5, 0], [4, 1]], [[1, -5], [5, -3]]],
         [[[-2, 2], [0, 1]], [[1, -4], [-5, 5]]]]
    g = NormalFormGame(np.array(U, dtype=float))
    s = Oracle("ce-fallback").settle(g)
    assert np.all(s.point >= s.disagreement - 1e-7)


def test_regression_coco_transfers_are_not_balanced(settle):
    s = settle("g60", "coco")
    assert s.transfers.sum() == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(s.achieved, [4.0, 4.0], atol=1e-9)
