"""ECL Bayesian games (Treutlein 2023, section 4): example 35, proposition 36, equations (9), (41), (49)."""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamesim.sim.ecl import MAX_PROFILES, ECLBayesianGame, treutlein_example_35

FAST = settings(max_examples=40, deadline=None)


# ---------------------------------------------------------------------------
# random small games
# ---------------------------------------------------------------------------
@st.composite
def small_games(draw, max_types=3, max_actions=3, max_players=3, correlated=None):
    m = draw(st.integers(1, max_types))
    K = draw(st.integers(1, max_actions))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    C = rng.integers(-3, 4, size=(m, m, K)).astype(float)      # small integers: ties happen
    corr = draw(st.booleans()) if correlated is None else correlated
    if corr:
        # An anonymous two-player prior: a symmetric joint distribution over type pairs.
        A = rng.random((m, m)) + 0.05
        J = (A + A.T) / (A + A.T).sum()
        prior = J.sum(axis=1)
        game = ECLBayesianGame(C, J / prior[:, None], 2)          # default prior: stationary
        assert np.allclose(game.prior, prior)
        return game
    n = draw(st.integers(1, max_players))
    p = rng.random(m) + 0.05
    return ECLBayesianGame.independent(C, p / p.sum(), n)


def brute_force_eu(game: ECLBayesianGame, strategy: np.ndarray) -> np.ndarray:
    """Ex-interim EU of player 0 of each type from the explicit Bayesian game (definition 20).

    ``strategy`` is (m, K): every player of type t plays strategy[t] independently.
    Sums over every type profile and every joint action, weighting by p(t_-0 | t_0).
    """
    U, joint = game.bayesian_payoffs()
    n, m, K = game.n_players, game.n_types, game.n_actions
    out = np.zeros(m)
    for t in range(m):
        total, mass = 0.0, 0.0
        for ts in itertools.product(range(m), repeat=n - 1):
            types = (t,) + ts
            pt = joint[types]
            mass += pt
            for acts in itertools.product(range(K), repeat=n):
                pa = math.prod(strategy[types[j], acts[j]] for j in range(n))
                if pa:
                    total += pt * pa * U[(0,) + types + acts]
        out[t] = total / mass
    return out


# ---------------------------------------------------------------------------
# Example 35 (Table 4)
# ---------------------------------------------------------------------------
def test_example_35_two_players():
    g = treutlein_example_35(n_players=2)
    bne = g.bayesian_nash_profile()
    assert bne.profile == (1, 1) and bne.unique            # everyone plays action 2
    np.testing.assert_allclose(g.expected_utility(bne.profile), [4.5, 4.5])
    assert g.bayesian_nash_equilibria() == [(1, 1)]
    # Cooperation (action 1 for both types) gives 2 + 0.5*2 + 0.5*2 = 4 < 4.5.
    np.testing.assert_allclose(g.expected_utility([0, 0]), [4.0, 4.0])
    check = g.cooperation_is_dependency_equilibrium([0, 0])
    assert not check and check.equation == "(41)"
    np.testing.assert_allclose(check.gains, [-0.5, -0.5])
    assert not check.by_type.any()


def test_example_35_ten_players():
    g = treutlein_example_35(n_players=10)
    np.testing.assert_allclose(g.expected_utility([1, 1]), [16.5, 16.5])   # 3 + 9 * 1.5
    np.testing.assert_allclose(g.expected_utility([0, 0]), [20.0, 20.0])   # 2 + 9 * 2
    check = g.cooperation_is_dependency_equilibrium([0, 0])
    assert check.holds and check.by_type.all()
    np.testing.assert_allclose(check.gains, [3.5, 3.5])


def test_example_35_threshold_n():
    # Equation (41) for alpha = (1, 1) (index 0), beta = (2, 2) (index 1), type 1:
    #   u_11(1) - u_11(2) + (n-1) [p(1|1)(u_11(1) - u_11(2)) + p(2|1)(u_21(1) - u_21(2))]
    #   = (2 - 3) + (n-1) [0.5 (2 - 3) + 0.5 (2 - 0)] = -1 + (n-1)/2 = (n-3)/2,
    # and the same for type 2 by symmetry: it holds iff n >= 3 (with equality at n = 3).
    holds = {n: treutlein_example_35(n).cooperation_is_dependency_equilibrium([0, 0]).holds for n in range(1, 12)}
    assert min(n for n, h in holds.items() if h) == 3
    assert all(holds[n] == (n >= 3) for n in holds)
    for n in range(1, 12):
        np.testing.assert_allclose(treutlein_example_35(n).gains_from_trade([0, 0]), [(n - 3) / 2] * 2)
    # At n = 3 the gain is exactly zero: weakly a Pareto improvement, so no strict
    # compromise exists yet; from n = 4 the compromise is cooperation.
    assert treutlein_example_35(3).compromise_profile().method == "disagreement"
    assert treutlein_example_35(4).compromise_profile().profile == (0, 0)


def test_example_35_full_bayesian_game():
    g = treutlein_example_35(2)
    U, p = g.bayesian_payoffs()
    assert U.shape == (2, 2, 2, 2, 2)
    np.testing.assert_allclose(p, 0.25)
    # Types (1, 2): player 1 cooperates, player 2 defects: player 1 gets 2 + 0, player 2 gets 2 + 3.
    np.testing.assert_allclose(U[:, 0, 1, 0, 1], [2.0, 5.0])


# ---------------------------------------------------------------------------
# proposition 36, equation (9): vectorized against the explicit Bayesian game
# ---------------------------------------------------------------------------
@FAST
@given(small_games())
def test_bne_maximises_own_contribution(game):
    own = game.contributions[np.arange(game.n_types), np.arange(game.n_types)]
    bne = game.bayesian_nash_profile()
    for t, a in enumerate(bne.profile):
        assert own[t, a] == own[t].max()
        assert a == int(np.argmax(own[t]))                        # lowest index among ties
    assert bne.unique == all((own[t] == own[t].max()).sum() == 1 for t in range(game.n_types))
    eqs = game.bayesian_nash_equilibria()
    assert bne.profile in eqs and eqs == sorted(eqs)
    assert len(eqs) == math.prod(int((own[t] == own[t].max()).sum()) for t in range(game.n_types))
    # No unilateral ex-interim deviation helps (checked on the explicit game).
    base = brute_force_eu(game, np.eye(game.n_actions)[list(bne.profile)])
    np.testing.assert_allclose(base, bne.expected_utility, atol=1e-9)


@FAST
@given(small_games(), st.integers(0, 2**32 - 1))
def test_expected_utility_matches_explicit_bayesian_game(game, seed):
    rng = np.random.default_rng(seed)
    alpha = rng.integers(0, game.n_actions, size=game.n_types)
    onehot = np.eye(game.n_actions)[alpha]
    np.testing.assert_allclose(game.expected_utility(alpha), brute_force_eu(game, onehot), atol=1e-9)
    sigma = rng.random((game.n_types, game.n_actions))
    sigma /= sigma.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(game.expected_utility_mixed(sigma), brute_force_eu(game, sigma), atol=1e-9)
    np.testing.assert_allclose(game.expected_utility_mixed(onehot), game.expected_utility(alpha), atol=1e-12)


@FAST
@given(small_games(), st.integers(0, 2**32 - 1))
def test_gains_from_trade_is_eu_difference(game, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, game.n_actions, size=(2, game.n_types))
    np.testing.assert_allclose(game.gains_from_trade(a, b), game.expected_utility(a) - game.expected_utility(b),
                               atol=1e-9)
    np.testing.assert_allclose(game.gains_from_trade(a),
                               game.expected_utility(a) - game.bayesian_nash_profile().expected_utility, atol=1e-9)


# ---------------------------------------------------------------------------
# equation (49)
# ---------------------------------------------------------------------------
@FAST
@given(small_games(), st.integers(0, 2**32 - 1))
def test_equation_49_reduces_to_41_without_non_cooperators(game, seed):
    a = np.random.default_rng(seed).integers(0, game.n_actions, size=game.n_types)
    c41 = game.cooperation_is_dependency_equilibrium(a)
    c49 = game.cooperation_is_dependency_equilibrium(a, non_cooperator=np.zeros((game.n_types,) * 2))
    assert c49.equation == "(49)" and c41.holds == c49.holds
    np.testing.assert_allclose(c41.gains, c49.gains, atol=1e-12)
    np.testing.assert_array_equal(c41.by_type, c49.by_type)
    # Everybody a non-cooperator: only the player's own contribution counts, which
    # the Bayesian Nash action maximises.
    everyone_d = game.gains_from_trade(a, non_cooperator=1.0)
    own = game.contributions[np.arange(game.n_types), np.arange(game.n_types)]
    bne = game.bayesian_nash_profile().profile
    np.testing.assert_allclose(everyone_d, own[np.arange(game.n_types), a] - own[np.arange(game.n_types), bne])
    assert np.all(everyone_d <= 1e-12)


def test_equation_49_example_35():
    g = treutlein_example_35(10)
    # (49): -1 + 9 * (1 - q) * (0.5 * (-1) + 0.5 * 2) = -1 + 4.5 (1 - q) >= 0 iff q <= 7/9.
    for q, want in [(0.0, True), (0.5, True), (0.7, True), (0.8, False), (0.95, False), (1.0, False)]:
        assert g.cooperation_is_dependency_equilibrium([0, 0], non_cooperator=q).holds is want, q
    np.testing.assert_allclose(g.gains_from_trade([0, 0], non_cooperator=0.5), [1.25, 1.25])
    # A type-dependent belief: type 1's cooperators think type-2 players are all non-cooperators.
    D = np.array([[0.0, 1.0], [0.0, 0.0]])
    check = g.cooperation_is_dependency_equilibrium([0, 0], non_cooperator=D)
    # type 1: -1 + 9 * 0.5 * (-1) = -5.5; type 2 unchanged at 3.5
    np.testing.assert_allclose(check.gains, [-5.5, 3.5])
    assert check.by_type.tolist() == [False, True] and not check


# ---------------------------------------------------------------------------
# the compromise
# ---------------------------------------------------------------------------
def _reference_compromise(game, weights):
    d = game.expected_utility(game.bayesian_nash_profile().profile)
    best, best_val = None, -math.inf
    for prof in game.anonymous_pure_profiles():
        g = game.expected_utility(prof) - d
        if np.any(g < -1e-9) or np.any(g[weights > 0] <= 1e-9):
            continue
        val = sum(w * math.log(x) for w, x in zip(weights, g) if w > 0)
        if val > best_val + 1e-9:
            best, best_val = prof, val
    return best, best_val


@FAST
@given(small_games(max_types=3, max_actions=3), st.integers(0, 2**32 - 1))
def test_compromise_against_reference(game, seed):
    rng = np.random.default_rng(seed)
    w = None if seed % 2 else rng.random(game.n_types) * (rng.random(game.n_types) > 0.2)
    if w is not None and w.sum() == 0:
        w = None
    r = game.compromise_profile(weights=w)
    nu = game.prior if w is None else w / w.sum()
    np.testing.assert_allclose(r.weights, nu)
    ref, ref_val = _reference_compromise(game, nu)
    assert r.n_profiles == game.n_actions ** game.n_types
    np.testing.assert_allclose(r.disagreement_utility, game.bayesian_nash_profile().expected_utility)
    if ref is None:
        assert r.method == "disagreement" and r.profile == game.bayesian_nash_profile().profile
        assert r.log_nash_product == -math.inf
    else:
        assert r.method == "enumeration"
        assert r.log_nash_product == pytest.approx(ref_val, abs=1e-9)
        np.testing.assert_allclose(r.expected_utility, game.expected_utility(r.profile))
        # the compromise is a dependency equilibrium by equation (41)
        assert game.cooperation_is_dependency_equilibrium(r.profile).holds


def test_compromise_too_many_profiles():
    m, K = 18, 2                                   # 2**18 = 262144 > 200000
    assert K ** m > MAX_PROFILES
    g = ECLBayesianGame.independent(np.zeros((m, m, K)), np.full(m, 1 / m), 3)
    with pytest.raises(ValueError, match="^game: .*profiles"):
        g.compromise_profile()
    with pytest.raises(ValueError, match="^weights"):
        treutlein_example_35().compromise_profile(weights=[-1, 2])


# ---------------------------------------------------------------------------
# mixed profiles and the oracle's compromise (definitions 42 and 47)
# ---------------------------------------------------------------------------
def _random_strategy(game, rng):
    S = rng.random((game.n_types, game.n_actions)) * (rng.random((game.n_types, game.n_actions)) > 0.3)
    S[S.sum(axis=1) == 0, 0] = 1.0
    return S / S.sum(axis=1, keepdims=True)


@FAST
@given(small_games(max_players=3), st.integers(0, 2**32 - 1))
def test_mixed_gains_from_trade_against_explicit_bayesian_game(game, seed):
    rng = np.random.default_rng(seed)
    S = _random_strategy(game, rng)
    bne = game.bayesian_nash_profile().profile
    want = brute_force_eu(game, S) - brute_force_eu(game, np.eye(game.n_actions)[list(bne)])
    np.testing.assert_allclose(game.gains_from_trade(S), want, atol=1e-9)
    check = game.cooperation_is_dependency_equilibrium(S)
    assert check.profile is None and check.disagreement == tuple(bne)
    np.testing.assert_allclose(check.strategy, S)
    assert check.holds == bool(np.all(want >= -1e-9 * (1 + np.abs(game.contributions).max()) * game.n_players))
    # a one-hot strategy is the pure profile
    alpha = rng.integers(0, game.n_actions, game.n_types)
    np.testing.assert_allclose(game.gains_from_trade(np.eye(game.n_actions)[alpha]), game.gains_from_trade(alpha))


@FAST
@given(small_games(max_players=5), st.integers(0, 2**32 - 1), st.floats(0, 1))
def test_mixed_equation_49_against_a_loop(game, seed, q):
    rng = np.random.default_rng(seed)
    S, B = _random_strategy(game, rng), _random_strategy(game, rng)
    C, P, n, m = game.contributions, game.posterior, game.n_players, game.n_types
    want = np.zeros(m)
    for t in range(m):
        for t2 in range(m):
            gift = sum(S[t2, a] * C[t2, t, a] for a in range(game.n_actions))
            base = sum(B[t2, a] * C[t2, t, a] for a in range(game.n_actions))
            want[t] += ((t2 == t) + (n - 1) * P[t, t2] * (1 - q)) * (gift - base)
    np.testing.assert_allclose(game.gains_from_trade(S, B, non_cooperator=q), want, atol=1e-9)


def test_mixed_profile_errors():
    g = treutlein_example_35(10)
    with pytest.raises(ValueError, match=r"^alpha: a mixed profile needs shape \(2, 2\)"):
        g.gains_from_trade(np.ones((2, 3)) / 3)
    with pytest.raises(ValueError, match="^alpha: probabilities must sum to 1"):
        g.gains_from_trade([[0.5, 0.6], [1, 0]])
    with pytest.raises(ValueError, match="^beta: probabilities must be non-negative"):
        g.cooperation_is_dependency_equilibrium([0, 0], [[1.5, -0.5], [1, 0]])


def test_to_bargaining_game():
    g = treutlein_example_35(10)
    bg = g.to_bargaining_game()
    assert bg is g.to_bargaining_game() and bg.n_players == 10 and bg.types == g.types
    np.testing.assert_array_equal(bg.prior, g.prior)
    rng = np.random.default_rng(0)
    for _ in range(5):
        S = rng.dirichlet([1, 1], size=2)
        gifts = np.einsum("ta,tsa->ts", S, g.contributions)
        np.testing.assert_allclose(bg.expected_utility(gifts), g.expected_utility_mixed(S))
        assert bg.is_profile(gifts)
    with pytest.raises(ValueError, match="^n_players"):
        treutlein_example_35(1).to_bargaining_game()


@FAST
@given(small_games(max_players=3, correlated=False), st.integers(0, 2**32 - 1))
def test_oracle_compromise_dominates_pure_enumeration(game, seed):
    g = game.with_n_players(max(2, game.n_players))
    rng = np.random.default_rng(seed)
    w = None if seed % 3 == 0 else rng.random(g.n_types) + 0.1
    if w is not None and seed % 3 == 1 and g.n_types > 1:
        w[rng.integers(g.n_types)] = 0.0            # definition 47 allows a zero weight
    nbs, pure = g.compromise(weights=w), g.compromise(weights=w, method="pure")
    np.testing.assert_allclose(nbs.weights, pure.weights)
    assert nbs.log_nash_product >= pure.log_nash_product - 1e-9
    assert nbs.n_profiles is None and pure.n_profiles == g.n_actions ** g.n_types
    np.testing.assert_allclose(nbs.strategy.sum(axis=1), 1.0)
    np.testing.assert_allclose(nbs.expected_utility, g.expected_utility_mixed(nbs.strategy))
    np.testing.assert_allclose(nbs.disagreement_utility, g.bayesian_nash_profile().expected_utility)
    if nbs.method == "disagreement":
        # no lottery profile lets a type gain, so no pure one does
        assert pure.method == "disagreement" and nbs.profile == g.bayesian_nash_profile().profile
    else:
        assert nbs.method == "nbs" and nbs.outcome is not None
        np.testing.assert_allclose(nbs.expected_utility, nbs.outcome.point, atol=1e-7 * (1 + np.abs(g.contributions).max()) * g.n_players)
        assert g.cooperation_is_dependency_equilibrium(nbs.strategy).holds
        if nbs.profile is not None:
            np.testing.assert_array_equal(np.eye(g.n_actions)[list(nbs.profile)], nbs.strategy)


def test_compromise_method_and_weight_errors():
    g = treutlein_example_35(10)
    with pytest.raises(ValueError, match="^method"):
        g.compromise(method="kalai")
    with pytest.raises(ValueError, match="^weights: must be non-negative"):
        g.compromise(weights=[1, -1])
    # Weight 0 for type 1: type 0's best outcome that type 1 does not lose from.  Among pure
    # profiles that is everyone cooperating ((D, C) gives type 1 only 11 < 16.5).  With
    # lotteries type 0 defects with probability x while type 1 cooperates: EU_1 = 20 - 9x
    # stays >= 16.5 up to x = 7/18, and EU_0 = 20 + 5.5x grows with x.
    pure = g.compromise(weights=[1, 0], method="pure")
    assert pure.profile == (0, 0)
    nbs = g.compromise(weights=[1, 0])
    assert nbs.gains[1] == pytest.approx(0.0, abs=1e-7) and nbs.gains[0] > pure.gains[0] + 1
    np.testing.assert_allclose(nbs.strategy, [[11 / 18, 7 / 18], [1, 0]], atol=1e-6)
    np.testing.assert_allclose(nbs.expected_utility, [20 + 5.5 * 7 / 18, 16.5], atol=1e-6)
    # n = 1: nobody else to trade with
    assert treutlein_example_35(1).compromise().method == "disagreement"


# ---------------------------------------------------------------------------
# realised utilities
# ---------------------------------------------------------------------------
def naive_utilities(game, types, actions):
    C = game.contributions
    U, n = types.shape
    out = np.zeros((U, n))
    for u in range(U):
        for i in range(n):
            out[u, i] = sum(C[types[u, j], types[u, i], actions[u, j]] for j in range(n))
    return out


@FAST
@given(small_games(), st.integers(1, 4), st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_realized_utilities_against_naive_loop(game, U, n, seed):
    rng = np.random.default_rng(seed)
    types = game.sample_types(n, U, rng)
    actions = rng.integers(0, game.n_actions, size=types.shape)
    got = game.realized_utilities(types, actions)
    np.testing.assert_allclose(got, naive_utilities(game, types, actions), atol=1e-9)
    np.testing.assert_allclose(game.realized_utilities(types[0], actions[0]), got[0])


def test_realized_utilities_million_players():
    rng = np.random.default_rng(7)
    m, K, n = 10, 3, 1_000_000
    C = rng.normal(size=(m, m, K))
    g = ECLBayesianGame.independent(C, rng.dirichlet(np.ones(m) * 5), n)
    t0 = time.perf_counter()
    types = g.sample_types(n, 1, rng)
    actions = rng.integers(0, K, size=types.shape)
    util = g.realized_utilities(types, actions)
    elapsed = time.perf_counter() - t0
    assert util.shape == (1, n) and np.all(np.isfinite(util))
    # every player of a type gets the same utility: S[t] = sum_j u_{t_j, t}(a_j)
    counts = np.zeros((m, K))
    np.add.at(counts, (types[0], actions[0]), 1)
    S = np.einsum("ta,tsa->s", counts, C)
    np.testing.assert_allclose(util[0], S[types[0]], rtol=1e-9)
    assert elapsed < 5.0


def test_sample_types_follow_prior():
    g = ECLBayesianGame.independent(np.zeros((3, 3, 1)), [0.2, 0.5, 0.3], 2)
    t = g.sample_types(50_000, 2, np.random.default_rng(0))
    assert t.shape == (2, 50_000) and t.dtype == np.intp
    np.testing.assert_allclose(np.bincount(t.ravel(), minlength=3) / t.size, [0.2, 0.5, 0.3], atol=0.01)
    np.testing.assert_array_equal(t, g.sample_types(50_000, 2, np.random.default_rng(0)))
    with pytest.raises(ValueError, match="^rng"):
        g.sample_types(3, 1, 0)


# ---------------------------------------------------------------------------
# priors and the explicit Bayesian game
# ---------------------------------------------------------------------------
def test_default_prior_rules():
    C = np.zeros((2, 2, 2))
    # same row everywhere: independent types, that row is the prior
    g = ECLBayesianGame(C, [[0.3, 0.7], [0.3, 0.7]], 4)
    assert g.is_independent and g.is_anonymous
    np.testing.assert_allclose(g.prior, [0.3, 0.7])
    # correlated: the stationary distribution of the posterior
    P = np.array([[0.8, 0.2], [0.4, 0.6]])
    g = ECLBayesianGame(C, P, 2)
    np.testing.assert_allclose(g.prior @ P, g.prior)
    np.testing.assert_allclose(g.prior, [2 / 3, 1 / 3])
    assert not g.is_independent and g.is_anonymous           # two types: always reversible
    U, joint = g.bayesian_payoffs()
    np.testing.assert_allclose(joint, joint.T)
    np.testing.assert_allclose(joint.sum(axis=1), g.prior)
    # reducible posterior: no unique stationary distribution, the prior is required
    with pytest.raises(ValueError, match="^prior: required"):
        ECLBayesianGame(C, np.eye(2), 2)
    g = ECLBayesianGame(C, np.eye(2), 2, prior=[0.5, 0.5])
    np.testing.assert_allclose(g.bayesian_payoffs()[1], np.eye(2) / 2)


def test_bayesian_payoffs_errors():
    C = np.zeros((3, 3, 2))
    # a non-reversible three-state chain: no anonymous joint prior
    P = np.array([[0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.8, 0.1, 0.1]])
    g = ECLBayesianGame(C, P, 2)
    assert not g.is_anonymous
    with pytest.raises(ValueError, match="^posterior: .*symmetric"):
        g.bayesian_payoffs()
    sym = ECLBayesianGame(C, [[0.5, 0.25, 0.25], [0.25, 0.5, 0.25], [0.25, 0.25, 0.5]], 3)
    with pytest.raises(ValueError, match="^n_players: a correlated"):
        sym.bayesian_payoffs()
    with pytest.raises(ValueError, match="^n_players: .*entries"):
        ECLBayesianGame.independent(C, [1 / 3] * 3, 8).bayesian_payoffs()


@pytest.mark.parametrize("kwargs, field", [
    (dict(contributions=np.zeros((2, 3, 2))), "contributions"),
    (dict(contributions=np.zeros((2, 2))), "contributions"),
    (dict(contributions=[[[np.nan, 0]], ]), "contributions"),
    (dict(posterior=[[0.5, 0.6], [0.5, 0.5]]), "posterior"),
    (dict(posterior=[[1.2, -0.2], [0.5, 0.5]]), "posterior"),
    (dict(posterior=np.eye(3)), "posterior"),
    (dict(n_players=0), "n_players"),
    (dict(n_players=2.5), "n_players"),
    (dict(prior=[1.0, 0.0]), "prior"),
    (dict(prior=[0.5, 0.4]), "prior"),
    (dict(actions=["x"]), "actions"),
    (dict(types=["a", "a"]), "types"),
])
def test_validation_errors_name_the_field(kwargs, field):
    args = dict(contributions=np.zeros((2, 2, 2)), posterior=[[0.5, 0.5], [0.5, 0.5]], n_players=2)
    args.update(kwargs)
    C, P, n = args.pop("contributions"), args.pop("posterior"), args.pop("n_players")
    with pytest.raises(ValueError, match=f"^{field}"):
        ECLBayesianGame(C, P, n, **args)


def test_profile_errors_and_value_semantics():
    g = treutlein_example_35()
    with pytest.raises(ValueError, match=r"^profile\[1\]"):
        g.expected_utility([0, 2])
    with pytest.raises(ValueError, match="^profile"):
        g.expected_utility([0])
    with pytest.raises(ValueError, match="^alpha"):
        g.gains_from_trade([0, 0.5])
    with pytest.raises(ValueError, match="^non_cooperator"):
        g.gains_from_trade([0, 0], non_cooperator=1.5)
    with pytest.raises(ValueError, match="^strategy"):
        g.expected_utility_mixed([[0.5, 0.6], [1, 0]])
    with pytest.raises(ValueError, match="^types"):
        g.realized_utilities([[0, 2]], [[0, 0]])
    with pytest.raises(ValueError, match="^actions"):
        g.realized_utilities([[0, 1]], [[0, 0, 1]])
    assert g == treutlein_example_35() and hash(g) == hash(treutlein_example_35())
    assert g != treutlein_example_35(3) and g.with_n_players(3) == treutlein_example_35(3).with_n_players(3)
    assert g.contributions.flags.writeable is False


def test_compromise_at_a_million_players_finds_no_rounding_level_trade():
    # Review regressions.  (1) Nobody can gain, and the oracle's feasibility LP fails on the
    # sliver {x in F : x >= d}: it used to raise "could not decompose the solution".  (2)
    # Nobody can gain (every non-Bayesian-Nash profile costs type 0 at least 3e5), but the
    # oracle's relaxed floor bought type 1 a "gain" of 0.0145 at a cost of 0.0018 to type 0,
    # reported as a mixed compromise in which type 0 loses.
    from gamesim.agents.ecl import ECLCooperator

    g1 = ECLBayesianGame([[[1.0, 0.7], [-0.8, 1.8]], [[-4.2, 4.0], [0.8, 0.9]]],
                         [[0.6, 0.4], [0.42, 0.58]], 10**6)
    g2 = ECLBayesianGame.independent([[[2.71, 2.01], [-1.26, 4.28]], [[0.84, 6.84], [0.95, 2.63]]],
                                     [0.44, 0.56], 10**6)
    for g in (g1, g2):
        bne = g.bayesian_nash_profile().profile
        for prof in g.anonymous_pure_profiles():       # indeed no pure profile is a weak improvement
            if prof != bne:
                assert np.any(g.gains_from_trade(prof) < -1.0)
        r = g.compromise()
        assert r.method == "disagreement" and r.profile == bne
        assert ECLCooperator().table(g).tolist() == list(bne)
