"""Disagreement points: Nash equilibria, minmax, Nash's variable threats, CE fallback.

A bargaining solution needs a disagreement point ``d``: what the players get if
negotiations break down.  This module offers four:

* :func:`nash_point` -- the payoffs of a Nash equilibrium of the stage game, with a
  documented selection rule when there are several;
* :func:`minmax_point` -- every player's minmax (punishment) value;
* :func:`threat_point` -- Nash's (1953) variable-threat solution of a two-player
  game: each player commits to the threat that maximises their own NBS payoff.
  Computed exactly from the Pareto edges of the feasible set, one zero-sum game
  per edge;
* :func:`ce_fallback` -- the threat-resistant essay's proposal: fall back to a
  correlated equilibrium (selected by the Nash product over the CE payoff set,
  relative to its worst point) and split the surplus from there.

Feasible set.  ``F`` is the convex hull of the pure-profile payoff vectors, i.e.
the payoffs of correlated lotteries over outcomes.

References
----------
.. [Na50] J. F. Nash, "The bargaining problem", Econometrica 18, 155-162, 1950.
.. [Na53] J. F. Nash, "Two-person cooperative games", Econometrica 21, 128-140, 1953.
.. [Au74] R. J. Aumann, "Subjectivity and correlation in randomized strategies",
   J. Math. Econ. 1, 67-96, 1974.
.. [KK13] A. Kalai, E. Kalai, "Cooperation in strategic games revisited", QJE 128, 2013.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linprog

from gamesim.analysis.equilibria import (
    _ce_constraints,
    _frozen,
    ce_violation,
    correlated_equilibrium,
    minmax_values,
    nash_equilibria,
)
from gamesim.sim.games import NormalFormGame, as_game

from .zerosum import small_zero_sum_value

__all__ = [
    "DisagreementPoint", "nash_point", "minmax_point",
    "ThreatSolution", "threat_point",
    "CEFallback", "ce_fallback",
    "NASH_SELECTIONS",
]

NASH_SELECTIONS = ("max-nash-product", "welfare", "first")
"""Selection rules of :func:`nash_point`."""

_RTOL = 1e-9


def _scale(U: np.ndarray) -> float:
    return 1.0 + float(np.max(np.abs(U)))


def _product(strategies: Any) -> np.ndarray:
    joint = np.ones(())
    for s in strategies:
        joint = np.multiply.outer(joint, np.asarray(s, dtype=float))
    return joint


# ---------------------------------------------------------------------------
# Nash-equilibrium and minmax points
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class DisagreementPoint:
    """A disagreement point and the play that produces it.

    Attributes
    ----------
    point : ndarray, shape (n,)
        The disagreement payoffs.
    strategies : tuple of ndarray or None
        One mixed strategy per player, when ``point`` comes from one strategy
        profile (a Nash equilibrium); ``None`` otherwise (the minmax point is
        reached against different punishers for different players).
    joint : ndarray or None
        The distribution over joint actions (shape ``game.n_actions``) that
        produces ``point``, or ``None``.
    kind : str
        ``"nash"`` or ``"minmax"``.
    method : str
    details : dict
        Everything else: the candidates and the selection rule, punishers, ...
    """

    point: np.ndarray
    strategies: tuple | None
    joint: np.ndarray | None
    kind: str
    method: str
    details: dict = field(default_factory=dict)


def nash_point(game: NormalFormGame, selection: str = "max-nash-product") -> DisagreementPoint:
    """Payoffs of a Nash equilibrium, chosen among the equilibria by a fixed rule.

    The equilibria come from :func:`gamesim.analysis.equilibria.nash_equilibria`
    (two players: all extreme equilibria by vertex enumeration; more players: the
    pure ones plus those found by a support-enumeration heuristic).  Selection:

    * ``"max-nash-product"`` (default) -- the equilibrium maximising the product of
      the gains ``prod_i max(u_i - m_i, 0)`` over the minmax point ``m``
      (:func:`minmax_point`); ties (within ``1e-9`` relative) are broken by the
      larger total payoff, then by the order of ``nash_equilibria`` (pure
      equilibria first, lexicographically by action indices);
    * ``"welfare"`` -- the largest total payoff, then that order;
    * ``"first"`` -- the first equilibrium in that order.

    Parameters
    ----------
    game : NormalFormGame
    selection : {"max-nash-product", "welfare", "first"}

    Returns
    -------
    DisagreementPoint
        ``kind="nash"``; ``details`` holds ``"selection"``, ``"index"``,
        ``"equilibria"`` (the candidates' payoff vectors), ``"minmax"`` and
        ``"nash_products"``.

    Raises
    ------
    ValueError
        If ``selection`` is unknown (the message names ``selection``) or ``game``
        is not a game.
    RuntimeError
        If no equilibrium was found (only possible for more than two players).

    References
    ----------
    .. [1] J. F. Nash, "Non-cooperative games", Annals of Mathematics 54, 1951.

    Examples
    --------
    Treutlein's Example 60: ``b2`` strictly dominates ``b1``; the unique
    equilibrium ``(b2, a2)`` pays ``(3, 3)``.

    >>> from gamesim.sim.catalogue import treutlein_example_60, battle_of_the_sexes
    >>> dp = nash_point(treutlein_example_60())
    >>> dp.point, dp.strategies[0], dp.strategies[1]
    (array([3., 3.]), array([0., 1.]), array([0., 1., 0.]))

    In the battle of the sexes both pure equilibria have the same Nash product
    over the minmax point ``(2/3, 2/3)`` and welfare; the first one is taken.

    >>> nash_point(battle_of_the_sexes()).point
    array([2., 1.])
    """
    game = as_game(game)
    key = selection.lower() if isinstance(selection, str) else selection
    if key not in NASH_SELECTIONS:
        raise ValueError(f"selection: expected one of {', '.join(NASH_SELECTIONS)}, got {selection!r}")
    eqs = nash_equilibria(game)
    if not eqs:
        raise RuntimeError("nash_point: no Nash equilibrium found")
    pay = np.array([np.asarray(e.payoffs, dtype=float) for e in eqs])
    mm = np.asarray(minmax_values(game).values, dtype=float)
    products = np.prod(np.clip(pay - mm, 0.0, None), axis=1)
    welfare = pay.sum(axis=1)
    scale = _scale(game.payoffs)
    idx = np.arange(len(eqs))
    if key == "max-nash-product":
        best = products.max()
        idx = idx[products[idx] >= best - _RTOL * (1.0 + best)]
    if key in ("max-nash-product", "welfare"):
        best = welfare[idx].max()
        idx = idx[welfare[idx] >= best - _RTOL * scale * game.n_players]
    i = int(idx[0])
    eq = eqs[i]
    strategies = tuple(_frozen(s) for s in eq.strategies)
    return DisagreementPoint(
        point=_frozen(pay[i] + 0.0),
        strategies=strategies,
        joint=_frozen(_product(strategies)),
        kind="nash",
        method=f"nash_equilibria ({eq.method}), selection {key!r}",
        details={"selection": key, "index": i, "equilibria": tuple(_frozen(p) for p in pay),
                 "minmax": _frozen(mm), "nash_products": _frozen(products),
                 "support": eq.support},
    )


def minmax_point(game: NormalFormGame) -> DisagreementPoint:
    """Every player's minmax value ``min_{sigma_-i} max_{a_i} u_i(a_i, sigma_-i)``.

    From :func:`gamesim.analysis.equilibria.minmax_values`.  Two players: exact.
    More players: the punishers may **correlate** their actions (one LP per
    player), which is a lower bound on the minmax against independently mixing
    punishers; ``details["upper"]`` is an upper bound from independent punishers
    and ``details["exact"]`` says whether the two meet.

    Parameters
    ----------
    game : NormalFormGame

    Returns
    -------
    DisagreementPoint
        ``kind="minmax"``, ``strategies=None`` and ``joint=None`` (each player is
        held down by different punishers); ``details`` holds ``"punishers"``,
        ``"best_replies"``, ``"upper"``, ``"independent_punishers"`` and
        ``"exact"``.

    References
    ----------
    .. [1] D. Fudenberg, E. Maskin, "The folk theorem in repeated games with
       discounting or with incomplete information", Econometrica 54, 1986.

    Examples
    --------
    >>> from gamesim.sim.catalogue import prisoners_dilemma
    >>> minmax_point(prisoners_dilemma()).point
    array([1., 1.])
    """
    game = as_game(game)
    r = minmax_values(game)
    return DisagreementPoint(
        point=_frozen(np.asarray(r.values, dtype=float) + 0.0),
        strategies=None,
        joint=None,
        kind="minmax",
        method=r.method,
        details={"punishers": r.punishers, "best_replies": r.best_replies, "upper": r.upper,
                 "independent_punishers": r.independent_punishers, "exact": r.exact},
    )


# ---------------------------------------------------------------------------
# Nash's variable-threat solution
# ---------------------------------------------------------------------------
def _pareto_frontier(points: np.ndarray, rtol: float = 1e-12) -> np.ndarray:
    """Vertices of the strict Pareto frontier of ``conv(points)`` (2-D), left to right.

    Andrew's monotone chain gives the upper hull from the leftmost to the
    rightmost point (collinear points dropped); the frontier runs from the
    highest of its vertices (the rightmost one if the top is flat) to its last
    vertex (largest ``x1``, and the largest ``x2`` there).  Along it ``x1``
    increases and ``x2`` strictly decreases, so every edge has a normal with two
    positive components.
    """
    P = np.unique(np.asarray(points, dtype=float), axis=0)     # sorted by (x1, x2)
    scale = 1.0 + float(np.max(np.abs(P)))
    eps = rtol * scale * scale
    hull: list[np.ndarray] = []
    for p in P:
        while len(hull) >= 2:
            o, a = hull[-2], hull[-1]
            cross = (a[0] - o[0]) * (p[1] - o[1]) - (a[1] - o[1]) * (p[0] - o[0])
            if cross >= -eps:      # not a clockwise turn: a is not an upper-hull vertex
                hull.pop()
            else:
                break
        hull.append(p)
    H = np.array(hull)
    top = H[:, 1].max()
    start = int(np.flatnonzero(H[:, 1] >= top - rtol * scale)[-1])
    return H[start:]


@dataclass(frozen=True, eq=False)
class ThreatSolution:
    """Nash's (1953) variable-threat solution of a two-player game.

    Attributes
    ----------
    point : ndarray, shape (2,)
        The solution ``x = NBS(F, d)``; unique.
    disagreement : ndarray, shape (2,)
        The threat point ``d = (t1^T A t2, t1^T B t2)``: one witness (optimal
        threats need not be unique, ``x`` is).
    threats : tuple of ndarray
        ``(t1, t2)``, the players' optimal threat strategies.
    weights : ndarray, shape (2,)
        A normal ``(a1, a2)`` of the Pareto frontier at ``x``, summing to 1, with
        ``a1 (x1 - d1) = a2 (x2 - d2)`` (the NBS condition; on an edge, its
        normal).
    method : str
    certificate : dict
        ``"case"`` (``"edge"``, ``"vertex"`` or ``"single-point"``), the
        ``"frontier"`` vertices, the edges' ``"normals"``, the threat games'
        ``"values"`` and intersection ``"positions"`` (``0..1`` on the edge) for
        the edges examined, and ``"guarantees"``: what each threat secures in the
        zero-sum game(s) ``a1 A - a2 B`` it is optimal for (player 1's minimum
        over columns ``>= value``, player 2's maximum over rows ``<= value``).
    """

    point: np.ndarray
    disagreement: np.ndarray
    threats: tuple
    weights: np.ndarray
    method: str
    certificate: dict


def _nbs_weights(x: np.ndarray, d: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Normal ``(r, 1 - r)`` with ``r (x1 - d1) = (1 - r)(x2 - d2)``, clipped to ``lo <= r <= hi``."""
    g1, g2 = x[0] - d[0], x[1] - d[1]
    r = g2 / (g1 + g2) if g1 + g2 > 0 else 0.5 * (lo + hi)
    r = min(max(r, lo), hi)
    return np.array([r, 1.0 - r])


def threat_point(game: NormalFormGame) -> ThreatSolution:
    r"""Nash's (1953) variable-threat bargaining solution of a two-player game.

    Each player commits to a mixed threat ``t_i``; the disagreement point is
    ``d = (t1^T A t2, t1^T B t2)`` and the outcome ``NBS(F, d)``, with ``F`` the
    convex hull of the outcome payoffs.  Each player picks the threat that
    maximises their own NBS payoff.

    Exact edge algorithm.  On a Pareto edge with normal ``a > 0`` the NBS
    satisfies ``a1 (x1 - d1) = a2 (x2 - d2)``, so player 1's NBS payoff grows with
    ``a1 d1 - a2 d2`` and the threat game is the zero-sum game ``a1 A - a2 B``.

    1. List the strict Pareto edges of ``F`` left to right (monotone chain).
    2. For edge ``e`` (``a_e . x = b_e``) solve ``V_e = val(a_e1 A - a_e2 B)`` and
       intersect ``a_e . x = b_e`` with ``a_e1 x1 - a_e2 x2 = V_e``.
    3. If the intersection lies on the edge (relative tolerance ``1e-9``), it is
       the solution; the threats are the optimal strategies of that game.
    4. Otherwise the intersections move monotonically along the frontier: the
       solution is the vertex where they switch from "right of the edge" to
       "left of the edge" (or an end of the frontier).  There player 1 threatens
       with the maximin strategy of the left edge's game, player 2 with the
       minimax strategy of the right edge's game.
    5. A frontier that is a single point is the solution; then every threat is
       optimal, and the optimal strategies of ``(A - B) / 2`` are reported (the
       weights are then the normal that satisfies the NBS condition for them).

    Cost: at most one small zero-sum game per Pareto edge
    (:func:`~gamesim.bargaining.zerosum.small_zero_sum_value`).

    Parameters
    ----------
    game : NormalFormGame
        A two-player game.

    Returns
    -------
    ThreatSolution

    Raises
    ------
    ValueError
        If the game does not have two players (the message names ``game``).

    References
    ----------
    .. [1] J. F. Nash, "Two-person cooperative games", Econometrica 21, 128-140, 1953.
    .. [2] R. D. Luce, H. Raiffa, *Games and Decisions*, ch. 6.8, Wiley, 1957.

    Examples
    --------
    Treutlein's Example 60: the threat point is ``(b2, a3) = (-3, 2)`` and the
    solution ``(2.5, 4.75)`` on the edge ``x1 + 2 x2 = 12`` -- worse for player 1
    than the Nash equilibrium ``(3, 3)``.

    >>> from gamesim.sim.catalogue import treutlein_example_60
    >>> ts = threat_point(treutlein_example_60())
    >>> ts.point, ts.disagreement, (3 * ts.weights).round(12)
    (array([2.5 , 4.75]), array([-3.,  2.]), array([1., 2.]))
    >>> ts.threats[0], ts.threats[1], ts.certificate["case"]
    (array([0., 1.]), array([0., 0., 1.]), 'edge')
    """
    game = as_game(game)
    if game.n_players != 2:
        raise ValueError(f"game: the variable-threat solution needs a two-player game, "
                         f"got {game.n_players} players")
    A = np.asarray(game.payoffs[0], dtype=float)
    B = np.asarray(game.payoffs[1], dtype=float)
    frontier = _pareto_frontier(game.outcome_payoffs())
    cert: dict = {"frontier": _frozen(frontier)}
    if len(frontier) == 1:
        x = frontier[0].copy()
        v, t1, t2 = small_zero_sum_value(0.5 * (A - B))
        d = np.array([t1 @ A @ t2, t1 @ B @ t2])
        weights = _nbs_weights(x, d, 0.0, 1.0)
        G = 0.5 * (A - B)
        cert.update(case="single-point", normals=(), values={}, positions={},
                    guarantees={"(A - B)/2": {"value": v, "player1_min": float((t1 @ G).min()),
                                              "player2_max": float((G @ t2).max())}},
                    nbs_residual=float(weights[0] * (x[0] - d[0]) - weights[1] * (x[1] - d[1])))
        return ThreatSolution(_frozen(x + 0.0), _frozen(d + 0.0), (_frozen(t1), _frozen(t2)),
                              _frozen(weights), "threat game on a one-point frontier", cert)
    p, q = frontier[:-1], frontier[1:]
    normals = np.column_stack([p[:, 1] - q[:, 1], q[:, 0] - p[:, 0]])
    normals /= normals.sum(axis=1, keepdims=True)
    offsets = np.einsum("ij,ij->i", normals, p)
    ratios = normals[:, 0]                                     # increase left to right
    cert["normals"] = _frozen(normals)
    values: dict = {}
    positions: dict = {}
    solved: dict = {}

    def edge_game(e: int) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        if e not in solved:
            a1, a2 = normals[e]
            G = a1 * A - a2 * B
            v, t1, t2 = small_zero_sum_value(G)
            x1 = (offsets[e] + v) / (2.0 * a1)
            lam = (x1 - p[e, 0]) / (q[e, 0] - p[e, 0])
            values[e], positions[e] = v, float(lam)
            solved[e] = (v, t1, t2, G)
        return solved[e]

    def guarantee(e: int, t1: np.ndarray | None, t2: np.ndarray | None) -> dict:
        v, _, _, G = solved[e]
        out = {"value": v}
        if t1 is not None:
            out["player1_min"] = float((t1 @ G).min())
        if t2 is not None:
            out["player2_max"] = float((G @ t2).max())
        return out

    n_edges = len(normals)
    found = None
    for e in range(n_edges):
        v, t1, t2, _ = edge_game(e)
        lam = positions[e]
        if lam <= 1.0 + _RTOL:
            found = e
            break
    if found is not None and positions[found] >= -_RTOL:
        e = found
        v, t1, t2, _ = solved[e]
        lam = min(max(positions[e], 0.0), 1.0)
        x = p[e] + lam * (q[e] - p[e])
        d = np.array([t1 @ A @ t2, t1 @ B @ t2])
        weights = normals[e].copy()
        cert.update(case="edge", edge=e, guarantees={e: guarantee(e, t1, t2)})
        method = "exact edge algorithm: threats optimal in a1 A - a2 B on the solution's edge"
    else:
        if found is None:                      # right of every edge: the right end
            left, right, vertex = n_edges - 1, None, len(frontier) - 1
        elif found == 0:                       # left of the first edge: the left end
            left, right, vertex = None, 0, 0
        else:
            left, right, vertex = found - 1, found, found
        x = frontier[vertex].copy()
        # Player 1 forces "right of the left edge", player 2 "left of the right edge";
        # at an end of the frontier the one edge's game supplies both threats.
        e1 = left if left is not None else right
        e2 = right if right is not None else left
        t1 = solved[e1][1]
        t2 = solved[e2][2]
        d = np.array([t1 @ A @ t2, t1 @ B @ t2])
        lo = ratios[left] if left is not None else 0.0
        hi = ratios[right] if right is not None else 1.0
        weights = _nbs_weights(x, d, lo, hi)
        g = {e1: guarantee(e1, t1, None)}
        g.setdefault(e2, {}).update(guarantee(e2, None, t2))
        cert.update(case="vertex", vertex=vertex, left_edge=left, right_edge=right, guarantees=g)
        method = "exact edge algorithm: vertex where the threat games switch sides"
    cert.update(values=values, positions=positions,
                nbs_residual=float(weights[0] * (x[0] - d[0]) - weights[1] * (x[1] - d[1])))
    return ThreatSolution(_frozen(x + 0.0), _frozen(d + 0.0), (_frozen(t1), _frozen(t2)),
                          _frozen(weights), method, cert)


# ---------------------------------------------------------------------------
# correlated-equilibrium fallback
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class CEFallback:
    """The correlated-equilibrium fallback and the bargains struck from it.

    Attributes
    ----------
    worst_point : ndarray, shape (n,)
        ``r_i = min over correlated equilibria of E[u_i]`` (the CE-worst point).
    point : ndarray, shape (n,)
        The fallback ``d``: the Nash bargaining solution inside the CE payoff
        polytope relative to ``r`` (players whose CE payoff is constant held there).
    joint : ndarray, shape ``game.n_actions``
        A correlated equilibrium with payoffs ``point``.
    tu_value : ndarray, shape (n,)
        Transferable utility: ``d + (T - sum(d)) / n`` with ``T`` the largest total
        payoff (an equal split of the surplus).
    ntu_point : ndarray, shape (n,)
        Non-transferable utility: ``NBS(F, d)`` over the game's feasible set
        (``d`` itself when no player can gain without another falling below ``d``).
    ntu_joint : ndarray, shape ``game.n_actions``
        A lottery over outcomes with payoffs ``ntu_point``.
    method : str
    best_point : ndarray, shape (n,)
        ``max over correlated equilibria of E[u_i]``.
    ntu_weights : ndarray or None
        The NBS prices (normal of ``F`` at ``ntu_point``) when it was computed.
    details : dict
        ``"active"`` (players bargaining in the CE polytope), ``"improvable"``
        (players bargaining in ``F``), ``"cooperative"`` (``T``) and
        ``"ce_violation"`` of ``joint``.
    """

    worst_point: np.ndarray
    point: np.ndarray
    joint: np.ndarray
    tu_value: np.ndarray
    ntu_point: np.ndarray
    ntu_joint: np.ndarray
    method: str
    best_point: np.ndarray | None = None
    ntu_weights: np.ndarray | None = None
    details: dict = field(default_factory=dict)


def _restricted_nbs(Uf: np.ndarray, d: np.ndarray, players: np.ndarray,
                    A_ub: np.ndarray | None, b_ub: np.ndarray | None,
                    best: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """NBS over the lotteries ``lam`` (``A_ub lam <= b_ub``) for ``players``, from ``d``.

    Returns ``(payoffs of all players, lam, weights or None)``.  ``best[i]`` is a
    lottery maximising player ``i`` (used when one player bargains alone).
    """
    from .feasible import PolytopeSet
    from .solutions import nash_solution

    if len(players) == 1:
        lam = best[int(players[0])]
        return Uf @ lam, lam, None
    F = PolytopeSet(Uf[players].T, A_ub=A_ub, b_ub=b_ub)
    sol = nash_solution(F, d[players])
    lam = np.clip(np.asarray(sol.lottery, dtype=float).ravel(), 0.0, None)
    lam /= lam.sum()
    out = Uf @ lam
    out[players] = np.asarray(sol.point, dtype=float)
    w = np.zeros(len(d))
    w[players] = np.asarray(sol.weights, dtype=float)
    return out, lam, w


def _lp(c: np.ndarray, A_ub: np.ndarray | None, b_ub: np.ndarray | None, N: int) -> np.ndarray:
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=np.ones((1, N)), b_eq=[1.0],
                  bounds=[(0, None)] * N, method="highs")
    if res.status != 0:
        raise RuntimeError(f"ce_fallback: LP failed ({res.message})")
    lam = np.clip(res.x, 0.0, None)
    return lam / lam.sum()


def ce_fallback(game: NormalFormGame) -> CEFallback:
    """Correlated-equilibrium fallback: a threat-resistant disagreement point.

    The threat-resistant essay's proposal: if negotiations fail, the players fall
    back to a correlated equilibrium (nobody's fallback is chosen *only* to hurt
    the others: everyone best-responds), and bargain from it.  The CE is not
    unique; the selection rule is ALGORITHMS section 5 rule (b):

    1. ``r_i = min_{p in CE} E_p[u_i]`` for every player (``n`` LPs over the CE
       polytope); ``R_i = max_{p in CE} E_p[u_i]`` marks the players whose CE
       payoff is not constant (``R_i - r_i > 1e-9 (1 + max|u|)``).
    2. ``d`` = the Nash bargaining solution inside the CE payoff polytope relative
       to ``r``, over the players with a non-constant CE payoff (the others get
       their constant ``r_i``); if there are none, ``d = r``.  The NBS payoff
       vector is unique and depends only on the CE payoff polytope, so ``d`` does
       too.
    3. Transferable utility: ``d + (T - sum(d)) / n`` (``T`` the largest total
       payoff).  Non-transferable: ``NBS(F, d)`` over the whole feasible set,
       bargained by the players who can gain without pushing anyone below ``d``
       (the others stay at ``d_i``); ``d`` itself if nobody can gain.

    Why not a maximin-referenced rule ("maximise the smallest gain over the
    security levels")?  A "torturizer" -- a strictly dominated action that only
    hurts the opponent -- never appears in a correlated equilibrium, so it cannot
    change the CE polytope, ``r`` or ``d``; but it lowers the victim's maximin
    (in the battle of the sexes plus torture, player 2's maximin drops from 1.2 to
    -10), and a rule referenced to maximin levels would move.  Rule (b) inherits
    the polytope's invariance, so the fallback ignores such threats, unlike the
    CoCo value and Nash's threat solution.

    Parameters
    ----------
    game : NormalFormGame

    Returns
    -------
    CEFallback

    Raises
    ------
    ValueError
        If ``game`` is not a game (the message names ``game``).
    RuntimeError
        If an LP fails.

    References
    ----------
    .. [1] R. J. Aumann, "Subjectivity and correlation in randomized strategies",
       J. Math. Econ. 1, 67-96, 1974.
    .. [2] J. F. Nash, "The bargaining problem", Econometrica 18, 155-162, 1950.
    .. [3] Diffractor, "Threat-resistant bargaining megapost: introducing the ROSE
       value" and "Unifying bargaining notions (2/2)", LessWrong, 2022 (the
       correlated-equilibrium fallback).

    Examples
    --------
    Chicken with Aumann's payoffs: the CE-worst point is ``(2, 2)``, the fallback
    ``(5.25, 5.25)``, and bargaining from it reaches ``(6, 6)``.

    >>> import numpy as np
    >>> from gamesim.sim.games import NormalFormGame
    >>> g = NormalFormGame.from_bimatrix([[6, 2], [7, 0]], [[6, 7], [2, 0]])
    >>> fb = ce_fallback(g)
    >>> fb.worst_point.round(9), fb.point.round(9), fb.tu_value.round(9), fb.ntu_point.round(9)
    (array([2., 2.]), array([5.25, 5.25]), array([6., 6.]), array([6., 6.]))
    """
    game = as_game(game)
    U = np.asarray(game.payoffs, dtype=float)
    n, N = game.n_players, game.n_outcomes
    Uf = U.reshape(n, N)
    scale = _scale(U)
    tol = _RTOL * scale
    G = _ce_constraints(U) if any(m > 1 for m in game.n_actions) else np.zeros((0, N))
    eye = np.eye(n)
    worst = [correlated_equilibrium(game, objective=-eye[i]) for i in range(n)]
    top = [correlated_equilibrium(game, objective=eye[i]) for i in range(n)]
    r = np.array([float(Uf[i] @ np.asarray(worst[i].distribution).ravel()) for i in range(n)])
    R = np.array([float(Uf[i] @ np.asarray(top[i].distribution).ravel()) for i in range(n)])
    active = np.flatnonzero(R - r > tol)
    if len(active) == 0:
        p = np.asarray(worst[0].distribution, dtype=float).ravel()
        d = r.copy()
    else:
        best = {i: np.asarray(top[i].distribution, dtype=float).ravel() for i in active}
        A_ub = G if G.shape[0] else None
        b_ub = np.zeros(G.shape[0]) if G.shape[0] else None
        d, p, _ = _restricted_nbs(Uf, r, active, A_ub, b_ub, best)
        d = d.copy()
        inactive = np.setdiff1d(np.arange(n), active)
        d[inactive] = r[inactive]
    total = Uf.sum(axis=0)
    T = float(total.max())
    tu = d + (T - d.sum()) / n
    # NTU: who can gain in F without anyone dropping below d?
    improvable, best_f = [], {}
    for i in range(n):
        lam = _lp(-Uf[i], -Uf, tol - d, N)       # x >= d (up to rounding), max x_i
        if Uf[i] @ lam > d[i] + tol:
            improvable.append(i)
            best_f[i] = lam
    improvable = np.array(improvable, dtype=int)
    ntu_weights = None
    if len(improvable) == 0:
        ntu, q = d.copy(), p
    else:
        held = np.setdiff1d(np.arange(n), improvable)
        A_f = -Uf[held] if len(held) else None
        b_f = tol - d[held] if len(held) else None
        try:
            ntu, q, ntu_weights = _restricted_nbs(Uf, d, improvable, A_f, b_f, best_f)
            ntu = ntu.copy()
            ntu[held] = d[held]
        except (ValueError, RuntimeError) as exc:
            # The LPs above saw a gain, but one within solver tolerance: the set of
            # points weakly above d is (numerically) d itself, so there is nothing
            # to bargain over.
            if isinstance(exc, ValueError) and not str(exc).startswith("d:"):
                raise
            ntu, q = d.copy(), p
    viol = float(ce_violation(game, p.reshape(game.n_actions)))
    return CEFallback(
        worst_point=_frozen(r + 0.0),
        point=_frozen(d + 0.0),
        joint=_frozen(p.reshape(game.n_actions)),
        tu_value=_frozen(tu + 0.0),
        ntu_point=_frozen(ntu + 0.0),
        ntu_joint=_frozen(q.reshape(game.n_actions)),
        method="CE fallback, selection (b): NBS in the CE payoff polytope from the CE-worst point",
        best_point=_frozen(R + 0.0),
        ntu_weights=None if ntu_weights is None else _frozen(ntu_weights),
        details={"active": tuple(int(i) for i in active),
                 "improvable": tuple(int(i) for i in improvable),
                 "cooperative": T, "ce_violation": viol},
    )
