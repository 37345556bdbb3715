"""Solution concepts for ECL Bayesian bargaining games (Treutlein 2023, sections 5 and 6.1).

The games are :class:`~gamesim.sim.ecl_bargaining.ECLBargainingGame` objects: ``m``
types, a convex action set ``A_t`` in ``R^m`` per type, posterior beliefs, and
expected utilities ``EU(alpha) = sum_t f^(t)(alpha_t)`` that are linear in the
profile ``alpha`` (equation (52)).  The feasible set is the Minkowski sum of the
individual feasible sets ``F_t = f^(t)(A_t)`` (definitions 44-45).

* :func:`bayesian_nash` -- proposition 49: in every Bayesian Nash equilibrium each
  type maximises its own coordinate ``alpha_t[t]`` over ``A_t``, whatever the others
  do.
* :func:`nash_bargaining` -- definition 47: the Nash bargaining solution with weights
  (default: the prior, as derived by Harsanyi and Selten 1972) over ``F(G)``, from a
  disagreement point (default: the Bayesian Nash equilibrium), with the profile
  ``alpha`` that implements it.
* :func:`threat_point` -- definition 57: a profile of threats from which no type can
  improve its own bargaining outcome by changing its threat (Nash's 1953 variable
  threats).  Computed numerically (see its docstring).
* :func:`dependency_check` -- theorem 51's sufficient condition for a profile to be a
  dependency equilibrium (definition 50), and :func:`nbs_is_dependency_equilibrium`,
  which applies it as in the proof of proposition 53.

Convention for degenerate disagreement points (stated before definition 57 and
used for all functions here): the Nash product runs over the types ``P`` that can
gain, i.e. for which some ``x in F`` with ``x >= d`` has ``x_t > d_t``; the others
stay at ``d_t``.  When ``P`` is empty the solution is ``d``.  Types with Nash weight
``nu_t = 0`` (definition 47 allows it) are left out of the product as well and are
only kept at ``x_t >= d_t``.

References
----------
.. [T23] J. Treutlein, "Modeling evidential cooperation in large worlds",
   arXiv:2307.04879, 2023: definitions 42-50 and 57, equation (52), theorem 51,
   corollary 52, propositions 49, 53 and 61, examples 46 and 54-56.
.. [N50] J. Nash, "The bargaining problem", Econometrica 18, 155-162, 1950.
.. [N53] J. Nash, "Two-person cooperative games", Econometrica 21, 128-140, 1953.
.. [HS72] J. C. Harsanyi and R. Selten, "A generalized Nash solution for two-person
   bargaining games with incomplete information", Management Science 18, 1972.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize

from gamesim.sim.ecl_bargaining import ECLBargainingGame

from .._arrays import as_weights
from .._arrays import frozen as _frozen
from ..errors import ConvergenceWarning
from .feasible import FeasibleSet, PolytopeSet, _SLSQP_FEAS_TOL
from .solutions import BargainingSolution, _implementation, _normal_at, nash_solution

__all__ = [
    "ECLBayesianNash", "ECLBargainingOutcome", "ECLThreatPoint", "ECLDependencyCheck",
    "bayesian_nash", "nash_bargaining", "threat_point", "dependency_check",
    "nbs_is_dependency_equilibrium",
]


# ---------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ECLBayesianNash:
    """A Bayesian Nash equilibrium of an ECL Bayesian bargaining game (proposition 49).

    Attributes
    ----------
    profile : ndarray, shape (m, m)
        Row ``t`` is type ``t``'s action: a maximiser of ``alpha_t[t]`` over ``A_t``.
        When the maximisers form a face, the one giving the others the most
        (``max sum_{t2 != t} C[t, t2] alpha_t[t2]``) is taken.
    payoffs : ndarray, shape (m,)
        ``EU(profile)``: the disagreement point ``d`` of section 6.1.
    own_values : ndarray, shape (m,)
        ``max_{A_t} alpha_t[t]``.
    payoff_bounds : ndarray, shape (2, m)
        Smallest and largest expected utility of each type over *all* Bayesian Nash
        equilibria (the product of the faces).
    unique_payoffs : bool
        Whether all Bayesian Nash equilibria give the same expected utilities
        (``payoff_bounds`` rows agree to ``1e-7`` relative).
    """

    profile: np.ndarray
    payoffs: np.ndarray
    own_values: np.ndarray
    payoff_bounds: np.ndarray
    unique_payoffs: bool

    def __repr__(self) -> str:
        return (f"ECLBayesianNash(payoffs={np.array2string(self.payoffs, precision=6, separator=', ')}, "
                f"unique_payoffs={self.unique_payoffs})")


@dataclass(frozen=True, eq=False)
class ECLBargainingOutcome:
    """The Nash bargaining solution of an ECL Bayesian bargaining game (definition 47).

    Attributes
    ----------
    point : ndarray, shape (m,)
        The types' expected utilities ``EU(profile)``.
    profile : ndarray, shape (m, m)
        The strategy profile ``alpha`` (row ``t`` in ``A_t``) implementing ``point``.
    contributions : ndarray, shape (m, m)
        Row ``t`` is ``f^(t)(alpha_t)``, type ``t``'s point of ``F_t``; rows sum to
        ``point``.
    disagreement : ndarray, shape (m,)
    disagreement_profile : ndarray or None
        The profile behind the disagreement point when it comes from one (BNE, threat).
    weights : ndarray, shape (m,)
        The Nash exponents ``nu`` (summing to 1).
    prices : ndarray, shape (m,)
        Normal of a supporting hyperplane of ``F`` at ``point`` (summing to 1).
    active : ndarray of bool, shape (m,)
        The types that can gain over the disagreement point (all, unless ``d`` is
        degenerate); the others are held at ``d_t``.
    method : str
    certificate : float
        Frank-Wolfe gap of ``sum_{t in active} nu_t log(x_t - d_t)`` at ``point`` (an
        upper bound on its suboptimality); 0 when no type can gain.
    solution : BargainingSolution or None
        The underlying :func:`~gamesim.bargaining.solutions.nash_solution` result
        (None in the degenerate cases).
    """

    point: np.ndarray
    profile: np.ndarray
    contributions: np.ndarray
    disagreement: np.ndarray
    disagreement_profile: np.ndarray | None
    weights: np.ndarray
    prices: np.ndarray
    active: np.ndarray
    method: str
    certificate: float
    solution: BargainingSolution | None = None

    @property
    def gains(self) -> np.ndarray:
        """``point - disagreement``."""
        return self.point - self.disagreement

    def __repr__(self) -> str:
        return (f"ECLBargainingOutcome(point={np.array2string(self.point, precision=6, separator=', ')}, "
                f"disagreement={np.array2string(self.disagreement, precision=6, separator=', ')}, "
                f"method={self.method!r})")


@dataclass(frozen=True, eq=False)
class ECLThreatPoint:
    """The threat-game disagreement point of definition 57, with its bargaining outcome.

    Attributes
    ----------
    point : ndarray, shape (m,)
        The threat point ``d = EU(profile)``.
    profile : ndarray, shape (m, m)
        The threat profile (row ``t`` in ``A_t``).
    outcome : ECLBargainingOutcome
        The Nash bargaining solution from ``point``.
    converged : bool
        Whether the first-order condition was met: every type's threat maximises the
        linearisation of its own bargaining payoff over its action set -- for each
        type, ``residuals <= tol`` or ``gaps <= tol ** 2`` (a tie).
    gaps : ndarray, shape (m,)
        Final Frank-Wolfe gaps ``max_{a in A_t} g_t . (a - alpha_t)`` with ``g_t`` the
        gradient of ``mu_t(F, EU(alpha_{-t}, a))`` in ``a``, in units of the feasible
        set's half-width in coordinate ``t``.
    residuals : ndarray, shape (m,)
        Final fixed-point residuals: the largest change of type ``t``'s contribution
        ``f^(t)(alpha_t)`` when moving to its linearised best response, per
        coordinate in units of the feasible set's half-widths.
    deviation_gains : ndarray, shape (m,)
        Largest improvement of ``mu_t`` found by the sampled deviation check (same
        units; NaN when the check was skipped).
    verified : bool
        ``max(deviation_gains) <= check_tol`` (False when skipped).
    iterations : int
    method : str
    """

    point: np.ndarray
    profile: np.ndarray
    outcome: ECLBargainingOutcome
    converged: bool
    gaps: np.ndarray
    residuals: np.ndarray
    deviation_gains: np.ndarray
    verified: bool
    iterations: int
    method: str

    def __repr__(self) -> str:
        return (f"ECLThreatPoint(point={np.array2string(self.point, precision=6, separator=', ')}, "
                f"nbs={np.array2string(self.outcome.point, precision=6, separator=', ')}, "
                f"converged={self.converged}, verified={self.verified})")


@dataclass(frozen=True, eq=False)
class ECLDependencyCheck:
    """Theorem 51's sufficient condition for ``alpha`` to be a dependency equilibrium.

    Attributes
    ----------
    holds : bool
        ``margins >= -tol`` for every type (and both profiles are feasible).
    payoffs : ndarray, shape (m,)
        ``EU_t(alpha)``.
    deviation_payoffs : ndarray, shape (m,)
        ``max_{beta'_t in A_t} EU_t(beta_{-t}, beta'_t)``: what type ``t`` can secure
        against the reference profile ``beta`` (all type-``t`` players deviating).
    margins : ndarray, shape (m,)
        ``payoffs - deviation_payoffs``.
    feasible : bool
        Whether both profiles lie in ``A = prod_t A_t``.
    alpha, beta : ndarray, shape (m, m)
    outcome : ECLBargainingOutcome or None
        Set by :func:`nbs_is_dependency_equilibrium`.
    """

    holds: bool
    payoffs: np.ndarray
    deviation_payoffs: np.ndarray
    margins: np.ndarray
    feasible: bool
    alpha: np.ndarray
    beta: np.ndarray
    outcome: ECLBargainingOutcome | None = None

    def __bool__(self) -> bool:
        return self.holds


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _game(game: Any) -> ECLBargainingGame:
    if not isinstance(game, ECLBargainingGame):
        raise ValueError(f"game: expected an ECLBargainingGame, got {type(game).__name__}")
    return game


def _weights(game: ECLBargainingGame, weights: Any) -> np.ndarray:
    if weights is None:
        return np.array(game.prior, dtype=float)
    return as_weights(weights, "weights", game.n_types)


def _tol(F: FeasibleSet) -> float:
    return 1e-9 if F.is_polyhedral else 1e-7


def _face_point(A: FeasibleSet, t: int, tie: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Max ``y_t`` over ``A``; among the maximisers the one maximising ``tie . y``.

    Returns the point and the componentwise min / max of ``y`` over the face.
    """
    m = A.n_players
    e = np.eye(m)[t]
    if A.is_polyhedral:
        top = A._lin_opt(c=e)
        v = top.x[t]
        G, h = -e[None, :], np.array([-v])
        pt = A._lin_opt(c=tie, G=G, h=h).x
        lo, hi = pt.copy(), pt.copy()
        for k in range(m):
            if k != t:
                lo[k] = A._lin_opt(c=-np.eye(m)[k], G=G, h=h).x[k]
                hi[k] = A._lin_opt(c=np.eye(m)[k], G=G, h=h).x[k]
        return pt, lo, hi
    # Smooth parts: supports for directions tilted by 1e-9 (in normalised units) mark
    # the ends of the face without an ill-conditioned second stage.
    _shift, scale = A._norm()
    eps = 1e-9
    base = A.support(e / scale[t])[1]
    lo, hi = base.copy(), base.copy()
    for k in range(m):
        if k == t:
            continue
        for sgn in (-1.0, 1.0):
            q = e / scale[t] + sgn * eps * np.eye(m)[k] / scale[k]
            y = A.support(q)[1]
            lo, hi = np.minimum(lo, y), np.maximum(hi, y)
    tie_n = tie * scale
    if np.any(hi - lo > 1e-7 * scale) and np.any(tie_n != 0):
        pt = A.support(e / scale[t] + eps * tie_n / np.max(np.abs(tie_n)) / scale)[1]
    else:
        pt = base
    return pt, lo, hi


@dataclass
class _NBS:
    x: np.ndarray
    parts: tuple  # one point per individual feasible set
    lotteries: tuple  # one lottery (or None) per individual feasible set
    prices: np.ndarray
    active: np.ndarray
    method: str
    certificate: float
    solution: BargainingSolution | None
    accuracy: float = 1e-8  # error bound used for finite differences, in normalised units


_FD_STEP = 1e-4  # finite-difference step of the threat-point gradient, relative to the half-widths
# Accuracy of the NBS methods in units of the set's half-widths (see solutions.py).
_ACCURACY = {"dual-slsqp+face-newton": 1e-12, "dual-slsqp": 1e-9, "dual-bfgs": 1e-10, "primal-slsqp": 1e-7}


def _restricted_nash(F: FeasibleSet, d: np.ndarray, w: np.ndarray, active: np.ndarray,
                     floor: np.ndarray) -> _NBS:
    """``argmax sum_{t in active} w_t log(x_t - d_t)`` over ``x in F``, ``x >= d`` (SLSQP).

    The inactive types' constraints use ``floor`` (``d`` lowered by solver tolerance).
    """
    n = F.n_players
    st = F._stack()
    shift, scale = F._norm()
    dt = (d - shift) / scale
    dt = np.where(active, dt, (floor - shift) / scale)
    M = st.M
    P = np.flatnonzero(active)
    Q = np.flatnonzero(~active)
    ray = st.solve_linear(np.zeros(n), 1.0, -np.eye(n), active.astype(float), -dt, True)
    if not ray.ok or not ray.t > 0:
        raise RuntimeError("nash_bargaining: no starting point strictly inside x_P > d_P")
    eps = min(1e-10, ray.t / 2.0)
    wP = w[P] / w[P].sum()

    def fun(z):
        gap = np.maximum((M @ z)[P] - dt[P], 1e-300)
        return float(-wP @ np.log(gap))

    def jac(z):
        gap = np.maximum((M @ z)[P] - dt[P], 1e-300)
        return -(wP / gap) @ M[P]

    extra = [{"type": "ineq", "fun": lambda z: (M @ z)[P] - dt[P] - eps, "jac": lambda z: M[P]}]
    if Q.size:
        extra.append({"type": "ineq", "fun": lambda z: (M @ z)[Q] - dt[Q], "jac": lambda z: M[Q]})
    cons = st._constraints(extra)
    z = ray.z.copy()
    for _attempt in range(3):
        res = minimize(fun, z, jac=jac, method="SLSQP", bounds=st.bounds, constraints=cons,
                       options={"ftol": 1e-15, "maxiter": 500})
        z_new = np.asarray(res.x, dtype=float)
        xt = M @ z_new
        ok = (st.violation(z_new) <= _SLSQP_FEAS_TOL and np.all(xt[P] > dt[P])
              and np.all(xt[Q] >= dt[Q] - _SLSQP_FEAS_TOL))
        if not ok:
            break
        z = z_new
        if res.status in (0, 8):
            break
    atom_parts, atom_lots = st.parts(z)
    x = np.sum(atom_parts, axis=0)
    impl = _implementation(F, atom_parts, atom_lots)
    parts, lots = impl["components"], impl["component_lotteries"]
    grad = np.zeros(n)
    grad[P] = w[P] / np.maximum(x[P] - d[P], 1e-300)
    G = -np.eye(n)[Q] if Q.size else None
    opt = F._lin_opt(c=grad, G=G, h=-floor[Q] if Q.size else None)
    cert = float(max(opt.value - grad @ x, 0.0)) if opt.ok else math.nan
    return _NBS(x, parts, lots, _normal_at(F, x), active.copy(), "restricted-primal-slsqp", cert, None)


def _nbs(F: FeasibleSet, d: np.ndarray, w: np.ndarray) -> _NBS | None:
    """``mu^nu(F, d)`` with the degenerate-``d`` convention; None when ``F`` does not dominate ``d``."""
    n = F.n_players
    tol = _tol(F)
    sol = None
    if np.all(w > 0):
        try:
            sol = nash_solution(F, d, w)
        except ValueError:
            sol = None  # d is not strictly dominated: handled below
    if sol is not None:
        return _NBS(np.array(sol.point), sol.components, sol.component_lotteries, np.array(sol.weights),
                    np.ones(n, dtype=bool), sol.method, float(sol.certificate), sol,
                    _ACCURACY.get(sol.method, 1e-7))
    level = F._dominance_level(d)
    if level < -tol:
        return None
    _shift, scale = F._norm()
    floor0 = d + min(level, 0.0) * scale
    # d sits (numerically) on the upper boundary: {x in F : x >= d} is a sliver, so
    # lower the floor by solver tolerance if SLSQP cannot find a point in it.
    eye = np.eye(n)
    for slack in (0.0, 1e-9, 1e-7):
        floor = floor0 - slack * scale
        tops = [F._lin_opt(c=eye[t], G=-np.delete(eye, t, axis=0), h=-np.delete(floor, t)) for t in range(n)]
        if all(o.ok for o in tops):
            break
    else:
        return None
    ideal = np.array([o.x[t] for t, o in enumerate(tops)])
    # Lowering the others' floor by `relax` (in units of the set's half-widths) can buy a
    # type a gain of a few times that much, so only gains well above it are gains;
    # otherwise a point on the frontier looks improvable at large payoff scales.
    relax = slack - min(level, 0.0)
    # A type with weight 0 is not in the product (definition 47 allows nu_t = 0): it
    # is only kept at or above its disagreement utility.
    active = ((ideal - d) > max(n * tol, 100.0 * relax) * scale) & (w > 0)
    if np.sum(active) > 1:
        return _restricted_nash(F, d, w, active, floor)
    if np.sum(active) == 1:  # one type can gain: it gets its ideal payoff
        opt = tops[int(np.flatnonzero(active)[0])]
        method = "single-gainer"
    else:
        opt = F._lin_opt(G=-eye, h=-floor)
        if not opt.ok:  # the LP can fail on a sliver; every top is a point of F above the floor
            opt = tops[int(np.argmin(ideal - d))]
        method = "no-gains"
    impl = _implementation(F, opt.parts, opt.lotteries)
    return _NBS(opt.x, impl["components"], impl["component_lotteries"], _normal_at(F, opt.x), active,
                method, 0.0, None)


def _implicit_jacobian(F: FeasibleSet, nbs: _NBS, d: np.ndarray, w: np.ndarray) -> np.ndarray | None:
    """``d NBS / d d`` by the implicit function theorem, for the smooth dual (else None).

    With prices ``q`` scaled so that ``x(q) - d = w / q`` (``x(q)`` the support point of
    ``F``), differentiating gives ``(H + W) dq = dd`` and ``dx = H dq``, where
    ``H = dx/dq`` (the Hessian of the support function, by central differences of
    the closed-form support points) and ``W = diag(w / q^2)``.
    """
    if nbs.solution is None or nbs.method != "dual-bfgs":
        return None
    x = nbs.x
    gap = x - d
    if np.any(gap <= 0):
        return None
    q = w / gap
    n = q.size
    H = np.empty((n, n))
    for j in range(n):
        e = 1e-6 * q[j]
        up = F._support(q + e * np.eye(n)[j])[1]
        dn = F._support(q - e * np.eye(n)[j])[1]
        H[:, j] = (up - dn) / (2 * e)
    H = (H + H.T) / 2.0
    try:
        return H @ np.linalg.inv(H + np.diag(w / q ** 2))
    except np.linalg.LinAlgError:  # pragma: no cover - H + W is positive definite
        return None


def _outcome(game: ECLBargainingGame, nbs: _NBS, d: np.ndarray, d_profile: np.ndarray | None,
             w: np.ndarray) -> ECLBargainingOutcome:
    m = game.n_types
    if nbs.parts is None or len(nbs.parts) != m:
        raise RuntimeError("nash_bargaining: could not decompose the solution into individual sets")
    lots = nbs.lotteries if nbs.lotteries is not None else (None,) * m
    contrib = np.array([np.asarray(y, dtype=float) for y in nbs.parts])
    profile = np.array([game.action_for(t, contrib[t], lots[t]) for t in range(m)])
    return ECLBargainingOutcome(
        point=_frozen(contrib.sum(axis=0)), profile=_frozen(profile), contributions=_frozen(contrib),
        disagreement=_frozen(d), disagreement_profile=_frozen(d_profile), weights=_frozen(w),
        prices=_frozen(nbs.prices), active=np.array(nbs.active, dtype=bool), method=nbs.method,
        certificate=nbs.certificate, solution=nbs.solution)


# ---------------------------------------------------------------------------
# Bayesian Nash equilibrium
# ---------------------------------------------------------------------------
def bayesian_nash(game: ECLBargainingGame) -> ECLBayesianNash:
    """The Bayesian Nash equilibrium of proposition 49: each type maximises ``alpha_t[t]``.

    ``EU_t`` depends on type ``t``'s own action only through ``C[t, t] alpha_t[t]``
    (equation (52)), so best responses do not depend on the others and the set of
    equilibria is ``A* = prod_t argmax_{A_t} alpha_t[t]``.  One point per type is
    returned (tie-break: the most generous one, see :class:`ECLBayesianNash`), with
    the range of payoffs over all of ``A*``.

    Parameters
    ----------
    game : ECLBargainingGame

    Returns
    -------
    ECLBayesianNash

    References
    ----------
    Treutlein (2023), definition 48 and proposition 49.

    Examples
    --------
    >>> from gamesim.sim.ecl_bargaining import treutlein_example_54
    >>> b = bayesian_nash(treutlein_example_54(0.75))
    >>> b.profile, b.payoffs, b.unique_payoffs
    (array([[1., 0.],
           [0., 1.]]), array([0.75, 0.25]), True)
    """
    g = _game(game)
    m = g.n_types
    C = g.coefficients
    profile = np.zeros((m, m))
    own = np.zeros(m)
    lo_c = np.zeros((m, m))
    hi_c = np.zeros((m, m))
    for t, A in enumerate(g.action_sets):
        tie = C[t].copy()
        tie[t] = 0.0
        pt, lo, hi = _face_point(A, t, tie)
        profile[t] = pt
        own[t] = pt[t]
        lo_c[t], hi_c[t] = C[t] * lo, C[t] * hi
    payoffs = g.expected_utility(profile)
    bounds = np.vstack([lo_c.sum(axis=0), hi_c.sum(axis=0)])
    F = g.feasible_set()
    _shift, scale = F._norm()
    unique = bool(np.all(bounds[1] - bounds[0] <= 1e-7 * scale))
    return ECLBayesianNash(profile=_frozen(profile), payoffs=_frozen(payoffs), own_values=_frozen(own),
                           payoff_bounds=_frozen(bounds), unique_payoffs=unique)


# ---------------------------------------------------------------------------
# Nash bargaining solution
# ---------------------------------------------------------------------------
def nash_bargaining(game: ECLBargainingGame, weights: Any = None, disagreement: Any = "bne"
                    ) -> ECLBargainingOutcome:
    """The Nash bargaining solution of an ECL Bayesian bargaining game (definition 47).

    ``argmax prod_t (x_t - d_t)^{nu_t}`` over ``x in F(G)`` with ``x >= d``, computed by
    :func:`~gamesim.bargaining.solutions.nash_solution` on the Minkowski sum of the
    individual feasible sets (the dual over prices for smooth sets with closed-form
    supports, exact LP-based methods for polytopes).  The solution's per-set points
    are the types' contributions ``f^(t)(alpha_t)``; the profile maps them back
    through ``f^(t)`` (:meth:`~gamesim.sim.ecl_bargaining.ECLBargainingGame.action_for`).
    When no point of ``F`` improves on ``d`` for every type, the product runs over
    the types that can gain (the convention before definition 57), by SLSQP.

    Parameters
    ----------
    game : ECLBargainingGame
    weights : array_like, shape (m,), optional
        Non-negative exponents ``nu`` with a positive sum (normalised to sum 1);
        default the prior ``p(t)`` (Harsanyi and Selten 1972).  A type with weight 0
        is only held at its disagreement utility or above.
    disagreement : "bne", "threat" or array_like, shape (m,)
        ``"bne"``: the Bayesian Nash equilibrium payoffs (:func:`bayesian_nash`);
        ``"threat"``: the threat point (:func:`threat_point`); or a vector, which
        must be weakly dominated by a point of ``F``.

    Returns
    -------
    ECLBargainingOutcome

    Raises
    ------
    ValueError
        ``game: ...``, ``weights: ...``, ``disagreement: ...`` (unknown name, wrong
        shape, or not weakly dominated by ``F``).

    References
    ----------
    Treutlein (2023), definition 47 and equation (57); Nash (1950); Harsanyi and
    Selten (1972).

    Examples
    --------
    Example 54 (prior weights (3/4, 1/4), BNE disagreement point (3/4, 1/4)):

    >>> from gamesim.sim.ecl_bargaining import treutlein_example_54
    >>> out = nash_bargaining(treutlein_example_54(0.75))
    >>> out.point.round(6), out.disagreement
    (array([0.922159, 0.38681 ]), array([0.75, 0.25]))
    >>> out.contributions.round(6)          # type 1's and type 2's points of F_1, F_2
    array([[0.69162 , 0.290108],
           [0.23054 , 0.096703]])
    >>> out.profile.round(6)                # both types take the same action
    array([[0.922159, 0.38681 ],
           [0.922159, 0.38681 ]])
    """
    g = _game(game)
    m = g.n_types
    w = _weights(g, weights)
    F = g.feasible_set()
    d_profile = None
    if isinstance(disagreement, str):
        if disagreement == "bne":
            b = bayesian_nash(g)
            d, d_profile = np.array(b.payoffs), np.array(b.profile)
        elif disagreement == "threat":
            return threat_point(g, weights=w).outcome
        else:
            raise ValueError(f"disagreement: expected 'bne', 'threat' or a vector, got {disagreement!r}")
    else:
        try:
            d = np.array(disagreement, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"disagreement: must be 'bne', 'threat' or a vector ({exc})") from None
        if d.shape != (m,) or not np.all(np.isfinite(d)):
            raise ValueError(f"disagreement: expected a finite vector of shape ({m},), got shape {d.shape}")
    nbs = _nbs(F, d, w)
    if nbs is None:
        raise ValueError("disagreement: no point of the feasible set weakly dominates it")
    return _outcome(g, nbs, d, d_profile, w)


# ---------------------------------------------------------------------------
# threat point
# ---------------------------------------------------------------------------
def _directions(m: int, k: int) -> np.ndarray:
    """``k`` unit directions spread over the sphere (evenly in angle for ``m = 2``) plus the axes."""
    if m == 1:
        return np.array([[1.0], [-1.0]])
    if m == 2:
        a = 2 * math.pi * np.arange(k) / k
        dirs = np.column_stack([np.cos(a), np.sin(a)])
    else:
        rng = np.random.default_rng(0)
        dirs = rng.standard_normal((k, m))
        dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    return np.vstack([dirs, np.eye(m), -np.eye(m)])


def threat_point(game: ECLBargainingGame, weights: Any = None, *, start: Any = "bne", tol: float = 1e-6,
                 max_iter: int = 100, check: bool = True, n_directions: int = 16,
                 check_tol: float = 1e-6, restarts: int = 3, trace: list | None = None) -> ECLThreatPoint:
    """The threat-game disagreement point of definition 57 (Nash 1953 variable threats).

    A profile ``alpha`` with ``d = EU(alpha)`` such that no type ``t`` can raise its own
    bargaining payoff ``mu_t(F, d)`` (the weighted NBS, with the convention for
    degenerate ``d``) by changing its threat ``alpha_t`` to any ``alpha'_t in A_t``.

    Algorithm (numerical; there is no closed form beyond two players with a linear
    frontier).  Type ``t``'s threat enters ``d`` only through its contribution
    ``f^(t)(alpha_t)``, so its payoff is ``psi_t(a) = mu_t(F, d - f^(t)(alpha_t) + f^(t)(a))``.

    1. Start from ``start`` (default: the Bayesian Nash profile).
    2. Differentiate ``mu(F, .)`` at ``d``.  When the NBS comes from the smooth dual
       (strictly convex sets with closed-form supports), by the implicit function
       theorem: with prices ``q`` scaled so that ``x(q) - d = nu / q``,
       ``d mu / d d = H (H + diag(nu / q^2))^{-1}`` for ``H`` the Jacobian of the
       support point ``x(q)`` (central differences of closed forms).  Otherwise by
       central differences of ``mu`` itself (step ``1e-4`` of the set's half-width
       per coordinate, one-sided where ``d`` is on the boundary; each evaluation is
       one NBS, accurate to about ``1e-10`` for LP-based and dual methods and ``1e-8``
       where SLSQP is used; derivatives below ten times that noise divided by the
       step are set to zero).  The gradient of ``psi_t`` is ``g_t = C[t] * grad_d mu_t``.
    3. Each type's linearised best response is a support point
       ``s_t = argmax_{A_t} g_t . a``, with Frank-Wolfe gap ``g_t . (s_t - alpha_t)``
       and residual ``|f^(t)(s_t) - f^(t)(alpha_t)|`` (both relative to the feasible
       set's half-widths).  Stop when, for every type, the residual is below ``tol``
       or the gap below ``tol ** 2`` (``alpha_t`` ties with ``s_t``): the first-order
       condition of definition 57.
    4. Otherwise move all types together, ``alpha <- alpha + eta (s - alpha)``; ``eta``
       starts at 1 and is halved whenever the largest residual fails to shrink by
       10 %.

    For two types with a linear Pareto frontier this is Nash's (1953) zero-sum
    threat game: ``grad_d mu_1`` is proportional to ``(p_1 / nu_1, -p_2 / nu_2)`` for
    the frontier normal ``p``, so each type plays a support point of its set in that
    direction (or its opposite) and the iteration stops after one step.  Where the
    NBS sits at a kink of the frontier the gradient jumps and the residuals need
    not vanish (then ``converged`` is False; rely on the deviation check).

    With ``check`` (default) the result is verified by a sampled deviation check:
    for each type, ``mu_t`` is evaluated at the support points of ``A_t`` in
    ``n_directions`` directions (evenly spread for two types, random with a fixed
    seed otherwise) plus the coordinate axes, and for a polytope ``A_t`` at all its
    points (up to 200).  ``deviation_gains`` is the largest improvement found;
    ``verified`` means it is at most ``check_tol``.  A best deviation lies on the
    boundary of ``A_t`` when ``psi_t`` has no interior maximum (in two dimensions
    the level sets of ``mu_t`` are lines), so this samples where it matters, but it
    is a check, not a proof.  Candidates are skipped only when the bound
    ``mu_t(d') <= d'_t + (sigma_F(p) - p . d') / p_t`` (``p`` the prices at the NBS
    from ``d``) already rules out a gain.  When the check finds a better threat for
    some types (the iteration stopped at a stationary point that is not an
    equilibrium), those types jump to their best sampled threat and the iteration
    restarts, up to ``restarts`` times.

    Cost per iteration: one NBS plus ``2 m`` support evaluations (smooth dual), or
    ``1 + 2 m`` NBS (finite differences); the check costs at most one NBS per
    candidate.  On two-type polytope games with equal weights the result agrees with
    the exact edge algorithm of :func:`gamesim.bargaining.disagreement.threat_point`
    (tested on random instances).

    Parameters
    ----------
    game : ECLBargainingGame
    weights : array_like, shape (m,), optional
        NBS exponents; default the prior.
    start : "bne" or array_like, shape (m, m)
        Initial threat profile.
    tol : float
        Residual tolerance (relative to the feasible set's half-widths).
    max_iter : int
    check : bool
        Run the sampled deviation check.
    n_directions : int
        Sampled directions per type in the deviation check.
    check_tol : float
        Largest accepted deviation gain (relative to the feasible set's half-widths).
    restarts : int
        Restarts from better sampled threats (see above).
    trace : list, optional
        If given, ``(iteration, eta, residuals, gaps)`` is appended at each iteration.

    Returns
    -------
    ECLThreatPoint
        With ``converged`` False, or the check failing, a
        :class:`~gamesim.errors.ConvergenceWarning` is issued (its message reports both).

    Raises
    ------
    ValueError
        ``game``, ``weights``, ``start`` (not ``"bne"``, wrong shape, or an action
        outside its set), ``tol``, ``check_tol``, ``max_iter``, ``n_directions``,
        ``restarts``.

    References
    ----------
    Treutlein (2023), definition 57 and proposition 61; Nash (1953).

    Examples
    --------
    In Treutlein's examples nobody can harm anyone (``A_t`` lies in the positive
    orthant), so the best threat is to serve oneself: the threat point is the
    Bayesian Nash equilibrium.

    >>> from gamesim.sim.ecl_bargaining import treutlein_example_55
    >>> tp = threat_point(treutlein_example_55(0.75))
    >>> tp.point, tp.converged, tp.verified
    (array([0.75, 0.75]), True, True)
    """
    g = _game(game)
    m = g.n_types
    w = _weights(g, weights)
    F = g.feasible_set()
    C = g.coefficients
    _shift, scale = F._norm()
    for name, v in (("tol", tol), ("check_tol", check_tol)):
        if not (isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0):
            raise ValueError(f"{name}: must be a positive number, got {v!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ValueError(f"max_iter: must be a positive integer, got {max_iter!r}")
    if isinstance(n_directions, bool) or not isinstance(n_directions, (int, np.integer)) or n_directions < 1:
        raise ValueError(f"n_directions: must be a positive integer, got {n_directions!r}")
    if isinstance(restarts, bool) or not isinstance(restarts, (int, np.integer)) or restarts < 0:
        raise ValueError(f"restarts: must be a non-negative integer, got {restarts!r}")
    if isinstance(start, str):
        if start != "bne":
            raise ValueError(f"start: expected 'bne' or an (m, m) profile, got {start!r}")
        alpha = np.array(bayesian_nash(g).profile)
    else:
        alpha = g._profile(start, "start")
        if not g.is_profile(alpha):
            raise ValueError("start: some row alpha_t is not in its action set A_t")

    cache: dict[bytes, _NBS | None] = {}

    def mu(d: np.ndarray) -> _NBS | None:
        key = np.asarray(d, dtype=float).tobytes()
        if key not in cache:
            cache[key] = _nbs(F, d, w)
        return cache[key]

    def jacobian(d: np.ndarray, x0: _NBS) -> np.ndarray:
        """``J[t, i] = d mu_t / d d_i``: implicit function theorem or central differences."""
        J = _implicit_jacobian(F, x0, d, w)
        if J is not None:
            return J
        J = np.zeros((m, m))
        for i in range(m):
            h = _FD_STEP * scale[i]
            up, dn = mu(d + h * np.eye(m)[i]), mu(d - h * np.eye(m)[i])
            if up is not None and dn is not None:
                col, acc, step = up.x - dn.x, up.accuracy + dn.accuracy, 2 * h
            elif dn is not None:
                col, acc, step = x0.x - dn.x, x0.accuracy + dn.accuracy, h
            elif up is not None:
                col, acc, step = up.x - x0.x, x0.accuracy + up.accuracy, h
            else:
                continue
            col = col / step
            noise = 10.0 * acc * scale / step
            J[:, i] = np.where(np.abs(col) > noise, col, 0.0)
        return J

    def iterate(alpha: np.ndarray, budget: int):
        eta = 1.0
        prev = math.inf
        gaps = np.full(m, math.inf)
        residuals = np.full(m, math.inf)
        it = 0
        for it in range(1, budget + 1):
            d = g.expected_utility(alpha)
            cur = mu(d)
            if cur is None:  # pragma: no cover - d = EU(alpha) is always in F
                raise RuntimeError("threat_point: the disagreement point left the feasible set")
            J = jacobian(d, cur)
            S = np.empty_like(alpha)
            for t, A in enumerate(g.action_sets):
                q = C[t] * J[t]
                S[t] = A.support(q)[1] if np.any(q != 0) else alpha[t]
                gaps[t] = max(float(q @ (S[t] - alpha[t])), 0.0) / scale[t]
                residuals[t] = float(np.max(np.abs(C[t] * (S[t] - alpha[t])) / scale))
            if trace is not None:
                trace.append((it, eta, residuals.copy(), gaps.copy()))
            if np.all((residuals <= tol) | (gaps <= tol ** 2)):
                return alpha, True, gaps, residuals, it
            worst = float(np.max(np.where(gaps <= tol ** 2, 0.0, residuals)))
            if worst > 0.9 * prev:
                eta = max(eta / 2.0, 1.0 / 1024)
            prev = worst
            alpha = alpha + eta * (S - alpha)
            cache.clear()
        return alpha, False, gaps, residuals, it

    dirs = _directions(m, int(n_directions))
    scale_a = [A._norm()[1] for A in g.action_sets]
    support_cands = []
    for t, A in enumerate(g.action_sets):
        cands = [A.support(q)[1] for q in dirs]
        if isinstance(A, PolytopeSet) and len(A.points) <= 200:
            cands.extend(A.points)
        support_cands.append(np.unique(np.round(np.array(cands) / scale_a[t], 12), axis=0) * scale_a[t])

    def deviations(alpha: np.ndarray, d: np.ndarray, nbs: _NBS):
        """Largest sampled gain of ``mu_t`` per type and the deviation achieving it."""
        gains = np.zeros(m)
        best_a = [None] * m
        p = np.asarray(nbs.prices, dtype=float)
        sigma_p = F._support(p)[0]
        for t in range(m):
            base = d - C[t] * alpha[t]
            for a in support_cands[t]:
                dd = base + C[t] * a
                if p[t] > 0:
                    # Sound pruning: mu_t(dd) <= max{x_t : x in F, x >= dd}
                    #                          <= dd_t + (sigma_F(p) - p . dd) / p_t.
                    bound = dd[t] + (sigma_p - p @ dd) / p[t]
                    if (bound - nbs.x[t]) / scale[t] <= check_tol:
                        continue
                r = mu(dd)
                if r is not None and (r.x[t] - nbs.x[t]) / scale[t] > gains[t]:
                    gains[t] = (r.x[t] - nbs.x[t]) / scale[t]
                    best_a[t] = a
        return gains, best_a

    total = 0
    dev = np.full(m, math.nan)
    verified = False
    for attempt in range(restarts + 1):
        alpha, converged, gaps, residuals, it = iterate(alpha, max_iter)
        total += it
        d = g.expected_utility(alpha)
        nbs = mu(d)
        assert nbs is not None
        if not check:
            break
        dev, best_a = deviations(alpha, d, nbs)
        verified = bool(np.max(dev) <= check_tol)
        if verified or attempt == restarts:
            break
        # A better threat exists away from this stationary point: jump there and iterate again.
        alpha = alpha.copy()
        for t in range(m):
            if dev[t] > check_tol and best_a[t] is not None:
                alpha[t] = best_a[t]
        cache.clear()
    outcome = _outcome(g, nbs, d, alpha, w)
    if not converged or (check and not verified):
        note = (f"sampled deviation check {'passed' if verified else 'FAILED'} (largest gain "
                f"{np.nanmax(dev):.1e})" if check else "no deviation check run")
        warnings.warn(f"threat_point: {'converged' if converged else 'not converged'} after {total} "
                      f"iterations (largest residual {np.max(residuals):.1e}, tol {tol:g}); {note}",
                      ConvergenceWarning, stacklevel=2)
    return ECLThreatPoint(point=_frozen(d), profile=_frozen(alpha), outcome=outcome, converged=converged,
                          gaps=_frozen(gaps), residuals=_frozen(residuals), deviation_gains=_frozen(dev), verified=verified, iterations=total,
                          method="damped-linearised-best-response")


# ---------------------------------------------------------------------------
# dependency equilibria
# ---------------------------------------------------------------------------
def dependency_check(game: ECLBargainingGame, alpha: Any, beta: Any, tol: float = 1e-7) -> ECLDependencyCheck:
    """Theorem 51's sufficient condition for ``alpha`` to be a dependency equilibrium.

    Checks, for every type ``t``,

    ``EU_t(alpha) >= max_{beta'_t in A_t} EU_t(beta_{-t}, beta'_t)``,

    where the right-hand side is ``EU_t(beta) + C[t, t] (max_{A_t} a[t] - beta_t[t])``
    (only the type's own coordinate of its own action enters its expected
    utility).  If it holds, theorem 51 makes ``alpha`` a dependency equilibrium
    (definition 50), supported by beliefs that a deviation of type ``t`` goes with
    the others playing ``beta``.  For ``beta`` a Bayesian Nash equilibrium the
    right-hand side is ``EU_t(beta)`` (corollary 52); for ``beta`` a threat profile
    this is the inequality in the proof of proposition 61.  The condition is
    sufficient, not necessary.

    Parameters
    ----------
    game : ECLBargainingGame
    alpha, beta : array_like, shape (m, m)
        Profiles (row ``t`` in ``A_t``).
    tol : float
        Slack, relative to the feasible set's half-widths.

    Returns
    -------
    ECLDependencyCheck

    References
    ----------
    Treutlein (2023), definition 50, theorem 51, corollary 52.

    Examples
    --------
    >>> from gamesim.sim.ecl_bargaining import treutlein_example_46
    >>> g = treutlein_example_46()
    >>> bne = [[1, 0], [0, 1]]
    >>> bool(dependency_check(g, bne, bne)), dependency_check(g, [[0, 1], [1, 0]], bne).margins
    (True, array([-1., -1.]))
    """
    g = _game(game)
    a = g._profile(alpha, "alpha")
    b = g._profile(beta, "beta")
    C = g.coefficients
    m = g.n_types
    own_max = np.array([A.support(np.eye(m)[t])[0] for t, A in enumerate(g.action_sets)])
    eu_b = g.expected_utility(b)
    dev = eu_b + np.diag(C) * (own_max - np.diag(b))
    pay = g.expected_utility(a)
    margins = pay - dev
    _shift, scale = g.feasible_set()._norm()
    feasible = g.is_profile(a) and g.is_profile(b)
    holds = bool(feasible and np.all(margins >= -tol * scale))
    return ECLDependencyCheck(holds=holds, payoffs=_frozen(pay), deviation_payoffs=_frozen(dev),
                              margins=_frozen(margins), feasible=feasible, alpha=_frozen(a), beta=_frozen(b))


def nbs_is_dependency_equilibrium(game: ECLBargainingGame, weights: Any = None, tol: float = 1e-7
                                  ) -> ECLDependencyCheck:
    """Proposition 53: the NBS from the Bayesian Nash equilibrium is a dependency equilibrium.

    Computes the Bayesian Nash profile ``beta`` (:func:`bayesian_nash`), the NBS
    profile ``alpha`` from ``d = EU(beta)`` (:func:`nash_bargaining`), and checks, as
    the proof does, theorem 51's premise
    ``EU_t(alpha) >= max_{beta'_t} EU_t(beta_{-t}, beta'_t)`` for every type; since
    ``beta`` is a Bayesian Nash equilibrium the right-hand side equals
    ``EU_t(beta) = d_t`` (corollary 52), so the margins are the NBS gains
    ``x_t - d_t``, which individual rationality makes non-negative.  Also checks that
    the profiles are feasible.

    Returns
    -------
    ECLDependencyCheck
        With :attr:`~ECLDependencyCheck.outcome` the NBS.

    References
    ----------
    Treutlein (2023), proposition 53, corollary 52, theorem 51.

    Examples
    --------
    >>> from gamesim.sim.ecl_bargaining import treutlein_example_55
    >>> chk = nbs_is_dependency_equilibrium(treutlein_example_55(0.75))
    >>> chk.holds, chk.margins.round(6)
    (True, array([0.040569, 0.040569]))
    """
    g = _game(game)
    b = bayesian_nash(g)
    out = nash_bargaining(g, weights=weights, disagreement="bne")
    chk = dependency_check(g, out.profile, b.profile, tol=tol)
    return ECLDependencyCheck(holds=chk.holds, payoffs=chk.payoffs, deviation_payoffs=chk.deviation_payoffs,
                              margins=chk.margins, feasible=chk.feasible, alpha=chk.alpha, beta=chk.beta,
                              outcome=out)
