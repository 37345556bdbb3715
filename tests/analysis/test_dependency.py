"""Tests for gamesim.analysis.dependency: known results and independent references.

Sources of the expected numbers:
* [ALG]  /work/shared/ALGORITHMS.md section 6 (PD worked example, cyclic counterexample,
  BoS, Nash-dominance shortcut), computed there independently with numpy/scipy.
* [T23]  Treutlein, "Modeling evidential cooperation in large worlds" (seed
  modeling-ecl-treutlein.md): definition 29/34, example 35 (Table 4), proposition 37,
  corollary 40.
* [S07]  Spohn, "Dependency equilibria", Phil. Sci. 74, 2007: observation 5 (folk theorem).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gamesim.analysis as an
from gamesim.analysis.dependency import (
    DependencyResult,
    is_bayesian_dependency_equilibrium,
    is_dependency_equilibrium,
    pure_dependency_equilibria,
)
from gamesim.analysis.equilibria import nash_equilibria
from gamesim.sim.catalogue import battle_of_the_sexes, prisoners_dilemma
from gamesim.sim.games import NormalFormGame

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---------------------------------------------------------------------------
# independent references (no LP, no greedy)
# ---------------------------------------------------------------------------
def conditional_eus(U, q):
    """E_q[u_i | a_i = k] for every player and action, straight from the definition."""
    n = U.shape[0]
    out = []
    for i in range(n):
        axes = tuple(j for j in range(n) if j != i)
        out.append((U[i] * q).sum(axis=axes) / q.sum(axis=axes))
    return out


def certificate_holds(game, joint, levels, eu_tol=1e-7):
    """Check an LPS certificate against the definition: the first level that charges a
    zero action gives its limit conditional, which must not beat the used actions."""
    U, s = game.payoffs, np.asarray(joint, float)
    n = game.n_players
    for i in range(n):
        axes = tuple(j for j in range(n) if j != i)
        mass = s.sum(axis=axes)
        used_vals = ((U[i] * s).sum(axis=axes) / np.where(mass > 0, mass, 1))[mass > 0]
        v = used_vals.min()
        if used_vals.max() - v > eu_tol:
            return False
        for b in np.flatnonzero(mass == 0):
            for lv in levels:
                w = np.take(lv, b, axis=i)
                if w.sum() > 0:
                    if (w * np.take(U[i], b, axis=i)).sum() / w.sum() > v + eu_tol:
                        return False
                    break
            else:
                return False
    return True


def sequence_satisfies(result, game, eps=1e-7, slack=1e-4):
    """The explicit sequence at small eps: used actions (nearly) best in conditional EU."""
    q = result.sequence(eps)
    assert q.min() > 0 and abs(q.sum() - 1) < 1e-12
    s = np.asarray(result.joint)
    n = game.n_players
    eus = conditional_eus(game.payoffs, q)
    for i in range(n):
        axes = tuple(j for j in range(n) if j != i)
        used = s.sum(axis=axes) > 0
        if eus[i][used].min() < eus[i].max() - slack:
            return False
    return True


def weighted_lps_search(U, a, weights=(1, 2)):
    """Brute force: is there an LPS whose levels put weights from ``weights`` (or 0) on
    outcomes, certifying the pure profile ``a``?  Dynamic programming over the set of
    resolved zero actions; every candidate level is enumerated.  Finding one proves the
    profile is a DE (the search is sound, not complete: weights are restricted)."""
    n = U.shape[0]
    shape = U.shape[1:]
    v = U[(slice(None),) + tuple(a)]
    events = [(i, b) for i in range(n) for b in range(shape[i]) if b != a[i]]
    cells = [c for c in itertools.product(*(range(m) for m in shape))
             if any(c[i] != a[i] for i in range(n))]
    member = np.array([[c[i] == b for c in cells] for i, b in events], dtype=float)  # (E, cells)
    util = np.array([[U[(i,) + c] for c in cells] for i, b in events])
    W = np.array(list(itertools.product((0,) + tuple(weights), repeat=len(cells))), dtype=float)[1:]
    mass = W @ member.T                       # (levels, E)
    gain = W @ (member * util).T
    cond = np.where(mass > 0, gain / np.where(mass > 0, mass, 1), np.inf)
    good = cond <= np.array([v[i] for i, _ in events]) + 1e-9
    charged = mass > 0
    E = len(events)
    if E == 0:
        return True
    seen, frontier = {0}, [0]
    full = (1 << E) - 1
    bits = 1 << np.arange(E)
    while frontier:
        state = frontier.pop()
        open_ = ((state & bits) == 0)[None, :]
        touches = charged & open_
        ok = np.all(good | ~touches, axis=1) & touches.any(axis=1)
        for lvl in np.flatnonzero(ok):
            new = state | int((touches[lvl] * bits).sum())
            if new == full:
                return True
            if new not in seen:
                seen.add(new)
                frontier.append(new)
    return False


def naive_check(U, a):
    """Per-action test (insufficient): every zero action has some outcome no better than v."""
    n = U.shape[0]
    v = U[(slice(None),) + tuple(a)]
    return all(np.take(U[i], b, axis=i).min() <= v[i]
               for i in range(n) for b in range(U.shape[1 + i]) if b != a[i])


def product(strategies):
    out = np.array(1.0)
    for x in strategies:
        out = np.multiply.outer(out, np.asarray(x, float))
    return out


def cyclic_game(reward=2.0):
    """ALGORITHMS section 6: target (r0, c0) = (0, 0); row b1 is punished (-1) only by
    column d1, b2 only by d2, column d1 only by row b2, d2 only by b1; else ``reward``."""
    r = reward
    A = np.array([[0, 0, 0],          # rows r0, b1, b2; columns c0, d1, d2
                  [r, -1, r],
                  [r, r, -1]], float)
    B = np.array([[0, r, r],
                  [0, r, -1],
                  [0, -1, r]], float)
    return NormalFormGame.from_bimatrix(A, B, actions=[["r0", "b1", "b2"], ["c0", "d1", "d2"]])


# ---------------------------------------------------------------------------
# prisoner's dilemma [ALG section 6 worked example]
# ---------------------------------------------------------------------------
def test_pd_pure_dependency_equilibria():
    g = prisoners_dilemma()                    # (R, S, T, P) = (3, 0, 5, 1)
    assert pure_dependency_equilibria(g) == [(0, 0), (1, 1)]
    r = is_dependency_equilibrium(g, (0, 0))
    assert isinstance(r, DependencyResult) and r and r.exact
    np.testing.assert_allclose(r.values, [3, 3])
    assert certificate_holds(g, r.joint, r.levels)
    # the LP's canonical level is the one ALGORITHMS reports: uniform on CD, DC, DD
    np.testing.assert_allclose(r.levels[0], [[0, 1 / 3], [1 / 3, 1 / 3]])
    for prof in [(0, 1), (1, 0)]:
        r = is_dependency_equilibrium(g, prof)
        assert not r and "cannot be resolved" in r.reason
    np.testing.assert_allclose(is_dependency_equilibrium(g, (1, 1)).values, [1, 1])


def test_pd_certificate_sequence_numbers():
    # [ALG]: E[u1 | C] = 2.98996, 2.99990, 2.999999 -> 3 and E[u1 | D] = 3 at these eps
    g = prisoners_dilemma()
    r = is_dependency_equilibrium(g, (0, 0))
    expected_c = {1e-2: 2.98996, 1e-4: 2.99990, 1e-6: 2.999999}
    prev = -np.inf
    for eps, want in expected_c.items():
        q = r.sequence(eps)
        assert q.min() > 0
        eu_c, eu_d = conditional_eus(g.payoffs, q)[0]
        assert eu_c == pytest.approx(want, abs=1e-5)
        assert eu_c > prev
        prev = eu_c
        assert eu_d <= 3 + 1e-12
        assert eu_d == pytest.approx(3.0, abs=1e-12)
    with pytest.raises(ValueError, match="eps"):
        r.sequence(0.0)
    with pytest.raises(ValueError, match="no certificate"):
        is_dependency_equilibrium(g, (0, 1)).sequence(0.1)


@pytest.mark.parametrize("v", [1.5, 2.0, 2.9])
def test_pd_totally_mixed_family(v):
    # [ALG]: s ∝ (v/(3-v), 1, 1, (5-v)/(v-1)) over (CC, CD, DC, DD) is a DE with payoff (v, v)
    g = prisoners_dilemma()
    s = np.array([v / (3 - v), 1, 1, (5 - v) / (v - 1)])
    s = (s / s.sum()).reshape(2, 2)
    r = is_dependency_equilibrium(g, s)
    assert r and r.levels == ()               # full support: nothing to perturb
    np.testing.assert_allclose(r.values, [v, v], atol=1e-12)
    # a perturbed member breaks player 1's indifference
    t = s + np.array([[1e-3, -1e-3], [0, 0]])
    r = is_dependency_equilibrium(g, t)
    assert not r and "differ for player 0" in r.reason


def test_pd_two_two_member():
    # [ALG]: s = (2, 1, 1, 3) / 7 gives (2, 2)
    r = is_dependency_equilibrium(prisoners_dilemma(), np.array([[2, 1], [1, 3]]) / 7)
    assert r
    np.testing.assert_allclose(r.values, [2, 2], atol=1e-12)


# ---------------------------------------------------------------------------
# the cyclic counterexample [ALG section 6]
# ---------------------------------------------------------------------------
def test_cyclic_counterexample_is_not_a_de_though_naive_check_passes():
    g = cyclic_game(reward=2.0)
    U = g.payoffs
    assert naive_check(U, (0, 0))              # every zero action has a punishing cell
    r = is_dependency_equilibrium(g, (0, 0))
    assert not r
    assert "cannot be resolved" in r.reason and "b1" in r.reason and "d1" in r.reason
    # the dominance chain x_b1d1 >= 2 x_b1d2 >= ... >= 16 x_b1d1 has no weighted solution either
    assert not weighted_lps_search(U, (0, 0), weights=(1, 2, 4))
    assert (0, 0) not in pure_dependency_equilibria(g)


def test_cyclic_game_with_small_reward_is_a_de():
    # With reward 1/2 the cycle's product of ratios is 1/16 < 1: one level on the four
    # punishing cells resolves everything, so the exact test must say yes.
    g = cyclic_game(reward=0.5)
    assert naive_check(g.payoffs, (0, 0))
    r = is_dependency_equilibrium(g, (0, 0))
    assert r and certificate_holds(g, r.joint, r.levels) and sequence_satisfies(r, g)
    assert weighted_lps_search(g.payoffs, (0, 0))


# ---------------------------------------------------------------------------
# battle of the sexes [ALG section 6, "Selection"]
# ---------------------------------------------------------------------------
def test_battle_of_the_sexes():
    g = battle_of_the_sexes(3, 2)
    for prof in [(0, 1), (1, 0)]:              # miscoordination, payoff (0, 0)
        r = is_dependency_equilibrium(g, prof)
        assert r
        np.testing.assert_allclose(r.values, [0, 0])
    r = is_dependency_equilibrium(g, [[0.5, 0], [0, 0.5]])   # the NBS lottery
    assert not r
    assert "differ for player 0" in r.reason and "2 vs 3" in r.reason
    assert pure_dependency_equilibria(g) == [(0, 0), (0, 1), (1, 0), (1, 1)]


# ---------------------------------------------------------------------------
# proposition 37 and the folk theorem [T23, S07, ALG]
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(2, 3, 3), (3, 2, 2, 2)])
def test_every_nash_equilibrium_is_a_de(shape):
    rng = np.random.default_rng(20230707)
    for _ in range(6):
        g = NormalFormGame(rng.integers(-3, 4, size=shape).astype(float))
        for eq in nash_equilibria(g):
            s = product(eq.strategies)
            r = is_dependency_equilibrium(g, s)
            assert r, (g.payoffs, eq, r.reason)
            np.testing.assert_allclose(r.values, eq.payoffs, atol=1e-7)
            assert certificate_holds(g, r.joint, r.levels, eu_tol=1e-6)


def test_pareto_improvements_over_nash_are_des():
    # Spohn's observation 5 / Treutlein theorem 38 (and the ALGORITHMS shortcut): a pure
    # profile at least as good as some Nash equilibrium for everyone is a DE.
    rng = np.random.default_rng(7)
    checked = 0
    for _ in range(15):
        g = NormalFormGame(rng.integers(0, 6, size=(2, 3, 3)).astype(float))
        eqs = nash_equilibria(g)
        des = set(pure_dependency_equilibria(g))
        for a in itertools.product(range(3), range(3)):
            ua = g.payoffs[(slice(None),) + a]
            if any(np.all(ua >= eq.payoffs - 1e-9) for eq in eqs):
                checked += 1
                assert a in des
                assert is_dependency_equilibrium(g, a)
    assert checked > 20


def test_pure_dependency_equilibria_agrees_with_exact_test():
    rng = np.random.default_rng(11)
    for shape in [(2, 3, 3), (3, 2, 2, 2)]:
        for _ in range(4):
            g = NormalFormGame(rng.integers(-2, 3, size=shape).astype(float))
            exact = [a for a in itertools.product(*(range(m) for m in g.n_actions))
                     if is_dependency_equilibrium(g, a)]
            assert pure_dependency_equilibria(g) == exact


# ---------------------------------------------------------------------------
# against independent references on random small games
# ---------------------------------------------------------------------------
@st.composite
def small_games(draw):
    shape = draw(st.sampled_from([(2, 2), (2, 3), (3, 2), (3, 3)]))
    vals = draw(st.lists(st.integers(-3, 3), min_size=2 * shape[0] * shape[1],
                         max_size=2 * shape[0] * shape[1]))
    U = np.array(vals, float).reshape((2,) + shape)
    a = (draw(st.integers(0, shape[0] - 1)), draw(st.integers(0, shape[1] - 1)))
    return U, a


@SETTINGS
@given(small_games())
def test_exact_test_against_brute_force(case):
    U, a = case
    g = NormalFormGame(U)
    r = is_dependency_equilibrium(g, a)
    found = weighted_lps_search(U, a)
    if found:                                  # a brute-force certificate proves a DE
        assert r, r.reason
    if r:                                      # the returned certificate is valid
        assert certificate_holds(g, r.joint, r.levels)
        assert sequence_satisfies(r, g)
        assert naive_check(U, a)
    if U.shape[1:] == (2, 2):
        # 2x2: the two zero events meet in one cell, so each can take its own minimum
        v = U[:, a[0], a[1]]
        b, d = 1 - a[0], 1 - a[1]
        closed = U[0, b, :].min() <= v[0] and U[1, :, d].min() <= v[1]
        assert bool(r) == closed


def test_certificate_that_needs_two_levels():
    # Target (0, 2) with v = (-1, 0).  Row 1 is held to -1 only by (1, 2); column 1 is
    # held to 0 only by (1, 1), which lies in row 1 and is worth 0 > -1 to the row
    # player.  So row 1 must be resolved first, by (1, 2) alone, and (1, 1) comes at a
    # second level: a one-level search fails here.
    U = np.array([[[0, 0, -1], [0, 0, -1]],
                  [[0, 1, 0], [0, 0, 0]]], float)
    g = NormalFormGame(U)
    r = is_dependency_equilibrium(g, (0, 2))
    assert r and len(r.levels) == 2
    assert r.levels[0][1, 2] > 0 and r.levels[0][1, 1] == 0 and r.levels[1][1, 1] > 0
    assert certificate_holds(g, r.joint, r.levels) and sequence_satisfies(r, g)
    assert weighted_lps_search(U, (0, 2))


def test_exact_test_against_brute_force_seeded_sweep():
    # A fixed sweep next to the hypothesis test, so that multi-level cases are always hit.
    rng = np.random.default_rng(2024)
    counts = {"yes": 0, "no": 0, "multi-level": 0}
    for k in range(200):
        shape = [(2, 2), (2, 3), (3, 3)][k % 3]
        U = rng.integers(-3, 4, size=(2,) + shape).astype(float)
        a = tuple(int(rng.integers(0, m)) for m in shape)
        g = NormalFormGame(U)
        r = is_dependency_equilibrium(g, a)
        if weighted_lps_search(U, a):
            assert r
        if r:
            counts["yes"] += 1
            counts["multi-level"] += len(r.levels) > 1
            assert certificate_holds(g, r.joint, r.levels) and sequence_satisfies(r, g)
        else:
            counts["no"] += 1
    assert counts["yes"] >= 20 and counts["no"] >= 20 and counts["multi-level"] >= 3, counts


# ---------------------------------------------------------------------------
# Bayesian games: Treutlein example 35 [T23 table 4], proposition 37
# ---------------------------------------------------------------------------
# u_{t', t}(a): utility a player of type t' produces with action a for a player of type t
# (Table 4, types and actions numbered from 0 here).
TABLE4 = {(0, 0): [2, 3], (0, 1): [2, 0], (1, 0): [2, 0], (1, 1): [2, 3]}


def example35(n):
    """Payoffs (definition 21: u_i = sum_j u_{t_j, t_i}(a_j)), uniform prior, and the
    'same type, same action' class the example restricts itself to."""
    shape = (2,) * (2 * n)
    U = np.zeros((n,) + shape)
    same = np.zeros(shape, bool)
    for idx in np.ndindex(*shape):
        t, a = idx[:n], idx[n:]
        for i in range(n):
            U[(i,) + idx] = sum(TABLE4[t[j], t[i]][a[j]] for j in range(n))
        same[idx] = all(a[i] == a[j] for i in range(n) for j in range(n) if t[i] == t[j])
    return U, np.full((2,) * n, 0.5 ** n), same


def anonymous_profile(n, alpha):
    """Joint (type, action) distribution: every player of type t plays alpha[t]."""
    s = np.zeros((2,) * (2 * n))
    for t in np.ndindex(*(2,) * n):
        s[t + tuple(alpha[x] for x in t)] = 0.5 ** n
    return s


def definition29_eus(U, prior, q):
    """EU_i(q; a, t_i) = sum_{t_-i} p(t_-i | t_i) E_q[u_i | a, t] (Treutlein definition 29)."""
    n = U.shape[0]
    T, A = prior.shape, U.shape[1 + n:]
    cond = q / q.sum(axis=tuple(range(n, 2 * n)), keepdims=True)
    out = []
    for i in range(n):
        eu = np.zeros((T[i], A[i]))
        for t in np.ndindex(*T):
            w = prior[t] / prior.sum(axis=tuple(j for j in range(n) if j != i))[t[i]]
            c, u = cond[t], U[(i,) + t]
            axes = tuple(j for j in range(n) if j != i)
            eu[t[i]] += w * (c * u).sum(axis=axes) / c.sum(axis=axes)
        out.append(eu)
    return out


def evidential_eus(U, q):
    """E_q[u_i | t_i, a_i] under the joint distribution of types and actions."""
    n = U.shape[0]
    out = []
    for i in range(n):
        keep = tuple(j for j in range(2 * n) if j not in (i, n + i))
        out.append((U[i] * q).sum(axis=keep) / q.sum(axis=keep))
    return out


def bayes_sequence_satisfies(r, U, eps=1e-7, slack=1e-4):
    """The certificate sequence keeps the prior and, at small eps, makes every used
    action (nearly) best for its type, with the conditional EU of r.conditioning."""
    q = r.sequence(eps)
    n = U.shape[0]
    assert q.min() >= 0
    np.testing.assert_allclose(q.sum(axis=tuple(range(n, 2 * n))), r.prior, atol=1e-12)
    s = np.asarray(r.joint)
    if r.conditioning == "joint":
        eus = evidential_eus(U, q)
    else:
        eus = definition29_eus(U, np.asarray(r.prior), q)
    for i in range(n):
        keep = tuple(j for j in range(2 * n) if j not in (i, n + i))
        used = s.sum(axis=keep) > 0                       # (T_i, A_i)
        for tau in range(used.shape[0]):
            if eus[i][tau][used[tau]].min() < eus[i][tau].max() - slack:
                return False
    return True


def test_example35_two_players_only_the_bne():
    # [T23] example 35, n = 2: among same-type-same-action profiles only the Bayesian
    # Nash equilibrium (everyone plays action 2 = index 1, EU 3 + 3/2 = 4.5) is a DE.
    U, prior, same = example35(2)
    verdicts = {}
    for alpha in itertools.product(range(2), repeat=2):
        r = is_bayesian_dependency_equilibrium(U, prior, anonymous_profile(2, alpha), support=same)
        assert r.exact
        verdicts[alpha] = bool(r)
        if r:
            assert bayes_sequence_satisfies(r, U)
    assert verdicts == {(0, 0): False, (0, 1): False, (1, 0): False, (1, 1): True}
    r = is_bayesian_dependency_equilibrium(U, prior, anonymous_profile(2, (1, 1)), support=same)
    for v in r.values:
        np.testing.assert_allclose(v, [4.5, 4.5])
    # everyone playing 1: action 2 is worth 3 + 3/2 + 0 = 4.5 > 4 = 2 + 1 + 1 (eqs. 22-23)
    r = is_bayesian_dependency_equilibrium(U, prior, anonymous_profile(2, (0, 0)), support=same)
    assert "action 1 of player 0 at type 0 is worth at least 4.5 > 4" in r.reason


def test_example35_without_the_class_restriction():
    # Outside the 'same type, same action' class the other same-type player may keep
    # playing 1 after a deviation: 3 + 1/2*2 + 1/2*0 = 4 = the value of everyone playing
    # 1, a boundary DE under definition 29.  The fully evidential reading ("joint") also
    # lets the deviation be explained by the punishing type profile: every profile passes.
    U, prior, _ = example35(2)
    tp = {al: bool(is_bayesian_dependency_equilibrium(U, prior, anonymous_profile(2, al)))
          for al in itertools.product(range(2), repeat=2)}
    assert tp == {(0, 0): True, (0, 1): False, (1, 0): False, (1, 1): True}
    r = is_bayesian_dependency_equilibrium(U, prior, anonymous_profile(2, (0, 0)))
    for v in r.values:
        np.testing.assert_allclose(v, [4, 4])
    assert bayes_sequence_satisfies(r, U)
    for al in itertools.product(range(2), repeat=2):
        r = is_bayesian_dependency_equilibrium(U, prior, anonymous_profile(2, al), conditioning="joint")
        assert r and bayes_sequence_satisfies(r, U)


@pytest.mark.parametrize("n, expected_value", [(3, 6.0), (4, 8.0)])
def test_example35_more_players_cooperation(n, expected_value):
    # [T23] corollary 40, eq. (41) with alpha = everyone plays 1, beta = BNE (everyone 2):
    # u_tt(1) - u_tt(2) + (n-1) sum_t' p(t'|t) (u_t't(1) - u_t't(2)) = -1 + (n-1)/2 >= 0
    # iff n >= 3 (the paper's n = 10 case is far inside).  Value 2 + 2 (n-1).
    U, prior, same = example35(n)
    margin = -1 + (n - 1) * (0.5 * (2 - 3) + 0.5 * (2 - 0))
    assert margin >= 0
    r = is_bayesian_dependency_equilibrium(U, prior, anonymous_profile(n, (0, 0)), support=same)
    assert r and r.exact
    for v in r.values:
        np.testing.assert_allclose(v, [expected_value] * 2)
    assert bayes_sequence_satisfies(r, U)


def random_bayesian_game(rng, A):
    T = (2, 2)
    U = rng.integers(-3, 4, size=(2,) + T + A).astype(float)
    prior = rng.integers(1, 4, size=T).astype(float)
    return U, prior / prior.sum()


def bayesian_nash_equilibria(U, prior):
    """BNE via the strategic form over type->action maps (exact 2-player enumeration)."""
    T, A = prior.shape, U.shape[3:]
    maps = [list(itertools.product(range(A[i]), repeat=T[i])) for i in range(2)]
    P = np.zeros((2, len(maps[0]), len(maps[1])))
    for x, f in enumerate(maps[0]):
        for y, h in enumerate(maps[1]):
            for t in np.ndindex(*T):
                P[:, x, y] += prior[t] * U[(slice(None),) + t + (f[t[0]], h[t[1]])]
    out = []
    for eq in nash_equilibria(NormalFormGame(P)):
        sig = []
        for i in range(2):
            b = np.zeros((T[i], A[i]))
            for k, f in enumerate(maps[i]):
                for tau in range(T[i]):
                    b[tau, f[tau]] += eq.strategies[i][k]
            sig.append(b)
        cond = np.einsum("ia,jb->ijab", sig[0], sig[1])       # s(a | t) = prod sigma_i(a_i | t_i)
        out.append(cond)
    return out


@pytest.mark.parametrize("A", [(2, 2), (2, 3)])
def test_every_bayesian_nash_equilibrium_is_a_de(A):
    # [T23] proposition 37, under both readings of the conditional expected utility
    rng = np.random.default_rng(37)
    count = 0
    for _ in range(6):
        U, prior = random_bayesian_game(rng, A)
        for cond in bayesian_nash_equilibria(U, prior):
            count += 1
            r = is_bayesian_dependency_equilibrium(U, prior, cond, conditional=True)
            assert r and r.exact, r.reason
            assert bayes_sequence_satisfies(r, U)
            r = is_bayesian_dependency_equilibrium(U, prior, cond, conditional=True,
                                                   conditioning="joint")
            assert r and bayes_sequence_satisfies(r, U)
    assert count >= 6


def test_bayesian_with_one_type_matches_normal_form():
    rng = np.random.default_rng(5)
    for _ in range(5):
        g = NormalFormGame(rng.integers(-2, 3, size=(2, 3, 3)).astype(float))
        Ub = g.payoffs.reshape(2, 1, 1, 3, 3)
        for a in itertools.product(range(3), range(3)):
            s = np.zeros((1, 1, 3, 3))
            s[(0, 0) + a] = 1
            want = bool(is_dependency_equilibrium(g, a))
            for conditioning in ("type-profile", "joint"):
                r = is_bayesian_dependency_equilibrium(Ub, np.ones((1, 1)), s,
                                                       conditioning=conditioning)
                assert bool(r) == want and r.exact


def test_bayesian_joint_and_conditional_inputs_agree():
    U, prior, _ = example35(2)
    s = anonymous_profile(2, (1, 1))
    r1 = is_bayesian_dependency_equilibrium(U, prior, s)
    r2 = is_bayesian_dependency_equilibrium(U, prior, s / prior[:, :, None, None], conditional=True)
    assert bool(r1) == bool(r2)
    np.testing.assert_allclose(r1.joint, r2.joint)


@st.composite
def type_dependent_play(draw):
    """Two players, two types each, two actions each; any prior with positive entries
    and any pure action profile per type profile (play may depend on the other's type)."""
    U = np.array(draw(st.lists(st.integers(-3, 3), min_size=32, max_size=32)), float)
    prior = np.array(draw(st.lists(st.integers(1, 3), min_size=4, max_size=4)), float)
    plays = draw(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=4, max_size=4))
    return U.reshape(2, 2, 2, 2, 2), (prior / prior.sum()).reshape(2, 2), plays


def interval_reference(U, prior, plays):
    """Definition 29 for 2 players with 2 actions: at each type profile the two zero
    events meet in one outcome, so each conditional independently ranges over its
    interval [min, max]; a DE iff every type's used actions share a value v in their
    intervals and every unused action's smallest value is at most v."""
    for i in range(2):
        for tau in range(2):
            ts = [t for t in itertools.product(range(2), range(2)) if t[i] == tau]
            w = np.array([prior[t] for t in ts]) / sum(prior[t] for t in ts)
            lo_, hi_, used = [], [], []
            for a in range(2):
                lo_a = hi_a = 0.0
                use = False
                for wt, t in zip(w, ts):
                    k = plays[2 * t[0] + t[1]]
                    if k[i] == a:
                        use = True
                        lo_a += wt * U[(i,) + t + k]
                        hi_a += wt * U[(i,) + t + k]
                    else:
                        vals = np.take(U[(i,) + t], a, axis=i)
                        lo_a += wt * vals.min()
                        hi_a += wt * vals.max()
                lo_.append(lo_a), hi_.append(hi_a), used.append(use)
            ua = [a for a in range(2) if used[a]]
            v = min(hi_[a] for a in ua)
            if max(lo_[a] for a in ua) > v + 1e-9:
                return False
            if any(lo_[a] > v + 1e-9 for a in range(2) if not used[a]):
                return False
    return True


@SETTINGS
@given(type_dependent_play())
def test_bayesian_two_action_games_against_interval_reference(case):
    U, prior, plays = case
    s = np.zeros((2, 2, 2, 2))
    for (t0, t1), k in zip(itertools.product(range(2), range(2)), plays):
        s[(t0, t1) + k] = 1
    r = is_bayesian_dependency_equilibrium(U, prior, s, conditional=True)
    assert r.exact
    assert bool(r) == interval_reference(U, prior, plays), r.reason
    if r:
        assert bayes_sequence_satisfies(r, U)


# Three players, two types, two actions: an instance in which the type profiles'
# punishments trade off (one zero action's worst outcome helps another player's), so
# the proportional split of slack fails and the slack must be reallocated; and one in
# which a type profile fails even with all the slack (found by a seeded search).
THREE_PLAYER_U = {
    "de": [[3, 1, -2, -2, -2, 2, 1, 2, -3, 2, 2, -1, 1, 3, 3, 2, -3, 1, -2, -1, 1, 1, 0, -1, -1, 3, -2,
            -1, 2, -3, -1, 1, -3, 1, -1, 1, 0, 1, 1, 0, 0, 1, -1, 0, -2, 2, 1, 1, 2, 1, -3, 0, 3, -1,
            1, 1, 2, -1, -3, 2, -2, -1, 0, -2],
           [2, 2, -1, -3, -1, 1, 2, -2, 2, 1, 3, -2, 1, 0, 2, -3, 1, 3, 3, -1, 3, -2, 1, 0, -3, 3, -2,
            0, -2, -2, -1, 1, -3, -2, 0, -1, 1, 3, 3, 0, 1, -2, 1, 3, 0, -2, 2, -1, -3, -2, -3, -3, 1,
            2, 0, 3, 2, -3, 0, 3, -3, 2, 0, -1],
           [-3, 0, -2, 3, 1, 0, 1, 3, 1, -2, -3, 1, 3, -2, -1, 2, -3, 2, 0, -2, -3, -3, 3, 3, 0, 3, 0,
            -1, -1, -2, -2, 2, 1, -1, -2, 1, 0, 2, -3, -1, -1, -2, 2, 3, 2, -1, 2, -1, 0, 2, -1, -3, 1,
            0, -1, 0, 2, 3, -2, 1, -1, 1, -1, 2]],
    "not": [[-1, 1, -1, -3, 0, 2, 2, -3, -2, 0, 0, 0, 0, 0, -3, 3, 0, 2, -1, -2, 1, -1, 0, 3, 3, -1, 3,
             -2, 1, 2, -1, 3, -2, 1, -3, 0, 0, 2, -3, 3, -1, -3, 0, 0, -1, -1, 2, -1, -3, 3, 1, 0, 2,
             3, 1, -3, 2, 3, -2, -2, -2, -3, -1, 1],
            [1, -2, 0, -2, 1, 0, 3, -1, 2, -2, -3, -3, 1, -3, 2, -1, 1, 0, 1, -1, -3, 3, 1, 1, 2, 2, 3,
             2, 2, 0, -1, 0, -2, 2, -1, 3, -1, -1, -1, 2, 2, 0, -2, 0, 3, 2, -1, 3, 0, 3, -3, -1, 2, 2,
             2, -2, 0, 2, 3, -1, -2, 3, 2, 1],
            [-1, -3, 2, -1, -3, 2, 0, -1, 2, 0, -2, 3, -2, -3, 0, 3, -1, 1, 1, 1, 0, 2, 0, 2, 0, -1, 0,
             -1, 2, 3, -2, -3, 1, 2, 0, 0, 1, 1, 3, 1, 3, -2, 3, -1, -2, 1, 0, -3, -2, -2, -2, 0, -1, 2,
             -3, 1, -3, -2, 1, -1, 0, -3, 2, 3]],
}
THREE_PLAYER_PRIOR = {"de": [3, 3, 2, 2, 1, 2, 3, 3], "not": [1, 1, 1, 2, 3, 1, 2, 3]}
THREE_PLAYER_PLAY = {"de": [(0, 1), (1, 0), (0, 1)], "not": [(1, 0), (0, 1), (0, 1)]}


def three_player_case(name):
    U = np.array(THREE_PLAYER_U[name], float).reshape((3,) + (2,) * 6)
    prior = np.array(THREE_PLAYER_PRIOR[name], float).reshape(2, 2, 2)
    prior /= prior.sum()
    s = np.zeros((2,) * 6)
    for t in np.ndindex(2, 2, 2):
        s[t + tuple(THREE_PLAYER_PLAY[name][i][t[i]] for i in range(3))] = 1
    return U, prior, s


def test_three_player_trade_offs_between_type_profiles():
    U, prior, s = three_player_case("de")
    r = is_bayesian_dependency_equilibrium(U, prior, s, conditional=True)
    assert r and r.exact and "reallocating" in r.reason
    assert bayes_sequence_satisfies(r, U)
    U, prior, s = three_player_case("not")
    r = is_bayesian_dependency_equilibrium(U, prior, s, conditional=True)
    assert not r and r.exact
    assert "type profile (1, 1, 1) even with all the slack" in r.reason


# ---------------------------------------------------------------------------
# API and input errors
# ---------------------------------------------------------------------------
def test_exported_from_analysis():
    for name in ["is_dependency_equilibrium", "is_bayesian_dependency_equilibrium",
                 "pure_dependency_equilibria", "DependencyResult"]:
        assert name in an.__all__ and hasattr(an, name)


def test_support_restriction_normal_form():
    # Restricting the perturbations to the diagonal of the PD: defecting then means both
    # defect, worth 1 < 3, so (C, C) stays a DE; (D, D) too.
    g = prisoners_dilemma()
    diag = np.eye(2, dtype=bool)
    assert is_dependency_equilibrium(g, (0, 0), support=diag)
    with pytest.raises(ValueError, match="support"):
        is_dependency_equilibrium(g, (0, 1), support=diag)


def test_input_errors_name_the_field():
    g = prisoners_dilemma()
    with pytest.raises(ValueError, match="game"):
        is_dependency_equilibrium(np.zeros((2, 2, 2)), (0, 0))
    with pytest.raises(ValueError, match="game"):
        pure_dependency_equilibria("PD")
    with pytest.raises(ValueError, match="joint.*shape"):
        is_dependency_equilibrium(g, np.full((3, 2), 1 / 6))
    with pytest.raises(ValueError, match="joint.*non-negative"):
        is_dependency_equilibrium(g, [[1.5, -0.5], [0, 0]])
    with pytest.raises(ValueError, match="joint.*sum to 1"):
        is_dependency_equilibrium(g, [[0.5, 0], [0, 0.4]])
    with pytest.raises(ValueError, match="joint.*profile"):
        is_dependency_equilibrium(g, (0, 2))
    # a list (or array) with one action per player is a pure profile too
    assert bool(is_dependency_equilibrium(g, [0, 0])) and not is_dependency_equilibrium(g, np.array([0, 1]))
    with pytest.raises(ValueError, match="joint: pure profile"):
        is_dependency_equilibrium(g, [0, 2])
    with pytest.raises(ValueError, match="^support: not used for ECL"):
        from gamesim.sim.ecl import treutlein_example_35
        is_dependency_equilibrium(treutlein_example_35(2), (1, 1), support=np.ones((2, 2, 2, 2), bool))
    with pytest.raises(ValueError, match="eu_tol"):
        is_dependency_equilibrium(g, (0, 0), eu_tol=-1)
    with pytest.raises(ValueError, match="support"):
        is_dependency_equilibrium(g, (0, 0), support=np.ones((3, 3), bool))
    U, prior, _ = example35(2)
    s = anonymous_profile(2, (1, 1))
    with pytest.raises(ValueError, match="payoffs"):
        is_bayesian_dependency_equilibrium(U[0], prior, s)
    with pytest.raises(ValueError, match="prior"):
        is_bayesian_dependency_equilibrium(U, np.array([[0.5, 0.5], [0, 0]]), s)
    with pytest.raises(ValueError, match="joint.*marginal"):
        skew = np.zeros_like(s)
        skew[0, 0, 1, 1] = 1
        is_bayesian_dependency_equilibrium(U, prior, skew)
    with pytest.raises(ValueError, match="joint.*shape"):
        is_bayesian_dependency_equilibrium(U, prior, s[..., 0])
    with pytest.raises(ValueError, match="joint.*sum to 1"):
        is_bayesian_dependency_equilibrium(U, prior, s, conditional=True)
    with pytest.raises(ValueError, match="conditioning"):
        is_bayesian_dependency_equilibrium(U, prior, s, conditioning="posterior")


def test_example35_through_the_ecl_game_object():
    # The same known result (KNOWN_RESULTS, example 35) from gamesim.sim.ecl's game, whose
    # arrays are built independently of example35() above: with n = 2 only the Bayesian
    # Nash profile is a DE among same-type-same-action profiles; with n = 4 cooperating is.
    from itertools import product

    from gamesim.analysis import is_dependency_equilibrium
    from gamesim.analysis.dependency import ecl_dependency_equilibrium
    from gamesim.sim.ecl import treutlein_example_35

    g2 = treutlein_example_35(2)
    passing = [p for p in product(range(2), repeat=2) if ecl_dependency_equilibrium(g2, p)]
    assert passing == [(1, 1)]
    res = is_dependency_equilibrium(g2, (1, 1))
    np.testing.assert_allclose(np.concatenate([np.ravel(v) for v in res.values]), 4.5)
    assert bool(ecl_dependency_equilibrium(treutlein_example_35(4), (0, 0)))
    # Corollary 40's sufficient condition agrees at n = 4 (gain (n - 3) / 2 = 0.5).
    assert treutlein_example_35(4).cooperation_is_dependency_equilibrium([0, 0]).holds


def test_a_tolerance_that_zeroes_the_joint_is_an_error():
    # Regression (review): with tol at or above every entry, 0/0 used to pass every check.
    import gamesim as gs
    from gamesim.analysis import is_dependency_equilibrium

    with pytest.raises(ValueError, match="tol"):
        is_dependency_equilibrium(gs.games.prisoners_dilemma(), [[0, 0.5], [0.5, 0]], tol=0.5)
    with pytest.raises(ValueError, match="tol"):
        is_dependency_equilibrium(gs.games.prisoners_dilemma(), (0, 0), tol=1.0)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 2), st.integers(2, 3), st.integers(2, 3), st.integers(0, 2**32 - 1))
def test_pure_dependency_equilibria_of_ecl_games(m, K, n, seed):
    # Two independent routes must agree: the exact search over the full Bayesian game
    # lists every Bayesian Nash profile (proposition 37) and every profile that passes
    # corollary 40's sufficient condition, equation (41).
    from gamesim.sim.ecl import ECLBayesianGame

    rng = np.random.default_rng(seed)
    p = rng.random(m) + 0.1
    g = ECLBayesianGame.independent(rng.integers(-3, 4, size=(m, m, K)).astype(float), p / p.sum(), n)
    found = pure_dependency_equilibria(g)
    assert found == sorted(found)
    for bne in g.bayesian_nash_equilibria():
        assert bne in found
    for prof in g.anonymous_pure_profiles():
        if g.cooperation_is_dependency_equilibrium(prof).holds:
            assert prof in found, prof
