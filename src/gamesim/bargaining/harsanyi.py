"""Coalition-perfect Harsanyi (= CoCo) equilibria of finite n-player games.

Harsanyi (1963) extended Nash's variable-threat bargaining to n players: every
coalition ``S`` picks a threat strategy against its complement, every coalition
splits its gains by the Nash bargaining rule from fallbacks ``t^S``, and virtual
prices ``a`` make the grand coalition's payoff Pareto optimal.  Diffractor's
"Unifying bargaining" essay (the seed ``unifying-bargaining-coco-harsanyi-
equilibria.txt``, Theorem 1) shows these are exactly the coalition-perfect CoCo
equilibria.

How it is computed (gamesim's bargaining notes, ALGORITHMS.md section 4): for
prices ``a > 0`` the four conditions reduce, by Moebius inversion, to

    u(a) = phi(a * U) / a      (componentwise),

where ``phi`` is the n-player CoCo value (the Shapley value of
``V(S) = (T + w(S)) / 2``) of the game whose utilities are scaled by ``a``.  By
construction ``a . u(a) = max_{x in F} a . x``, so ``u(a)`` lies on the supporting
hyperplane of the feasible set ``F`` with normal ``a``, and ``a`` is an equilibrium
exactly when ``u(a)`` lies in ``F`` -- "no side payments needed".

* Two players: the sign of ``u_1(a)`` against the ``a``-face of ``F`` changes once
  as ``a_1`` goes from 0 to 1, so bisection on ``a_1`` finds the (unique) solution,
  Nash's (1953) threat solution.
* More players: ``u(a)`` must lie in the face of ``F`` whose normal is ``a``.  When
  that face is a facet, ``a`` is the facet's normal -- checked directly for every
  Pareto facet; when it is an edge (three players), ``a`` lies on a segment of
  normals where one scalar equation is solved by Brent's method; when it is a
  vertex, ``R(a) = dist(u(a), F)`` is minimised over the open simplex by
  Nelder-Mead from several seeded starts (Nelder-Mead alone stalls in the thin
  valleys of the facet and edge cases).  Each evaluation costs ``2^(n-1) - 1``
  small zero-sum games (exact vertex enumeration) and a test against the
  precomputed facets of ``F``; an exact LP distance certifies the answer.
  Non-convergence is reported, never hidden.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog, minimize
from scipy.spatial import ConvexHull, QhullError

from ..errors import ConvergenceWarning
from ..sim.games import NormalFormGame, as_game
from .feasible import nearest_lottery
from .values import _coalition_matrix, coco_value, harsanyi_fallbacks, shapley_value
from .._arrays import frozen as _frozen

__all__ = ["HarsanyiEquilibrium", "harsanyi_equilibrium"]




@dataclass(frozen=True, eq=False)
class HarsanyiEquilibrium:
    """A coalition-perfect Harsanyi (= CoCo) equilibrium and its certificate.

    Attributes
    ----------
    payoffs : ndarray, shape (n,)
        The grand coalition's payoffs ``u^N``.
    weights : ndarray, shape (n,)
        Virtual prices ``a`` (sum 1): the normal of the Pareto frontier at ``u^N``,
        the weights every coalition's threat game uses.
    joint : ndarray, shape (m_1, ..., m_n)
        A correlated lottery over pure profiles whose expected payoffs are ``u^N``
        (no transfers needed).
    coalition_strategies : dict
        ``frozenset S -> (rho_S, rho_rest)``: optimal threat strategies of the
        zero-sum game ``sum_S a_i U_i - sum_rest a_j U_j``, each a distribution over
        the coalition's joint actions (axes in player order).  ``S = N`` maps to
        ``(joint, None)``.
    coalition_payoffs : dict
        ``frozenset S -> u^S`` (length-n array, NaN outside ``S``): coalition ``S``'s
        payoffs when it splits its worth ``V(S) = (T_a + w_a(S)) / 2`` by the
        Shapley value of the ``a``-scaled game restricted to ``S`` (the
        constant-sum convention of ALGORITHMS.md section 4).  ``u^N`` is the same
        under any convention.
    conflict_payoffs : dict
        ``frozenset S -> U(rho_S, rho_rest)``: every player's payoff if ``S`` and its
        complement carried out their threats (Harsanyi's conflict payoffs).
    fallbacks : dict
        ``frozenset S -> t^S`` with ``t_i^S = sum_{R < S, i in R} (-1)^(|S|-|R|+1) u_i^R``.
    residuals : dict
        ``"feasible"``: max-norm distance of ``u^N`` from ``F`` (an LP; conditions 1
        and 2 hold exactly when it is 0); ``"normal"``: ``max_F a.x - a.u^N``;
        ``"threats"``: the largest optimality gap of a reported threat strategy
        (condition 3); ``"split"``: the largest violation of
        ``a_i (u_i^S - t_i^S) = a_j (u_j^S - t_j^S)`` (condition 4).  All in payoff
        units.
    converged : bool
        Every residual is within tolerance.
    boundary : bool
        Some price is below ``1e-6``: a weakly Pareto (boundary) solution.
    others : tuple of (payoffs, weights)
        Further, distinct equilibria met by other starts (n >= 3).
    method : str
    parameters : dict
        Tolerance, starts, seed and the number of residual evaluations.
    """

    payoffs: np.ndarray
    weights: np.ndarray
    joint: np.ndarray
    coalition_strategies: dict
    coalition_payoffs: dict
    conflict_payoffs: dict
    fallbacks: dict
    residuals: dict
    converged: bool
    boundary: bool
    others: tuple
    method: str
    parameters: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------
# the map a -> u(a)
# ---------------------------------------------------------------------------
def _scaled_game(U: np.ndarray, a: np.ndarray) -> NormalFormGame:
    return NormalFormGame(U * a.reshape((-1,) + (1,) * (U.ndim - 1)))


def _u_of(U: np.ndarray, a: np.ndarray):
    """u(a) = phi(a*U)/a and the CoCo value object of the scaled game."""
    coco = coco_value(_scaled_game(U, a))
    return np.asarray(coco.values, dtype=float) / a, coco


class _Membership:
    """Fast distance-like residual of a point from the hull of payoff vectors.

    Works in the affine hull of the points (so flat, lower-dimensional payoff sets
    are handled), with Qhull facets when that hull has dimension >= 2.
    """

    def __init__(self, points: np.ndarray):
        self.points = points
        self.scale = 1.0 + float(np.max(np.abs(points)))
        self.center = points.mean(axis=0)
        X = points - self.center
        _, s, Vt = np.linalg.svd(X, full_matrices=False)
        rank = int(np.sum(s > 1e-10 * self.scale * max(1, len(points))))
        self.basis = Vt[:rank]
        Y = X @ self.basis.T
        self.equations = None
        self.interval = None
        self.hull = None
        if rank >= 2:
            try:
                hull = ConvexHull(Y)
                self.equations = hull.equations
                self.hull = hull
            except QhullError:  # pragma: no cover - rank test guards this
                rank = 0
        if rank == 1:
            self.interval = (float(Y.min()), float(Y.max()))
        self.rank = rank

    def residual(self, u: np.ndarray) -> float:
        x = u - self.center
        if self.rank == 0:
            return float(np.max(np.abs(x)))
        y = self.basis @ x
        off = float(np.linalg.norm(x - self.basis.T @ y))
        if self.rank == 1:
            lo, hi = self.interval
            inside = max(lo - y[0], y[0] - hi, 0.0)
        else:
            inside = max(float(np.max(self.equations[:, :-1] @ y + self.equations[:, -1])), 0.0)
        return max(off, inside)


# ---------------------------------------------------------------------------
# solvers for the prices
# ---------------------------------------------------------------------------
def _two_player_prices(U: np.ndarray, points: np.ndarray, counter: list):
    """Bisection on a_1 (ALGORITHMS.md section 4): the sign of u_1 against the a-face.

    ``u_1(a)`` falls as player 1's price rises, so the side on which ``u(a)`` leaves
    the ``a``-face changes once.  Near a price of 0 ``u_1 = (M + V) / (2 a_1)`` loses
    precision, so comparisons allow an error of ``1e-9 * scale / min(a)``; a
    solution at a boundary price (a player who cannot be hurt) is returned as such.
    """
    scale = 1.0 + float(np.max(np.abs(points)))
    face_tol = 1e-9 * scale

    def side(alpha: float):
        a = np.array([alpha, 1.0 - alpha])
        u, _ = _u_of(U, a)
        counter[0] += 1
        vals = points @ a
        face = points[vals >= vals.max() - face_tol]
        lo, hi = face[:, 0].min(), face[:, 0].max()
        # u_1 = (M + V) / (2 a_1) loses precision as a_1 -> 0
        slack = 1e-12 * scale / alpha
        if u[0] > hi + slack:
            return 1, a
        if u[0] < lo - slack:
            return -1, a
        return 0, a

    def snap(a):
        """On an edge of F the exact price is the edge's normal: use it if it works."""
        vals = points @ a
        face = points[vals >= vals.max() - face_tol]
        left, right = face[np.argmin(face[:, 0])], face[np.argmax(face[:, 0])]
        e = right - left
        if e[0] <= face_tol or e[1] >= -face_tol:
            return a
        alpha = -e[1] / (e[0] - e[1])
        s_edge, a_edge = side(alpha)
        return a_edge if s_edge == 0 else a

    s_mid, a_mid = side(0.5)
    if s_mid == 0:
        return snap(a_mid)
    # geometric search towards the end where the sign flips keeps the comparisons
    # at well-conditioned prices as long as possible
    lo, hi = 0.5, 0.5
    for k in range(1, 41):
        alpha = 0.5 * 2.0 ** -k if s_mid < 0 else 1.0 - 0.5 * 2.0 ** -k
        s_k, a_k = side(alpha)
        if s_k == 0:
            return snap(a_k)
        if s_k != s_mid:
            lo, hi = (alpha, alpha * 2) if s_mid < 0 else (1.0 - 2 * (1.0 - alpha), alpha)
            break
    else:
        return a_k  # the sign never flips: a boundary solution (a price -> 0)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        s, a = side(mid)
        if s == 0:
            return snap(a)
        if s > 0:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return np.array([0.5 * (lo + hi), 1.0 - 0.5 * (lo + hi)])


def _pareto_faces(member: _Membership, n: int):
    """Facet normals (strictly positive) and edges of a full-dimensional hull in 3-D.

    Returns ``(facets, edges)``: ``facets`` is a list of price vectors (normals scaled
    to sum 1); ``edges`` a list of ``(x1, x2, a_start, a_end)``: an edge of the hull
    between two facets with different normals and the segment of prices (within the
    open simplex) whose face is that edge.
    """
    if member.hull is None or member.rank != n:
        return [], []
    eq = member.equations
    normals = eq[:, :-1] @ member.basis          # back to payoff coordinates
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    # Qhull triangulates: merge coplanar simplices by their normals
    keys = np.round(normals, 9)
    facets = []
    for k in np.unique(keys, axis=0):
        if np.all(k > 1e-9):
            facets.append(k / k.sum())
    edges = []
    if n == 3:
        simplices = member.hull.simplices
        owner = {}
        for f, simplex in enumerate(simplices):
            for e in itertools.combinations(sorted(simplex), 2):
                owner.setdefault(e, []).append(f)
        pts = member.points
        for (i, j), fs in owner.items():
            if len(fs) != 2:
                continue
            n1, n2 = normals[fs[0]], normals[fs[1]]
            if np.allclose(n1, n2, atol=1e-9):
                continue
            # the part of the cone spanned by n1, n2 with a > 0: an interval of t
            lo, hi = 0.0, 1.0
            for c1, c2 in zip(n1, n2):
                slope = c2 - c1
                if abs(slope) < 1e-15:
                    if c1 <= 1e-12:
                        lo, hi = 1.0, 0.0
                    continue
                root = -c1 / slope
                if slope > 0:
                    lo = max(lo, root)
                else:
                    hi = min(hi, root)
            if hi - lo <= 1e-12:
                continue
            margin = 1e-9 * (hi - lo)
            a0 = (1 - lo - margin) * n1 + (lo + margin) * n2
            a1 = (1 - hi + margin) * n1 + (hi - margin) * n2
            a0, a1 = a0 / a0.sum(), a1 / a1.sum()
            edges.append((pts[i], pts[j], a0, a1))
    return facets, edges


def _face_candidates(U: np.ndarray, member: _Membership, tol: float, counter: list):
    """Equilibria whose payoff lies inside a Pareto facet or edge (n = 3), found exactly.

    Nelder-Mead stalls in the thin valleys these cases create: on a facet the price
    vector is the facet's normal (a point); inside an edge it lies on a segment of
    normals, where one scalar equation (``u(a)`` on the edge's line) is solved by
    Brent's method.
    """
    from scipy.optimize import brentq

    n = U.shape[0]
    facets, edges = _pareto_faces(member, n)
    out = []

    def resid(a):
        counter[0] += 1
        return member.residual(_u_of(U, a)[0])

    tol = tol * member.scale
    for a in facets:
        if resid(a) <= tol:
            out.append(a)
    for x1, x2, a0, a1 in edges:
        direction = x2 - x1

        def h(t, x1=x1, direction=direction, a0=a0, a1=a1):
            a = (1 - t) * a0 + t * a1
            a = a / a.sum()
            counter[0] += 1
            u = _u_of(U, a)[0]
            nu = np.cross(a, direction)
            return float(nu @ (u - x1) / np.linalg.norm(nu))

        h0, h1 = h(0.0), h(1.0)
        if h0 == 0.0:
            t = 0.0
        elif h1 == 0.0:
            t = 1.0
        elif h0 * h1 < 0:
            t = brentq(h, 0.0, 1.0, xtol=1e-15, rtol=1e-15, maxiter=200)
        else:
            continue
        a = (1 - t) * a0 + t * a1
        a = a / a.sum()
        if resid(a) <= tol:
            out.append(a)
    return out


def _pareto_refine(points: np.ndarray, u: np.ndarray, a: np.ndarray, scale: float):
    """The best point of F for the near-zero-price players among those dominating u.

    A price that tends to 0 leaves a weakly Pareto point; Harsanyi's condition 1
    asks for the strict frontier, reached by raising the payoffs of the players
    whose price vanishes while nobody loses.  Returns ``u`` unchanged when no such
    point exists (then the residuals report it).
    """
    tiny = a < 1e-4
    m, n = points.shape
    res = linprog(-tiny.astype(float) @ points.T, A_ub=-points.T, b_ub=-(u - 1e-9 * scale),
                  A_eq=np.ones((1, m)), b_eq=[1.0], bounds=[(0, None)] * m, method="highs")
    if res.status != 0:
        return u
    x = points.T @ res.x
    x[~tiny] = np.maximum(x[~tiny], u[~tiny])
    return x


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(np.concatenate([[0.0], z]) - max(0.0, float(np.max(z))))
    return e / e.sum()


def _n_player_prices(U: np.ndarray, member: _Membership, starts: list, tol: float,
                     counter: list, maxfev: int):
    """Nelder-Mead on R(a) = dist(u(a), F) over the open simplex, one run per start."""
    scale = member.scale

    def R(z):
        a = _softmax(np.clip(z, -40, 40))
        counter[0] += 1
        u, _ = _u_of(U, a)
        return member.residual(u) / scale

    found = [(0.0, a) for a in _face_candidates(U, member, tol, counter)]
    for a0 in starts:
        z0 = np.log(a0[1:] / a0[0])
        best = None
        # restarts from the last simplex's best point shake Nelder-Mead out of a stall
        step = 0.5
        for _ in range(3):
            simplex = np.vstack([z0, z0 + step * np.eye(len(z0))])
            res = minimize(R, z0, method="Nelder-Mead",
                           options={"xatol": 1e-13, "fatol": 1e-15, "maxfev": maxfev,
                                    "initial_simplex": simplex, "adaptive": True})
            if best is None or res.fun < best.fun:
                best = res
            if best.fun * scale <= tol:
                break
            z0 = best.x
            step *= 0.1
        found.append((float(best.fun * scale), _softmax(np.clip(best.x, -40, 40))))
    return found


# ---------------------------------------------------------------------------
# assembling the certificate
# ---------------------------------------------------------------------------
def _coalitions(n: int):
    return [frozenset(c) for r in range(1, n + 1) for c in itertools.combinations(range(n), r)]


def _shapley_on(members: tuple, worth: dict) -> dict:
    """Shapley value of the game ``worth`` restricted to the players in ``members``."""
    index = {p: k for k, p in enumerate(members)}
    inside = set(members)
    sub = {frozenset(index[p] for p in R): v for R, v in worth.items() if R <= inside}
    phi = shapley_value(sub, n=len(members))
    return {p: float(phi[index[p]]) for p in members}


def _expected_conflict(U: np.ndarray, S: frozenset, rho_S: np.ndarray, rho_rest: np.ndarray) -> np.ndarray:
    n = U.shape[0]
    S_axes = sorted(S)
    rest_axes = [j for j in range(n) if j not in S]
    # bring the payoff axes to (player, S's actions..., rest's actions...)
    perm = [0] + [1 + j for j in S_axes] + [1 + j for j in rest_axes]
    T = np.transpose(U, perm).reshape(n, rho_S.size, rho_rest.size)
    return np.einsum("iab,a,b->i", T, rho_S.ravel(), rho_rest.ravel())


def _certificate(game: NormalFormGame, a: np.ndarray, points: np.ndarray):
    U = game.payoffs
    n = game.n_players
    u, coco = _u_of(U, a)
    scaled = _scaled_game(U, a)
    T_a = float(coco.cooperative)
    w = dict(coco.coalition_values)
    worth = {}
    for S in _coalitions(n):
        worth[S] = T_a if len(S) == n else 0.5 * (T_a + w[S])
    coalition_payoffs = {}
    for S in _coalitions(n):
        members = tuple(sorted(S))
        z = _shapley_on(members, worth)
        vec = np.full(n, np.nan)
        for i in members:
            vec[i] = z[i] / a[i]
        coalition_payoffs[S] = _frozen(vec)
    fallbacks = harsanyi_fallbacks(coalition_payoffs)
    split = 0.0
    for S in _coalitions(n):
        if len(S) < 2:
            continue
        gains = [a[i] * (coalition_payoffs[S][i] - fallbacks[S][i]) for i in sorted(S)]
        split = max(split, float(np.max(gains) - np.min(gains)))
    # condition 3: optimality gaps of the reported threat strategies
    strategies, conflict = {}, {}
    threat_gap = 0.0
    Us = scaled.payoffs
    for S in _coalitions(n):
        if len(S) == n:
            continue
        rho_S, rho_rest = coco.threats[S]
        rho_S = np.asarray(rho_S, dtype=float)
        rho_rest = np.asarray(rho_rest, dtype=float)
        M = _coalition_matrix(Us, sorted(S), [j for j in range(n) if j not in S])
        guarantee = float(np.min(rho_S.ravel() @ M))
        concede = float(np.max(M @ rho_rest.ravel()))
        threat_gap = max(threat_gap, w[S] - guarantee, concede - w[S])
        strategies[S] = (_frozen(rho_S), _frozen(rho_rest))
        conflict[S] = _frozen(_expected_conflict(U, S, rho_S, rho_rest))
    if np.min(a) < 1e-4:
        u = _pareto_refine(points, u, a, 1.0 + float(np.max(np.abs(points))))
    dist, lam = nearest_lottery(points, u)
    joint = _frozen(lam.reshape(game.n_actions))
    strategies[frozenset(range(n))] = (joint, None)
    conflict[frozenset(range(n))] = _frozen(points.T @ lam)
    normal = float(np.max(points @ a) - a @ u)
    residuals = {"feasible": dist, "normal": abs(normal),
                 "threats": max(threat_gap, 0.0), "split": split}
    return u, joint, strategies, coalition_payoffs, conflict, fallbacks, residuals


def harsanyi_equilibrium(game: NormalFormGame, *, tol: float = 1e-7, starts: int = 4,
                         seed: int = 0, maxfev: int = 600) -> HarsanyiEquilibrium:
    """A coalition-perfect Harsanyi (= coalition-perfect CoCo) equilibrium of a finite game.

    Finds virtual prices ``a`` such that the CoCo value of the ``a``-scaled game,
    converted back to each player's own units, is a feasible payoff vector of the
    game without transfers (``u(a) = phi(a * U) / a`` in ``F``).  Then reports the
    coalitions' threat strategies, their payoffs and fallbacks, and the residual of
    each of the four equilibrium conditions.

    Parameters
    ----------
    game : NormalFormGame
        Any number of players; practical for ``n <= 5`` with small action sets
        (each evaluation solves ``2^(n-1) - 1`` zero-sum games).
    tol : float
        Accept a solution when every residual is below ``tol`` times
        ``1 + max |payoff|``.
    starts : int
        Seeded Nelder-Mead starts for ``n >= 3`` (the first is the uniform price
        vector, the others are Dirichlet draws); equilibria of n-player games need
        not be unique, so distinct solutions are returned in ``others``.
    seed : int
        Seed of the generator that draws the starts.
    maxfev : int
        Residual evaluations per Nelder-Mead run.

    Returns
    -------
    HarsanyiEquilibrium
        With ``converged`` False (and a :class:`~gamesim.errors.ConvergenceWarning`)
        when no start met the tolerance; the best point found is returned.

    Raises
    ------
    ValueError
        For a one-player game or bad parameters (the message names the field).

    References
    ----------
    .. [1] J. C. Harsanyi, "A simplified bargaining model for the n-person cooperative
       game", International Economic Review 4(2), 1963.
    .. [2] J. F. Nash, "Two-person cooperative games", Econometrica 21, 1953.
    .. [3] A. Kalai, E. Kalai, "Cooperation in strategic games revisited", QJE 128, 2013.
    .. [4] Diffractor, "Unifying bargaining notions (2/2)", AI Alignment Forum, 2022
       (Theorem 1: coalition-perfect CoCo = Harsanyi equilibria).

    Examples
    --------
    Treutlein's example 60: the solution is Nash's threat solution (2.5, 4.75) with
    prices (1/3, 2/3).

    >>> from gamesim.sim.catalogue import treutlein_example_60
    >>> eq = harsanyi_equilibrium(treutlein_example_60())
    >>> eq.payoffs.round(9), (eq.weights * 3).round(9), eq.converged
    (array([2.5 , 4.75]), array([1., 2.]), True)
    """
    game = as_game(game)
    n = game.n_players
    if n < 2:
        raise ValueError(f"game: a Harsanyi equilibrium needs at least 2 players, got {n}")
    if not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol: must be a positive number, got {tol!r}")
    if int(starts) != starts or starts < 1:
        raise ValueError(f"starts: must be a positive integer, got {starts!r}")
    if int(maxfev) != maxfev or maxfev < 10:
        raise ValueError(f"maxfev: must be an integer >= 10, got {maxfev!r}")
    U = game.payoffs
    points = U.reshape(n, -1).T.copy()
    scale = 1.0 + float(np.max(np.abs(points)))
    counter = [0]
    others: list = []
    if n == 2:
        a = _two_player_prices(U, points, counter)
        method = "bisection on the price of player 1 (Nash 1953 threat solution)"
    else:
        rng = np.random.default_rng(seed)
        start_list = [np.full(n, 1.0 / n)] + [rng.dirichlet(np.ones(n)) for _ in range(int(starts) - 1)]
        member = _Membership(points)
        found = _n_player_prices(U, member, start_list, tol, counter, int(maxfev))
        found.sort(key=lambda t: t[0])
        a = found[0][1]
        method = f"Nelder-Mead on dist(u(a), F) from {len(start_list)} seeded starts"
        accepted = [(r, p) for r, p in found[1:] if r <= tol * scale]
        seen = [_u_of(U, a)[0]]
        for _, p in accepted:
            u_p = _u_of(U, p)[0]
            if all(np.max(np.abs(u_p - s)) > 1e-5 * scale for s in seen):
                seen.append(u_p)
                others.append((_frozen(u_p), _frozen(p)))
    a = np.asarray(a, dtype=float) / np.sum(a)
    u, joint, strategies, coalition_payoffs, conflict, fallbacks, residuals = _certificate(game, a, points)
    converged = all(r <= tol * scale for r in residuals.values())
    boundary = bool(np.min(a) < 1e-6)
    if not converged:
        warnings.warn(
            f"harsanyi_equilibrium: no price vector met tol={tol:g} "
            f"(residuals {', '.join(f'{k}={v:.2e}' for k, v in residuals.items())}); "
            "returning the best point found", ConvergenceWarning, stacklevel=2)
    parameters = {"tol": tol, "starts": int(starts), "seed": seed, "maxfev": int(maxfev),
                  "evaluations": counter[0]}
    return HarsanyiEquilibrium(_frozen(u), _frozen(a), joint, strategies, coalition_payoffs,
                               conflict, fallbacks, residuals, converged, boundary,
                               tuple(others), method, parameters)
