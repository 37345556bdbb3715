"""Coalitional stability of additively separable games (Treutlein 2023, section 6.2).

A coalition ``P`` *blocks* a payoff vector ``x`` when it can guarantee every member
``i`` in ``P`` strictly more than ``x_i`` by itself.  What a coalition can guarantee
depends on what the players outside it are assumed to do.  For a
:class:`~gamesim.sim.separable.SeparableGame` every assumption used here is a
*response matrix* ``A`` (shape ``(n, n)``, row = contributor, column = recipient):
the outsiders ``j`` are taken to contribute ``A[j, i]`` to each member ``i``, and
``x`` is in ``nu^A(P)`` when there are ``y_j in F_j`` (``j in P``) with

    ``x_i <= sum_{j in P} y_{j,i} + sum_{j not in P} A[j, i]``  for every ``i in P``

(Treutlein's *A-effective vectors*).  The *A-core* is the set of ``x`` in
``nu(N) = F - R^n_+`` that no coalition (the grand coalition included) blocks
(definition 62).  Three choices of ``A`` are provided:

* :func:`alpha_response` -- worst case over the outsiders' strategies; for separable
  games this gives exactly the *alpha-effective* vectors and the *alpha-core*
  (Scarf 1967), the largest of these cores (proposition 63);
* :func:`nash_response` -- outsiders play their Nash equilibrium options (the
  *Nash-equilibrium core* ``C^NE``, which can be empty: example 66);
* :func:`pareto_response` -- Treutlein's equation (62), the worst an outsider does to
  anyone in any Pareto-optimal coalition strategy; its core is never empty
  (theorem 65), and :func:`stable_disagreement_point` is the disagreement point built
  from it.

:func:`in_core` tests a point (one LP per coalition); :func:`core_point` decides
exactly whether the core is empty and, if not, returns the core point maximising a
linear objective, by a finite search over facets (see its notes).

Linear programs are solved with :func:`scipy.optimize.linprog` (``method="highs"``,
feasibility tolerances 1e-10), convex hulls with :class:`scipy.spatial.ConvexHull`.
Players are numbered from 0 (Treutlein numbers them from 1); a coalition is a
sorted tuple of player indices.

References
----------
.. [T23] J. Treutlein, "Modeling evidential cooperation in large worlds",
   arXiv:2307.04879, 2023: section 6.2 (definition 62, proposition 63, examples 64
   and 66, equation (62), theorem 65, the disagreement point after proposition 67),
   theorem 6 and appendix D.
.. [S67] H. E. Scarf, "The core of an N person game", Econometrica 35, 50-69, 1967.
.. [OR94] M. J. Osborne, A. Rubinstein, *A Course in Game Theory*, MIT Press, 1994,
   ch. 13 (the core).
.. [I74] H. Isermann, "Proper efficiency and the linear vector maximum problem",
   Operations Research 22, 189-191, 1974 (Pareto points of polytopes maximise a
   strictly positive weighting).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linprog
from scipy.spatial import ConvexHull

from gamesim.sim.separable import SeparableGame
from .._arrays import frozen as _frozen

__all__ = [
    "CoreCheck", "CorePoint",
    "alpha_response", "nash_response", "pareto_response", "stable_disagreement_point",
    "effective_value", "blocks", "effective_facets", "in_core", "core_point",
]

_LP_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
_CONE_TOL = 1e-8  # smallest weight that counts as strictly positive in pareto_response


# ---------------------------------------------------------------------------
# result types
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CoreCheck:
    """Whether a payoff vector is in a core, with the coalitions that block it.

    Attributes
    ----------
    in_core : bool
        ``feasible`` and no coalition blocks.
    feasible : bool
        Whether ``x`` is in ``nu(N)``, i.e. weakly below some point of ``F``.
    blocking : tuple of (tuple of int, float)
        Every blocking coalition (the grand coalition included) with the largest
        amount ``t > tol`` by which it can raise all its members above ``x``.
    response : ndarray, shape (n, n)
        The response matrix ``A`` used (row = outsider, column = recipient).
    method : str
    """

    in_core: bool
    feasible: bool
    blocking: tuple
    response: np.ndarray
    method: str


@dataclass(frozen=True, eq=False)
class CorePoint:
    """The outcome of :func:`core_point`.

    Attributes
    ----------
    empty : bool
        True when the core has no point (decided by exhaustive search).
    point : ndarray or None
        A core point in ``F`` maximising the objective, or None.
    value : float or None
        The objective at ``point``.
    mixtures : tuple of ndarray or None
        One probability vector over its options per player; played independently (or
        by any coupling) they give ``point`` in expectation.
    profile_lottery : tuple of (tuple of int, float) or None
        A lottery over at most ``sum_j (k_j - 1) + 1`` pure profiles with the
        ``mixtures`` as marginals (the comonotone coupling), hence with expected
        payoff ``point``.
    certificate : tuple of (tuple of int, ndarray, float)
        For a nonempty core: for every coalition ``P``, a facet ``(P, mu, b)`` of its
        comprehensive effective set with ``mu >= 0`` and ``mu . point_P >= b``, which
        proves that ``P`` cannot block.  Empty for an empty core.
    response : ndarray, shape (n, n)
        The response matrix ``A``.
    n_lps : int
        Linear programs solved by the search.
    method : str
    """

    empty: bool
    point: np.ndarray | None
    value: float | None
    mixtures: tuple | None
    profile_lottery: tuple | None
    certificate: tuple
    response: np.ndarray
    n_lps: int
    method: str


# ---------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------
def _check_game(game: Any) -> SeparableGame:
    if not isinstance(game, SeparableGame):
        raise ValueError(f"game: expected a SeparableGame, got {type(game).__name__}")
    return game


def _check_coalition(game: SeparableGame, coalition: Any) -> tuple[int, ...]:
    try:
        members = sorted({int(i) for i in coalition})
    except (TypeError, ValueError):
        raise ValueError("coalition: expected a collection of player indices") from None
    if not members:
        raise ValueError("coalition: must contain at least one player")
    if members[0] < 0 or members[-1] >= game.n_players:
        raise ValueError(f"coalition: player indices must lie in 0..{game.n_players - 1}, got {members}")
    return tuple(members)


def _check_point(game: SeparableGame, x: Any, field: str = "x") -> np.ndarray:
    try:
        arr = np.array(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{field}: must be a vector of numbers ({exc})") from None
    if arr.shape != (game.n_players,):
        raise ValueError(f"{field}: expected {game.n_players} payoffs, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{field}: contains NaN or infinite entries")
    return arr


def _scale(game: SeparableGame) -> float:
    return 1.0 + max(float(np.max(np.abs(c))) for c in game.contributions)


def _response(game: SeparableGame, A: Any) -> tuple[np.ndarray, str]:
    if isinstance(A, str):
        if A == "alpha":
            return alpha_response(game), "alpha"
        if A == "nash":
            return nash_response(game), "nash"
        if A == "pareto":
            return pareto_response(game), "pareto (eq. 62)"
        raise ValueError(f"A: expected 'alpha', 'nash', 'pareto' or an (n, n) array, got {A!r}")
    try:
        arr = np.array(A, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"A: must be an (n, n) array of numbers ({exc})") from None
    n = game.n_players
    if arr.shape != (n, n):
        raise ValueError(f"A: expected shape ({n}, {n}), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("A: contains NaN or infinite entries")
    return _frozen(arr), "given matrix"


def _coalitions(n: int, grand: bool = True) -> list[tuple[int, ...]]:
    top = n if grand else n - 1
    return [P for size in range(1, top + 1) for P in itertools.combinations(range(n), size)]


def _lp(c, A_ub=None, b_ub=None, A_eq=None, b_eq=None, bounds=None):
    return linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds,
                   method="highs", options=_LP_OPTIONS)


# ---------------------------------------------------------------------------
# response matrices
# ---------------------------------------------------------------------------
def alpha_response(game: SeparableGame) -> np.ndarray:
    """Worst-case contributions ``A[j, i] = min_k contributions[j][k, i]``.

    With this matrix the *A-effective* vectors of every coalition equal its
    *alpha-effective* vectors, so the A-core is the alpha-core.  Indeed ``x`` is
    alpha-effective for ``P`` when some ``sigma_P`` gives, for **every** outsider
    profile ``sigma_-P`` and every ``i in P``, ``u_i(sigma_P, sigma_-P) >= x_i``.
    The two "for every" commute, so the condition is, for each ``i`` separately,
    ``sum_{j in P} u_{i,j}(sigma_j) + min_{sigma_-P} sum_{j not in P}
    u_{i,j}(sigma_j) >= x_i``.  By separability the outsiders' terms depend on
    independent strategies, so the minimum splits into ``sum_{j not in P}
    min_{sigma_j} u_{i,j}(sigma_j)``, and a linear function's minimum over a simplex
    is at a pure option: ``min_k contributions[j][k, i] = A[j, i]``.  (Different
    members may be hurt most by different outsider options; that is allowed because
    the guarantee must hold against each of them.)  Every entry lies in
    ``{x_{j,i} : x_j in F_j}``, as proposition 63 requires.

    Parameters
    ----------
    game : SeparableGame

    Returns
    -------
    ndarray, shape (n, n)
        Read-only; row ``j`` = contributor, column ``i`` = recipient.

    References
    ----------
    .. [1] J. Treutlein, arXiv:2307.04879, 2023, section 6.2 (alpha-effective vectors).
    .. [2] H. E. Scarf, "The core of an N person game", Econometrica 35, 1967.

    Examples
    --------
    >>> from gamesim.sim.separable import treutlein_example_64
    >>> alpha_response(treutlein_example_64())
    array([[2., 0., 0.],
           [0., 2., 0.],
           [0., 0., 0.]])
    """
    game = _check_game(game)
    return _frozen([c.min(axis=0) for c in game.contributions])


def nash_response(game: SeparableGame) -> np.ndarray:
    """Rows = the contribution vectors of the Nash equilibrium options.

    Uses :meth:`SeparableGame.nash_equilibrium` (each player maximises its own
    contribution to itself, ties to the lowest option).  This defines Treutlein's
    Nash-equilibrium core ``C^NE``.

    Examples
    --------
    >>> from gamesim.sim.separable import treutlein_example_66
    >>> nash_response(treutlein_example_66())
    array([[5., 0., 5.],
           [0., 5., 5.],
           [0., 0., 5.]])
    """
    game = _check_game(game)
    ne = game.nash_equilibrium()
    return _frozen([c[k] for c, k in zip(game.contributions, ne)])


def _usable_options(c: np.ndarray, P: tuple[int, ...]) -> np.ndarray:
    """Mask of the options of one player that lie on a face argmax mu . x_P, mu > 0."""
    V = c[:, P]
    k, d = V.shape
    if d == 1:
        v = V[:, 0]
        return v >= v.max() - 1e-12 * (1.0 + abs(v.max()))
    mask = np.zeros(k, dtype=bool)
    for a in range(k):
        D = V[a] - V  # rows: u_a - u_k'
        # An option Pareto-dominated in P-coordinates is on no such face.
        if np.any(np.all(D <= 0, axis=1) & np.any(D < 0, axis=1)):
            continue
        norms = np.linalg.norm(D, axis=1)
        keep = norms > 0
        rows = [-(D[keep] / norms[keep, None])]
        # variables (mu_1..mu_d, t): maximise t, t <= mu_p, mu . D_k' >= 0, sum mu = 1
        A_ub = np.vstack([np.hstack([r, np.zeros((r.shape[0], 1))]) for r in rows]
                         + [np.hstack([-np.eye(d), np.ones((d, 1))])])
        b_ub = np.zeros(A_ub.shape[0])
        A_eq = np.concatenate([np.ones(d), [0.0]])[None, :]
        obj = np.zeros(d + 1)
        obj[-1] = -1.0
        res = _lp(obj, A_ub, b_ub, A_eq, [1.0], [(0, None)] * d + [(None, None)])
        if res.status == 0 and -res.fun > _CONE_TOL:
            mask[a] = True
    return mask


def pareto_response(game: SeparableGame) -> np.ndarray:
    """Treutlein's equation (62): worst payoffs in any Pareto-optimal coalition strategy.

    ``A[i, j] = min over coalitions P containing i of min over P-Pareto-optimal
    sigma_P of u_{i,j}(sigma_i)``: the least that player ``i`` may give player ``j``
    while pursuing a Pareto-optimal compromise of some coalition of its own.

    Notes
    -----
    Computed exactly by linear programming.  Fix ``i`` and ``P``.  Let ``S_P =
    sum_{l in P} pi_P(F_l)`` be the coalition's feasible set projected on the
    members' coordinates, a polytope (Minkowski sum of polytopes).  A point of a
    polytope is (strictly) Pareto optimal iff it maximises ``mu . x`` for some
    strictly positive ``mu`` (theorem 6 (i) for "if", Isermann 1974 for "only if"
    on polyhedra), and ``sum_l x_l`` maximises ``mu . x`` over ``S_P`` iff every
    ``x_l`` maximises it over ``pi_P(F_l)``.  So ``sigma_i`` is part of a
    P-Pareto-optimal ``sigma_P`` iff ``u_i(sigma_i)`` lies on a face
    ``argmax_{y in F_i} mu . y_P`` with ``mu > 0`` (the other members then play
    the same face for the same ``mu``).  Such a face is the convex hull of the
    options ``k`` maximising ``mu . contributions[i][k, P]``, and the minimum of the
    linear function ``u_{i,j}`` over it is attained at one of those options.  Hence
    ``A[i, j]`` is the minimum of ``contributions[i][k, j]`` over the options ``k``
    that are *usable*: ``mu . (u_k - u_k')_P >= 0`` for all ``k'`` with some
    ``mu > 0``.  Options with equal P-coordinates but different payoffs to
    outsiders are all usable together (all tie on every such face), so the minimum
    over ``j``'s coordinate sees them all.  Usability is one LP per (i, P, option):
    maximise ``t`` subject to ``t <= mu_p``, ``mu . (u_k - u_k')_P >= 0`` (rows
    normalised), ``sum mu = 1``; the option is usable iff ``t > 1e-8``.  For
    ``|P| = 1`` the usable options are the maximisers of ``u_{i,i}``.  Cost:
    ``sum_i 2^(n-1) k_i`` small LPs.

    Returns
    -------
    ndarray, shape (n, n)
        Read-only; row ``i`` = contributor, column ``j`` = recipient.

    References
    ----------
    .. [1] J. Treutlein, arXiv:2307.04879, 2023, equation (62), theorems 6 and 65.
    .. [2] H. Isermann, "Proper efficiency and the linear vector maximum problem",
       Operations Research 22, 1974.

    Examples
    --------
    >>> from gamesim.sim.separable import treutlein_example_64
    >>> pareto_response(treutlein_example_64())
    array([[2., 0., 0.],
           [0., 2., 0.],
           [0., 0., 0.]])
    """
    game = _check_game(game)
    n = game.n_players
    A = np.full((n, n), np.inf)
    for i, c in enumerate(game.contributions):
        for P in _coalitions(n):
            if i not in P:
                continue
            mask = _usable_options(c, P)
            A[i] = np.minimum(A[i], c[mask].min(axis=0))
    return _frozen(A)


def stable_disagreement_point(game: SeparableGame, A: Any = "pareto") -> np.ndarray:
    """``d_j = max_k u_{j,j}(k) + sum_{i != j} A[i, j]`` with ``A`` from equation (62).

    The best player ``j`` can secure alone when everyone else plays a worst-case
    Pareto-optimal strategy of some coalition: ``d_j = max{x_j : x in nu^A({j})}``
    (Treutlein, after proposition 67).  Any other response matrix may be passed.

    References
    ----------
    .. [1] J. Treutlein, arXiv:2307.04879, 2023, section 6.2.

    Examples
    --------
    >>> from gamesim.sim.separable import treutlein_example_64, treutlein_example_66
    >>> stable_disagreement_point(treutlein_example_64())
    array([3., 3., 3.])
    >>> stable_disagreement_point(treutlein_example_66(), A="nash")
    array([ 5.,  5., 15.])
    """
    game = _check_game(game)
    R, _ = _response(game, A)
    own = np.array([c[:, j].max() for j, c in enumerate(game.contributions)])
    d = own + R.sum(axis=0) - np.diag(R)
    return _frozen(d)


# ---------------------------------------------------------------------------
# what a coalition can guarantee
# ---------------------------------------------------------------------------
def _guarantee(game: SeparableGame, P: tuple[int, ...], R: np.ndarray, x: np.ndarray) -> float:
    """max t: the members of P can get x_i + t each, outsiders contributing R."""
    n = game.n_players
    outs = [j for j in range(n) if j not in P]
    a = R[outs].sum(axis=0) if outs else np.zeros(n)
    blocks_ = [game.contributions[j][:, P].T for j in P]  # each (|P|, k_j)
    M = np.hstack(blocks_)                                 # (|P|, sum k_j)
    m = M.shape[1]
    A_ub = np.hstack([-M, np.ones((len(P), 1))])
    b_ub = a[list(P)] - x[list(P)]
    A_eq = np.zeros((len(P), m + 1))
    col = 0
    for r, j in enumerate(P):
        k = game.contributions[j].shape[0]
        A_eq[r, col:col + k] = 1.0
        col += k
    obj = np.zeros(m + 1)
    obj[-1] = -1.0
    res = _lp(obj, A_ub, b_ub, A_eq, np.ones(len(P)), [(0, None)] * m + [(None, None)])
    if res.status != 0:  # pragma: no cover - the LP is always feasible and bounded
        raise RuntimeError(f"effective_value: LP failed ({res.message})")
    return float(-res.fun)


def effective_value(game: SeparableGame, coalition: Any, A: Any = "alpha", x: Any = None) -> float:
    """The largest ``t`` such that coalition ``P`` can guarantee every member ``x_i + t``.

    Solves ``max t`` subject to ``sum_{j in P} y_{j,i} + sum_{j not in P} A[j, i]
    >= x_i + t`` for ``i in P`` and ``y_j = sum_k lambda_{j,k}
    contributions[j][k]`` with ``lambda_j`` in the simplex.  With ``x = None`` (zeros)
    this is the largest payoff the coalition can guarantee to all its members
    equally.  ``P`` blocks ``x`` iff the value is positive (see :func:`blocks`).

    Parameters
    ----------
    game : SeparableGame
    coalition : collection of int
        Player indices (0-based).
    A : {"alpha", "nash", "pareto"} or array_like, shape (n, n)
        Outsiders' contributions (ignored for the grand coalition).
    x : array_like, shape (n,), optional

    Examples
    --------
    Players 1 and 2 of example 64 can guarantee each other 5:

    >>> from gamesim.sim.separable import treutlein_example_64
    >>> effective_value(treutlein_example_64(), (0, 1), "alpha")
    5.0
    """
    game = _check_game(game)
    P = _check_coalition(game, coalition)
    R, _ = _response(game, A)
    x = np.zeros(game.n_players) if x is None else _check_point(game, x)
    return _guarantee(game, P, R, x)


def blocks(game: SeparableGame, x: Any, coalition: Any, A: Any = "alpha", tol: float = 1e-9) -> bool:
    """Whether ``coalition`` can guarantee each member strictly more than ``x_i``.

    True when :func:`effective_value` exceeds ``tol * (1 + max |contribution|)``.

    Examples
    --------
    >>> from gamesim.sim.separable import treutlein_example_64
    >>> g = treutlein_example_64()
    >>> blocks(g, [13/3, 13/3, 17/3], (0, 1)), blocks(g, [5, 5, 3], (0, 1))
    (True, False)
    """
    game = _check_game(game)
    P = _check_coalition(game, coalition)
    R, _ = _response(game, A)
    x = _check_point(game, x)
    return _guarantee(game, P, R, x) > tol * _scale(game)


def _coalition_points(game: SeparableGame, P: tuple[int, ...], R: np.ndarray) -> np.ndarray:
    """Sums of the members' option vectors on P's coordinates plus the outsiders' part."""
    n = game.n_players
    outs = [j for j in range(n) if j not in P]
    a = (R[outs].sum(axis=0) if outs else np.zeros(n))[list(P)]
    V = np.zeros((1, len(P))) + a
    for j in P:
        Cj = game.contributions[j][:, P]
        V = (V[:, None, :] + Cj[None, :, :]).reshape(-1, len(P))
        V = np.unique(V, axis=0)
        # Drop points weakly dominated by another (they do not change the comprehensive hull).
        ge = np.all(V[:, None, :] <= V[None, :, :], axis=2) & np.any(V[:, None, :] < V[None, :, :], axis=2)
        V = V[~ge.any(axis=1)]
    return V


def _facets(V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Facets mu . z <= b (mu >= 0, unit norm) of the comprehensive hull conv(V) - R^d_+."""
    d = V.shape[1]
    if d == 1:
        return np.ones((1, 1)), np.array([float(V[:, 0].max())])
    if V.shape[0] == 1:  # a single point: the orthant below it
        return np.eye(d), V[0].copy()
    lo = float(V.min()) - (1.0 + float(V.max() - V.min()))
    pts = []
    for mask in itertools.product((False, True), repeat=d):
        W = V.copy()
        W[:, np.array(mask)] = lo
        pts.append(W)
    hull = ConvexHull(np.unique(np.vstack(pts), axis=0))
    eq = hull.equations
    normals = eq[:, :d]
    keep = np.all(normals >= -1e-9, axis=1)
    normals = np.clip(normals[keep], 0.0, None)
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    normals = normals[np.lexsort(np.round(normals, 9).T[::-1])]
    uniq = [normals[0]]
    for row in normals[1:]:
        if np.max(np.abs(row - uniq[-1])) > 1e-9:
            uniq.append(row)
    normals = np.array(uniq)
    offsets = (V @ normals.T).max(axis=0)  # exact support values for these normals
    return normals, offsets


def effective_facets(game: SeparableGame, coalition: Any, A: Any = "alpha") -> tuple[np.ndarray, np.ndarray]:
    """Facets of the comprehensive set ``nu^A(P)`` restricted to the members' coordinates.

    ``nu^A(P)_P = conv(V) - R^P_+`` with ``V`` the sums of the members' option
    vectors (on ``P``'s coordinates) plus the outsiders' constant
    ``sum_{j not in P} A[j, P]``.  Returns ``(normals, offsets)`` with
    ``nu^A(P)_P = {z : normals @ z <= offsets}``; the normals are nonnegative unit
    vectors.  ``P`` fails to block ``x`` iff ``normals[f] @ x_P >= offsets[f]`` for at
    least one ``f`` (``x_P`` is outside the interior).

    Computed with :class:`scipy.spatial.ConvexHull` on ``V`` plus copies of ``V``
    pushed down to a low bound in every subset of coordinates (a bounded piece of
    the comprehensive hull with the same upper facets); the artificial lower
    facets (negative normals) are dropped and each offset is recomputed exactly as
    the support value ``max_v normal . v``.

    Examples
    --------
    >>> from gamesim.sim.separable import treutlein_example_66

    Players 1 and 2 of example 66, the others playing their Nash options:
    ``x_2 <= 9``, ``x_1 + 4 x_2 <= 40``, ``4 x_1 + x_2 <= 40``, ``x_1 <= 9``.

    >>> normals, offsets = effective_facets(treutlein_example_66(), (0, 1), "nash")
    >>> top = normals.max(axis=1)
    >>> (normals / top[:, None]).round(9), (offsets / top).round(9)
    (array([[0.  , 1.  ],
           [0.25, 1.  ],
           [1.  , 0.25],
           [1.  , 0.  ]]), array([ 9., 10., 10.,  9.]))
    """
    game = _check_game(game)
    P = _check_coalition(game, coalition)
    R, _ = _response(game, A)
    return _facets(_coalition_points(game, P, R))


# ---------------------------------------------------------------------------
# core membership and core points
# ---------------------------------------------------------------------------
def in_core(game: SeparableGame, x: Any, A: Any = "alpha", tol: float = 1e-9) -> CoreCheck:
    """Whether ``x`` is in the A-core (definition 62): feasible and blocked by no coalition.

    Solves one LP (:func:`effective_value`) per nonempty coalition, the grand
    coalition included; ``P`` blocks when it can raise all members by more than
    ``tol * (1 + max |contribution|)``.  ``x`` is feasible when the grand coalition
    can reach at least ``x`` (``t >= -tol * scale``).

    Parameters
    ----------
    game : SeparableGame
    x : array_like, shape (n,)
    A : {"alpha", "nash", "pareto"} or array_like, shape (n, n)
        The outsiders' response (see the module docstring).
    tol : float

    Returns
    -------
    CoreCheck

    References
    ----------
    .. [1] J. Treutlein, arXiv:2307.04879, 2023, definition 62 and example 64.

    Examples
    --------
    The NBS of example 64 is blocked by players 1 and 2 (by 2/3 each); (5, 5, 3) is
    in the alpha-core:

    >>> from gamesim.sim.separable import treutlein_example_64
    >>> g = treutlein_example_64()
    >>> r = in_core(g, [13/3, 13/3, 17/3])
    >>> r.in_core, r.feasible, [(P, round(t, 9)) for P, t in r.blocking]
    (False, True, [((0, 1), 0.666666667)])
    >>> in_core(g, [5, 5, 3]).in_core
    True
    """
    game = _check_game(game)
    R, name = _response(game, A)
    x = _check_point(game, x)
    thr = tol * _scale(game)
    n = game.n_players
    blocking = []
    feasible = True
    for P in _coalitions(n):
        t = _guarantee(game, P, R, x)
        if len(P) == n and t < -thr:
            feasible = False
        if t > thr:
            blocking.append((P, t))
    return CoreCheck(in_core=feasible and not blocking, feasible=feasible, blocking=tuple(blocking),
                     response=R, method=f"A-core ({name}): one LP per coalition (highs)")


def _supporting_weights(game: SeparableGame, x: np.ndarray) -> tuple[np.ndarray, float]:
    """Unit weights mu >= 0 minimising h_F(mu) - mu . x, and h_F(mu) (support of F).

    ``x`` is weakly Pareto optimal in ``F`` iff the minimum is <= 0, and then ``mu . z
    <= h_F(mu)`` is a supporting inequality of ``F - R^n_+`` with ``mu . x >= h_F(mu)``.
    """
    n = game.n_players
    # variables (mu_1..mu_n, s_1..s_n): min sum s - mu . x, s_j >= mu . c_j[k], sum mu = 1
    A_ub = np.vstack([np.hstack([c, -np.eye(n)[[j] * c.shape[0]]]) for j, c in enumerate(game.contributions)])
    obj = np.concatenate([-x, np.ones(n)])
    A_eq = np.concatenate([np.ones(n), np.zeros(n)])[None, :]
    res = _lp(obj, A_ub, np.zeros(A_ub.shape[0]), A_eq, [1.0], [(0, None)] * n + [(None, None)] * n)
    mu = np.clip(res.x[:n], 0.0, None)
    mu /= np.linalg.norm(mu)
    return mu, float(sum((c @ mu).max() for c in game.contributions))


def _comonotone(mixtures: list[np.ndarray]) -> tuple:
    cums = [np.cumsum(m) for m in mixtures]
    cuts = np.unique(np.concatenate([[0.0, 1.0]] + [c[:-1] for c in cums]))
    cuts = cuts[(cuts >= 0.0) & (cuts <= 1.0)]
    out: dict[tuple[int, ...], float] = {}
    for a, b in zip(cuts[:-1], cuts[1:]):
        if b - a <= 1e-15:
            continue
        mid = 0.5 * (a + b)
        prof = tuple(int(min(np.searchsorted(c, mid, side="right"), len(c) - 1)) for c in cums)
        out[prof] = out.get(prof, 0.0) + float(b - a)
    return tuple(out.items())


def core_point(game: SeparableGame, A: Any = "alpha", objective: Any = None, tol: float = 1e-9) -> CorePoint:
    """Decide whether the A-core is empty; if not, a core point maximising an objective.

    Parameters
    ----------
    game : SeparableGame
    A : {"alpha", "nash", "pareto"} or array_like, shape (n, n)
        The outsiders' response (see the module docstring).
    objective : array_like, shape (n,), optional
        Linear objective ``c . x`` maximised over the core points in ``F``; default
        the utilitarian sum (all ones).
    tol : float
        Feasibility tolerance, scaled by ``1 + max |contribution|``.

    Returns
    -------
    CorePoint

    Notes
    -----
    *Derivation.*  Coalition ``P`` blocks ``x`` iff some ``y`` in ``nu^A(P)`` has
    ``y_P > x_P`` strictly, i.e. iff ``x_P`` is in the interior of the comprehensive
    polytope ``G_P = nu^A(P)_P``.  Writing ``G_P = {z : mu_f . z <= b_f}`` by its
    facets (all ``mu_f >= 0`` since ``G_P`` is comprehensive; see
    :func:`effective_facets`), ``P`` does **not** block ``x`` iff ``mu_f . x_P >=
    b_f`` for at least one facet ``f``.  A core point may be taken in ``F`` (if
    ``x <= y in F`` is unblocked, so is ``y``), and ``F`` is the image of the
    players' mixtures ``lambda_j``.  Hence the core meets ``F`` in the union, over
    one facet ``f_P`` per coalition, of the polytopes ``{x in F : mu_{f_P} . x_P >=
    b_{f_P} for all P}`` -- a finite disjunction of LPs.  For a nonnegative
    objective the grand coalition needs no facet: the facet constraints are
    monotone, so an optimum can be lifted to a Pareto-optimal point above it
    (one more LP when some weight is zero); with a negative weight the facets of
    ``F - R^n_+`` join the disjunction.  Singleton coalitions have one facet,
    ``x_i >= d_i`` (see :func:`stable_disagreement_point`).

    *Search.*  Branch and bound, depth first: solve the LP maximising the objective
    under the facets chosen so far; stop if infeasible or no better than the best
    core point found; if the optimum already avoids every remaining coalition's
    interior it is a core point (and optimal in this branch); otherwise branch on
    a coalition whose interior contains it (the one with the fewest facets), one
    child per facet, the least violated first (facets
    that ``F`` cannot reach are dropped beforehand, by support values).  Every core
    point of a node lies in some child, so the search is exact: the core is empty
    iff no branch survives, and the returned point maximises the objective over the
    core points in ``F`` (ties: the first found in this deterministic order).

    *Cost.*  ``2^n`` convex hulls of up to ``prod_{j in P} k_j * 2^|P|`` points and,
    in the worst case, one LP per combination of facets -- exponential in the
    number of coalitions.  With the pruning, a nonnegative objective takes
    milliseconds for ``n = 3`` and usually well under a second for ``n = 4-5`` with
    a few options each; objectives with negative weights (which must search the
    grand coalition's facets too) can take hundreds of LPs for ``n = 3`` and
    thousands for ``n = 4``.

    References
    ----------
    .. [1] J. Treutlein, arXiv:2307.04879, 2023, definition 62, examples 64 and 66,
       theorem 65.
    .. [2] H. E. Scarf, "The core of an N person game", Econometrica 35, 1967.
    .. [3] M. J. Osborne, A. Rubinstein, *A Course in Game Theory*, 1994, ch. 13.

    Examples
    --------
    >>> from gamesim.sim.separable import treutlein_example_64, treutlein_example_66

    Example 64: the utilitarian alpha-core point is Treutlein's (5, 5, 3), reached by
    the profile (2, 2, 1) (0-based (1, 1, 0)).  Example 66: the Nash-equilibrium core
    is empty, the core of equation (62) is not (theorem 65).

    >>> r = core_point(treutlein_example_64(), A="alpha")
    >>> r.empty, r.point.round(9) + 0.0, r.value, r.profile_lottery
    (False, array([5., 5., 3.]), 13.0, (((1, 1, 0), 1.0),))
    >>> core_point(treutlein_example_66(), A="nash").empty
    True
    >>> core_point(treutlein_example_66(), A="pareto").empty
    False
    """
    game = _check_game(game)
    R, name = _response(game, A)
    n = game.n_players
    if objective is None:
        w = np.ones(n)
    else:
        w = _check_point(game, objective, "objective")
    thr = tol * _scale(game)
    include_grand = bool(np.any(w < 0))
    coalitions = _coalitions(n, grand=include_grand)

    C = np.vstack(game.contributions)            # (sum k_j, n)
    m = C.shape[0]
    A_eq = np.zeros((n, m))
    col = 0
    for j, c in enumerate(game.contributions):
        A_eq[j, col:col + c.shape[0]] = 1.0
        col += c.shape[0]
    b_eq = np.ones(n)
    obj = -(C @ w)

    facets: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}
    for P in coalitions:
        normals, offsets = _facets(_coalition_points(game, P, R))
        # Drop facets that no point of F reaches: max_{x in F} mu . x_P = sum_j support.
        reach = sum((c[:, P] @ normals.T).max(axis=0) for c in game.contributions)
        ok = reach >= offsets - thr
        facets[P] = (normals[ok], offsets[ok])

    n_lps = 0
    if any(facets[P][0].shape[0] == 0 for P in coalitions):
        return CorePoint(True, None, None, None, None, (), R, n_lps,
                         f"A-core ({name}): empty (a coalition's facets are all out of reach)")

    forced = [P for P in coalitions if facets[P][0].shape[0] == 1]
    best: dict[str, Any] = {"val": -np.inf}

    def rows(chosen: list[tuple[tuple[int, ...], int]]):
        if not chosen:
            return None, None
        A_ub = np.array([-(C[:, list(P)] @ facets[P][0][f]) for P, f in chosen])
        b_ub = np.array([-facets[P][1][f] for P, f in chosen])
        return A_ub, b_ub

    def satisfied(P, x):
        normals, offsets = facets[P]
        return normals @ x[list(P)] - offsets >= -thr

    def visit(chosen: list[tuple[tuple[int, ...], int]]) -> None:
        nonlocal n_lps
        A_ub, b_ub = rows(chosen)
        res = _lp(obj, A_ub, b_ub, A_eq, b_eq, [(0, None)] * m)
        n_lps += 1
        if res.status != 0:
            return
        val = float(-res.fun)
        if val <= best["val"] + thr:
            return
        x = res.x @ C
        done = {P for P, _ in chosen}
        open_ = [P for P in coalitions if P not in done and not satisfied(P, x).any()]
        if open_:
            # Branch on the unsatisfied coalition with the fewest facets (fail first).
            P = min(open_, key=lambda Q: facets[Q][0].shape[0])
            normals, offsets = facets[P]
            order = np.argsort(-(normals @ x[list(P)] - offsets), kind="stable")
            for f in order:
                visit(chosen + [(P, int(f))])
            return
        best.update(val=val, lam=res.x.copy(), chosen=list(chosen))

    visit([(P, 0) for P in forced])
    if "lam" not in best:
        return CorePoint(True, None, None, None, None, (), R, n_lps,
                         f"A-core ({name}): empty (exhaustive facet search, {n_lps} LPs)")

    lam = np.clip(best["lam"], 0.0, None)
    if not include_grand and not np.all(w > 0):
        # Zero weights: lift the optimum to a Pareto-optimal point above it (max sum y,
        # y in F, y >= x).  The facet constraints are monotone and w >= 0, so the lift
        # stays in the core region and keeps the objective value.
        x0 = lam @ C
        res = _lp(-C.sum(axis=1), -C.T, -x0, A_eq, b_eq, [(0, None)] * m)
        n_lps += 1
        if res.status == 0:
            lam = np.clip(res.x, 0.0, None)
    mixtures = []
    col = 0
    for c in game.contributions:
        k = c.shape[0]
        p = lam[col:col + k]
        mixtures.append(_frozen(p / p.sum()))
        col += k
    point = game.expected_payoff(mixtures)
    certificate = []
    for P in _coalitions(n):
        if P in facets:
            normals, offsets = facets[P]
            f = int(np.argmax(normals @ point[list(P)] - offsets))
            certificate.append((P, _frozen(normals[f]), float(offsets[f])))
        else:  # the grand coalition when it was not searched: a supporting hyperplane
            mu, b = _supporting_weights(game, point)
            certificate.append((P, _frozen(mu), b))
    return CorePoint(
        empty=False, point=_frozen(point), value=float(w @ point), mixtures=tuple(mixtures),
        profile_lottery=_comonotone(mixtures), certificate=tuple(certificate), response=R,
        n_lps=n_lps, method=f"A-core ({name}): exact facet branch and bound ({n_lps} LPs, highs)",
    )
