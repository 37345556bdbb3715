"""Equilibrium analysis of finite normal-form games.

Solution concepts over a :class:`~gamesim.sim.games.NormalFormGame` (payoff tensor
``payoffs[i, a_1, ..., a_n]``), written as small functions over NumPy arrays:

* zero-sum values and optimal strategies (:func:`zero_sum_value`),
* minmax (punishment) values (:func:`minmax_values`),
* best responses, NashConv and Nash checks (:func:`best_responses`,
  :func:`best_response_value`, :func:`nash_conv`, :func:`is_nash`),
* pure and mixed Nash equilibria (:func:`pure_nash_equilibria`, :func:`nash_equilibria`),
* correlated equilibria by linear programming (:func:`correlated_equilibrium`) and
  the swap / external-regret gaps of a joint distribution (:func:`ce_violation`,
  :func:`coarse_ce_violation`).

Linear programs are solved with :func:`scipy.optimize.linprog` (``method="highs"``).
Nothing here touches NumPy's global random state; the one randomised search
(mixed equilibria of games with more than two players) draws from its own seeded
:class:`numpy.random.Generator`.

References
----------
.. [vN28] J. von Neumann, "Zur Theorie der Gesellschaftsspiele", Math. Ann. 100, 1928.
.. [AM] R. J. Aumann, "Subjectivity and correlation in randomized strategies",
   J. Math. Econ. 1, 1974.
.. [vS02] B. von Stengel, "Computing equilibria for two-person games", in *Handbook of
   Game Theory* vol. 3, ch. 45, 2002.
.. [ARSvS10] D. Avis, G. D. Rosenberg, R. Savani, B. von Stengel, "Enumeration of Nash
   equilibria for two-player games", Economic Theory 42, 9-37, 2010.
.. [MMT] R. D. McKelvey, A. McLennan, "Computation of equilibria in finite games",
   *Handbook of Computational Economics* vol. 1, 1996.
.. [LZ] M. Lanctot et al., "A unified game-theoretic approach to multiagent
   reinforcement learning" (NashConv), NeurIPS 2017.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import least_squares, linprog

from gamesim.sim.engine import action_values, as_mixed_batch, expected_payoffs
from gamesim.sim.games import NormalFormGame, as_game
from .._arrays import as_matrix as _as_matrix
from .._arrays import frozen as _frozen

__all__ = [
    "ZeroSumSolution", "MinmaxResult", "NashEquilibrium", "CorrelatedEquilibrium",
    "zero_sum_value", "minmax_values", "best_responses", "best_response_value",
    "nash_conv", "is_nash", "pure_nash_equilibria", "nash_equilibria",
    "correlated_equilibrium", "ce_violation", "coarse_ce_violation",
]


# ---------------------------------------------------------------------------
# result types
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ZeroSumSolution:
    """Value and optimal strategies of a zero-sum matrix game.

    Attributes
    ----------
    value : float
        ``max_x min_y x^T A y = min_y max_x x^T A y``.
    row_strategy, col_strategy : ndarray
        Optimal (maximin / minimax) mixed strategies of the row and column player.
    method : str
        How it was computed.
    """

    value: float
    row_strategy: np.ndarray
    col_strategy: np.ndarray
    method: str


@dataclass(frozen=True, eq=False)
class MinmaxResult:
    """Minmax (punishment) values of every player.

    Attributes
    ----------
    values : ndarray, shape (n_players,)
        ``values[i]`` is the lowest payoff the others can hold player ``i`` to when
        ``i`` best-responds.  For two players this is exact.  For more players it is
        the value against punishers who may **correlate** their actions (an LP,
        equal to :attr:`lower`), which is a lower bound on the minmax value against
        independently mixing punishers; see :attr:`exact`.
    lower, upper : ndarray, shape (n_players,)
        Bounds on the minmax value against independent punishers: ``lower`` is the
        correlated-punisher value, ``upper`` the best value found with independent
        punishers (pure punishers, or the product of the correlated punishing
        distribution's marginals).  Equal to ``values`` for two players.
    punishers : tuple of ndarray
        ``punishers[i]``: for two players, the other player's minmax (punishing)
        mixed strategy; for more players, the correlated punishing distribution over
        the others' joint actions, shaped ``(m_j for j != i)``.
    independent_punishers : tuple of tuple of ndarray
        ``independent_punishers[i]``: independent mixed strategies of the others (in
        seat order, skipping ``i``) that hold ``i`` to ``upper[i]``.
    best_replies : tuple of tuple of int
        Player ``i``'s pure best replies to ``punishers[i]``.
    exact : bool
        True when ``values`` is the exact independent-punisher minmax for every
        player (always for two players; for more, when ``lower == upper``).
    method : str
    """

    values: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    punishers: tuple
    independent_punishers: tuple
    best_replies: tuple
    exact: bool
    method: str


@dataclass(frozen=True, eq=False)
class NashEquilibrium:
    """One Nash equilibrium.

    Attributes
    ----------
    strategies : tuple of ndarray
        One mixed strategy per player.
    payoffs : ndarray, shape (n_players,)
        Expected payoffs.
    support : tuple of tuple of int
        The actions each player plays with positive probability.
    method : str
        ``"vertex-enumeration"``, ``"support-enumeration"``, ``"pure"`` or
        ``"support-least-squares"``.
    """

    strategies: tuple
    payoffs: np.ndarray
    support: tuple
    method: str

    @property
    def is_pure(self) -> bool:
        return all(len(s) == 1 for s in self.support)


@dataclass(frozen=True, eq=False)
class CorrelatedEquilibrium:
    """A correlated equilibrium chosen by a linear objective.

    Attributes
    ----------
    distribution : ndarray, shape (m_1, ..., m_n)
        Probability of each joint action (recommendation profile).
    payoffs : ndarray, shape (n_players,)
        Expected payoffs under ``distribution``.
    objective : str
        ``"welfare"``, ``"maxmin"``, ``"weights"`` or ``"linear"``.
    method : str
    status : str
        The LP status (``"optimal"``).
    """

    distribution: np.ndarray
    payoffs: np.ndarray
    objective: str
    method: str
    status: str


# ---------------------------------------------------------------------------
# zero-sum games and minmax values
# ---------------------------------------------------------------------------
def _check_matrix(A: Any, field: str = "A") -> np.ndarray:
    if isinstance(A, NormalFormGame):
        if A.n_players != 2 or not A.is_zero_sum(atol=1e-9):
            raise ValueError(f"{field}: a game passed as a matrix must be a two-player zero-sum game")
        A = A.payoffs[0]
    M = _as_matrix(A, field, "a 2-D matrix")
    if M.size == 0:
        raise ValueError(f"{field}: every player needs at least one action, got shape {M.shape}")
    return M


def _clean_prob(x: np.ndarray) -> np.ndarray:
    x = np.clip(np.asarray(x, dtype=float), 0.0, None)
    return x / x.sum()


def _maximin_lp(A: np.ndarray):
    """max v s.t. x^T A >= v, x in the simplex; returns the linprog result."""
    m, n = A.shape
    c = np.zeros(m + 1)
    c[-1] = -1.0
    A_ub = np.hstack([-A.T, np.ones((n, 1))])
    A_eq = np.concatenate([np.ones(m), [0.0]])[None, :]
    bounds = [(0, None)] * m + [(None, None)]
    return linprog(c, A_ub=A_ub, b_ub=np.zeros(n), A_eq=A_eq, b_eq=[1.0],
                   bounds=bounds, method="highs")


def zero_sum_value(A: Any) -> ZeroSumSolution:
    """Value and optimal strategies of a zero-sum matrix game, by linear programming.

    The row player maximises ``x^T A y`` and the column player minimises it.  The LP
    ``max v s.t. x^T A[:, j] >= v for all j, x >= 0, sum(x) = 1`` (``v`` free) gives
    the value and the row player's maximin strategy; the column player's minimax
    strategy is read from the LP's dual values and certified (``max_i (A y)_i <= v``);
    should the certificate fail, the column player's LP is solved instead.

    Parameters
    ----------
    A : array_like, shape (m, n)
        Row player's payoffs.  A two-player zero-sum :class:`NormalFormGame` is also
        accepted (its row player's matrix is used).

    Returns
    -------
    ZeroSumSolution

    Raises
    ------
    ValueError
        If ``A`` is not a finite, non-empty 2-D matrix (the message names ``A``).
    RuntimeError
        If the LP solver fails.

    References
    ----------
    .. [1] J. von Neumann, "Zur Theorie der Gesellschaftsspiele", Math. Ann. 100, 1928.
    .. [2] G. B. Dantzig, "A proof of the equivalence of the programming problem and
       the game problem", in *Activity Analysis of Production and Allocation*, 1951.

    Examples
    --------
    >>> sol = zero_sum_value([[3, -1], [-2, 1]])
    >>> round(sol.value * 7, 9), (sol.row_strategy * 7).round(9), (sol.col_strategy * 7).round(9)
    (1.0, array([3., 4.]), array([2., 5.]))
    """
    M = _check_matrix(A)
    res = _maximin_lp(M)
    if res.status != 0:
        raise RuntimeError(f"zero_sum_value: LP failed ({res.message})")
    value = float(res.x[-1])
    x = _clean_prob(res.x[:-1])
    scale = 1.0 + float(np.max(np.abs(M)))
    y = -np.asarray(res.ineqlin.marginals, dtype=float)
    method = "lp-highs (primal; column strategy from duals)"
    ok = (np.all(y >= -1e-9) and abs(y.sum() - 1.0) <= 1e-7)
    if ok:
        y = _clean_prob(y)
        ok = float(np.max(M @ y)) <= value + 1e-7 * scale
    if not ok:  # pragma: no cover - HiGHS duals are reliable; kept as a safeguard
        res2 = _maximin_lp(-M.T)
        if res2.status != 0:
            raise RuntimeError(f"zero_sum_value: column player's LP failed ({res2.message})")
        y = _clean_prob(res2.x[:-1])
        method = "lp-highs (primal and transposed LPs)"
    return ZeroSumSolution(value, _frozen(x), _frozen(y), method)


def _others_matrix(U_i: np.ndarray, i: int) -> np.ndarray:
    """Player i's payoff as a matrix: rows = i's actions, columns = others' joint actions (C order)."""
    return np.moveaxis(U_i, i, 0).reshape(U_i.shape[i], -1)


def _punish_descent(U_i: np.ndarray, i: int, others: Sequence[int], start: Sequence[np.ndarray],
                    sweeps: int = 50) -> tuple[float, list[np.ndarray]]:
    """Independent punishers: improve one punisher at a time by a zero-sum LP.

    Returns the punished player's best-reply value and the punishers' strategies.
    Never increases the value, so the result is an upper bound on the independent minmax.
    """
    xs: list[Any] = [None] * U_i.ndim
    for j, x in zip(others, start):
        xs[j] = x
    xs[i] = np.ones(U_i.shape[i])

    def current() -> float:
        return float(np.max(_values_raw(U_i, xs, i)))

    u = current()
    for _ in range(sweeps):
        improved = False
        for j in others:
            sol = zero_sum_value(_values_pair(U_i, xs, i, j))
            if sol.value < u - 1e-12:
                xs[j] = np.array(sol.col_strategy)
                u = current()
                improved = True
        if not improved:
            break
    return u, [xs[j] for j in others]


def minmax_values(game: NormalFormGame) -> MinmaxResult:
    """Minmax (punishment) values ``min_{sigma_-i} max_{a_i} u_i(a_i, sigma_-i)``.

    These are the individually rational levels of the folk theorems: the lowest
    payoff the other players can hold player ``i`` to.

    * **Two players — exact.**  Player ``i``'s minmax value is the value of the
      zero-sum game in which the punisher maximises ``-u_i``; solved by
      :func:`zero_sum_value`, which also gives the punisher's mixed minmax strategy.
    * **More than two players — bounds.**  With independently mixing punishers the
      problem is non-convex (the punishers' product distribution is multilinear).
      ``values`` holds the value against punishers who may *correlate* (one LP per
      player over the others' joint actions): a **lower bound** on the independent
      minmax.  ``upper`` is an **upper bound** from independent punishers (the best
      pure punishing profile, or the product of the marginals of the correlated
      punishing distribution, whichever is lower).  ``exact`` is True only if the
      bounds meet for every player.  Use ``upper`` with
      ``independent_punishers`` when the punishers cannot correlate.

    Parameters
    ----------
    game : NormalFormGame

    Returns
    -------
    MinmaxResult

    References
    ----------
    .. [1] D. Fudenberg, E. Maskin, "The folk theorem in repeated games with
       discounting or with incomplete information", Econometrica 54, 1986.
    .. [2] M. Maschler, E. Solan, S. Zamir, *Game Theory*, ch. 13, 2013.

    Examples
    --------
    >>> from gamesim.sim.catalogue import prisoners_dilemma, matching_pennies
    >>> minmax_values(prisoners_dilemma(R=3, S=0, T=5, P=1)).values
    array([1., 1.])
    >>> r = minmax_values(matching_pennies())
    >>> r.values + 0.0, r.punishers[0], r.exact
    (array([0., 0.]), array([0.5, 0.5]), True)
    """
    game = as_game(game)
    U = game.payoffs
    n = game.n_players
    values, lower, upper = np.zeros(n), np.zeros(n), np.zeros(n)
    punishers, indep, replies = [], [], []
    tol = 1e-9 * (1.0 + float(np.max(np.abs(U))))
    for i in range(n):
        others = [j for j in range(n) if j != i]
        M = _others_matrix(U[i], i)  # (m_i, prod m_-i)
        if not others:  # one-player game: nobody to punish
            v = float(M.max())
            values[i] = lower[i] = upper[i] = v
            punishers.append(np.ones(1))
            indep.append(())
            replies.append(tuple(int(a) for a in np.flatnonzero(M[:, 0] >= v - tol)))
            continue
        sol = zero_sum_value(M)  # row = punished player (max), columns = punishers (min)
        q = sol.col_strategy
        v = sol.value
        br = tuple(int(a) for a in np.flatnonzero(M @ q >= v - tol))
        shape_others = tuple(game.n_actions[j] for j in others)
        if n == 2:
            values[i] = lower[i] = upper[i] = v
            punishers.append(_frozen(q))
            indep.append((_frozen(q),))
            replies.append(br)
            continue
        # n > 2: lower bound v (correlated punishers); upper bounds by independent punishers,
        # from the best pure punishing profile and from the product of the correlated
        # solution's marginals, each improved by best-reply (coordinate) descent.
        col_max = M.max(axis=0)
        pure_profile = np.unravel_index(int(np.argmin(col_max)), shape_others)
        Q = q.reshape(shape_others)
        k_others = len(others)
        margs = [Q.sum(axis=tuple(t for t in range(k_others) if t != s)) for s in range(k_others)]
        best_u, best_strats = np.inf, ()
        for start in ([np.eye(m)[a] for m, a in zip(shape_others, pure_profile)], margs):
            u_start, strats = _punish_descent(U[i], i, others, [_clean_prob(x) for x in start])
            if u_start < best_u:
                best_u, best_strats = u_start, tuple(_frozen(x) for x in strats)
        values[i] = lower[i] = v
        upper[i] = max(best_u, v)
        punishers.append(_frozen(Q))
        indep.append(best_strats)
        replies.append(br)
    if n <= 2:
        exact, method = True, "exact: zero-sum LP per player (punisher's mixed minmax strategy)"
    else:
        gap = upper - lower
        exact = bool(np.all(gap <= 1e-7 * (1.0 + np.abs(upper))))
        method = ("correlated-punisher LP (values = lower bound); upper bound from pure "
                  "punishers / product of marginals")
    values, lower, upper = values + 0.0, lower + 0.0, upper + 0.0  # no negative zeros
    return MinmaxResult(_frozen(values), _frozen(lower), _frozen(upper), tuple(punishers),
                        tuple(indep), tuple(replies), exact, method)


# ---------------------------------------------------------------------------
# best responses, NashConv
# ---------------------------------------------------------------------------
def best_response_value(game: NormalFormGame, player: int, profile: Sequence[Any]) -> Any:
    """Best payoff ``player`` can get against the others' mixed strategies.

    Parameters
    ----------
    game : NormalFormGame
    player : int
    profile : sequence of n_players arrays
        Mixed strategies, shape ``(m_j,)`` or ``(batch, m_j)``; ``player``'s own
        entry is ignored (``None`` is allowed).

    Returns
    -------
    float, or ndarray of shape (batch,)

    Examples
    --------
    >>> from gamesim.sim.catalogue import prisoners_dilemma
    >>> best_response_value(prisoners_dilemma(), 0, [None, [0.5, 0.5]])
    3.0
    """
    vals = action_values(game, player, profile)
    out = vals.max(axis=-1)
    return float(out) if np.ndim(out) == 0 else out


def best_responses(game: NormalFormGame, player: int, profile: Sequence[Any],
                   tol: float = 1e-9) -> tuple[int, ...]:
    """The pure best responses of ``player`` to the others' mixed strategies.

    Parameters
    ----------
    game : NormalFormGame
    player : int
    profile : sequence of n_players 1-D arrays
        One mixed strategy per player; ``player``'s own entry is ignored.
    tol : float
        An action is a best response if its expected payoff is within ``tol``
        (absolute) of the best.

    Returns
    -------
    tuple of int
        Sorted action indices.

    Examples
    --------
    >>> from gamesim.sim.catalogue import matching_pennies
    >>> best_responses(matching_pennies(), 0, [None, [0.5, 0.5]])
    (0, 1)
    >>> best_responses(matching_pennies(), 0, [None, [0.9, 0.1]])
    (0,)
    """
    vals = action_values(game, player, profile)
    if vals.ndim != 1:
        raise ValueError("profile: best_responses takes one profile (1-D strategies), not a batch")
    return tuple(int(a) for a in np.flatnonzero(vals >= vals.max() - tol))


def _player_gains(game: NormalFormGame, profile: Sequence[Any]) -> tuple[np.ndarray, bool]:
    """Per-player best-response gains, shape (n_players, batch), and the single flag."""
    xs, single = as_mixed_batch(game, profile, field="profile")
    batch = max(x.shape[0] for x in xs)
    gains = np.empty((game.n_players, batch))
    for i in range(game.n_players):
        vals = action_values(game, i, xs)  # (batch or 1, m_i)
        cur = np.sum(vals * xs[i], axis=-1)
        gains[i] = np.maximum(vals.max(axis=-1) - cur, 0.0)
    return gains, single


def nash_conv(game: NormalFormGame, profile: Sequence[Any]) -> Any:
    """NashConv: the sum over players of the gain from a best response.

    ``sum_i (max_{a_i} u_i(a_i, x_-i) - u_i(x))``; zero exactly at Nash equilibria.

    Parameters
    ----------
    game : NormalFormGame
    profile : sequence of n_players arrays
        Player ``i``'s mixed strategy, shape ``(m_i,)`` or ``(batch, m_i)``.

    Returns
    -------
    float for one profile, ndarray of shape (batch,) for a batch

    References
    ----------
    .. [1] M. Lanctot et al., "A unified game-theoretic approach to multiagent
       reinforcement learning", NeurIPS 2017.

    Examples
    --------
    >>> from gamesim.sim.catalogue import prisoners_dilemma
    >>> g = prisoners_dilemma()
    >>> nash_conv(g, [[1, 0], [1, 0]])         # both cooperate: each gains T - R = 2
    4.0
    >>> nash_conv(g, [[[1, 0], [0, 1]], [[1, 0], [0, 1]]])
    array([4., 0.])
    """
    game = as_game(game)
    gains, single = _player_gains(game, profile)
    out = gains.sum(axis=0)
    return float(out[0]) if single else out


def is_nash(game: NormalFormGame, profile: Sequence[Any], tol: float = 1e-9) -> Any:
    """Whether a mixed profile is a Nash equilibrium (every player's gain <= ``tol``).

    Returns a bool, or a boolean array of shape (batch,) for a batch of profiles.

    Examples
    --------
    >>> from gamesim.sim.catalogue import matching_pennies
    >>> is_nash(matching_pennies(), [[0.5, 0.5], [0.5, 0.5]])
    True
    >>> is_nash(matching_pennies(), [[1, 0], [0.5, 0.5]])
    False
    """
    game = as_game(game)
    gains, single = _player_gains(game, profile)
    ok = np.all(gains <= tol, axis=0)
    return bool(ok[0]) if single else ok


# ---------------------------------------------------------------------------
# Nash equilibria
# ---------------------------------------------------------------------------
def pure_nash_equilibria(game: NormalFormGame, tol: float = 1e-9) -> list[tuple[int, ...]]:
    """All pure Nash equilibria of an n-player game.

    Vectorized: a joint action is an equilibrium when every player's payoff there is
    within ``tol`` of the maximum over that player's own action axis.

    Returns
    -------
    list of tuple of int
        Joint actions in lexicographic (C) order.

    Examples
    --------
    >>> from gamesim.sim.catalogue import prisoners_dilemma, battle_of_the_sexes
    >>> pure_nash_equilibria(prisoners_dilemma())
    [(1, 1)]
    >>> pure_nash_equilibria(battle_of_the_sexes())
    [(0, 0), (1, 1)]
    """
    game = as_game(game)
    U = game.payoffs
    ok = np.ones(game.n_actions, dtype=bool)
    for i in range(game.n_players):
        ok &= U[i] >= U[i].max(axis=i, keepdims=True) - tol
    return [tuple(int(a) for a in idx) for idx in np.argwhere(ok)]


def _normalise_payoffs(M: np.ndarray) -> np.ndarray:
    """Positive affine map of a payoff array onto [1, 2] (keeps best responses)."""
    lo, hi = float(M.min()), float(M.max())
    r = hi - lo if hi > lo else 1.0
    return 1.0 + (M - lo) / r


def _polytope_vertices(G: np.ndarray, h: np.ndarray, tol: float, chunk: int = 20000):
    """Vertices of the bounded polytope {z : G z <= h} and their tight-constraint masks.

    Tries every set of d = G.shape[1] constraints as equalities (nonsingular ones
    only), keeps feasible solutions, and merges duplicates.
    """
    K, d = G.shape
    found = []
    combos = itertools.combinations(range(K), d)
    while True:
        idx = np.array(list(itertools.islice(combos, chunk)), dtype=np.intp)
        if idx.size == 0:
            break
        Ms = G[idx]                      # (c, d, d)
        rhs = h[idx]                     # (c, d)
        s = np.linalg.svd(Ms, compute_uv=False)
        keep = s[:, -1] > 1e-11 * np.maximum(s[:, 0], 1.0)
        if not keep.any():
            continue
        z = np.linalg.solve(Ms[keep], rhs[keep][..., None])[..., 0]
        feas = np.all(z @ G.T <= h + tol, axis=1)
        found.append(z[feas])
    Z = np.concatenate(found) if found else np.zeros((0, d))
    Z = _dedupe_rows(Z, 1e3 * tol)
    tight = np.abs(Z @ G.T - h) <= tol
    return Z, tight


def _dedupe_rows(Z: np.ndarray, atol: float) -> np.ndarray:
    if len(Z) == 0:
        return Z
    Z = Z[np.lexsort(np.round(Z, 6).T[::-1])]
    kept: list[np.ndarray] = []
    for z in Z:
        if not kept or np.min(np.max(np.abs(np.array(kept) - z), axis=1)) > atol:
            kept.append(z)
    return np.array(kept)


def _snap(x: np.ndarray, tol: float) -> np.ndarray:
    x = np.where(np.abs(x) <= tol, 0.0, np.asarray(x, dtype=float))
    return _clean_prob(x)


def _make_equilibrium(game: NormalFormGame, strategies: Sequence[np.ndarray], method: str,
                      tol: float) -> NashEquilibrium:
    strats = tuple(_frozen(_snap(s, tol)) for s in strategies)
    payoffs = expected_payoffs(game, list(strats))
    support = tuple(tuple(int(a) for a in np.flatnonzero(s > 0)) for s in strats)
    return NashEquilibrium(strats, _frozen(payoffs), support, method)


def _sort_key(eq: NashEquilibrium):
    flat = np.concatenate(eq.strategies)
    return (sum(len(s) for s in eq.support), tuple(np.round(-flat, 9)))


def _two_player_vertex(game: NormalFormGame, tol: float) -> list[NashEquilibrium]:
    A = _normalise_payoffs(game.payoffs[0])
    B = _normalise_payoffs(game.payoffs[1])
    m, n = A.shape
    # P = {x >= 0, B^T x <= 1}: labels 0..m-1 for x_i = 0, m..m+n-1 for (B^T x)_j = 1.
    GP = np.vstack([-np.eye(m), B.T])
    hP = np.concatenate([np.zeros(m), np.ones(n)])
    # Q = {A y <= 1, y >= 0}: labels 0..m-1 for (A y)_i = 1, m..m+n-1 for y_j = 0.
    GQ = np.vstack([A, -np.eye(n)])
    hQ = np.concatenate([np.ones(m), np.zeros(n)])
    X, LX = _polytope_vertices(GP, hP, tol)
    Y, LY = _polytope_vertices(GQ, hQ, tol)
    nzx = X.sum(axis=1) > tol
    nzy = Y.sum(axis=1) > tol
    X, LX, Y, LY = X[nzx], LX[nzx], Y[nzy], LY[nzy]
    complete = np.all(LX[:, None, :] | LY[None, :, :], axis=-1)
    eqs = [_make_equilibrium(game, (X[a], Y[b]), "vertex-enumeration", tol)
           for a, b in zip(*np.nonzero(complete))]
    return eqs


def _two_player_support(game: NormalFormGame, tol: float) -> list[NashEquilibrium]:
    A, B = game.payoffs
    m, n = A.shape
    scale = 1.0 + float(np.max(np.abs(game.payoffs)))
    ftol = max(tol, 1e-12) * scale * 10
    eqs = []

    def indiff(M: np.ndarray) -> np.ndarray | None:
        # Solve M z = v 1, sum z = 1 for (z, v).
        k = M.shape[0]
        S = np.zeros((k + 1, k + 1))
        S[:k, :k] = M
        S[:k, k] = -1.0
        S[k, :k] = 1.0
        rhs = np.zeros(k + 1)
        rhs[k] = 1.0
        try:
            sol = np.linalg.solve(S, rhs)
        except np.linalg.LinAlgError:
            return None
        if not np.allclose(S @ sol, rhs, atol=1e-9):
            return None
        return sol

    for k in range(1, min(m, n) + 1):
        for I in itertools.combinations(range(m), k):
            for J in itertools.combinations(range(n), k):
                sy = indiff(A[np.ix_(I, J)])       # column strategy on J making row indifferent on I
                sx = indiff(B[np.ix_(I, J)].T)     # row strategy on I making column indifferent on J
                if sy is None or sx is None:
                    continue
                if np.any(sy[:k] < -tol) or np.any(sx[:k] < -tol):
                    continue
                y = np.zeros(n); y[list(J)] = sy[:k]
                x = np.zeros(m); x[list(I)] = sx[:k]
                if np.max(A @ y) > sy[k] + ftol or np.max(x @ B) > sx[k] + ftol:
                    continue
                eqs.append(_make_equilibrium(game, (x, y), "support-enumeration", tol))
    return eqs


def _values_raw(U_i: np.ndarray, xs: Sequence[np.ndarray], i: int) -> np.ndarray:
    """Player i's action values against the others' (not necessarily normalised) vectors."""
    T = U_i
    for j in reversed(range(len(xs))):
        if j != i:
            T = np.tensordot(T, xs[j], axes=([j], [0]))
    return T


def _values_pair(U_i: np.ndarray, xs: Sequence[np.ndarray], i: int, j: int) -> np.ndarray:
    """d(action values of i)/d x_j: U_i contracted with every x_k, k not in {i, j}; shape (m_i, m_j)."""
    T = U_i
    for k in reversed(range(len(xs))):
        if k != i and k != j:
            T = np.tensordot(T, xs[k], axes=([k], [0]))
    return T if i < j else T.T


def _conditionally_dominated(U: np.ndarray, supports: Sequence[Sequence[int]]) -> bool:
    """Whether some supported action is strictly dominated given the others' supports."""
    n = U.shape[0]
    for i in range(n):
        sub = U[i][np.ix_(*[range(U.shape[1 + k]) if k == i else S for k, S in enumerate(supports)])]
        M = _others_matrix(sub, i)                       # (m_i, R_S)
        Ms = M[list(supports[i])]
        beaten = np.all(M[:, None, :] > Ms[None, :, :] + 1e-12, axis=-1).any(axis=0)
        if beaten.any():
            return True
    return False


def _n_player_support_lsq(game: NormalFormGame, tol: float, n_starts: int,
                          seed: int) -> list[NashEquilibrium]:
    n = game.n_players
    U = np.stack([_normalise_payoffs(game.payoffs[i]) - 1.0 for i in range(n)])
    rng = np.random.default_rng(seed)
    accept = 1e-8
    subsets = [[S for k in range(1, m + 1) for S in itertools.combinations(range(m), k)]
               for m in game.n_actions]
    found: list[list[np.ndarray]] = []
    for supports in itertools.product(*subsets):
        if all(len(S) == 1 for S in supports):
            continue  # pure profiles are found exactly by pure_nash_equilibria
        if _conditionally_dominated(U, supports):
            continue
        sizes = [len(S) for S in supports]
        offs = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        rows = np.concatenate([[0], np.cumsum(sizes)]).astype(int)  # block i: |S_i| rows

        def unpack(z, supports=supports, offs=offs):
            xs = []
            for i, S in enumerate(supports):
                x = np.zeros(game.n_actions[i])
                x[list(S)] = z[offs[i]:offs[i + 1]]
                xs.append(x)
            return xs

        def resid(z, supports=supports, offs=offs, unpack=unpack):
            xs = unpack(z)
            r = []
            for i, S in enumerate(supports):
                vals = _values_raw(U[i], xs, i)
                r.append(vals[list(S[1:])] - vals[S[0]])
                r.append([z[offs[i]:offs[i + 1]].sum() - 1.0])
            return np.concatenate(r)

        def jac(z, supports=supports, offs=offs, rows=rows, unpack=unpack):
            xs = unpack(z)
            J = np.zeros((rows[-1], offs[-1]))
            for i, S in enumerate(supports):
                r0 = rows[i]
                for j, T in enumerate(supports):
                    if j == i:
                        continue
                    D = _values_pair(U[i], xs, i, j)[:, list(T)]
                    J[r0:r0 + len(S) - 1, offs[j]:offs[j + 1]] = D[list(S[1:])] - D[S[0]]
                J[r0 + len(S) - 1, offs[i]:offs[i + 1]] = 1.0
            return J

        starts = [np.concatenate([np.full(k, 1.0 / k) for k in sizes])]
        for _ in range(n_starts - 1):
            starts.append(np.concatenate([rng.dirichlet(np.ones(k)) for k in sizes]))
        for z0 in starts:
            res = least_squares(resid, z0, jac=jac, bounds=(0.0, 1.0), xtol=1e-15, ftol=1e-15,
                                gtol=1e-15, max_nfev=50 * len(z0))
            xs = [_clean_prob(x) if x.sum() > 0 else None for x in unpack(res.x)]
            if any(x is None for x in xs):
                continue
            gain = 0.0
            for i in range(n):
                vals = _values_raw(U[i], xs, i)
                gain += float(vals.max() - xs[i] @ vals)
            if gain <= accept:
                found.append(xs)
    return [_make_equilibrium(game, xs, "support-least-squares", tol) for xs in found]


def _dedupe_equilibria(eqs: list[NashEquilibrium], atol: float) -> list[NashEquilibrium]:
    kept: list[NashEquilibrium] = []
    for e in eqs:
        flat = np.concatenate(e.strategies)
        if all(np.max(np.abs(np.concatenate(k.strategies) - flat)) > atol for k in kept):
            kept.append(e)
    return kept


def nash_equilibria(game: NormalFormGame, tol: float = 1e-9, *, method: str = "auto",
                    n_starts: int = 3, seed: int = 0) -> list[NashEquilibrium]:
    """Nash equilibria of a finite game.

    **Two players (default ``method="vertex"``): all extreme equilibria, exactly.**
    The payoffs are first mapped by a positive affine transformation onto [1, 2]
    (which changes no best response), so that the best-response polytopes

    * ``P = {x >= 0 : B^T x <= 1}`` (labels: ``x_i = 0`` -> i, ``(B^T x)_j = 1`` -> m+j)
    * ``Q = {y >= 0 : A y <= 1}`` (labels: ``(A y)_i = 1`` -> i, ``y_j = 0`` -> m+j)

    are bounded.  Their vertices are enumerated by solving every nonsingular system
    of ``m`` (resp. ``n``) tight constraints and keeping the feasible, distinct
    solutions; a vertex is labelled with *every* constraint tight at it (within
    ``tol``).  Each pair of non-zero vertices whose labels cover all ``m + n``
    labels, rescaled to probabilities, is an equilibrium, and these pairs are
    exactly the **extreme equilibria** [ARSvS10]_.

    *How degeneracy is handled.*  In a non-degenerate game the equilibria are
    isolated, their number is odd, and the supports of each one have equal size;
    all of them are returned.  In a degenerate game (a mixed strategy with support
    size ``k`` having more than ``k`` pure best responses) the equilibrium set can
    contain continua: it is a finite union of convex polytopes ("equilibrium
    components", more precisely the maximal Nash subsets ``X_k x Y_k``).  This
    function returns the extreme points of those sets -- every completely labelled
    vertex pair -- so every equilibrium is a convex combination of returned ones
    within some maximal Nash subset (not every mixture of two returned equilibria
    is an equilibrium, only mixtures inside one such subset).  Degenerate vertices
    (more tight constraints than dimensions) are found by several constraint
    subsets and merged.

    ``method="support"`` runs support enumeration over pairs of supports of equal
    size (solve the indifference equations, check best replies).  It is complete
    only for non-degenerate games; it is offered as an independent cross-check.

    Cost: vertex enumeration tries ``C(m+n, m) + C(m+n, n)`` constraint sets
    (vectorized in chunks): milliseconds up to 6x6, about a second at 8x8 and
    several seconds at 10x10.

    **More than two players (``method="auto"``):** returns the pure equilibria
    (exact, method ``"pure"``) plus mixed equilibria found by support enumeration:
    for every support profile with some player mixing, the indifference conditions
    are solved with bounded nonlinear least squares
    (:func:`scipy.optimize.least_squares`) from ``n_starts`` starting points (the
    uniform one, then draws from a ``numpy.random.default_rng(seed)``), keeping
    solutions with NashConv <= 1e-8 after mapping payoffs onto [0, 1]
    (method ``"support-least-squares"``).  The system is polynomial, so this is a
    heuristic: it may miss equilibria (several solutions on one support, or a
    continuum of them), and is meant for small games (cost grows as the product of
    ``2^{m_i}``).  ``method="pure"`` returns only the pure equilibria, any n.

    Parameters
    ----------
    game : NormalFormGame
    tol : float
        Tolerance for tight constraints / feasibility (on the [1, 2]-normalised
        payoffs) and for zeroing tiny probabilities.
    method : {"auto", "vertex", "support", "pure"}
    n_starts : int
        Starting points per support profile (more than two players only).
    seed : int
        Seed of the private generator for those starting points.

    Returns
    -------
    list of NashEquilibrium
        Sorted deterministically: by total support size, then lexicographically by
        decreasing probabilities (so pure equilibria come first, in the order of
        their action indices).

    References
    ----------
    .. [1] D. Avis, G. D. Rosenberg, R. Savani, B. von Stengel, "Enumeration of Nash
       equilibria for two-player games", Economic Theory 42, 9-37, 2010.
    .. [2] B. von Stengel, "Computing equilibria for two-person games", *Handbook of
       Game Theory* vol. 3, ch. 45, 2002.
    .. [3] R. D. McKelvey, A. McLennan, "Computation of equilibria in finite games",
       *Handbook of Computational Economics* vol. 1, 1996.

    Examples
    --------
    >>> from gamesim.sim.catalogue import battle_of_the_sexes
    >>> eqs = nash_equilibria(battle_of_the_sexes(a=2, b=1))
    >>> [e.support for e in eqs]
    [((0,), (0,)), ((1,), (1,)), ((0, 1), (0, 1))]
    >>> eqs[2].strategies[0].round(6), eqs[2].strategies[1].round(6)
    (array([0.666667, 0.333333]), array([0.333333, 0.666667]))

    A degenerate game: the column player is indifferent when the row player plays
    its dominant action 0, so every ``((1, 0), y)`` is an equilibrium; the two
    extreme ones are returned.

    >>> from gamesim.sim.games import NormalFormGame
    >>> g = NormalFormGame.from_bimatrix([[1, 1], [0, 0]], [[1, 1], [0, 0]])
    >>> [e.strategies[1].tolist() for e in nash_equilibria(g)]
    [[1.0, 0.0], [0.0, 1.0]]
    """
    game = as_game(game)
    n = game.n_players
    if method not in ("auto", "vertex", "support", "pure"):
        raise ValueError(f"method: expected 'auto', 'vertex', 'support' or 'pure', got {method!r}")
    if not tol > 0:
        raise ValueError(f"tol: must be positive, got {tol}")
    if method in ("vertex", "support") and n != 2:
        raise ValueError(f"method: {method!r} needs a two-player game, got {n} players")
    if method == "pure" or n == 1:
        eqs = [_make_equilibrium(game, [np.eye(m)[a] for m, a in zip(game.n_actions, prof)], "pure", tol)
               for prof in pure_nash_equilibria(game)]
    elif n == 2 and method in ("auto", "vertex"):
        eqs = _two_player_vertex(game, tol)
    elif n == 2:
        eqs = _two_player_support(game, tol)
    else:
        eqs = [_make_equilibrium(game, [np.eye(m)[a] for m, a in zip(game.n_actions, prof)], "pure", tol)
               for prof in pure_nash_equilibria(game)]
        eqs += _n_player_support_lsq(game, tol, n_starts, seed)
    eqs = _dedupe_equilibria(eqs, atol=1e-6)
    return sorted(eqs, key=_sort_key)


# ---------------------------------------------------------------------------
# correlated equilibria
# ---------------------------------------------------------------------------
def _ce_constraints(U: np.ndarray) -> np.ndarray:
    """Rows of the CE incentive constraints ``gain . p <= 0``, shape (sum m_i(m_i-1), N)."""
    n = U.shape[0]
    shape = U.shape[1:]
    rows = []
    for i in range(n):
        m = shape[i]
        Ui = _others_matrix(U[i], i)                    # (m, R)
        G = Ui[None, :, :] - Ui[:, None, :]             # G[k, l, r] = u(l, r) - u(k, r)
        Z = np.zeros((m, m, m, Ui.shape[1]))
        ar = np.arange(m)
        Z[ar, :, ar, :] = G                             # row (k, l) charges p(k, .)
        rest = tuple(s for j, s in enumerate(shape) if j != i)
        Z = Z.reshape((m * m, m) + rest)
        Z = np.moveaxis(Z, 1, 1 + i).reshape(m * m, -1)
        off = (ar[:, None] != ar[None, :]).ravel()
        rows.append(Z[off])
    return np.vstack(rows)


def correlated_equilibrium(game: NormalFormGame, objective: Any = "welfare") -> CorrelatedEquilibrium:
    """A correlated equilibrium that maximises a linear objective, by linear programming.

    Variables: a probability ``p`` over joint actions.  Constraints (Aumann): for
    every player ``i``, recommended action ``k`` and deviation ``l``,
    ``sum_{a_-i} p(k, a_-i) (u_i(l, a_-i) - u_i(k, a_-i)) <= 0``.

    Parameters
    ----------
    game : NormalFormGame
    objective : str or array_like
        * ``"welfare"`` -- maximise the sum of expected payoffs;
        * ``"maxmin"`` (alias ``"egalitarian"``) -- maximise the smallest player's
          expected payoff (an auxiliary variable ``t <= E[u_i]`` for all ``i``);
        * an array of shape ``(n_players,)`` -- weights ``w``, maximise ``sum_i w_i E[u_i]``;
        * an array shaped like the joint action tensor ``(m_1, ..., m_n)`` -- a
          linear objective ``c``, maximise ``sum_a c(a) p(a)``.

    Returns
    -------
    CorrelatedEquilibrium
        The optimal vertex returned by HiGHS.  Optimal CEs are often not unique;
        no further tie-break is applied.

    Raises
    ------
    ValueError
        If ``objective`` is not one of the above (the message names ``objective``).
    RuntimeError
        If the LP fails (a CE always exists, so this signals a numerical problem).

    References
    ----------
    .. [1] R. J. Aumann, "Subjectivity and correlation in randomized strategies",
       J. Math. Econ. 1, 1974.
    .. [2] C. H. Papadimitriou, T. Roughgarden, "Computing correlated equilibria in
       multi-player games", J. ACM 55, 2008.

    Examples
    --------
    Chicken (Dare, Chicken) with Aumann's payoffs: the welfare-maximising CE puts
    1/2 on (Chicken, Chicken) and 1/4 on each of the off-diagonal outcomes.

    >>> from gamesim.sim.catalogue import chicken
    >>> ce = correlated_equilibrium(chicken())
    >>> ce.distribution.round(6) + 0.0
    array([[0.  , 0.25],
           [0.25, 0.5 ]])
    >>> ce.payoffs.round(6)
    array([5.25, 5.25])
    """
    game = as_game(game)
    U = game.payoffs
    n = game.n_players
    N = game.n_outcomes
    Uf = U.reshape(n, N)
    G = _ce_constraints(U) if any(m > 1 for m in game.n_actions) else np.zeros((0, N))
    maxmin = False
    if isinstance(objective, str):
        key = objective.lower()
        if key == "welfare":
            c, label = -Uf.sum(axis=0), "welfare"
        elif key in ("maxmin", "egalitarian"):
            maxmin, label = True, "maxmin"
        else:
            raise ValueError(
                f"objective: expected 'welfare', 'maxmin', 'egalitarian', weights of shape "
                f"({n},) or an array of shape {game.n_actions}, got {objective!r}")
    else:
        try:
            w = np.array(objective, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"objective: must be a string or an array of numbers, got {objective!r}") from None
        if not np.all(np.isfinite(w)):
            raise ValueError("objective: contains NaN or infinite entries")
        if w.shape == (n,) and (w.shape != game.n_actions or n > 1):
            c, label = -(w @ Uf), "weights"
        elif w.shape == game.n_actions:
            c, label = -w.ravel(), "linear"
        else:
            raise ValueError(
                f"objective: array must have shape ({n},) (weights per player) or "
                f"{game.n_actions} (joint action tensor), got {w.shape}")
    if maxmin:
        c = np.zeros(N + 1)
        c[-1] = -1.0
        A_ub = np.vstack([np.hstack([G, np.zeros((G.shape[0], 1))]),
                          np.hstack([-Uf, np.ones((n, 1))])])
        b_ub = np.zeros(A_ub.shape[0])
        A_eq = np.concatenate([np.ones(N), [0.0]])[None, :]
        bounds = [(0, None)] * N + [(None, None)]
    else:
        A_ub, b_ub = (G, np.zeros(G.shape[0])) if G.shape[0] else (None, None)
        A_eq = np.ones((1, N))
        bounds = [(0, None)] * N
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=[1.0], bounds=bounds, method="highs")
    if res.status != 0:
        raise RuntimeError(f"correlated_equilibrium: LP failed with status {res.status} ({res.message})")
    p = _clean_prob(res.x[:N])
    dist = p.reshape(game.n_actions)
    return CorrelatedEquilibrium(_frozen(dist), _frozen(Uf @ p), label, "lp-highs", "optimal")


def _check_joint(game: NormalFormGame, joint: Any) -> tuple[np.ndarray, bool]:
    try:
        P = np.array(joint, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("joint: must be an array of probabilities") from None
    shape = game.n_actions
    if P.shape == shape:
        single = True
        P = P[None]
    elif P.ndim == len(shape) + 1 and P.shape[1:] == shape:
        single = False
    else:
        raise ValueError(f"joint: expected shape {shape} or (batch, *{shape}), got {P.shape}")
    if not np.all(np.isfinite(P)) or np.any(P < -1e-9):
        raise ValueError("joint: probabilities must be finite and non-negative")
    sums = P.reshape(P.shape[0], -1).sum(axis=1)
    if not np.allclose(sums, 1.0, atol=1e-6):
        raise ValueError(f"joint: probabilities must sum to 1 (got sums {sums[:3]}...)")
    return P, single


def ce_violation(game: NormalFormGame, joint: Any) -> Any:
    """Largest gain from a swap deviation: how far ``joint`` is from a correlated equilibrium.

    ``max_{i, k, l} sum_{a_-i} p(k, a_-i) (u_i(l, a_-i) - u_i(k, a_-i))``, clipped at 0:
    the most any player gains by always switching recommendation ``k`` to ``l``
    (unnormalised, i.e. weighted by the probability of being told ``k``).  Zero
    exactly on the correlated-equilibrium polytope.

    Parameters
    ----------
    game : NormalFormGame
    joint : array_like, shape (m_1, ..., m_n) or (batch, m_1, ..., m_n)

    Returns
    -------
    float, or ndarray of shape (batch,)

    References
    ----------
    .. [1] R. J. Aumann, "Subjectivity and correlation in randomized strategies",
       J. Math. Econ. 1, 1974.

    Examples
    --------
    >>> from gamesim.sim.catalogue import prisoners_dilemma
    >>> ce_violation(prisoners_dilemma(), [[1, 0], [0, 0]])   # (C, C): T - R
    2.0
    """
    game = as_game(game)
    P, single = _check_joint(game, joint)
    b = P.shape[0]
    out = np.zeros(b)
    for i in range(game.n_players):
        Ui = _others_matrix(game.payoffs[i], i)                        # (m, R)
        Pi = np.moveaxis(P, 1 + i, 1).reshape(b, Ui.shape[0], -1)      # (b, m, R)
        M = np.einsum("bkr,lr->bkl", Pi, Ui)                           # value of playing l when told k
        gain = M - np.diagonal(M, axis1=1, axis2=2)[:, :, None]
        out = np.maximum(out, gain.reshape(b, -1).max(axis=1))
    return float(out[0]) if single else out


def coarse_ce_violation(game: NormalFormGame, joint: Any) -> Any:
    """Largest external-regret gain: distance of ``joint`` from a coarse correlated equilibrium.

    ``max_{i, l} E_p[u_i(l, a_-i)] - E_p[u_i(a)]``, clipped at 0 -- the most a
    player gains by committing to a fixed action ``l`` before seeing any
    recommendation.  Zero exactly on the coarse-correlated-equilibrium set (which
    contains the CE polytope); no-external-regret learners converge to it.

    Parameters
    ----------
    game : NormalFormGame
    joint : array_like, shape (m_1, ..., m_n) or (batch, m_1, ..., m_n)

    Returns
    -------
    float, or ndarray of shape (batch,)

    References
    ----------
    .. [1] H. Moulin, J.-P. Vial, "Strategically zero-sum games", Int. J. Game
       Theory 7, 1978.
    .. [2] S. Hart, A. Mas-Colell, "A simple adaptive procedure leading to
       correlated equilibrium", Econometrica 68, 2000.

    Examples
    --------
    >>> from gamesim.sim.catalogue import prisoners_dilemma
    >>> coarse_ce_violation(prisoners_dilemma(), [[1, 0], [0, 0]])
    2.0
    >>> coarse_ce_violation(prisoners_dilemma(), [[0, 0], [0, 1]])
    0.0
    """
    game = as_game(game)
    P, single = _check_joint(game, joint)
    b = P.shape[0]
    out = np.zeros(b)
    for i in range(game.n_players):
        Ui = _others_matrix(game.payoffs[i], i)                        # (m, R)
        Pi = np.moveaxis(P, 1 + i, 1).reshape(b, Ui.shape[0], -1)      # (b, m, R)
        current = np.einsum("bkr,kr->b", Pi, Ui)
        dev = Pi.sum(axis=1) @ Ui.T                                    # (b, m)
        out = np.maximum(out, dev.max(axis=1) - current)
    return float(out[0]) if single else out
