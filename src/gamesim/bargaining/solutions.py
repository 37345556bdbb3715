"""Bargaining solutions: Nash (symmetric and weighted), Kalai-Smorodinsky, egalitarian,
utilitarian.

Each function takes a feasible set ``F`` (a :class:`~gamesim.bargaining.feasible.FeasibleSet`,
a :class:`~gamesim.sim.games.NormalFormGame` -- bargaining then happens over its
correlated lotteries -- or an ``(m, n)`` array of payoff vectors) and returns a
:class:`BargainingSolution`: the point, the supporting prices ("virtual prices": the
normal of a supporting hyperplane at the point), the lottery or per-component points
that implement it, and a certificate that lets a caller check the answer without
trusting the solver.

Algorithms (see ALGORITHMS.md section 1):

* Nash on polytopes: the dual ``min_{g > 0} sigma_F(g) - g . d - sum_i w_i log g_i``
  with ``sigma_F`` written as LP constraints (SLSQP), then an exact polish: Newton's
  method for the Nash product on the affine hull of the optimal face, accepted only
  after an LP membership test and a Frank-Wolfe gap below 1e-10.  Results are exact to
  about 1e-12.
* Nash on smooth sets with closed-form, unique support points (and their Minkowski
  sums): the dual over prices with BFGS on ``log p`` and a root-finding polish,
  accurate to about 1e-10.
* Nash otherwise: the primal convex program (SLSQP over the stacked lotteries and
  points, started strictly inside ``x > d``), accurate to about 1e-7.
* Kalai-Smorodinsky and egalitarian: rays ``x >= d + t r`` in the free-disposal hull
  (LPs for polytopes, SLSQP otherwise), refined by leximin so the result is Pareto
  optimal even when the ray hits a dominated boundary (game hulls are not
  comprehensive).

References
----------
.. [N50] J. Nash, "The bargaining problem", Econometrica 18, 155-162, 1950.
.. [KS75] E. Kalai, M. Smorodinsky, "Other solutions to Nash's bargaining problem",
   Econometrica 43, 513-518, 1975.
.. [K77] E. Kalai, "Nonsymmetric Nash solutions and replications of 2-person
   bargaining", Int. J. Game Theory 6, 129-133, 1977; and "Proportional solutions to
   bargaining situations: interpersonal utility comparisons", Econometrica 45,
   1623-1630, 1977.
.. [R79] A. E. Roth, *Axiomatic Models of Bargaining*, Springer, 1979.
.. [I83] H. Imai, "Individual monotonicity and lexicographic maxmin solution",
   Econometrica 51, 389-401, 1983.
.. [T23] J. Treutlein, "Modeling evidential cooperation in large worlds",
   arXiv:2307.04879, 2023.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import minimize, root

from gamesim.bargaining.feasible import (
    FeasibleSet,
    PolytopeSet,
    SmoothSet,
    _as_vector,
    _frozen,
    _linprog,
    _lottery_for,
    _Opt,
    _Stack,
    as_feasible_set,
)

__all__ = ["BargainingSolution", "nash_solution", "kalai_smorodinsky", "egalitarian", "utilitarian"]


@dataclass(frozen=True, eq=False)
class BargainingSolution:
    """A bargaining outcome with what implements and certifies it.

    Attributes
    ----------
    point : ndarray, shape (n,)
        The agreed utility vector.
    disagreement : ndarray, shape (n,)
        The disagreement point used (for :func:`utilitarian` without ``d``: the
        componentwise minimum of the maximising face, the reference of its tie-break).
    weights : ndarray, shape (n,)
        Virtual prices: a non-negative normal of a supporting hyperplane of ``F`` at
        ``point``, summing to 1 (``sigma_F(weights) = weights . point``).  For the Nash
        solution they are ``w_i / (x_i - d_i)``, normalised.
    solution : str
        ``"nash"``, ``"kalai-smorodinsky"``, ``"egalitarian"`` or ``"utilitarian"``.
    method : str
        How it was computed.
    bargaining_weights : ndarray or None
        The Nash exponents used (summing to 1); None for the other solutions.
    lottery : ndarray or None
        For a :class:`PolytopeSet`, a lottery over its points with ``P^T lottery = point``.
    joint : ndarray or None
        For a set built from a game, :attr:`lottery` reshaped to the game's joint-action
        tensor (a correlated strategy).
    components : tuple of ndarray or None
        For a Minkowski sum, each component's point; they sum to ``point``.
    component_lotteries : tuple or None
        For a Minkowski sum, each polytope component's lottery (None for smooth ones).
    certificate : float
        A bound on the error: for Nash the Frank-Wolfe gap
        ``sigma_F(grad) - grad . point`` with ``grad_i = w_i / (x_i - d_i)`` (an upper
        bound on the suboptimality of the log Nash product); for KS and egalitarian the
        largest gain (in units of the set's half-widths) any player could still get
        without lowering the others' leximin levels; for utilitarian
        ``sigma_F(w) - w . point``.
    parameters : dict
        The inputs used (weights, direction, ideal point, ...).
    """

    point: np.ndarray
    disagreement: np.ndarray
    weights: np.ndarray
    solution: str
    method: str
    bargaining_weights: np.ndarray | None = None
    lottery: np.ndarray | None = None
    joint: np.ndarray | None = None
    components: tuple | None = None
    component_lotteries: tuple | None = None
    certificate: float = math.nan
    parameters: dict = field(default_factory=dict)

    @property
    def gains(self) -> np.ndarray:
        """``point - disagreement``."""
        return self.point - self.disagreement

    def __repr__(self) -> str:
        pt = np.array2string(self.point, precision=6, separator=", ")
        pr = np.array2string(self.weights, precision=6, separator=", ")
        return (f"BargainingSolution({self.solution}, point={pt}, prices={pr}, "
                f"method={self.method!r}, certificate={self.certificate:.1e})")


# ---------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------
def _tols(F: FeasibleSet) -> float:
    """Decision tolerance in normalised units: LPs are exact, SLSQP is not."""
    return 1e-9 if F.is_polyhedral else 1e-7


def _positive_weights(weights: Any, n: int, field_name: str = "weights") -> np.ndarray:
    if weights is None:
        return np.full(n, 1.0 / n)
    w = _as_vector(weights, n, field_name)
    if np.any(w <= 0):
        raise ValueError(f"{field_name}: must all be positive, got {w}")
    return w / w.sum()


def _check_strict_improvement(F: FeasibleSet, d: np.ndarray) -> None:
    """Raise unless some ``x in F`` has ``x > d`` (an LP / SLSQP ray, before any log)."""
    t = F._dominance_level(d)
    tol = _tols(F)
    if t < -tol:
        raise ValueError("d: no point of the feasible set weakly dominates d (d is outside the "
                         "free-disposal hull of F)")
    if t <= tol:
        raise ValueError("d: no point of the feasible set strictly improves on d for every player "
                         "(the Nash solution is undefined; d is on the Pareto boundary)")


def _normalised(p: np.ndarray | None) -> np.ndarray | None:
    if p is None or not np.all(np.isfinite(p)):
        return None
    p = np.clip(p, 0.0, None)
    s = p.sum()
    return p / s if s > 0 else None


def _normal_at(F: FeasibleSet, x: np.ndarray) -> np.ndarray:
    """A supporting normal at ``x``: ``argmin`` over the simplex of ``sigma(p) - p . x``."""
    n = F.n_players
    _shift, scale = F._norm()

    def fun(q):
        p = q / scale
        value, pt = F._support(p)
        return value - p @ x, (pt - x) / scale

    cons = [{"type": "eq", "fun": lambda q: np.array([q.sum() - 1.0]), "jac": lambda q: np.ones((1, n))}]
    res = minimize(fun, np.full(n, 1.0 / n), jac=True, method="SLSQP", bounds=[(0.0, 1.0)] * n,
                   constraints=cons, options={"ftol": 1e-14, "maxiter": 500})
    p = _normalised(np.asarray(res.x) / scale)
    return p if p is not None else np.full(n, 1.0 / n)


def _implementation(F: FeasibleSet, parts: tuple, lotteries: tuple) -> dict:
    """Lottery / joint / components fields from per-atom points and lotteries."""
    out: dict[str, Any] = {"lottery": None, "joint": None, "components": None,
                           "component_lotteries": None}
    if isinstance(F, PolytopeSet):
        if lotteries and lotteries[0] is not None:
            lam = _frozen(lotteries[0])
            out["lottery"] = lam
            game = F.game
            if game is not None and lam.size == game.n_outcomes:
                out["joint"] = _frozen(lam.reshape(game.n_actions))
        return out
    if parts:
        grouped = F._group_parts(parts)
        if grouped is not None:
            out["components"] = tuple(_frozen(c) for c in grouped)
            comps = getattr(F, "components", ())
            lots, k = [], 0
            for comp in comps:
                size = len(comp._atoms())
                if isinstance(comp, PolytopeSet) and lotteries[k] is not None:
                    lots.append(_frozen(lotteries[k]))
                else:
                    lots.append(None)
                k += size
            out["component_lotteries"] = tuple(lots) if lots else None
    return out


# ---------------------------------------------------------------------------
# Nash bargaining solution
# ---------------------------------------------------------------------------
def nash_solution(F: Any, d: Any, weights: Any = None) -> BargainingSolution:
    """The (weighted) Nash bargaining solution.

    ``argmax sum_i w_i log(x_i - d_i)`` over ``x in F`` with ``x > d`` [N50]_; with
    ``weights`` it is the asymmetric (weighted) solution of [K77]_ and [R79]_, equation
    (7) of [T23]_.  It is Pareto optimal, individually rational, invariant to positive
    affine rescaling of each player's utility, and independent of irrelevant
    alternatives; the symmetric one is also anonymous.

    Parameters
    ----------
    F : FeasibleSet, NormalFormGame or array_like (m, n)
        The feasible set (a game's correlated-lottery payoffs; rows of payoff vectors).
    d : array_like, shape (n,)
        Disagreement point.
    weights : array_like, shape (n,), optional
        Positive bargaining weights (normalised to sum 1); default equal.

    Returns
    -------
    BargainingSolution
        ``weights`` holds the virtual prices ``w_i / (x_i - d_i)`` normalised to sum 1;
        ``bargaining_weights`` the exponents.

    Raises
    ------
    ValueError
        ``d: ...`` for a wrong shape or NaN, when no point of ``F`` weakly dominates
        ``d``, or when none gives every player strictly more than ``d``;
        ``weights: ...`` for non-positive or wrongly shaped weights; ``F: ...`` for an
        unusable set.

    Examples
    --------
    >>> from gamesim.sim.catalogue import treutlein_example_60
    >>> s = nash_solution(treutlein_example_60(), d=[-3, 2])
    >>> s.point.round(12), (3 * s.weights).round(12)
    (array([2.5 , 4.75]), array([1., 2.]))
    >>> s.joint.round(12)
    array([[0.25, 0.75, 0.  ],
           [0.  , 0.  , 0.  ]])
    >>> nash_solution([[4, 4], [2, 5], [5, 2], [-3, 2]], [-3, 2], weights=[2, 1]).point.round(12)
    array([4., 4.])
    """
    Fs = as_feasible_set(F)
    n = Fs.n_players
    dv = _as_vector(d, n, "d")
    w = _positive_weights(weights, n)
    _check_strict_improvement(Fs, dv)
    # Work in units of each player's largest possible gain (an equivariant choice, so
    # affine invariance is exact): the Nash point then has gains in (0, 1].
    s = Fs.ideal_point() - dv
    atoms = Fs._atoms()
    if all(isinstance(a, PolytopeSet) for a in atoms):
        x, parts, lots, method = _nash_polytope(atoms, dv, s, w)
    elif all(isinstance(a, SmoothSet) and a.strictly_convex for a in atoms):
        x, parts, lots, method = _nash_smooth_dual(Fs, atoms, dv, s, w)
    else:
        x, parts, lots, method = _nash_primal(atoms, dv, s, w)
    gap = _nash_gap(Fs, x, dv, w)
    gaps = x - dv
    prices = _normalised(w / gaps) if np.all(gaps > 0) else None
    if prices is None:  # x not > d: a gain set that is (numerically) flat
        prices = _normal_at(Fs, x)
    impl = _implementation(Fs, parts, lots)
    return BargainingSolution(
        point=_frozen(x), disagreement=_frozen(dv), weights=_frozen(prices), solution="nash",
        method=method, bargaining_weights=_frozen(w), certificate=gap,
        parameters={"weights": w.copy()}, **impl)


def _nash_gap(F: FeasibleSet, x: np.ndarray, d: np.ndarray, w: np.ndarray) -> float:
    """Frank-Wolfe gap ``sigma_F(grad) - grad . x`` of ``sum w log(x - d)`` at ``x``."""
    gaps = x - d
    if np.any(gaps <= 0):
        return math.inf
    grad = w / gaps
    value, _pt = F._support(grad)
    return float(max(value - grad @ x, 0.0))


# -- polytopes: the dual, then an exact polish ----------------------------------------
def _nash_polytope(atoms, d, s, w):
    st = _Stack(atoms, d, s)  # normalised: x~ = (x - d) / s, ideal point at 1
    blocks = [st.M[:, sl].T for sl in st.slices]  # normalised points per atom
    dual = _nash_dual_lp(atoms, blocks, w)
    cands: list[tuple[np.ndarray, list]] = []
    x_est = None
    if dual is not None:
        g, tau, mus = dual
        x_est = w / g
        cands.extend(_faces_from_dual(atoms, blocks, g, tau, mus))
    if x_est is None or not np.all(np.isfinite(x_est)):
        x_est, _z = _primal_on_stack(st, w)
    lots = None
    for attempt in range(2):
        if attempt == 1:
            # Faces read off a primal lottery (its support and tight rows) as well.
            lots, _resid = _lottery_for(st, atoms, d + s * x_est)
            cands = _faces_from_lotteries(atoms, lots) if lots is not None else []
        for mask, rows in cands:
            xt = _newton_on_face(st, mask, rows, w, x_est)
            if xt is None:
                continue
            ok, lots_pol = _verify_polytope_nash(st, atoms, xt, w)
            if ok:
                parts = tuple(a.points.T @ lam for a, lam in zip(atoms, lots_pol))
                return d + s * xt, parts, lots_pol, "dual-slsqp+face-newton"
    # Polish failed (degenerate faces): return the dual estimate projected onto F.
    if lots is None:
        raise RuntimeError("nash_solution: could not find a lottery for the Nash point")
    parts = tuple(a.points.T @ lam for a, lam in zip(atoms, lots))
    return np.sum(parts, axis=0), parts, lots, "dual-slsqp"


def _nash_dual_lp(atoms, blocks, w):
    """``min sum_k (tau_k + mu_k . b_k) - sum w log g`` s.t. ``tau_k + A_k^T mu_k >= P_k g``.

    Cutting planes for large unconstrained point sets: only points that are close to
    binding are kept as constraints, violated ones are added until none is.
    """
    n = w.size
    K = len(atoms)
    r_sizes = [0 if a.A_ub is None else a.A_ub.shape[0] for a in atoms]
    nv = n + K + sum(r_sizes)
    g0 = 2.0 * w
    active = []
    for a, P in zip(atoms, blocks):
        m = len(P)
        if a.A_ub is not None or m <= 60:
            active.append(np.arange(m))
        else:
            score = P @ g0
            idx = set(np.argsort(-score)[: 2 * n + 2].tolist())
            idx.update(int(j) for j in np.argmax(P, axis=0))
            active.append(np.array(sorted(idx)))
    mu_off = np.cumsum([n + K] + r_sizes)[:-1]

    def unpack(y):
        g = y[:n]
        tau = y[n:n + K]
        mus = [y[o:o + r] for o, r in zip(mu_off, r_sizes)]
        return g, tau, mus

    lin = np.zeros(nv)
    lin[n:n + K] = 1.0
    for k, a in enumerate(atoms):
        if a.A_ub is not None:
            lin[mu_off[k]:mu_off[k] + r_sizes[k]] = a.b_ub

    def fun(y):
        g = np.maximum(y[:n], 1e-300)
        return float(lin @ y - w @ np.log(g))

    def jac(y):
        out = lin.copy()
        out[:n] -= w / np.maximum(y[:n], 1e-300)
        return out

    y = np.zeros(nv)
    y[:n] = g0
    for k, P in enumerate(blocks):
        y[n + k] = float(np.max(P @ g0))
    bounds = [(1e-12, None)] * n + [(None, None)] * K + [(0.0, None)] * sum(r_sizes)
    for _round in range(50):
        C = []
        for k, (a, P) in enumerate(zip(atoms, blocks)):
            idx = active[k]
            rows = np.zeros((len(idx), nv))
            rows[:, :n] = -P[idx]
            rows[:, n + k] = 1.0
            if a.A_ub is not None:
                rows[:, mu_off[k]:mu_off[k] + r_sizes[k]] = a.A_ub[:, idx].T
            C.append(rows)
        Cm = np.vstack(C)
        res = minimize(fun, y, jac=jac, method="SLSQP", bounds=bounds,
                       constraints=[{"type": "ineq", "fun": lambda v, Cm=Cm: Cm @ v,
                                     "jac": lambda v, Cm=Cm: Cm}],
                       options={"ftol": 1e-15, "maxiter": 1000})
        y = np.asarray(res.x, dtype=float)
        g, tau, mus = unpack(y)
        if not np.all(np.isfinite(y)) or np.any(g <= 0):
            return None
        added = False
        for k, (a, P) in enumerate(zip(atoms, blocks)):
            if a.A_ub is not None or len(active[k]) == len(P):
                continue
            viol = P @ g - tau[k]
            out = np.setdiff1d(np.where(viol > 1e-12 * (1.0 + abs(tau[k])))[0], active[k])
            if out.size:
                worst = out[np.argsort(-viol[out])][: 5 * n]
                active[k] = np.union1d(active[k], worst)
                added = True
        if not added:
            # The constraints actually imposed must hold (SLSQP may stop infeasible).
            if np.min(Cm @ y) < -1e-7 * (1.0 + float(np.max(np.abs(tau)))):
                return None
            return g, tau, mus
    return None


def _faces_from_dual(atoms, blocks, g, tau, mus):
    """Candidate optimal faces from reduced costs, for a range of tolerances."""
    cands = []
    for tol in (1e-7, 1e-9, 1e-5, 1e-11, 1e-3):
        mask, rows = [], []
        for k, (a, P) in enumerate(zip(atoms, blocks)):
            reduced = tau[k] - P @ g
            if a.A_ub is not None:
                reduced = reduced + a.A_ub.T @ mus[k]
                rows.append(np.where(mus[k] > tol * (1.0 + np.max(np.abs(mus[k]))))[0])
            else:
                rows.append(np.zeros(0, dtype=int))
            mask.append(reduced <= tol * (1.0 + abs(tau[k])))
        cands.append((np.concatenate(mask), rows))
    return cands


def _faces_from_lotteries(atoms, lots):
    """Candidate faces from a primal lottery: its support and the tight constraint rows."""
    cands = []
    for tol in (1e-9, 1e-7):
        mask, rows = [], []
        for a, lam in zip(atoms, lots):
            mask.append(lam > tol)
            if a.A_ub is not None:
                rows.append(np.where(a.A_ub @ lam >= a.b_ub - tol * (1.0 + np.abs(a.b_ub)))[0])
            else:
                rows.append(np.zeros(0, dtype=int))
        cands.append((np.concatenate(mask), rows))
    return cands


def _newton_on_face(st: _Stack, mask: np.ndarray, rows: list, w: np.ndarray, x_est: np.ndarray):
    """Maximise ``sum w log x~`` on the affine hull of the face given by ``mask``/``rows``.

    The face is ``{z : z_j = 0 off mask, simplex rows, tight A_ub rows}``; its image is
    ``x0 + range(U)``.  Newton's method converges to machine precision in a few steps.
    """
    if not np.any(mask):
        return None
    eq = [st.A_eq[:, mask]]
    rhs = [st.b_eq]
    for atom, sl, r in zip(st.atoms, st.slices, rows):
        if len(r):
            block = np.zeros((len(r), st.nz))
            block[:, sl] = atom.A_ub[r]
            eq.append(block[:, mask])
            rhs.append(atom.b_ub[r])
    E = np.vstack(eq)
    e = np.concatenate(rhs)
    lam0, *_ = np.linalg.lstsq(E, e, rcond=None)
    if np.max(np.abs(E @ lam0 - e)) > 1e-9:
        return None
    _u, sv, vt = np.linalg.svd(E)
    rank = int(np.sum(sv > 1e-10 * max(1.0, sv[0] if sv.size else 1.0)))
    N = vt[rank:].T
    Ms = st.M[:, mask]
    x0 = Ms @ lam0
    D = Ms @ N if N.size else np.zeros((st.n, 0))
    if D.shape[1]:
        ud, sd, _vd = np.linalg.svd(D, full_matrices=False)
        U = ud[:, sd > 1e-10 * max(1.0, sd[0])]
    else:
        U = np.zeros((st.n, 0))
    if U.shape[1] == 0:
        return x0 if np.all(x0 > 0) else None

    def f(x):
        return float(w @ np.log(x))

    u = U.T @ (x_est - x0)
    x = x0 + U @ u
    if np.any(x <= 0):
        u = np.zeros(U.shape[1])
        x = x0
        if np.any(x <= 0):
            return None
    for _it in range(100):
        grad = U.T @ (w / x)
        H = U.T @ (U * (w / x ** 2)[:, None])
        try:
            step = np.linalg.solve(H, grad)
        except np.linalg.LinAlgError:
            return None
        dec = float(grad @ step)
        alpha, fx = 1.0, f(x)
        while alpha > 1e-20:
            xn = x0 + U @ (u + alpha * step)
            if np.all(xn > 0) and f(xn) >= fx - 1e-15:
                break
            alpha /= 2.0
        else:
            return None
        u = u + alpha * step
        x = x0 + U @ u
        if np.max(np.abs(u)) > 1e8:
            return None  # unbounded direction: the face guess was wrong
        if dec < 1e-26:
            break
    return x


def _verify_polytope_nash(st: _Stack, atoms, xt: np.ndarray, w: np.ndarray):
    """Accept ``x~`` if it is in F (LP) and the Frank-Wolfe gap is below 1e-10."""
    g = w / xt
    sigma = 0.0
    for atom, sl in zip(atoms, st.slices):
        P = st.M[:, sl].T
        if atom.A_ub is None:
            sigma += float(np.max(P @ g))
        else:
            sigma += _constrained_support(atom, P, g)
    if sigma - g @ xt > 1e-10:
        return False, None
    lots, resid = _lottery_for(st, atoms, st.shift + st.scale * xt)
    if lots is None or resid > 1e-10:
        return False, None
    return True, lots


def _constrained_support(atom: PolytopeSet, P: np.ndarray, g: np.ndarray) -> float:
    """``max g . P^T lam`` over the constrained simplex (normalised points ``P``)."""
    m = len(P)
    res = _linprog(-(P @ g), A_ub=atom.A_ub, b_ub=atom.b_ub, A_eq=np.ones((1, m)), b_eq=[1.0],
                   bounds=[(0, None)] * m)
    if res.status != 0:
        return math.inf
    return float(-res.fun)


def _primal_on_stack(st: _Stack, w: np.ndarray):
    """Primal SLSQP for ``max sum w log x~`` from a point strictly inside ``x~ > 0``."""
    n = st.n
    ray = st.solve_linear(np.zeros(n), 1.0, -np.eye(n), np.ones(n), np.zeros(n), True)
    if not ray.ok or not ray.t > 0:
        raise RuntimeError("nash_solution: no interior starting point found")
    eps = min(1e-10, ray.t / 2.0)
    z, ok = st.solve_nash(w, eps, ray.z)
    if not ok:
        z = ray.z
    return st.x_tilde(z), z


# -- smooth sets with closed-form supports: the dual over prices -------------------
def _nash_smooth_dual(F, atoms, d, s, w):
    """BFGS on ``z = log q`` for ``sum_k sigma_k(q / s) - (q / s) . d - w . z``, then a root polish.

    ``q`` are prices in units normalised by the ideal gains ``s``; the gradient
    ``q * (x(q) - d) / s - w`` vanishes at the Nash point ``x = d + s w / q``.
    """

    def parts_at(z):
        p = np.exp(z) / s
        out = [a._support(p) for a in atoms]
        return p, sum(v for v, _ in out), tuple(pt for _, pt in out)

    def phi(z):
        p, value, parts = parts_at(z)
        x = np.sum(parts, axis=0)
        grad = p * (x - d) - w
        return float(value - p @ d - w @ z), grad

    z0 = np.log(2.0 * w)
    res = minimize(phi, z0, jac=True, method="BFGS", options={"gtol": 1e-13, "maxiter": 2000})
    z = np.asarray(res.x, dtype=float)
    best = float(np.max(np.abs(phi(z)[1])))
    try:
        polished = root(lambda v: phi(v)[1], z, method="hybr", options={"xtol": 1e-15})
        zr = np.asarray(polished.x, dtype=float)
        if np.all(np.isfinite(zr)):
            err = float(np.max(np.abs(phi(zr)[1])))
            if err < best:
                z, best = zr, err
    except (ValueError, np.linalg.LinAlgError):
        pass
    _p, _value, parts = parts_at(z)
    x = np.sum(parts, axis=0)
    if np.any(x <= d) or best > 1e-6:
        # The dual stalled (e.g. a support point that is not unique): use the primal.
        return _nash_primal(atoms, d, s, w)
    return x, parts, tuple(None for _ in atoms), "dual-bfgs"


def _nash_primal(atoms, d, s, w):
    st = _Stack(atoms, d, s)
    _xt, z = _primal_on_stack(st, w)
    parts, lots = st.parts(z)
    return np.sum(parts, axis=0), parts, lots, "primal-slsqp"


# ---------------------------------------------------------------------------
# Kalai-Smorodinsky and egalitarian: rays and leximin
# ---------------------------------------------------------------------------
def _leximin(F: FeasibleSet, a: np.ndarray, r: np.ndarray, G0=None, h0=None):
    """Lexicographic max-min of the levels ``t_i`` with ``x_i >= a_i + t_i r_i`` over ``x in F``.

    Each round maximises a common level for the players still free, then fixes those
    who cannot exceed it (tested one by one: ``max x_i`` with everyone else at their
    level).  Players with ``r_i = 0`` stay at ``x_i >= a_i``.  Returns the last
    optimisation (whose ``x`` is the leximin point), the levels and the largest slack
    found among fixed players (a certificate, in normalised units).
    """
    n = F.n_players
    _shift, scale = F._norm()
    tol = _tols(F)
    relax = (0.0 if F.is_polyhedral else 1e-9) * scale
    free = r > 0
    levels = np.zeros(n)
    cert = 0.0
    last: _Opt | None = None
    extra_G = None if G0 is None else np.atleast_2d(G0)
    extra_h = None if h0 is None else np.atleast_1d(h0)
    while np.any(free):
        b = np.where(free, r, 0.0)
        base = a + np.where(free, 0.0, levels * r) - np.where(free, 0.0, relax)
        opt = F._ray(base, b, extra_G, extra_h)
        if not opt.ok:
            # Solver tolerance on a sliver of a face: relax the fixed levels a little more.
            more = 1e-10 * scale if F.is_polyhedral else 1e3 * relax
            opt = F._ray(base - np.where(free, 0.0, more), b, extra_G, extra_h)
        if not opt.ok:
            if last is None:
                raise RuntimeError("leximin: the ray problem could not be solved")
            break  # keep the previous round's point; the remaining players stay at its level
        last = opt
        t = opt.t
        floors = base + t * b - np.where(free, relax, 0.0)
        G = -np.eye(n) if extra_G is None else np.vstack([-np.eye(n), extra_G])
        slack = {}
        if F.is_polyhedral and opt.eta is not None:
            # A positive LP multiplier on a player's row means the row is tight in every
            # optimal solution: that player is blocked, no need to test (LP duality).
            eta = opt.eta[:n]
            sure = free & (eta > 1e-9 * max(float(np.max(eta)), 1e-300))
            slack.update({int(i): 0.0 for i in np.where(sure)[0]})
        for i in map(int, np.where(free)[0]):
            if i in slack:
                continue
            hi = -floors if extra_h is None else np.concatenate([-floors, extra_h])
            o = F._lin_opt(c=np.eye(n)[i], G=G, h=hi)
            if not o.ok:
                slack[i] = 0.0
                continue
            slack[i] = float((o.x[i] - (a[i] + t * r[i])) / scale[i])
        blocked = [i for i, v in slack.items() if v <= tol]
        if not blocked:
            blocked = [min(slack, key=slack.get)]
        for i in blocked:
            levels[i] = t
            free[i] = False
            cert = max(cert, slack[i])
    if last is None:  # nobody can move: any point >= a
        last = F._lin_opt(G=-np.eye(n) if extra_G is None else np.vstack([-np.eye(n), extra_G]),
                          h=-a if extra_h is None else np.concatenate([-a, extra_h]))
    return last, levels, max(cert, 0.0)


def _finish(F: FeasibleSet, opt: _Opt, d: np.ndarray, solution: str, method: str,
            certificate: float, parameters: dict) -> BargainingSolution:
    x = opt.x
    prices = _normalised(opt.normal)
    if prices is None or not F.is_polyhedral and abs(F._support(prices)[0] - prices @ x) > 1e-6 * F._size():
        prices = _normal_at(F, x)
    impl = _implementation(F, opt.parts, opt.lotteries)
    return BargainingSolution(point=_frozen(x), disagreement=_frozen(d), weights=_frozen(prices),
                              solution=solution, method=method, certificate=float(certificate),
                              parameters=parameters, **impl)


def kalai_smorodinsky(F: Any, d: Any) -> BargainingSolution:
    """The (lexicographic) Kalai-Smorodinsky solution.

    The point where the segment from ``d`` toward the ideal point
    ``I_i = max{x_i : x in F, x >= d}`` leaves the free-disposal hull of ``F``
    [KS75]_; gains are then in proportion to the ideal gains, equation (8) of [T23]_.
    Game hulls are not comprehensive, so the raw ray point can be dominated (and for
    three or more players only weakly Pareto optimal); the lexicographic version [I83]_
    fixes the players who cannot go further and keeps raising the others along the same
    ratios, which makes the result Pareto optimal.  Invariant to positive affine
    rescaling of each player's utility.

    Parameters
    ----------
    F : FeasibleSet, NormalFormGame or array_like (m, n)
    d : array_like, shape (n,)

    Raises
    ------
    ValueError
        ``d: ...`` when ``d`` has the wrong shape, is not weakly dominated by a point of
        ``F``, or when no player can gain (``I == d``).

    Examples
    --------
    >>> s = kalai_smorodinsky([[4, 4], [2, 5], [-4, 2], [5, 2], [3, 3], [-3, 2]], [-3, 2])
    >>> s.parameters["ideal"], s.point * 14
    (array([5., 5.]), array([46., 61.]))
    >>> kalai_smorodinsky([[2, 2, 1], [3, 3, 1], [2, 2, 2]], [2, 2, 1]).point
    array([2.5, 2.5, 1.5])
    """
    Fs = as_feasible_set(F)
    n = Fs.n_players
    dv = _as_vector(d, n, "d")
    a = Fs._dominated_floor(dv)
    ideal = Fs._ideal_above(a)
    _shift, scale = Fs._norm()
    gains = ideal - dv
    tol = _tols(Fs)
    movable = gains > tol * scale
    if not np.any(movable):
        raise ValueError("d: no point of the feasible set improves on d for any player "
                         "(the ideal point equals d)")
    r = np.where(movable, gains, 0.0)
    opt, levels, cert = _leximin(Fs, a, r)
    method = "lp-leximin" if Fs.is_polyhedral else "slsqp-leximin"
    return _finish(Fs, opt, dv, "kalai-smorodinsky", method, cert,
                   {"ideal": ideal, "levels": levels})


def egalitarian(F: Any, d: Any, direction: Any = None) -> BargainingSolution:
    """The (leximin) egalitarian solution.

    ``max t`` with ``d + t r`` in the free-disposal hull of ``F`` [K77]_, refined by
    leximin so the result is Pareto optimal.  With ``r = 1`` (the default) it equalises
    gains in the players' own units, so it is **not** invariant to rescaling a player's
    utility: it needs interpersonally comparable utilities.  ``direction`` gives
    proportional solutions (gains in proportion to ``r``).  Players with ``r_i = 0``
    are held at ``d_i`` while the others are settled, then raised with unit gains.

    Parameters
    ----------
    F : FeasibleSet, NormalFormGame or array_like (m, n)
    d : array_like, shape (n,)
    direction : array_like, shape (n,), optional
        Non-negative, not all zero; default all ones.

    Raises
    ------
    ValueError
        ``d: ...`` when no point of ``F`` weakly dominates ``d``; ``direction: ...`` for
        negative, non-finite or all-zero directions.

    Examples
    --------
    >>> egalitarian([[4, 4], [2, 5], [-4, 2], [5, 2], [3, 3], [-3, 2]], [-3, 2]).point
    array([2., 5.])
    """
    Fs = as_feasible_set(F)
    n = Fs.n_players
    dv = _as_vector(d, n, "d")
    if direction is None:
        r = np.ones(n)
    else:
        r = _as_vector(direction, n, "direction")
        if np.any(r < 0) or not np.any(r > 0):
            raise ValueError(f"direction: must be non-negative and not all zero, got {r}")
    a = Fs._dominated_floor(dv)
    opt, levels, cert = _leximin(Fs, a, r)
    zero = r == 0
    if np.any(zero):
        _shift, scale = Fs._norm()
        relax = (0.0 if Fs.is_polyhedral else 1e-9) * scale
        a2 = np.where(zero, a, a + levels * r - relax)
        opt, levels2, cert2 = _leximin(Fs, a2, np.where(zero, 1.0, 0.0))
        levels = np.where(zero, levels2, levels)
        cert = max(cert, cert2)
    method = "lp-leximin" if Fs.is_polyhedral else "slsqp-leximin"
    return _finish(Fs, opt, dv, "egalitarian", method, cert,
                   {"direction": r, "levels": levels})


def utilitarian(F: Any, weights: Any, d: Any = None) -> BargainingSolution:
    """The weighted utilitarian point: ``argmax weights . x`` over ``F`` (and ``x >= d``).

    This is the support point of ``F`` for the direction ``weights`` (Harsanyi's
    weighted sum, Theorem 5 of [T23]_).  When the maximiser is not unique (a face of a
    polytope), the canonical point is the lexicographic Kalai-Smorodinsky point of the
    maximising face, measured from the face's componentwise minimum toward its
    componentwise maximum: an anonymous, scale-free choice inside the face.  For sets
    with smooth parts the maximiser found by the solver is returned (it is unique for
    strictly convex sets).

    Parameters
    ----------
    F : FeasibleSet, NormalFormGame or array_like (m, n)
    weights : array_like, shape (n,)
        Non-negative, not all zero (normalised to sum 1).
    d : array_like, shape (n,), optional
        Restrict to individually rational points ``x >= d``.

    Raises
    ------
    ValueError
        ``weights: ...`` for negative, non-finite or all-zero weights; ``d: ...`` when no
        point weakly dominates ``d``.

    Examples
    --------
    >>> s = utilitarian([[4, 4], [2, 5], [-4, 2], [5, 2], [3, 3], [-3, 2]], [1, 1])
    >>> s.point, s.disagreement
    (array([4., 4.]), array([4., 4.]))
    >>> utilitarian([[0, 2], [2, 0], [0, 0]], [1, 1]).point
    array([1., 1.])
    """
    Fs = as_feasible_set(F)
    n = Fs.n_players
    w = _as_vector(weights, n, "weights")
    if np.any(w < 0) or not np.any(w > 0):
        raise ValueError(f"weights: must be non-negative and not all zero, got {w}")
    w = w / w.sum()
    G0 = h0 = None
    dv = None
    if d is not None:
        dv = _as_vector(d, n, "d")
        a = Fs._dominated_floor(dv)
        G0, h0 = -np.eye(n), -a
    opt = Fs._lin_opt(c=w, G=G0, h=h0)
    if not opt.ok:
        raise RuntimeError("utilitarian: the maximisation failed")
    sigma = opt.value
    ref = opt.x.copy()
    method = "lp" if Fs.is_polyhedral else "slsqp"
    if Fs.is_polyhedral:
        _shift, scale = Fs._norm()
        eps = 1e-11 * float(np.sum(np.abs(w) * scale))
        Gf = -w[None, :] if G0 is None else np.vstack([G0, -w[None, :]])
        hf = np.array([-(sigma - eps)]) if h0 is None else np.concatenate([h0, [-(sigma - eps)]])
        lo = np.array([-Fs._lin_opt(c=-np.eye(n)[i], G=Gf, h=hf).value for i in range(n)])
        hi = np.array([Fs._lin_opt(c=np.eye(n)[i], G=Gf, h=hf).value for i in range(n)])
        width = hi - lo
        ref = lo
        # The face is cut out with slack eps, so anything thinner than 1e-7 is one point.
        if np.any(width > 1e-7 * scale):
            r = np.where(width > 1e-7 * scale, width, 0.0)
            opt, _levels, _cert = _leximin(Fs, lo, r, Gf, hf)
            method = "lp+face-ks"
    x = opt.x
    value, _pt = Fs._support(w) if dv is None else (sigma, None)
    cert = float(max(value - w @ x, 0.0))
    impl = _implementation(Fs, opt.parts, opt.lotteries)
    return BargainingSolution(point=_frozen(x), disagreement=_frozen(dv if dv is not None else ref),
                              weights=_frozen(w), solution="utilitarian", method=method,
                              certificate=cert, parameters={"weights": w.copy()}, **impl)
