"""Feasible sets of bargaining problems.

A bargaining problem is a compact convex set ``F`` of utility vectors in ``R^n`` and a
disagreement point ``d`` [T23]_ (section 3.2).  This module builds the sets; the
solutions (Nash, Kalai-Smorodinsky, egalitarian, utilitarian) live in
:mod:`gamesim.bargaining.solutions`.

Three kinds of set, all :class:`FeasibleSet` subclasses:

* :class:`PolytopeSet` -- ``F = {P^T lam : lam in the simplex, A_ub lam <= b_ub}`` for a
  matrix ``P`` of payoff vectors.  The feasible set of a finite game
  (:func:`feasible_set`) is the convex hull of its outcome payoff vectors, i.e. the
  payoffs of *correlated* lotteries over pure profiles; the optional linear constraints
  on ``lam`` give e.g. the payoff set of the correlated-equilibrium polytope.
* :class:`SmoothSet` -- ``F = {x : g_k(x) <= 0 for all k, x >= lower}`` for convex
  functions ``g_k``, with an optional closed-form support function.  Constructors:
  :func:`quarter_ellipse`, :func:`quarter_disc`, :func:`ellipsoid_orthant`,
  :func:`exponential_set`.
* :class:`MinkowskiSum` -- ``F = F_1 + ... + F_m``, the feasible set of an additively
  separable game [T23]_ (definition 3): each player contributes a point of their own set.

Every set offers its support function ``sigma(p) = max_{x in F} p . x``, membership,
ideal points and (for two players) the Pareto frontier.  Internally every set can be
written as a stack of "atoms" (polytopes and smooth sets) whose variables are the
lotteries ``lam`` of the polytopes and the points of the smooth sets; optimisation
problems over ``F`` are then linear programs (HiGHS) when every atom is a polytope and
SLSQP programs otherwise.  Nothing here uses Qhull, so flat (lower-dimensional) sets,
collinear points and single points are handled like any other set.

Accuracy: linear programs are solved with tolerances of 1e-10 (relative to the size of
the set); SLSQP results (sets with smooth parts and no closed-form support) are
accurate to about 1e-8.

References
----------
.. [T23] J. Treutlein, "Modeling evidential cooperation in large worlds",
   arXiv:2307.04879, 2023.
.. [R70] R. T. Rockafellar, *Convex Analysis*, Princeton University Press, 1970
   (support functions, section 13).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linprog, minimize

from gamesim.sim.games import NormalFormGame
from .._arrays import as_vector
from .._arrays import as_matrix as _as_matrix
from .._arrays import frozen as _frozen

__all__ = [
    "FeasibleSet", "PolytopeSet", "SmoothSet", "MinkowskiSum",
    "feasible_set", "from_points", "minkowski_sum", "as_feasible_set", "nearest_lottery",
    "ellipsoid_orthant", "quarter_ellipse", "quarter_disc", "exponential_set",
]

_LP_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
# Feasibility slack accepted from SLSQP, in normalised units (the set's half-widths).
_SLSQP_FEAS_TOL = 1e-7


# ---------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------


def _as_vector(value: Any, n: int, field: str, *, allow_inf: bool = False) -> np.ndarray:
    return as_vector(value, field, n, allow_inf=allow_inf)


def nearest_lottery(points: Any, x: Any) -> tuple[float, np.ndarray]:
    """The lottery over ``points`` whose mean is closest to ``x`` in the max norm.

    Solves ``min t`` subject to ``|P^T lam - x| <= t`` componentwise, ``lam`` in the
    simplex (one LP).  Returns ``(t, lam)``: ``t == 0`` exactly when ``x`` lies in
    the convex hull of the points, and then ``lam`` implements ``x``.

    Examples
    --------
    >>> t, lam = nearest_lottery([[0, 0], [2, 0], [0, 2]], [1, 1])
    >>> round(t, 12), lam.round(12)
    (0.0, array([0. , 0.5, 0.5]))
    >>> round(nearest_lottery([[0, 0], [2, 0], [0, 2]], [2, 2])[0], 12)
    1.0
    """
    P = _as_matrix(points, "points", "shape (m, n)")
    m, n = P.shape
    u = _as_vector(x, n, "x")
    c = np.zeros(m + 1)
    c[-1] = 1.0
    A_ub = np.vstack([np.hstack([P.T, -np.ones((n, 1))]), np.hstack([-P.T, -np.ones((n, 1))])])
    b_ub = np.concatenate([u, -u])
    A_eq = np.concatenate([np.ones(m), [0.0]])[None, :]
    res = _linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=[1.0], bounds=[(0, None)] * (m + 1))
    if res.status != 0:  # pragma: no cover - always feasible
        raise RuntimeError(f"nearest_lottery: LP failed ({res.message})")
    lam = np.clip(res.x[:m], 0.0, None)
    return max(float(res.x[-1]), 0.0), lam / lam.sum()


def _check_n_players(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or int(n) < 1:
        raise ValueError(f"n_players: must be a positive integer, got {n!r}")
    return int(n)


def _linprog(c, A_ub=None, b_ub=None, A_eq=None, b_eq=None, bounds=None):
    # Dual simplex returns basic (vertex) solutions: lotteries with small supports and
    # points accurate to rounding error rather than to an interior-point tolerance.
    return linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds,
                   method="highs-ds", options=_LP_OPTIONS)


# ---------------------------------------------------------------------------
# the stacked representation used by every optimisation over F
# ---------------------------------------------------------------------------
@dataclass
class _Solved:
    """An optimisation over a stack: variables, feasibility and multipliers."""

    z: np.ndarray
    t: float
    ok: bool
    eta: np.ndarray  # multipliers (>= 0) of the extra rows: d(max)/d(h)
    violation: float


class _Stack:
    """``x in F`` written with stacked variables ``z`` in normalised coordinates.

    ``x~ = (x - shift) / scale = M z``; the variables of a polytope atom are its
    lottery ``lam`` (simplex, ``A_ub lam <= b_ub``), those of a smooth atom its point in
    normalised coordinates (constraints ``g_k <= 0`` and the lower bound).  The shift is
    carried by the first atom, so ``x~`` is linear in ``z`` for any Minkowski sum.
    """

    def __init__(self, atoms: Sequence["FeasibleSet"], shift: np.ndarray, scale: np.ndarray) -> None:
        self.atoms = tuple(atoms)
        self.shift = np.asarray(shift, dtype=float)
        self.scale = np.asarray(scale, dtype=float)
        n = self.n = self.scale.size
        sizes = [len(a.points) if isinstance(a, PolytopeSet) else n for a in self.atoms]
        self.nz = nz = int(sum(sizes))
        self.slices = []
        self.M = np.zeros((n, nz))
        self.bounds: list[tuple[float | None, float | None]] = []
        eq_rows, eq_rhs, in_rows, in_rhs = [], [], [], []
        self.smooth: list[tuple[int, slice, np.ndarray, SmoothSet]] = []
        z0 = np.zeros(nz)
        start = 0
        for k, (atom, size) in enumerate(zip(self.atoms, sizes)):
            sl = slice(start, start + size)
            self.slices.append(sl)
            base = self.shift if k == 0 else np.zeros(n)
            if isinstance(atom, PolytopeSet):
                self.M[:, sl] = ((atom.points - base) / self.scale).T
                self.bounds += [(0.0, None)] * size
                row = np.zeros(nz)
                row[sl] = 1.0
                eq_rows.append(row)
                eq_rhs.append(1.0)
                if atom.A_ub is not None:
                    block = np.zeros((atom.A_ub.shape[0], nz))
                    block[:, sl] = atom.A_ub
                    in_rows.append(block)
                    in_rhs.append(atom.b_ub)
                z0[sl] = atom._lambda0
            else:
                self.M[:, sl] = np.eye(n)
                lower = (atom.lower - base) / self.scale
                self.bounds += [(float(v), None) if np.isfinite(v) else (None, None) for v in lower]
                self.smooth.append((k, sl, base, atom))
                z0[sl] = (atom._interior() - base) / self.scale
            start += size
        self.A_eq = np.array(eq_rows).reshape(-1, nz)
        self.b_eq = np.array(eq_rhs, dtype=float)
        self.A_in = np.vstack(in_rows) if in_rows else np.zeros((0, nz))
        self.b_in = np.concatenate(in_rhs) if in_rhs else np.zeros(0)
        self.z0 = z0
        self.linear = not self.smooth
        self.n_nonlinear = sum(len(a.constraints) for *_, a in self.smooth)

    # -- decoding ---------------------------------------------------------------
    def x_tilde(self, z: np.ndarray) -> np.ndarray:
        return self.M @ z

    def parts(self, z: np.ndarray) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray | None, ...]]:
        """Per-atom points (original coordinates) and lotteries (None for smooth atoms)."""
        points, lotteries = [], []
        for k, (atom, sl) in enumerate(zip(self.atoms, self.slices)):
            if isinstance(atom, PolytopeSet):
                lam = _clean_lottery(z[sl])
                lotteries.append(lam)
                points.append(atom.points.T @ lam)
            else:
                base = self.shift if k == 0 else np.zeros(self.n)
                lotteries.append(None)
                points.append(base + self.scale * z[sl])
        return tuple(points), tuple(lotteries)

    # -- nonlinear constraints (smooth atoms): c(z) >= 0 ----------------------------
    def nl_fun(self, z: np.ndarray) -> np.ndarray:
        out = []
        for _k, sl, base, atom in self.smooth:
            x = base + self.scale * z[sl]
            out.extend(-atom._g(j, x) for j in range(len(atom.constraints)))
        return np.array(out, dtype=float)

    def nl_jac(self, z: np.ndarray) -> np.ndarray:
        J = np.zeros((self.n_nonlinear, z.size))
        r = 0
        for _k, sl, base, atom in self.smooth:
            x = base + self.scale * z[sl]
            for j in range(len(atom.constraints)):
                J[r, sl] = -atom._grad(j, x) * self.scale
                r += 1
        return J

    def violation(self, z: np.ndarray) -> float:
        v = 0.0
        if self.A_eq.size:
            v = max(v, float(np.max(np.abs(self.A_eq @ z - self.b_eq))))
        if self.A_in.size:
            v = max(v, float(np.max(self.A_in @ z - self.b_in, initial=0.0)))
        for (lo, _hi), zi in zip(self.bounds, z):
            if lo is not None:
                v = max(v, lo - zi)
        if self.smooth:
            v = max(v, float(np.max(-self.nl_fun(z), initial=0.0)))
        return v

    # -- problems -------------------------------------------------------------------
    def solve_linear(self, c: np.ndarray, c_t: float, G: np.ndarray, g_t: np.ndarray,
                     h: np.ndarray, use_t: bool) -> _Solved:
        """Maximise ``c . x~ + c_t t`` s.t. ``G x~ + g_t t <= h`` and ``x~`` in the stack."""
        nz = self.nz
        nv = nz + (1 if use_t else 0)
        obj = np.zeros(nv)
        obj[:nz] = -(c @ self.M)
        GM = G @ self.M
        if use_t:
            obj[nz] = -c_t
            GM = np.hstack([GM, g_t[:, None]])
        if self.linear:
            A_ub = [GM]
            b_ub = [h]
            if self.A_in.size:
                A_ub.append(np.hstack([self.A_in, np.zeros((self.A_in.shape[0], nv - nz))]))
                b_ub.append(self.b_in)
            A_ub_m = np.vstack(A_ub)
            b_ub_v = np.concatenate(b_ub)
            A_eq = np.hstack([self.A_eq, np.zeros((self.A_eq.shape[0], nv - nz))])
            bounds = self.bounds + ([(None, None)] if use_t else [])
            res = _linprog(obj, A_ub=A_ub_m if A_ub_m.size else None,
                           b_ub=b_ub_v if A_ub_m.size else None,
                           A_eq=A_eq if A_eq.size else None, b_eq=self.b_eq if A_eq.size else None,
                           bounds=bounds)
            if res.status != 0:
                return _Solved(np.full(nz, np.nan), math.nan, False, np.zeros(len(h)), math.inf)
            y = res.x
            eta = -np.asarray(res.ineqlin.marginals[:len(h)], dtype=float)
            z = y[:nz]
            return _Solved(z, float(y[nz]) if use_t else 0.0, True, np.clip(eta, 0.0, None),
                           self.violation(z))
        return self._solve_linear_slsqp(obj, GM, h, use_t)

    def _constraints(self, extra: list[dict]) -> list[dict]:
        nz = self.nz
        cons: list[dict] = []
        if self.A_eq.size:
            A_eq = self.A_eq
            cons.append({"type": "eq", "fun": lambda y: A_eq @ y[:nz] - self.b_eq,
                         "jac": lambda y: np.hstack([A_eq, np.zeros((A_eq.shape[0], y.size - nz))])})
        cons.extend(extra)
        if self.A_in.size:
            A_in = self.A_in
            cons.append({"type": "ineq", "fun": lambda y: self.b_in - A_in @ y[:nz],
                         "jac": lambda y: np.hstack([-A_in, np.zeros((A_in.shape[0], y.size - nz))])})
        if self.smooth:
            cons.append({"type": "ineq", "fun": lambda y: self.nl_fun(y[:nz]),
                         "jac": lambda y: np.hstack([self.nl_jac(y[:nz]),
                                                     np.zeros((self.n_nonlinear, y.size - nz))])})
        return cons

    def _solve_linear_slsqp(self, obj: np.ndarray, GM: np.ndarray, h: np.ndarray, use_t: bool) -> _Solved:
        nz = self.nz
        n_rows = GM.shape[0]
        extra = []
        if n_rows:
            extra.append({"type": "ineq", "fun": lambda y: h - GM @ y, "jac": lambda y: -GM})
        cons = self._constraints(extra)
        bounds = self.bounds + ([(None, None)] if use_t else [])
        y0 = self.z0.copy()
        if use_t:
            g_t = GM[:, nz] if n_rows else np.zeros(0)
            slack = (h - GM[:, :nz] @ self.z0) if n_rows else np.zeros(0)
            pos = g_t > 0
            t0 = float(np.min(slack[pos] / g_t[pos])) if np.any(pos) else 0.0
            y0 = np.append(y0, t0)
        n_eq = self.A_eq.shape[0]
        best: _Solved | None = None
        best_obj = math.inf
        for _attempt in range(3):
            res = minimize(lambda y: float(obj @ y), y0, jac=lambda y: obj, method="SLSQP",
                           bounds=bounds, constraints=cons,
                           options={"ftol": 1e-15, "maxiter": 1000})
            y = np.asarray(res.x, dtype=float)
            z = y[:nz]
            viol = self.violation(z)
            if n_rows:
                viol = max(viol, float(np.max(GM @ y - h, initial=0.0)))
            mult = getattr(res, "multipliers", None)
            if mult is not None and len(mult) >= n_eq + n_rows:
                eta = np.clip(np.asarray(mult[n_eq:n_eq + n_rows], dtype=float), 0.0, None)
            else:
                eta = np.zeros(n_rows)
            cand = _Solved(z, float(y[nz]) if use_t else 0.0, viol <= _SLSQP_FEAS_TOL, eta, viol)
            cand_obj = float(obj @ y)
            if (best is None or (cand.ok and (not best.ok or cand_obj < best_obj))
                    or (not best.ok and not cand.ok and cand.violation < best.violation)):
                best, best_obj = cand, cand_obj
            if cand.ok and res.status in (0, 8):
                break
            y0 = y  # restart from where SLSQP stopped (it often stalls on the first run)
        assert best is not None
        return best

    def solve_nash(self, w: np.ndarray, eps: float, z_start: np.ndarray) -> tuple[np.ndarray, bool]:
        """Maximise ``sum w log x~`` s.t. ``x~ >= eps`` and ``x~`` in the stack (SLSQP)."""
        M = self.M

        def fun(z):
            gap = np.maximum(M @ z, 1e-300)
            return float(-w @ np.log(gap))

        def jac(z):
            gap = np.maximum(M @ z, 1e-300)
            return -(w / gap) @ M

        extra = [{"type": "ineq", "fun": lambda z: M @ z - eps, "jac": lambda z: M}]
        cons = self._constraints(extra)
        z = z_start.copy()
        for _attempt in range(3):
            res = minimize(fun, z, jac=jac, method="SLSQP", bounds=self.bounds, constraints=cons,
                           options={"ftol": 1e-15, "maxiter": 2000})
            z_new = np.asarray(res.x, dtype=float)
            ok = self.violation(z_new) <= _SLSQP_FEAS_TOL and np.all(M @ z_new > 0)
            if ok:
                z = z_new
                if res.status in (0, 8):
                    return z, True
            else:
                break
        return z, bool(self.violation(z) <= _SLSQP_FEAS_TOL and np.all(M @ z > 0))


def _clean_lottery(lam: np.ndarray) -> np.ndarray:
    lam = np.clip(np.asarray(lam, dtype=float), 0.0, None)
    s = lam.sum()
    return lam / s if s > 0 else lam


@dataclass
class _Opt:
    """Result of an optimisation over a feasible set, in original coordinates."""

    ok: bool
    value: float
    x: np.ndarray
    t: float
    parts: tuple
    lotteries: tuple
    normal: np.ndarray | None
    violation: float
    eta: np.ndarray | None = None  # multipliers (>= 0) of the rows G x + g_t t <= h


# ---------------------------------------------------------------------------
# base class
# ---------------------------------------------------------------------------
class FeasibleSet:
    """A compact convex set of utility vectors in ``R^n`` (base class).

    Subclasses provide the support function and a stacked representation; everything
    else (membership, ideal points, Pareto frontier, the optimisation problems used by
    the bargaining solutions) is built on those.

    Attributes
    ----------
    n_players : int
        The dimension ``n``.
    """

    n_players: int

    def __init__(self, n_players: int) -> None:
        self.n_players = _check_n_players(n_players)
        self._cache: dict[str, Any] = {}

    # -- to be provided by subclasses ------------------------------------------------
    def _support(self, p: np.ndarray) -> tuple[float, np.ndarray]:
        raise NotImplementedError

    def _atoms(self) -> tuple["FeasibleSet", ...]:
        """The polytopes and smooth sets whose Minkowski sum is this set."""
        raise NotImplementedError

    def _box(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper corners of a bounding box."""
        n = self.n_players
        eye = np.eye(n)
        hi = np.array([self._support(eye[i])[0] for i in range(n)])
        lo = np.array([-self._support(-eye[i])[0] for i in range(n)])
        return lo, hi

    @property
    def is_polyhedral(self) -> bool:
        """True when every part is a polytope (optimisation problems are LPs)."""
        return all(isinstance(a, PolytopeSet) for a in self._atoms())

    # -- public API --------------------------------------------------------------------
    def support(self, direction: Any) -> tuple[float, np.ndarray]:
        """Support function and one maximiser.

        Parameters
        ----------
        direction : array_like, shape (n_players,)
            A finite vector ``p`` (any sign).

        Returns
        -------
        value : float
            ``sigma(p) = max_{x in F} p . x``.
        point : ndarray, shape (n_players,)
            One ``x in F`` with ``p . x = sigma(p)``.
        """
        p = _as_vector(direction, self.n_players, "direction")
        value, point = self._support(p)
        return float(value), np.array(point, dtype=float)

    def contains(self, x: Any, tol: float = 1e-9) -> bool:
        """Whether ``x`` lies in the set, up to an L-infinity distance of ``tol``.

        ``tol`` is relative to ``max(1, size of the set)``.  For sets with smooth parts
        and no closed form the test is only as accurate as SLSQP (about 1e-8).
        """
        xv = _as_vector(x, self.n_players, "x")
        return self._distance(xv) <= tol * max(1.0, self._size())

    def ideal_point(self, d: Any = None) -> np.ndarray:
        """Ideal (utopia) point.

        ``I_i = max{x_i : x in F, x >= d}``; without ``d``, ``I_i = max_{x in F} x_i``.

        Raises
        ------
        ValueError
            ``d: ...`` when no point of the set weakly dominates ``d``.
        """
        n = self.n_players
        if d is None:
            return np.array([self._support(np.eye(n)[i])[0] for i in range(n)])
        dv = _as_vector(d, n, "d")
        return self._ideal_above(self._dominated_floor(dv))

    def _ideal_above(self, a: np.ndarray) -> np.ndarray:
        """``I_i = max{x_i : x in F, x >= a}`` for an ``a`` known to be dominated."""
        n = self.n_players
        out = np.empty(n)
        for i in range(n):
            opt = self._lin_opt(c=np.eye(n)[i], G=-np.eye(n), h=-a)
            if not opt.ok:
                raise ValueError("d: no point of the feasible set weakly dominates d")
            out[i] = opt.x[i]
        return out

    def dominates_point(self, d: Any, strict: bool = False) -> bool:
        """Whether some ``x in F`` has ``x >= d`` (``x > d`` for every player if ``strict``)."""
        dv = _as_vector(d, self.n_players, "d")
        t = self._dominance_level(dv)
        tol = 1e-9 if self.is_polyhedral else 1e-7
        return bool(t > tol) if strict else bool(t >= -tol)

    def pareto_frontier(self, num: int = 200) -> np.ndarray:
        """Points of the strict Pareto frontier of a two-player set, by increasing ``x_1``.

        Polyhedral sets return the exact vertices of the frontier (its edges are the
        segments between consecutive rows); sets with smooth parts return ``num``
        support points for directions spread evenly in angle over the positive
        quadrant, from the top end of the frontier to its right end.  A frontier that
        is a single point is returned as one row.

        Raises
        ------
        ValueError
            ``n_players: ...`` for sets that are not two-dimensional.
        """
        if self.n_players != 2:
            raise ValueError(f"n_players: the Pareto frontier is only computed for 2 players, "
                             f"this set has {self.n_players}")
        if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 2:
            raise ValueError(f"num: must be an integer >= 2, got {num!r}")
        top = self._endpoint((1, 0))
        right = self._endpoint((0, 1))
        tol = 1e-9 * self._size()
        if np.max(np.abs(top - right)) <= tol:
            return top[None, :]
        if self.is_polyhedral:
            pts = self._trace_frontier(top, right)
        else:
            angles = np.linspace(math.pi / 2, 0.0, int(num))[1:-1]
            mids = [self._support(np.array([math.cos(a), math.sin(a)]))[1] for a in angles]
            pts = np.vstack([top] + mids + [right])
            order = np.argsort(pts[:, 0], kind="stable")
            pts = pts[order]
        return _dedupe(pts, tol)

    # -- internals -------------------------------------------------------------------
    def _size(self) -> float:
        lo, hi = self._box_cached()
        return float(max(np.max(np.abs(lo)), np.max(np.abs(hi)), np.max(hi - lo), 1e-300))

    def _box_cached(self) -> tuple[np.ndarray, np.ndarray]:
        if "box" not in self._cache:
            self._cache["box"] = self._box()
        return self._cache["box"]

    def _norm(self) -> tuple[np.ndarray, np.ndarray]:
        """Shift and scale that map the bounding box onto ``[-1, 1]^n``."""
        if "norm" not in self._cache:
            lo, hi = self._box_cached()
            half = (hi - lo) / 2.0
            center = (lo + hi) / 2.0
            # Per coordinate, so players' units never mix; a coordinate that is constant
            # on the set (up to rounding) gets the size of its value instead.
            flat = half <= 1e-12 * np.maximum(np.abs(lo), np.abs(hi))
            scale = np.where(flat | (half <= 0), np.maximum(np.abs(center), 1.0), half)
            self._cache["norm"] = (center, scale)
        return self._cache["norm"]

    def _stack(self) -> _Stack:
        if "stack" not in self._cache:
            shift, scale = self._norm()
            self._cache["stack"] = _Stack(self._atoms(), shift, scale)
        return self._cache["stack"]

    def _lin_opt(self, c: Any = None, c_t: float = 0.0, G: Any = None, g_t: Any = None,
                 h: Any = None) -> _Opt:
        """Maximise ``c . x + c_t t`` s.t. ``G x + g_t t <= h``, ``x in F`` (original units).

        ``t`` is a free scalar, used only when ``c_t`` or ``g_t`` is non-zero.  The
        returned ``normal`` is ``c - G^T eta`` for the row multipliers ``eta >= 0``: a
        vector ``p`` with ``p . x = sigma_F(p)`` at the optimum.
        """
        n = self.n_players
        shift, scale = self._norm()
        st = self._stack()
        c = np.zeros(n) if c is None else np.asarray(c, dtype=float)
        if G is None:
            G, g_t, h = np.zeros((0, n)), np.zeros(0), np.zeros(0)
        G = np.atleast_2d(np.asarray(G, dtype=float))
        h = np.asarray(h, dtype=float)
        g_t = np.zeros(len(h)) if g_t is None else np.asarray(g_t, dtype=float)
        use_t = bool(c_t != 0.0 or np.any(g_t != 0.0))
        Gs = G * scale
        hs = h - G @ shift
        sol = st.solve_linear(c * scale, c_t, Gs, g_t, hs, use_t)
        if not sol.ok and not np.all(np.isfinite(sol.z)):
            nan = np.full(n, np.nan)
            return _Opt(False, math.nan, nan, math.nan, (), (), None, math.inf)
        parts, lots = st.parts(sol.z)
        x = np.sum(parts, axis=0)
        normal = (c * scale - Gs.T @ sol.eta) / scale
        value = float(c @ x + c_t * sol.t)
        return _Opt(sol.ok, value, x, sol.t, parts, lots, normal, sol.violation, sol.eta)

    def _ray(self, a: np.ndarray, b: np.ndarray, G0: Any = None, h0: Any = None) -> _Opt:
        """``max t`` s.t. ``x >= a + t b``, ``x in F`` (and ``G0 x <= h0``)."""
        n = self.n_players
        G = -np.eye(n)
        h = -np.asarray(a, dtype=float)
        g_t = np.asarray(b, dtype=float)
        if G0 is not None:
            G0 = np.atleast_2d(np.asarray(G0, dtype=float))
            G = np.vstack([G, G0])
            h = np.concatenate([h, np.atleast_1d(np.asarray(h0, dtype=float))])
            g_t = np.concatenate([g_t, np.zeros(G0.shape[0])])
        return self._lin_opt(c_t=1.0, G=G, g_t=g_t, h=h)

    def _dominance_level(self, d: np.ndarray) -> float:
        """``max t`` with ``d + t * scale`` in the free-disposal hull (``scale`` > 0)."""
        _shift, scale = self._norm()
        opt = self._ray(d, scale)
        if not opt.ok:
            raise RuntimeError("could not solve the dominance problem for d")
        return float(opt.t)

    def _dominated_floor(self, d: np.ndarray, t: float | None = None) -> np.ndarray:
        """``d`` lowered by solver tolerance when it sits on the boundary; error if not dominated.

        ``t`` is :meth:`_dominance_level` of ``d`` when already known.
        """
        if t is None:
            t = self._dominance_level(d)
        tol = 1e-9 if self.is_polyhedral else 1e-7
        if t < -tol:
            raise ValueError("d: no point of the feasible set weakly dominates d (d is outside "
                             "the free-disposal hull of the set)")
        _shift, scale = self._norm()
        return d + min(t, 0.0) * scale - (0.0 if self.is_polyhedral else 1e-10) * scale

    def _distance(self, x: np.ndarray) -> float:
        """L-infinity distance from ``x`` to the set."""
        n = self.n_players
        G = np.vstack([np.eye(n), -np.eye(n)])
        h = np.concatenate([x, -x])
        opt = self._lin_opt(c_t=-1.0, G=G, g_t=-np.ones(2 * n), h=h)
        if not opt.ok:
            raise RuntimeError("could not solve the membership problem")
        return max(float(opt.t), 0.0)

    def _lexmax(self, order: Sequence[int]) -> np.ndarray:
        """Lexicographic maximum: max ``x_order[0]``, then ``x_order[1]``, ..."""
        n = self.n_players
        rows, rhs = [], []
        opt = None
        # LPs return basic solutions, so no slack is needed (slack would let the second
        # stage slide along an edge); SLSQP needs some.
        tol = 0.0 if self.is_polyhedral else 1e-8 * self._size()
        for i in order:
            e = np.eye(n)[i]
            opt = self._lin_opt(c=e, G=np.array(rows).reshape(-1, n) if rows else None,
                                h=np.array(rhs) if rows else None)
            rows.append(-e)
            rhs.append(-(opt.x[i] - tol))
        assert opt is not None
        return opt.x

    def _endpoint(self, order: Sequence[int]) -> np.ndarray:
        """An end of the Pareto frontier: the lexicographic maximum in ``order``.

        Polyhedral sets use two LPs.  For sets with smooth parts the second stage of a
        lexicographic maximum is ill-conditioned (a cap of depth ``eps`` has width
        ``sqrt(eps)``), so the support point for a direction tilted by 1e-10 (in
        normalised units) is used instead; it is within about 1e-10 of the end.
        """
        if self.is_polyhedral:
            return self._lexmax(order)
        _shift, scale = self._norm()
        q = np.zeros(self.n_players)
        q[order[0]] = 1.0
        q[order[1]] = 1e-10
        return self._support(q / scale)[1]

    def _trace_frontier(self, top: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Vertices of a polygonal frontier between ``top`` and ``right`` (support oracle)."""
        tol = 1e-9 * self._size()
        out = [top]

        def rec(u: np.ndarray, v: np.ndarray, depth: int) -> None:
            q = np.array([u[1] - v[1], v[0] - u[0]])
            value, y = self._support(q)
            if depth < 60 and value > q @ u + tol * np.sum(np.abs(q)):
                rec(u, y, depth + 1)
                rec(y, v, depth + 1)
            else:
                out.append(v)

        rec(top, right, 0)
        pts = np.array(out)
        return _drop_collinear(pts, tol)

    def _group_parts(self, parts: Sequence[np.ndarray]) -> tuple[np.ndarray, ...] | None:
        """Per-component points of a Minkowski sum from per-atom points (None otherwise)."""
        return None


def _dedupe(pts: np.ndarray, tol: float) -> np.ndarray:
    keep = [0]
    for k in range(1, len(pts)):
        if np.max(np.abs(pts[k] - pts[keep[-1]])) > tol:
            keep.append(k)
    return pts[keep]


def _drop_collinear(pts: np.ndarray, tol: float) -> np.ndarray:
    pts = _dedupe(pts, tol)
    if len(pts) <= 2:
        return pts
    keep = [pts[0]]
    for k in range(1, len(pts) - 1):
        a, b, c = keep[-1], pts[k], pts[k + 1]
        cross = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        if abs(cross) > tol * max(1.0, np.max(np.abs(c - a))):
            keep.append(b)
    keep.append(pts[-1])
    return np.array(keep)


# ---------------------------------------------------------------------------
# polytopes
# ---------------------------------------------------------------------------
class PolytopeSet(FeasibleSet):
    """The image of a (constrained) simplex: ``F = {P^T lam : lam in simplex, A_ub lam <= b_ub}``.

    Without ``A_ub`` this is the convex hull of the rows of ``points``; for a game
    (:func:`feasible_set`) it is the set of payoffs of correlated lotteries over pure
    profiles.  With ``A_ub`` it is the payoff image of a polytope of lotteries, e.g. the
    correlated equilibria: ``PolytopeSet(U.reshape(n, -1).T, A_ub=G, b_ub=zeros)``.
    Flat, collinear and single-point sets are fine.

    Parameters
    ----------
    points : array_like, shape (m, n)
        Payoff vectors ``P_j``.
    profiles : sequence of tuple of int, optional
        The pure profile behind each point.
    A_ub, b_ub : array_like, shapes (k, m) and (k,), optional
        Linear constraints on ``lam`` (both or neither).
    labels : sequence of str, optional
        A name per point.
    game : NormalFormGame, optional
        The game the points come from (set by :func:`feasible_set`); a lottery over the
        points then reshapes to ``game.n_actions`` when ``m == game.n_outcomes``.

    Attributes
    ----------
    points : ndarray, shape (m, n)
        Read-only.
    profiles, labels : tuple or None
    A_ub, b_ub : ndarray or None
        Read-only.
    game : NormalFormGame or None

    Raises
    ------
    ValueError
        Naming the field: NaN or infinite entries, wrong shapes, mismatched lengths,
        or constraints that no lottery satisfies.

    Examples
    --------
    >>> F = from_points([[4, 4], [2, 5], [-4, 2], [5, 2], [3, 3], [-3, 2]])
    >>> F.support([1, 1])
    (8.0, array([4., 4.]))
    >>> F.pareto_frontier()
    array([[2., 5.],
           [4., 4.],
           [5., 2.]])
    >>> F.contains([3.5, 4.0]), F.contains([5, 5])
    (True, False)
    """

    def __init__(self, points: Any, *, profiles: Sequence[Sequence[int]] | None = None,
                 A_ub: Any = None, b_ub: Any = None, labels: Sequence[str] | None = None,
                 game: NormalFormGame | None = None) -> None:
        P = _as_matrix(points, "points")
        m, n = P.shape
        if m < 1 or n < 1:
            raise ValueError(f"points: need at least one point with at least one coordinate, "
                             f"got shape {P.shape}")
        super().__init__(n)
        self._points = _frozen(P)
        if game is not None:
            if not isinstance(game, NormalFormGame):
                raise ValueError(f"game: expected a NormalFormGame, got {type(game).__name__}")
            if game.n_players != n:
                raise ValueError(f"game: has {game.n_players} players but points have {n} coordinates")
        self.game = game
        if profiles is not None:
            try:
                profiles = tuple(tuple(int(a) for a in prof) for prof in profiles)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"profiles: must be a sequence of integer tuples ({exc})") from None
            if len(profiles) != m:
                raise ValueError(f"profiles: {len(profiles)} profiles for {m} points")
        self.profiles = profiles
        if labels is not None:
            labels = tuple(str(s) for s in labels)
            if len(labels) != m:
                raise ValueError(f"labels: {len(labels)} labels for {m} points")
        self.labels = labels
        if (A_ub is None) != (b_ub is None):
            raise ValueError("A_ub: A_ub and b_ub must be given together")
        if A_ub is not None:
            A = _as_matrix(A_ub, "A_ub")
            if A.shape[1] != m:
                raise ValueError(f"A_ub: expected {m} columns (one per point), got shape {A.shape}")
            b = _as_vector(b_ub, A.shape[0], "b_ub")
            # Rows in unit scale (the same polytope): solvers' tolerances then do not
            # depend on the payoff units (CE constraints carry payoff differences).
            r = np.maximum(np.max(np.abs(A), axis=1), np.abs(b))
            r = np.where(r > 0, r, 1.0)
            self.A_ub: np.ndarray | None = _frozen(A / r[:, None])
            self.b_ub: np.ndarray | None = _frozen(b / r)
        else:
            self.A_ub = self.b_ub = None
        self._lambda0 = self._interior_lottery()

    def _interior_lottery(self) -> np.ndarray:
        m = len(self._points)
        if self.A_ub is None:
            return np.full(m, 1.0 / m)
        # max s s.t. lam_j >= s: a lottery deep inside the constrained simplex.
        c = np.zeros(m + 1)
        c[-1] = -1.0
        A = np.hstack([self.A_ub, np.zeros((self.A_ub.shape[0], 1))])
        A2 = np.hstack([-np.eye(m), np.ones((m, 1))])
        res = _linprog(c, A_ub=np.vstack([A, A2]), b_ub=np.concatenate([self.b_ub, np.zeros(m)]),
                       A_eq=np.append(np.ones(m), 0.0)[None, :], b_eq=[1.0],
                       bounds=[(0, None)] * m + [(None, 1.0 / m)])
        if res.status != 0:
            raise ValueError("A_ub: no lottery over the points satisfies A_ub @ lam <= b_ub")
        return _clean_lottery(res.x[:m])

    @property
    def points(self) -> np.ndarray:
        """The read-only payoff vectors, shape ``(m, n_players)``."""
        return self._points

    def _atoms(self) -> tuple[FeasibleSet, ...]:
        return (self,)

    def _box(self) -> tuple[np.ndarray, np.ndarray]:
        if self.A_ub is None:
            return self._points.min(axis=0), self._points.max(axis=0)
        return super()._box()

    def _endpoint(self, order: Sequence[int]) -> np.ndarray:
        if self.A_ub is not None:
            return super()._endpoint(order)
        P = self._points
        first = P[:, order[0]]
        top = P[first >= first.max() - 1e-12 * self._size()]
        return top[int(np.argmax(top[:, order[1]]))].copy()

    def _support(self, p: np.ndarray) -> tuple[float, np.ndarray]:
        if self.A_ub is None:
            vals = self._points @ p
            j = int(np.argmax(vals))
            return float(vals[j]), self._points[j].copy()
        lam = self._support_lottery(p)
        x = self._points.T @ lam
        return float(p @ x), x

    def _support_lottery(self, p: np.ndarray) -> np.ndarray:
        vals = self._points @ p
        if self.A_ub is None:
            lam = np.zeros(len(vals))
            lam[int(np.argmax(vals))] = 1.0
            return lam
        m = len(vals)
        res = _linprog(-vals, A_ub=self.A_ub, b_ub=self.b_ub, A_eq=np.ones((1, m)), b_eq=[1.0],
                       bounds=[(0, None)] * m)
        if res.status != 0:
            raise RuntimeError(f"support LP failed: {res.message}")
        return _clean_lottery(res.x)

    def lottery(self, x: Any, tol: float = 1e-7) -> np.ndarray:
        """A lottery ``lam`` over :attr:`points` with ``P^T lam = x`` (an LP).

        ``tol`` bounds the residual, per coordinate in units of the set's half-width.
        The lottery is a basic solution (at most ``n + 1`` points in its support when
        there are no ``A_ub`` constraints), refined by least squares on its support.

        Raises
        ------
        ValueError
            ``x: not in the feasible set`` when no lottery reaches ``x``.

        Examples
        --------
        >>> F = from_points([[0, 0], [2, 0], [0, 2]])
        >>> F.lottery([1, 1])
        array([0. , 0.5, 0.5])
        """
        xv = _as_vector(x, self.n_players, "x")
        lam, resid = _lottery_for(self._stack(), [self], xv)
        if lam is None or resid > tol:
            raise ValueError("x: not in the feasible set")
        return lam[0]

    def __repr__(self) -> str:
        extra = f", constraints={self.A_ub.shape[0]}" if self.A_ub is not None else ""
        src = f", game={self.game.name!r}" if self.game is not None else ""
        return f"PolytopeSet(n_players={self.n_players}, points={len(self._points)}{extra}{src})"


def _lottery_for(stack: _Stack, atoms: Sequence[PolytopeSet], x: np.ndarray
                 ) -> tuple[tuple[np.ndarray, ...] | None, float]:
    """Lotteries of polytope atoms summing to ``x``: min L-infinity residual LP, refined.

    The residual is returned in the stack's normalised units (per-coordinate scale).
    """
    n = stack.n
    xt = (x - stack.shift) / stack.scale
    G = np.vstack([np.eye(n), -np.eye(n)])
    h = np.concatenate([xt, -xt])
    sol = stack.solve_linear(np.zeros(n), -1.0, G, -np.ones(2 * n), h, True)
    if not sol.ok:
        return None, math.inf
    z = np.clip(sol.z, 0.0, None)
    z = _refine_lottery(stack, z, xt)
    resid = float(np.max(np.abs(stack.M @ z - xt)))
    lots = tuple(_clean_lottery(z[sl]) for sl in stack.slices)
    return lots, resid


def _refine_lottery(stack: _Stack, z: np.ndarray, xt: np.ndarray) -> np.ndarray:
    """Least-squares polish of stacked lotteries on their support (keeps them feasible)."""
    supp = z > 1e-13
    if not np.any(supp):
        return z
    A = np.vstack([stack.M[:, supp], stack.A_eq[:, supp]])
    b = np.concatenate([xt, stack.b_eq])
    sol, *_ = np.linalg.lstsq(A, b, rcond=None)
    cand = z.copy()
    cand[supp] = sol
    if np.min(cand) < 0:
        return z
    if stack.A_in.size and np.max(stack.A_in @ cand - stack.b_in, initial=0.0) > 1e-12:
        return z
    old = np.max(np.abs(A @ z[supp] - b))
    new = np.max(np.abs(A @ sol - b))
    return cand if new <= old else z


def feasible_set(game: NormalFormGame) -> PolytopeSet:
    """The feasible set of a finite game: the convex hull of its outcome payoff vectors.

    Points are in C order of the joint-action tensor, so a lottery over them reshapes
    to ``game.n_actions`` as a joint distribution (a correlated strategy).  The set
    reachable by *independent* mixing is not convex and is not what bargaining uses.

    Examples
    --------
    >>> from gamesim.sim.catalogue import treutlein_example_60
    >>> F = feasible_set(treutlein_example_60())
    >>> F.points[:3]
    array([[ 4.,  4.],
           [ 2.,  5.],
           [-4.,  2.]])
    >>> F.profiles[:3], F.labels[:2]
    (((0, 0), (0, 1), (0, 2)), ('b1,a1', 'b1,a2'))
    """
    if not isinstance(game, NormalFormGame):
        raise ValueError(f"game: expected a NormalFormGame, got {type(game).__name__}")
    profiles = tuple(itertools.product(*(range(m) for m in game.n_actions)))
    labels = tuple(",".join(game.actions[i][a] for i, a in enumerate(prof)) for prof in profiles)
    return PolytopeSet(game.outcome_payoffs(), profiles=profiles, labels=labels, game=game)


def from_points(points: Any, labels: Sequence[str] | None = None) -> PolytopeSet:
    """The convex hull of the rows of ``points`` (shape ``(m, n)``)."""
    return PolytopeSet(points, labels=labels)


# ---------------------------------------------------------------------------
# smooth sets
# ---------------------------------------------------------------------------
class SmoothSet(FeasibleSet):
    """``F = {x : g_k(x) <= 0 for all k, x >= lower}`` for convex functions ``g_k``.

    Parameters
    ----------
    constraints : sequence of callable
        Convex functions ``R^n -> float``; the set must be compact.
    n_players : int
    lower : array_like, optional
        Componentwise lower bound (``-inf`` entries allowed); default none.
    support_fn : callable, optional
        ``support_fn(p) -> (value, point)``, a closed-form support function.  Without
        it the support is computed by SLSQP from a strictly feasible point, accurate to
        about 1e-8 (with ``gradients``) or 1e-7 (finite differences).
    name : str, optional
    gradients : sequence of callable, optional
        Gradients of the constraints (default: central finite differences).
    interior : array_like, optional
        A strictly feasible point; default found by minimising ``max_k g_k``.
    strictly_convex : bool
        Promise that the support point is unique for every ``p > 0`` (and
        ``support_fn`` is given).  The Nash solution then uses the smooth dual over
        prices, which is accurate to about 1e-12.

    Examples
    --------
    >>> F = quarter_disc(2.0)
    >>> value, point = F.support([3, 4])
    >>> round(value, 12), point
    (10.0, array([1.2, 1.6]))
    >>> F.contains([1, 1]), F.contains([1.5, 1.5])
    (True, False)
    """

    def __init__(self, constraints: Sequence[Callable[[np.ndarray], float]], n_players: int, *,
                 lower: Any = None, support_fn: Callable | None = None, name: str | None = None,
                 gradients: Sequence[Callable[[np.ndarray], Any]] | None = None,
                 interior: Any = None, strictly_convex: bool = False) -> None:
        super().__init__(n_players)
        n = self.n_players
        if callable(constraints):
            constraints = [constraints]
        try:
            constraints = tuple(constraints)
        except TypeError:
            raise ValueError("constraints: must be a sequence of callables") from None
        if not constraints or not all(callable(g) for g in constraints):
            raise ValueError("constraints: must be a non-empty sequence of callables")
        self.constraints = constraints
        if gradients is not None:
            gradients = tuple(gradients)
            if len(gradients) != len(constraints) or not all(callable(g) for g in gradients):
                raise ValueError(f"gradients: need one callable per constraint ({len(constraints)})")
        self.gradients = gradients
        self._lower = _frozen(np.full(n, -np.inf) if lower is None
                              else _as_vector(lower, n, "lower", allow_inf=True))
        if np.any(self._lower == np.inf):
            raise ValueError("lower: entries must be finite or -inf")
        if support_fn is not None and not callable(support_fn):
            raise ValueError("support_fn: must be callable")
        self.support_fn = support_fn
        self.name = name
        self.strictly_convex = bool(strictly_convex) and support_fn is not None
        if interior is not None:
            pt = _as_vector(interior, n, "interior")
            if np.any(pt < self._lower) or any(self._g(k, pt) > 0 for k in range(len(constraints))):
                raise ValueError("interior: the point does not satisfy the constraints")
            self._cache["interior"] = pt

    @property
    def lower(self) -> np.ndarray:
        """The read-only lower bound (``-inf`` where there is none)."""
        return self._lower

    def _atoms(self) -> tuple[FeasibleSet, ...]:
        return (self,)

    def _g(self, k: int, x: np.ndarray) -> float:
        try:
            val = float(self.constraints[k](x))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"constraints: constraint {k} must return a number ({exc})") from None
        if not math.isfinite(val):
            raise ValueError(f"constraints: constraint {k} returned {val} at {x}")
        return val

    def _grad(self, k: int, x: np.ndarray) -> np.ndarray:
        if self.gradients is not None:
            grad = np.asarray(self.gradients[k](x), dtype=float)
            if grad.shape != (self.n_players,) or not np.all(np.isfinite(grad)):
                raise ValueError(f"gradients: gradient {k} must return a finite vector of shape "
                                 f"({self.n_players},)")
            return grad
        _shift, scale = self._norm()
        hstep = 1e-6 * scale
        out = np.empty(self.n_players)
        for i in range(self.n_players):
            e = np.zeros(self.n_players)
            e[i] = hstep[i]
            out[i] = (self._g(k, x + e) - self._g(k, x - e)) / (2 * hstep[i])
        return out

    def _interior(self) -> np.ndarray:
        """A (strictly, when possible) feasible point: phase 1, ``min s`` s.t. ``g_k <= s``."""
        if "interior" in self._cache:
            return self._cache["interior"]
        n = self.n_players
        lo = self._lower
        x0 = np.where(np.isfinite(lo), lo, 0.0)
        ks = range(len(self.constraints))
        s0 = max(self._g(k, x0) for k in ks)
        if s0 >= 0:
            def grad_k(k, x):
                if self.gradients is not None:
                    return np.asarray(self.gradients[k](x), dtype=float)
                e = np.eye(n) * 1e-6
                return np.array([(self._g(k, x + e[i]) - self._g(k, x - e[i])) / 2e-6 for i in range(n)])

            cons = [{"type": "ineq", "fun": (lambda y, k=k: y[n] - self._g(k, y[:n])),
                     "jac": (lambda y, k=k: np.append(-grad_k(k, y[:n]), 1.0))} for k in ks]
            bounds = [(float(v), None) if np.isfinite(v) else (None, None) for v in lo] + [(-1.0, None)]
            res = minimize(lambda y: y[n], np.append(x0, s0 + 1.0),
                           jac=lambda y: np.append(np.zeros(n), 1.0),
                           method="SLSQP", bounds=bounds, constraints=cons,
                           options={"ftol": 1e-12, "maxiter": 500})
            x0 = np.maximum(np.asarray(res.x[:n], dtype=float), lo)
            if max(self._g(k, x0) for k in ks) > 1e-9:
                raise ValueError("constraints: found no point with g_k(x) <= 0 for every k "
                                 "(the set looks empty)")
        self._cache["interior"] = x0
        return x0

    def _box(self) -> tuple[np.ndarray, np.ndarray]:
        if self.support_fn is not None:
            return super()._box()
        # Provisional normalisation (centred on the interior point) to compute the box.
        x0 = self._interior()
        self._cache["norm"] = (x0, np.full(self.n_players, max(1.0, float(np.max(np.abs(x0))))))
        self._cache.pop("stack", None)
        try:
            box = super()._box()
        finally:
            self._cache.pop("norm", None)
            self._cache.pop("stack", None)
        return box

    def _support(self, p: np.ndarray) -> tuple[float, np.ndarray]:
        if self.support_fn is not None:
            out = self.support_fn(p)
            try:
                value, point = out
                point = np.asarray(point, dtype=float)
                value = float(value)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"support_fn: must return (value, point) ({exc})") from None
            if point.shape != (self.n_players,) or not np.all(np.isfinite(point)):
                raise ValueError(f"support_fn: point must be a finite vector of shape ({self.n_players},)")
            return value, point
        opt = self._lin_opt(c=p)
        if not opt.ok:
            raise RuntimeError("support: SLSQP did not find a feasible maximiser")
        return float(p @ opt.x), opt.x

    def _distance(self, x: np.ndarray) -> float:
        viol = max(max(self._g(k, x) for k in range(len(self.constraints))), 0.0)
        below = float(np.max(self._lower - x, initial=0.0))
        if viol == 0.0 and below == 0.0:
            return 0.0
        return super()._distance(x)

    def __repr__(self) -> str:
        label = f"{self.name!r}, " if self.name else ""
        return f"SmoothSet({label}n_players={self.n_players}, constraints={len(self.constraints)})"


def ellipsoid_orthant(semi_axes: Any) -> SmoothSet:
    """The positive part of an axis-aligned ellipsoid: ``{x >= 0 : sum_i (x_i / a_i)^2 <= 1}``.

    Closed-form support: with ``q = max(p, 0)``, ``sigma(p) = ||a * q||`` and the point
    ``a^2 q / sigma(p)`` (the origin when ``q = 0``; for directions with zero entries the
    maximiser is then the one with those coordinates at 0).

    Examples
    --------
    >>> F = ellipsoid_orthant([1, 2, 2])
    >>> value, point = F.support([1, 0, 0])
    >>> value, point
    (1.0, array([1., 0., 0.]))
    """
    a = np.array(semi_axes, dtype=float) if not np.isscalar(semi_axes) else np.array([semi_axes], float)
    if a.ndim != 1 or a.size < 1:
        raise ValueError(f"semi_axes: expected a non-empty vector, got shape {a.shape}")
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise ValueError("semi_axes: must be positive and finite")
    n = a.size
    a = _frozen(a)

    def g(x):
        return float(np.sum((x / a) ** 2) - 1.0)

    def grad(x):
        return 2.0 * x / a ** 2

    def support(p):
        q = np.maximum(p, 0.0)
        sigma = float(np.linalg.norm(a * q))
        if sigma == 0.0:
            return 0.0, np.zeros(n)
        return sigma, a ** 2 * q / sigma

    return SmoothSet([g], n, lower=np.zeros(n), support_fn=support, gradients=[grad],
                     interior=a / (2.0 * math.sqrt(n)), strictly_convex=True,
                     name=f"ellipsoid_orthant({', '.join(f'{v:g}' for v in a)})")


def quarter_ellipse(a: float, b: float) -> SmoothSet:
    """``{x >= 0 : (x_1/a)^2 + (x_2/b)^2 <= 1}``.

    Support ``sigma(p) = sqrt(a^2 p_1^2 + b^2 p_2^2)`` at ``(a^2 p_1, b^2 p_2) / sigma``
    for ``p > 0`` (negative components are replaced by 0).

    Examples
    --------
    >>> F = quarter_ellipse(2, 1)
    >>> value, point = F.support([1, 1])
    >>> round(value ** 2, 12), np.round(point * value, 12)
    (5.0, array([4., 1.]))
    """
    for field, v in (("a", a), ("b", b)):
        if not np.isscalar(v) or not math.isfinite(float(v)) or float(v) <= 0:
            raise ValueError(f"{field}: must be a positive number, got {v!r}")
    return ellipsoid_orthant([float(a), float(b)])


def quarter_disc(radius: float = 1.0) -> SmoothSet:
    """``{x >= 0 : x_1^2 + x_2^2 <= radius^2}``.

    Examples
    --------
    >>> quarter_disc(0.5).support([1, 0])
    (0.5, array([0.5, 0. ]))
    """
    if not np.isscalar(radius) or not math.isfinite(float(radius)) or float(radius) <= 0:
        raise ValueError(f"radius: must be a positive number, got {radius!r}")
    return ellipsoid_orthant([float(radius), float(radius)])


def _exponential_support(c: np.ndarray, r: float, p: np.ndarray) -> tuple[float, np.ndarray]:
    """Support of ``{x >= 0 : sum exp(x_i / c_i) <= r}`` (KKT with coordinates pinned at 0).

    Coordinates with ``x_i > 0`` satisfy ``p_i = mu exp(x_i / c_i) / c_i``; those pinned at
    0 have ``c_i p_i <= mu`` and use up ``exp(0) = 1`` of the budget.  So the active set
    is the top ``k`` of ``c_i p_i``: with ``R_k = r - (n - k)`` and
    ``mu_k = sum_top c_j p_j / R_k``, ``x_j = c_j log(c_j p_j / mu_k)``.
    """
    n = c.size
    cp = c * p
    order = np.argsort(-cp, kind="stable")
    x = np.zeros(n)
    for k in range(n, 0, -1):
        top = order[:k]
        if cp[top[-1]] <= 0:
            continue
        budget = r - (n - k)
        mu = float(np.sum(cp[top])) / budget
        if cp[top[-1]] >= mu and (k == n or cp[order[k]] <= mu):
            x[top] = c[top] * np.log(cp[top] / mu)
            x = np.maximum(x, 0.0)  # rounding at the threshold
            break
    return float(p @ x), x


def exponential_set(scales: Any, r: float) -> SmoothSet:
    """``{x >= 0 : sum_i exp(x_i / c_i) <= r}``: utilities logarithmic in a shared budget.

    Player ``i`` gets ``x_i = c_i log(s_i)`` from a share ``s_i >= 1`` of ``r`` resources
    [T23]_ (example 56: ``scales = (p, 1 - p)``).  Needs ``r >= n`` (so that ``x = 0`` is
    feasible).  The support function is closed form: for ``p > 0`` with all coordinates
    positive, ``x_i = c_i log(r c_i p_i / sum_j c_j p_j)``; coordinates whose ``c_i p_i``
    falls below the threshold are pinned at 0 (see the code), and directions with
    ``p_i <= 0`` put ``x_i = 0``.

    Examples
    --------
    >>> p, r = 0.75, 100.0
    >>> F = exponential_set([p, 1 - p], r)
    >>> value, point = F.support([1, 1])
    >>> np.allclose(point, [p * np.log(p * r), (1 - p) * np.log((1 - p) * r)])
    True
    """
    c = np.array(scales, dtype=float) if not np.isscalar(scales) else np.array([scales], float)
    if c.ndim != 1 or c.size < 1:
        raise ValueError(f"scales: expected a non-empty vector, got shape {c.shape}")
    if not np.all(np.isfinite(c)) or np.any(c <= 0):
        raise ValueError("scales: must be positive and finite")
    n = c.size
    if not np.isscalar(r) or not math.isfinite(float(r)) or float(r) < n:
        raise ValueError(f"r: must be a finite number >= n_players = {n} (so that x = 0 is feasible), "
                         f"got {r!r}")
    r = float(r)
    c = _frozen(c)
    log_r = math.log(r)

    def g(x):
        # log-sum-exp form: better conditioned than sum(exp) - r, and no overflow.
        u = x / c
        m = float(np.max(u))
        return m + math.log(float(np.sum(np.exp(u - m)))) - log_r

    def grad(x):
        u = x / c
        e = np.exp(u - np.max(u))
        return e / np.sum(e) / c

    interior = c * math.log(r / n) / 2.0
    return SmoothSet([g], n, lower=np.zeros(n), support_fn=lambda p: _exponential_support(c, r, p),
                     gradients=[grad], interior=interior, strictly_convex=True,
                     name=f"exponential_set(r={r:g})")


# ---------------------------------------------------------------------------
# Minkowski sums
# ---------------------------------------------------------------------------
class MinkowskiSum(FeasibleSet):
    """``F = F_1 + ... + F_m``: the feasible set of an additively separable game.

    Each component is the set of utility vectors one player can produce for everyone
    [T23]_ (definition 3).  The support function is the sum of the components' support
    functions, and a support point is the sum of the components' support points: at
    common prices every component plays its own support point.

    Attributes
    ----------
    components : tuple of FeasibleSet

    Examples
    --------
    >>> F = minkowski_sum(quarter_disc(1.0), quarter_disc(2.0))
    >>> value, point = F.support([1, 0])
    >>> value, point
    (3.0, array([3., 0.]))
    """

    def __init__(self, components: Sequence[FeasibleSet]) -> None:
        comps = tuple(components)
        if not comps:
            raise ValueError("components: at least one feasible set is needed")
        for k, comp in enumerate(comps):
            if not isinstance(comp, FeasibleSet):
                raise ValueError(f"components: item {k} is a {type(comp).__name__}, not a FeasibleSet")
        dims = {comp.n_players for comp in comps}
        if len(dims) != 1:
            raise ValueError(f"components: all sets need the same number of players, got {sorted(dims)}")
        super().__init__(comps[0].n_players)
        self.components = comps

    def _atoms(self) -> tuple[FeasibleSet, ...]:
        return tuple(a for comp in self.components for a in comp._atoms())

    def _box(self) -> tuple[np.ndarray, np.ndarray]:
        boxes = [comp._box_cached() for comp in self.components]
        return sum(b[0] for b in boxes), sum(b[1] for b in boxes)

    def _support(self, p: np.ndarray) -> tuple[float, np.ndarray]:
        value, point = 0.0, np.zeros(self.n_players)
        for comp in self.components:
            v, x = comp._support(p)
            value += v
            point = point + x
        return value, point

    def _group_parts(self, parts: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
        out, k = [], 0
        for comp in self.components:
            size = len(comp._atoms())
            out.append(np.sum(parts[k:k + size], axis=0))
            k += size
        return tuple(out)

    def __repr__(self) -> str:
        return f"MinkowskiSum(n_players={self.n_players}, components={len(self.components)})"


def minkowski_sum(*sets: FeasibleSet) -> MinkowskiSum:
    """``F_1 + ... + F_m`` (see :class:`MinkowskiSum`)."""
    if len(sets) == 1 and not isinstance(sets[0], FeasibleSet):
        sets = tuple(sets[0])
    return MinkowskiSum(sets)


def as_feasible_set(F: Any) -> FeasibleSet:
    """Coerce ``F``: a :class:`FeasibleSet` as is, a game via :func:`feasible_set`, an
    ``(m, n)`` array of points via :func:`from_points`."""
    if isinstance(F, FeasibleSet):
        return F
    if isinstance(F, NormalFormGame):
        return feasible_set(F)
    try:
        arr = np.array(F, dtype=float)
    except (TypeError, ValueError):
        arr = None
    if arr is not None and arr.ndim == 2:
        return from_points(arr)
    raise ValueError(f"F: expected a FeasibleSet, a NormalFormGame or an (m, n) array of points, "
                     f"got {type(F).__name__}")


# ---------------------------------------------------------------------------
# linear images
# ---------------------------------------------------------------------------
class LinearImageSet(SmoothSet):
    """``L(A) = {L y : y in A}``: the image of a smooth set under a square linear map.

    Built by :func:`linear_image`, which also handles polytopes and Minkowski sums.
    Treutlein's individual feasible sets ``F_t = f^(t)(A_t)`` are such images
    [T23]_ (definition 45).  The support function is exact given the base's:
    ``sigma_{L(A)}(p) = sigma_A(L^T p)``, attained at ``L y`` for ``y`` the base's
    support point in direction ``L^T p``.  ``strictly_convex`` is inherited.

    Constraints (needed by the primal programs over the set):

    * invertible ``L``: ``g_k(L^{-1} x) <= 0``; the base's lower bound ``y >= l``
      becomes ``x >= L l`` when ``L`` is diagonal and positive, and the linear
      constraints ``l_i - (L^{-1} x)_i <= 0`` otherwise;
    * singular ``L`` (only diagonal ones with non-negative entries, as in
      definition 45 when some ``p(t | t') = 0``): the image is flat, ``x_i = 0`` where
      ``L_ii = 0``, and the other coordinates satisfy ``h(x) <= 0`` with
      ``h(x) = min_v max_k g_k(y(x, v))`` over the collapsed coordinates ``v``
      (``y`` puts ``x_i / L_ii`` in the kept coordinates and ``v`` in the others;
      ``v >= l``).  ``h`` is convex and is evaluated by a small SLSQP program; its
      gradient comes from the envelope theorem.

    Parameters
    ----------
    base : SmoothSet
    matrix : array_like, shape (n, n)
    name : str, optional

    Attributes
    ----------
    base : SmoothSet
    matrix : ndarray, shape (n, n)
        Read-only.

    Raises
    ------
    ValueError
        ``matrix: ...`` for a wrong shape, NaN/inf entries, or a singular matrix that is
        not diagonal and non-negative; ``base: ...`` when ``base`` is not a SmoothSet.

    Examples
    --------
    >>> F = linear_image(quarter_disc(1.0), [[2, 0], [0, 1]])   # Treutlein (53), (55)
    >>> round(F.support([1, 1])[0] ** 2, 12), F.contains([2, 0]), F.contains([1.5, 0.7])
    (5.0, True, False)
    >>> G = linear_image(quarter_disc(1.0), [[1, 0], [0, 0]])   # a flat image
    >>> G.support([1, 1]), G.contains([0.5, 0.0]), G.contains([0.5, 0.1])
    ((1.0, array([1., 0.])), True, False)
    """

    def __init__(self, base: SmoothSet, matrix: Any, *, name: str | None = None) -> None:
        if not isinstance(base, SmoothSet):
            raise ValueError(f"base: expected a SmoothSet, got {type(base).__name__}")
        n = base.n_players
        L = _as_matrix(matrix, "matrix", f"shape ({n}, {n})")
        if L.shape != (n, n):
            raise ValueError(f"matrix: expected shape ({n}, {n}), got {L.shape}")
        self.base = base
        self.matrix = _frozen(L)
        diag = np.diag(L).copy()
        is_diag = bool(np.all(L == np.diag(diag)))
        sv = np.linalg.svd(L, compute_uv=False)
        invertible = bool(sv[-1] > 1e-12 * max(sv[0], 1e-300))
        lower_b = base.lower
        k_b = len(base.constraints)
        cons: list[Callable] = []
        grads: list[Callable] = []
        lower: np.ndarray | None = None
        if invertible:
            Li = np.linalg.inv(L)
            self._inverse: np.ndarray | None = Li
            for k in range(k_b):
                cons.append(lambda x, k=k: base._g(k, Li @ x))
                grads.append(lambda x, k=k: Li.T @ base._grad(k, Li @ x))
            if is_diag and np.all(diag > 0):
                lower = diag * lower_b
            else:
                for i in np.flatnonzero(np.isfinite(lower_b)):
                    cons.append(lambda x, i=i: float(lower_b[i] - Li[i] @ x))
                    grads.append(lambda x, i=i: -Li[i])
        elif is_diag and np.all(diag >= 0):
            self._inverse = None
            keep = diag > 0
            self._keep = keep
            self._flat = np.flatnonzero(~keep)
            # Fixed start of the inner problem, so a constraint value never depends on
            # the order of earlier calls (the problem is convex: any start converges).
            self._v_start = base._interior()[~keep].copy()
            self._v_start.setflags(write=False)
            if np.any(keep):
                cons.append(self._h)
                grads.append(self._h_grad)
            for i in self._flat:
                e = np.zeros(n)
                e[i] = 1.0
                cons.append(lambda x, i=i: float(x[i]))
                grads.append(lambda x, e=e: e)
            lower = np.where(keep, diag * np.where(keep, lower_b, 0.0), 0.0)
        else:
            raise ValueError("matrix: singular maps are supported only when diagonal with non-negative "
                             "entries")

        def support(p):
            value, y = base._support(L.T @ p)
            return value, L @ y

        super().__init__(cons, n, lower=lower, support_fn=support, gradients=grads,
                         interior=L @ base._interior(), strictly_convex=base.strictly_convex,
                         name=name or f"linear_image({base.name or 'set'})")

    # -- singular diagonal maps: the projected constraint ----------------------------
    def _lift(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        y = np.empty(self.n_players)
        keep = self._keep
        y[keep] = x[keep] / np.diag(self.matrix)[keep]
        y[~keep] = v
        return y

    def _inner(self, x: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """``h(x)``, the minimising collapsed coordinates ``v`` and the lifted point."""
        base = self.base
        flat = self._flat
        kb = len(base.constraints)
        nv = flat.size

        def lifted(s):
            return self._lift(x, s[:nv])

        def gvals(s):
            y = lifted(s)
            return np.array([base._g(k, y) for k in range(kb)])

        lo = base.lower[flat]
        s0 = np.append(np.maximum(self._v_start, np.where(np.isfinite(lo), lo, -np.inf)), 0.0)
        s0[-1] = float(np.max(gvals(s0)))
        cons = [{"type": "ineq", "fun": lambda s: s[-1] - gvals(s),
                 "jac": lambda s: np.hstack([-np.array([base._grad(k, lifted(s))[flat] for k in range(kb)]),
                                             np.ones((kb, 1))])}]
        bounds = [(float(v), None) if np.isfinite(v) else (None, None) for v in lo] + [(None, None)]
        res = minimize(lambda s: s[-1], s0, jac=lambda s: np.append(np.zeros(nv), 1.0), method="SLSQP",
                       bounds=bounds, constraints=cons, options={"ftol": 1e-14, "maxiter": 200})
        s = np.asarray(res.x, dtype=float)
        s[:nv] = np.maximum(s[:nv], np.where(np.isfinite(lo), lo, -np.inf))
        vals = gvals(s)
        if not np.all(np.isfinite(vals)) or float(np.max(vals)) > float(np.max(gvals(s0))):
            s = s0
            vals = gvals(s)
        return float(np.max(vals)), s[:nv], lifted(s)

    def _h(self, x: np.ndarray) -> float:
        return self._inner(np.asarray(x, dtype=float))[0]

    def _h_grad(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        h, _v, y = self._inner(x)
        base = self.base
        vals = np.array([base._g(k, y) for k in range(len(base.constraints))])
        k = int(np.argmax(vals))  # envelope theorem (exact when one constraint is active)
        g = np.zeros(self.n_players)
        keep = self._keep
        g[keep] = base._grad(k, y)[keep] / np.diag(self.matrix)[keep]
        return g

    def preimage(self, x: Any) -> np.ndarray:
        """A point ``y`` of the base with ``L y = x`` (for ``x`` in the set).

        For a singular map the collapsed coordinates are the minimisers of ``h``.
        """
        xv = _as_vector(x, self.n_players, "x")
        if self._inverse is not None:
            return self._inverse @ xv
        return self._inner(xv)[2]

    def __repr__(self) -> str:
        return f"LinearImageSet(n_players={self.n_players}, base={self.base!r})"


def linear_image(F: FeasibleSet, matrix: Any) -> FeasibleSet:
    """The image ``{L x : x in F}`` of a feasible set under a square linear map ``L``.

    * a :class:`PolytopeSet` maps to the polytope of its mapped points (same lotteries,
      same constraints ``A_ub``, labels and profiles), for any ``L``;
    * a :class:`SmoothSet` maps to a :class:`LinearImageSet` (``L`` invertible, or
      diagonal and non-negative);
    * a :class:`MinkowskiSum` maps to the sum of the images (``L`` is linear).

    Examples
    --------
    >>> P = linear_image(from_points([[1, 0], [0, 1]]), [[2, 0], [0, 3]])
    >>> P.points
    array([[2., 0.],
           [0., 3.]])
    >>> S = linear_image(minkowski_sum(quarter_disc(1.0), P), [[0.5, 0], [0, 0.5]])
    >>> S.support([1, 0])
    (1.5, array([1.5, 0. ]))
    """
    if not isinstance(F, FeasibleSet):
        raise ValueError(f"F: expected a FeasibleSet, got {type(F).__name__}")
    n = F.n_players
    L = _as_matrix(matrix, "matrix", f"shape ({n}, {n})")
    if L.shape != (n, n):
        raise ValueError(f"matrix: expected shape ({n}, {n}), got {L.shape}")
    if isinstance(F, PolytopeSet):
        return PolytopeSet(F.points @ L.T, profiles=F.profiles, A_ub=F.A_ub, b_ub=F.b_ub,
                           labels=F.labels)
    if isinstance(F, SmoothSet):
        return LinearImageSet(F, L)
    if isinstance(F, MinkowskiSum):
        return MinkowskiSum([linear_image(c, L) for c in F.components])
    raise ValueError(f"F: no linear image for a {type(F).__name__}")


__all__ += ["LinearImageSet", "linear_image"]
