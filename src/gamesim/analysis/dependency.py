"""Dependency equilibria (Spohn 2007; Treutlein 2023, definition 34), tested exactly.

A joint distribution ``s`` over outcomes is a *dependency equilibrium* (DE) if it is
the limit of full-support distributions ``s_r`` such that, in the limit, every
action a player uses with positive probability has a conditional expected utility
(the others' play conditioned on that action) at least as high as any other action
of that player [S07]_, [T23]_ (definition 34).  Conditioning on one's own action
is what lets a DE sustain cooperation: in the prisoner's dilemma (C, C) is a DE.

How the test works
------------------
Limits of conditional probabilities of full-support distributions are exactly the
conditional probability systems, equivalently the *lexicographic probability
systems* (LPS) ``(rho_1, rho_2, ...)`` [M86]_, [BBD91]_: the limit conditional on an
event of probability zero under ``s`` is the conditional of the first level that
charges it.  So ``s`` is a DE iff

1. for each player (and information set), the used actions have equal conditional
   expected utility ``v`` under ``s`` (these conditionals are pinned by ``s``), and
2. there is an LPS under which every zero-probability action's conditional expected
   utility is at most ``v``.

For one level, the measures ``rho >= 0`` meeting ``sum_{c in E} rho_c (u(c) - v) <= 0``
for every still unresolved event ``E`` form a convex cone (an event ``rho`` does not
charge reads ``0 <= 0`` and is deferred).  One linear program finds the cone's
largest support; every event it touches is resolved and its constraint dropped.
Resolving an event earlier only removes constraints, so this greedy choice is
optimal, and ``s`` is not a DE exactly when a round resolves nothing while events
remain.  At most one round per zero-probability action is needed.  Checking each
zero action on its own ("some outcome punishes it") is *not* enough: punishing
outcomes can be forced to dominate each other in a cycle (see the tests).

Both tests accept a ``support``: a class of outcomes the perturbations may charge
(the same greedy argument holds on the restricted cone), for statements such as
Treutlein's example 35 that are made within a class of joint strategies.

The levels are a certificate: ``p_eps ∝ s + sum_k eps^k rho_k + eps^(K+1) uniform``
is an explicit full-support sequence converging to ``s`` whose conditional expected
utilities satisfy the definition as ``eps -> 0``
(:meth:`DependencyResult.sequence`).

Bayesian games
--------------
For a Bayesian game with types ``t`` drawn from a prior ``p``, Treutlein's
conditional expected utility (definition 29) conditions on the own action *within
each type profile* and weighs type profiles by the prior,
``EU_i(s; a_i, t_i) = sum_{t_-i} p(t_-i | t_i) E_s[u_i | a_i, t]``: one's own action
is evidence about the others' actions, not about their types.  The perturbing
sequences of different type profiles are then independent, and the conditions of
one type ``t_i`` add up conditionals from several type profiles.
:func:`is_bayesian_dependency_equilibrium` implements this reading by default
(``conditioning="type-profile"``) and, as an alternative, the fully evidential
reading in which the own action also updates beliefs about the others' types
(``conditioning="joint"``; then the test above applies verbatim with information
set = own type).

References
----------
.. [S07] W. Spohn, "Dependency equilibria", Philosophy of Science 74(5), 775-789, 2007.
.. [T23] J. Treutlein, "Modeling evidential cooperation in large worlds",
   arXiv:2307.04879, 2023: definitions 29 and 34, example 35, proposition 37,
   theorem 38, corollaries 39 and 40.
.. [M86] R. B. Myerson, "Multistage games with communication", Econometrica 54(2),
   323-358, 1986 (conditional probability systems).
.. [BBD91] L. Blume, A. Brandenburger, E. Dekel, "Lexicographic probabilities and
   choice under uncertainty", Econometrica 59(1), 61-79, 1991.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linprog

from gamesim.sim.games import NormalFormGame

__all__ = [
    "DependencyResult",
    "is_dependency_equilibrium",
    "is_bayesian_dependency_equilibrium",
    "pure_dependency_equilibria",
    "ecl_dependency_equilibrium",
]


# ---------------------------------------------------------------------------
# result type
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class DependencyResult:
    """Outcome of a dependency-equilibrium test.

    Attributes
    ----------
    is_equilibrium : bool
        Whether the tested distribution is a dependency equilibrium.  ``bool(result)``
        is this flag.
    values : ndarray or tuple of ndarray
        The equalised conditional expected utilities of the used actions: shape
        ``(n_players,)`` for a normal-form game; for a Bayesian game a tuple with one
        array per player, indexed by the player's own type.  ``nan`` where the test
        stopped before the value was known.
    reason : str
        Why the test failed (for example "conditional expected utilities of used
        actions differ for player 1 (P2)" or "zero-probability actions of player 0
        (P1) cannot be resolved: ..."), or a short confirmation.
    levels : tuple of ndarray
        The lexicographic certificate ``rho_1, rho_2, ...``: each level is a
        distribution over outcomes, shaped like the tested joint distribution.  Empty
        when every action has positive probability.  When the test fails, the levels
        found before it got stuck.
    method : str
        How the answer was obtained.
    joint : ndarray
        The tested joint distribution (over action profiles, or over
        ``(types, actions)`` for a Bayesian game), with entries below ``tol`` zeroed.
    exact : bool
        True when the answer is proved.  Always true for normal-form games and for
        ``conditioning="joint"``; see :func:`is_bayesian_dependency_equilibrium` for
        the rare undetermined case of ``conditioning="type-profile"`` (then
        ``is_equilibrium`` is False and ``reason`` starts with "undetermined").
    support : ndarray of bool
        The outcomes the perturbing sequence was allowed to charge.
    prior : ndarray or None
        The type prior (Bayesian games), else None.
    conditioning : str
        ``"action"`` (normal-form), ``"type-profile"`` or ``"joint"``.
    """

    is_equilibrium: bool
    values: Any
    reason: str
    levels: tuple
    method: str
    joint: np.ndarray
    exact: bool = True
    support: np.ndarray | None = None
    prior: np.ndarray | None = None
    conditioning: str = "action"

    def __bool__(self) -> bool:
        return bool(self.is_equilibrium)

    def sequence(self, eps: float) -> np.ndarray:
        """The explicit certificate: a full-support distribution close to ``joint``.

        ``p_eps ∝ s + sum_k eps^k rho_k + eps^(K+1) u`` with ``u`` uniform on the
        allowed outcomes.  As ``eps -> 0`` it converges to ``s`` and its conditional
        expected utilities converge to ones that satisfy the definition of a
        dependency equilibrium.  For a Bayesian game the sequence is built within
        each type profile and rescaled to the prior, so its type marginal is exactly
        ``prior``; the array returned is the joint distribution over
        ``(types, actions)``.

        Parameters
        ----------
        eps : float
            In ``(0, 1)``.

        Raises
        ------
        ValueError
            If ``eps`` is not in ``(0, 1)`` or the result is not an equilibrium (there
            is no certificate).
        """
        if not 0 < eps < 1:
            raise ValueError(f"eps: must be in (0, 1), got {eps}")
        if not self.is_equilibrium:
            raise ValueError("sequence: not a dependency equilibrium, so there is no certificate")
        s = np.asarray(self.joint, dtype=float)
        allowed = self.support if self.support is not None else np.ones(s.shape, dtype=bool)
        K = len(self.levels)
        if self.prior is None:
            q = s + sum(eps ** (k + 1) * lvl for k, lvl in enumerate(self.levels))
            q = q + eps ** (K + 1) * allowed / allowed.sum()
            return q / q.sum()
        p = np.asarray(self.prior, dtype=float)
        nt = p.size
        if self.conditioning == "joint":
            # Perturb the joint, then rescale each type profile back to its prior: the
            # factors tend to 1, so the limit conditionals are those of the levels.
            q = s + sum(eps ** (k + 1) * lvl for k, lvl in enumerate(self.levels))
            ok = allowed.reshape(nt, -1) & (p.ravel() > 0)[:, None]
            q = q + eps ** (K + 1) * ok.reshape(s.shape) / ok.sum()
            Q = q.reshape(nt, -1)
            tot = Q.sum(axis=1, keepdims=True)
            Q = np.where(tot > 0, Q * p.ravel()[:, None] / np.where(tot > 0, tot, 1.0), 0.0)
            return Q.reshape(s.shape)
        S = s.reshape(nt, -1)
        L = [lvl.reshape(nt, -1) for lvl in self.levels]
        A = allowed.reshape(nt, -1).astype(float)
        pf = p.ravel()
        out = np.zeros_like(S)
        for t in range(nt):
            if pf[t] <= 0:
                continue
            # The conditional given t is perturbed; the prior itself never moves.
            q = S[t] / pf[t] + sum(eps ** (k + 1) * lv[t] for k, lv in enumerate(L))
            q = q + eps ** (K + 1) * A[t] / A[t].sum()
            out[t] = pf[t] * q / q.sum()
        return out.reshape(s.shape)


# ---------------------------------------------------------------------------
# the lexicographic (cone) search
# ---------------------------------------------------------------------------
_RANDOM_SPLITS = 16
_LP_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


def _lps_greedy(events: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]],
                n_cells: int, zero_tol: float) -> tuple[list[np.ndarray], list[int]]:
    """Greedy maximal-support LPS for a family of zero-probability events.

    ``events[e] = (cells, le, ge)``: the event's outcome indices, and coefficients such
    that a level ``rho`` is admissible for it when ``sum rho[cells] * le <= 0`` and,
    if ``ge`` is given, ``sum rho[cells] * ge >= 0`` (``le = u - v``: conditional
    utility at most ``v``).  Coefficients within ``zero_tol`` of 0 count as 0.
    Returns the levels (each summing to 1 over ``n_cells`` outcomes) and the indices
    of the events no level could resolve.
    """
    # Snapping near-ties to exact ties (rather than granting a slack) keeps the
    # tolerance from being spent on levels skewed by factors like 1/zero_tol.
    events = [(c, np.where(np.abs(le) <= zero_tol, 0.0, le),
               None if ge is None else np.where(np.abs(ge) <= zero_tol, 0.0, ge))
              for c, le, ge in events]
    remaining = list(range(len(events)))
    levels: list[np.ndarray] = []
    while remaining:
        cells = np.unique(np.concatenate([events[e][0] for e in remaining]))
        m = cells.size
        rows = []
        for e in remaining:
            idx = np.searchsorted(cells, events[e][0])
            row = np.zeros(m)
            row[idx] = events[e][1]
            rows.append(row)
            if events[e][2] is not None:
                row = np.zeros(m)
                row[idx] = -events[e][2]
                rows.append(row)
        C = np.array(rows)
        # Rows are homogeneous; rescaling them only helps the solver's tolerances.
        scale = np.abs(C).max(axis=1, keepdims=True)
        C = C / np.where(scale > 0, scale, 1.0)
        # LP 1: max sum t, 0 <= t <= 1, t <= rho, rho in the cone. The cone is closed
        # under scaling, so at the optimum t is the indicator of the largest support.
        eye = np.eye(m)
        A_ub = np.block([[C, np.zeros_like(C)], [-eye, eye]])
        b_ub = np.zeros(A_ub.shape[0])
        bounds = [(0, None)] * m + [(0, 1)] * m
        res = linprog(np.r_[np.zeros(m), -np.ones(m)], A_ub=A_ub, b_ub=b_ub,
                      bounds=bounds, method="highs", options=_LP_OPTIONS)
        if res.status != 0:
            break
        tt = res.x[m:]
        S = tt > 0.5
        if not S.any():
            break
        # LP 2: the smallest rho >= 1 on that support; a canonical, well-scaled level
        # (for the prisoner's dilemma it is uniform on {CD, DC, DD}).
        res2 = linprog(np.ones(int(S.sum())), A_ub=C[:, S], b_ub=np.zeros(C.shape[0]),
                       bounds=[(1, None)] * int(S.sum()), method="highs", options=_LP_OPTIONS)
        if res2.status == 0:
            rho_S = res2.x
        else:
            rho_S = np.maximum(res.x[:m][S], 1.0)
        level = np.zeros(n_cells)
        level[cells[S]] = rho_S / rho_S.sum()
        levels.append(level)
        remaining = [e for e in remaining if not np.isin(events[e][0], cells[S]).any()]
    return levels, remaining


# ---------------------------------------------------------------------------
# the generic core over a finite set of outcomes ("joint" conditioning)
# ---------------------------------------------------------------------------
@dataclass
class _CoreOutcome:
    ok: bool
    values: list
    reason: str
    levels: list
    failed_player: int | None = None


def _dependency_test(U: np.ndarray, s: np.ndarray, key: np.ndarray, group: Sequence[np.ndarray],
                     *, allowed: np.ndarray | None = None, tol: float = 1e-9, eu_tol: float = 1e-7,
                     player_label: Callable[[int], str] = lambda i: f"player {i}",
                     key_label: Callable[[int, int], str] = lambda i, k: f"action {k}",
                     group_label: Callable[[int, int], str] = lambda i, g: "") -> _CoreOutcome:
    """Exact DE test over ``C`` outcomes.

    ``U[i, c]`` is player ``i``'s utility at outcome ``c``, ``s[c]`` its probability,
    ``key[i, c]`` the player's own information-and-action label at ``c`` and
    ``group[i][k]`` the information set of label ``k``: actions are compared only
    within an information set.  Normal-form games: key = own action, one group.
    Bayesian games with evidential type beliefs: key = (own type, own action), group
    = own type, outcomes = (type profile, action profile).  ``allowed`` restricts the
    outcomes the perturbation may charge (default: all).
    """
    n, C = U.shape
    if allowed is None:
        allowed = np.ones(C, dtype=bool)
    s = np.where(s > tol, s, 0.0)
    values = [np.full(int(np.max(group[i])) + 1 if len(group[i]) else 0, np.nan) for i in range(n)]
    events: list[tuple[np.ndarray, np.ndarray, None]] = []
    owners: list[tuple[int, int]] = []
    for i in range(n):
        K = len(group[i])
        mass = np.bincount(key[i], weights=s, minlength=K)
        gain = np.bincount(key[i], weights=s * U[i], minlength=K)
        # Callers zero entries below tol first, so any mass left is real mass that the
        # sequence keeps at order 1 (and that pins the conditional).
        used = mass > 0
        eu = np.where(used, gain / np.where(used, mass, 1.0), np.nan)
        for g in np.unique(group[i]):
            ks = np.flatnonzero(group[i] == g)
            uk = ks[used[ks]]
            if uk.size == 0:
                continue  # an information set never reached imposes nothing
            lo, hi = float(eu[uk].min()), float(eu[uk].max())
            if hi - lo > eu_tol:
                where = group_label(i, int(g))
                return _CoreOutcome(False, values,
                                    f"conditional expected utilities of used actions differ for "
                                    f"{player_label(i)}{where} ({lo:.6g} vs {hi:.6g})", [], i)
            values[i][g] = lo
            for k in ks[~used[ks]]:
                cells = np.flatnonzero((key[i] == k) & allowed)
                if cells.size == 0:
                    raise ValueError(f"support: leaves {key_label(i, int(k))} of {player_label(i)} "
                                     "without any outcome a perturbation could charge")
                events.append((cells, U[i, cells] - lo, None))
                owners.append((i, int(k)))
    levels, stuck = _lps_greedy(events, C, eu_tol)
    if stuck:
        by_player: dict[int, list[str]] = {}
        for e in stuck:
            i, k = owners[e]
            by_player.setdefault(i, []).append(key_label(i, k))
        first = min(by_player)
        also = "".join(f"; also {player_label(i)}: {', '.join(ks)}"
                       for i, ks in sorted(by_player.items()) if i != first)
        return _CoreOutcome(False, values,
                            f"zero-probability actions of {player_label(first)} cannot be resolved "
                            f"({', '.join(by_player[first])}){also}", levels, first)
    return _CoreOutcome(True, values, "every zero-probability action is resolved", levels)


# ---------------------------------------------------------------------------
# input handling
# ---------------------------------------------------------------------------
def _as_distribution(joint: Any, shape: tuple[int, ...], field: str = "joint") -> np.ndarray:
    try:
        P = np.array(joint, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{field}: must be an array of probabilities") from None
    if P.shape != tuple(shape):
        raise ValueError(f"{field}: expected shape {tuple(shape)}, got {P.shape}")
    if not np.all(np.isfinite(P)):
        raise ValueError(f"{field}: contains NaN or infinite entries")
    if np.any(P < -1e-12):
        raise ValueError(f"{field}: probabilities must be non-negative (min {P.min():.3g})")
    total = P.sum()
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"{field}: probabilities must sum to 1, got {total:.9g}")
    return np.clip(P, 0.0, None)


def _is_profile(joint: Any) -> bool:
    return isinstance(joint, tuple) and len(joint) > 0 and all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in joint)


def _looks_like_profile(joint: Any, shape: tuple[int, ...]) -> bool:
    """A flat sequence of integers, one per player, where a joint needs ``len(shape) >= 2`` axes."""
    if len(shape) < 2 or isinstance(joint, (str, bytes)):
        return False
    try:
        arr = np.asarray(joint)
    except Exception:  # pragma: no cover - exotic inputs go to the distribution check
        return False
    return (arr.ndim == 1 and arr.size == len(shape) and arr.dtype.kind in "iu")


def _profile_joint(profile: tuple, shape: tuple[int, ...], field: str = "joint") -> np.ndarray:
    if len(profile) != len(shape) or any(not 0 <= a < m for a, m in zip(profile, shape)):
        raise ValueError(f"{field}: pure profile {profile} does not fit the action counts {shape}")
    P = np.zeros(shape)
    P[tuple(int(a) for a in profile)] = 1.0
    return P


def _as_support(support: Any, shape: tuple[int, ...]) -> np.ndarray:
    if support is None:
        return np.ones(shape, dtype=bool)
    try:
        M = np.array(support)
    except (TypeError, ValueError):
        raise ValueError("support: must be a boolean array") from None
    if M.shape != tuple(shape):
        raise ValueError(f"support: expected shape {tuple(shape)}, got {M.shape}")
    if M.dtype != bool:
        if not np.all(np.isin(M, (0, 1))):
            raise ValueError("support: must be a boolean mask (entries 0/1 or True/False)")
        M = M.astype(bool)
    return M


def _check_tols(tol: float, eu_tol: float) -> None:
    if not (np.isfinite(tol) and 0 <= tol < 1):
        raise ValueError(f"tol: must be a number in [0, 1), got {tol}")
    if not (np.isfinite(eu_tol) and eu_tol >= 0):
        raise ValueError(f"eu_tol: must be a non-negative number, got {eu_tol}")


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=a.dtype if a.dtype == bool else float)
    a.setflags(write=False)
    return a


# ---------------------------------------------------------------------------
# normal-form games
# ---------------------------------------------------------------------------
def _normal_form_result(game: NormalFormGame, s: np.ndarray, allowed: np.ndarray,
                        tol: float, eu_tol: float) -> DependencyResult:
    n, shape = game.n_players, game.n_actions
    U = game.payoffs.reshape(n, -1)
    key = np.indices(shape).reshape(n, -1)
    group = [np.zeros(m, dtype=int) for m in shape]
    out = _dependency_test(
        U, s.ravel(), key, group, allowed=allowed.ravel(), tol=tol, eu_tol=eu_tol,
        player_label=lambda i: f"player {i} ({game.players[i]})",
        key_label=lambda i, k: str(game.actions[i][k]))
    values = np.array([v[0] for v in out.values], dtype=float)
    levels = tuple(_frozen(lv.reshape(shape)) for lv in out.levels)
    return DependencyResult(bool(out.ok), _frozen(values), out.reason, levels,
                            "lexicographic cone LP (greedy maximal support)", _frozen(s),
                            True, _frozen(allowed), None, "action")


def is_dependency_equilibrium(game: NormalFormGame, joint: Any, *, tol: float = 1e-9,
                              eu_tol: float = 1e-7, support: Any = None) -> DependencyResult:
    """Exact test: is ``joint`` a dependency equilibrium of a normal-form game?

    ``joint`` is a DE if some full-support distributions ``p_r -> joint`` make every
    used action's conditional expected utility, in the limit, at least that of every
    other action of the same player [S07]_, [T23]_ (definition 34).  The test is
    exact: the used actions' conditional expected utilities must agree, and a greedy
    sequence of linear programs (one per level of a lexicographic probability system
    [M86]_, [BBD91]_) decides whether every zero-probability action can be given a
    limit conditional no better than that.  See the module notes.

    Parameters
    ----------
    game : NormalFormGame
    joint : array_like of shape ``game.n_actions``, or sequence of int
        A probability distribution over pure profiles, or one pure profile (a
        tuple, or any flat integer sequence with one action per player).
    tol : float
        Probabilities at most ``tol`` count as zero (entries of ``joint`` below it are
        dropped).
    eu_tol : float
        Tolerance on conditional expected utilities (equal used actions; zero
        actions at most the used value).
    support : array_like of bool, optional
        Restrict the perturbations to these profiles (a class of distributions, as
        in Treutlein's example 35); default all profiles.  ``joint`` must lie in it.

    Returns
    -------
    DependencyResult
        ``bool(result)`` is the answer; ``result.values`` the players' equalised
        conditional expected utilities; ``result.levels`` the certificate and
        ``result.sequence(eps)`` the explicit sequence.

    Raises
    ------
    ValueError
        Naming the field: ``game`` not a game, ``joint`` of the wrong shape, negative,
        not summing to 1 or an out-of-range profile, ``support`` malformed or
        excluding ``joint``, bad tolerances.

    References
    ----------
    .. [1] W. Spohn, "Dependency equilibria", Philosophy of Science 74, 2007.
    .. [2] J. Treutlein, "Modeling evidential cooperation in large worlds",
       arXiv:2307.04879, 2023, definition 34.
    .. [3] R. B. Myerson, "Multistage games with communication", Econometrica 54, 1986;
       L. Blume, A. Brandenburger, E. Dekel, "Lexicographic probabilities and choice
       under uncertainty", Econometrica 59, 1991.

    Examples
    --------
    In the prisoner's dilemma mutual cooperation is a DE, exploitation is not:

    >>> from gamesim.sim.catalogue import prisoners_dilemma
    >>> g = prisoners_dilemma()                     # (R, S, T, P) = (3, 0, 5, 1)
    >>> r = is_dependency_equilibrium(g, (0, 0))    # (C, C)
    >>> bool(r), r.values.tolist()
    (True, [3.0, 3.0])
    >>> r.levels[0].round(4).tolist()               # perturb to CD, DC, DD alike
    [[0.0, 0.3333], [0.3333, 0.3333]]
    >>> r = is_dependency_equilibrium(g, (0, 1))    # (C, D)
    >>> bool(r)
    False
    >>> r.reason      # defecting against a cooperator pays 5 or 1 > 0 whatever P2 does
    'zero-probability actions of player 0 (P1) cannot be resolved (D)'

    A totally mixed DE with payoff (2, 2):

    >>> bool(is_dependency_equilibrium(g, [[2/7, 1/7], [1/7, 3/7]]))
    True
    """
    if hasattr(game, "bayesian_payoffs") and not isinstance(game, NormalFormGame):
        # An ECL Bayesian game with an anonymous pure profile (one action per type).
        if support is not None:
            raise ValueError("support: not used for ECL Bayesian games; call ecl_dependency_equilibrium "
                             "with same_type_same_action= to choose the perturbations")
        return ecl_dependency_equilibrium(game, joint, tol=tol, eu_tol=eu_tol)
    if not isinstance(game, NormalFormGame):
        raise ValueError(f"game: expected a NormalFormGame, got {type(game).__name__}")
    _check_tols(tol, eu_tol)
    shape = game.n_actions
    if not _is_profile(joint) and _looks_like_profile(joint, shape):
        joint = tuple(int(a) for a in joint)     # a list of one action per player, not a joint
    s = _profile_joint(joint, shape) if _is_profile(joint) else _as_distribution(joint, shape)
    allowed = _as_support(support, shape)
    s = np.where(s > tol, s, 0.0)
    if s.sum() <= 0:
        raise ValueError(f"tol: {tol} treats every entry of joint as zero")
    s = s / s.sum()
    if s[~allowed].sum() > 0:
        raise ValueError("support: joint puts probability on profiles outside support")
    return _normal_form_result(game, s, allowed, tol, eu_tol)


def _nash_dominance_levels(U: np.ndarray, shape: tuple[int, ...], a: tuple[int, ...],
                           sigma: tuple[int, ...]) -> list[np.ndarray]:
    """Theorem 38's certificate for a pure profile ``a`` with ``u(a) >= u(sigma)``, sigma a pure NE.

    Level 1 puts weight on ``sigma`` (resolving the players who deviate to their NE
    action); level 2, for every other zero action ``b`` of player ``i``, on
    ``(b, sigma_-i)``, which is worth ``u_i(b, sigma_-i) <= u_i(sigma) <= u_i(a)``.
    """
    levels = []
    if sigma != a:
        lv = np.zeros(shape)
        lv[sigma] = 1.0
        levels.append(lv)
    lv = np.zeros(shape)
    for i, m in enumerate(shape):
        for b in range(m):
            if b not in (a[i], sigma[i]):
                cell = list(sigma)
                cell[i] = b
                lv[tuple(cell)] = 1.0
    if lv.sum() > 0:
        levels.append(lv / lv.sum())
    return levels


def _verify_pure_levels(U: np.ndarray, a: tuple[int, ...], levels: list[np.ndarray],
                        eu_tol: float) -> bool:
    """Check a certificate for a pure profile directly from the definition (first charging level)."""
    n = U.shape[0]
    for i in range(n):
        v = U[(i,) + a]
        for b in range(U.shape[1 + i]):
            if b == a[i]:
                continue
            cond = None
            for lv in levels:
                w = np.take(lv, b, axis=i)
                if w.sum() > 0:
                    cond = float((w * np.take(U[i], b, axis=i)).sum() / w.sum())
                    break
            if cond is None or cond > v + eu_tol:
                return False
    return True


def pure_dependency_equilibria(game: NormalFormGame, *, tol: float = 1e-9, eu_tol: float = 1e-7,
                               same_type_same_action: bool = True) -> list[tuple[int, ...]]:
    """All pure profiles of a normal-form game (or anonymous pure profiles of an ECL game) that are DEs.

    Every profile gets an exact answer.  Profiles that weakly Pareto-dominate a pure
    Nash equilibrium are dependency equilibria by Spohn's folk theorem ([S07]_
    observation 5; [T23]_ theorem 38): for them the explicit two-level certificate
    (perturb towards the Nash equilibrium) is built and checked directly against the
    definition, which skips the linear programs; every other profile (and any whose
    shortcut certificate fails the check) goes through :func:`is_dependency_equilibrium`.

    For an :class:`~gamesim.sim.ecl.ECLBayesianGame` (small enough for its full
    Bayesian arrays) the candidates are the anonymous pure profiles, one action per
    type, each decided by :func:`ecl_dependency_equilibrium`.

    Parameters
    ----------
    game : NormalFormGame or ECLBayesianGame
    tol, eu_tol : float
        As in :func:`is_dependency_equilibrium`.
    same_type_same_action : bool
        ECL games only: as in :func:`ecl_dependency_equilibrium`.

    Returns
    -------
    list of tuple of int
        In lexicographic order.

    Examples
    --------
    >>> from gamesim.sim.catalogue import prisoners_dilemma, battle_of_the_sexes
    >>> pure_dependency_equilibria(prisoners_dilemma())
    [(0, 0), (1, 1)]
    >>> pure_dependency_equilibria(battle_of_the_sexes(3, 2))   # miscoordination too
    [(0, 0), (0, 1), (1, 0), (1, 1)]
    >>> from gamesim.sim.ecl import treutlein_example_35
    >>> pure_dependency_equilibria(treutlein_example_35(2)), pure_dependency_equilibria(treutlein_example_35(4))
    ([(1, 1)], [(0, 0), (1, 1)])
    """
    from .equilibria import pure_nash_equilibria

    if hasattr(game, "bayesian_payoffs") and not isinstance(game, NormalFormGame):
        _check_tols(tol, eu_tol)
        return [tuple(p) for p in game.anonymous_pure_profiles()
                if ecl_dependency_equilibrium(game, p, same_type_same_action=same_type_same_action,
                                              tol=tol, eu_tol=eu_tol)]
    if not isinstance(game, NormalFormGame):
        raise ValueError(f"game: expected a NormalFormGame, got {type(game).__name__}")
    _check_tols(tol, eu_tol)
    U = game.payoffs
    shape = game.n_actions
    nash = pure_nash_equilibria(game)
    found = []
    for a in itertools.product(*(range(m) for m in shape)):
        ua = U[(slice(None),) + a]
        done = False
        for sigma in nash:
            if np.all(ua >= U[(slice(None),) + sigma] - eu_tol):
                if _verify_pure_levels(U, a, _nash_dominance_levels(U, shape, a, sigma), eu_tol):
                    found.append(a)
                    done = True
                    break
        if not done and is_dependency_equilibrium(game, a, tol=tol, eu_tol=eu_tol):
            found.append(a)
    return found


# ---------------------------------------------------------------------------
# Bayesian games
# ---------------------------------------------------------------------------
def _bayesian_inputs(payoffs: Any, prior: Any, joint: Any, conditional: bool, support: Any,
                     tol: float):
    try:
        U = np.array(payoffs, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("payoffs: must be an array of numbers") from None
    if U.ndim < 3 or (U.ndim - 1) % 2 or U.shape[0] != (U.ndim - 1) // 2:
        raise ValueError("payoffs: expected shape (n, T_1, ..., T_n, A_1, ..., A_n), "
                         f"got {U.shape}")
    if not np.all(np.isfinite(U)):
        raise ValueError("payoffs: contains NaN or infinite entries")
    n = U.shape[0]
    tshape, ashape = U.shape[1:1 + n], U.shape[1 + n:]
    if min(tshape + ashape) < 1:
        raise ValueError(f"payoffs: every player needs at least one type and action, got {U.shape}")
    p = _as_distribution(prior, tshape, "prior")
    for i in range(n):
        marg = p.sum(axis=tuple(j for j in range(n) if j != i))
        if np.any(marg <= 0):
            raise ValueError(f"prior: player {i}'s type {int(np.argmin(marg))} has probability 0")
    try:
        J = np.array(joint, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("joint: must be an array of probabilities") from None
    full = tshape + ashape
    if J.shape != full:
        raise ValueError(f"joint: expected shape {full} (types, then actions), got {J.shape}")
    if not np.all(np.isfinite(J)) or np.any(J < -1e-12):
        raise ValueError("joint: probabilities must be finite and non-negative")
    J = np.clip(J, 0.0, None)
    nt = int(np.prod(tshape))
    Jf = J.reshape(nt, -1)
    pf = p.ravel()
    if conditional:
        sums = Jf.sum(axis=1)
        if np.any(np.abs(sums - 1) > 1e-6):
            t = int(np.argmax(np.abs(sums - 1)))
            raise ValueError(f"joint: with conditional=True the entries for each type profile must "
                             f"sum to 1; type profile {np.unravel_index(t, tshape)} sums to {sums[t]:.9g}")
        cond = Jf / sums[:, None]
    else:
        if abs(Jf.sum() - 1) > 1e-6:
            raise ValueError(f"joint: probabilities must sum to 1, got {Jf.sum():.9g}")
        marg = Jf.sum(axis=1)
        if np.any(np.abs(marg - pf) > 1e-6):
            t = int(np.argmax(np.abs(marg - pf)))
            raise ValueError(f"joint: its type marginal must equal prior; type profile "
                             f"{np.unravel_index(t, tshape)} has {marg[t]:.9g} vs prior {pf[t]:.9g}")
        cond = np.where(pf[:, None] > 0, Jf / np.where(pf > 0, pf, 1.0)[:, None], 1.0 / Jf.shape[1])
    cond = np.where(cond > tol, cond, 0.0)
    if np.any(cond.sum(axis=1) <= 0):
        raise ValueError(f"tol: {tol} treats every action profile of some type profile as having probability 0")
    cond = cond / cond.sum(axis=1, keepdims=True)
    allowed = _as_support(support, full).reshape(nt, -1)
    if np.any(cond[(pf > 0)[:, None] & ~allowed] > 0):
        raise ValueError("support: joint puts probability on outcomes outside support")
    return U, p, cond, allowed, n, tshape, ashape


def _bayes_result(ok, values, reason, levels, method, p, cond, allowed, tshape, ashape,
                  conditioning, exact=True):
    pf = p.ravel()
    joint = (pf[:, None] * cond).reshape(tshape + ashape)
    lv = tuple(_frozen(lvl.reshape(tshape + ashape)) for lvl in levels)
    return DependencyResult(bool(ok), tuple(_frozen(v) for v in values), reason, lv, method,
                            _frozen(joint), bool(exact), _frozen(allowed.reshape(tshape + ashape)),
                            _frozen(p), conditioning)


def is_bayesian_dependency_equilibrium(payoffs: Any, prior: Any, joint: Any, *,
                                       conditional: bool = False,
                                       conditioning: str = "type-profile",
                                       support: Any = None, tol: float = 1e-9,
                                       eu_tol: float = 1e-7) -> DependencyResult:
    """Is ``joint`` a dependency equilibrium of a finite Bayesian game? [T23]_ (definition 34).

    Types ``t = (t_1, ..., t_n)`` are drawn from ``prior``; player ``i`` sees ``t_i`` and
    chooses ``a_i``; a joint strategy distribution gives, for each type profile, a
    distribution over action profiles.  It is a DE when, for some full-support
    sequence converging to it, every action a type uses has (in the limit) a
    conditional expected utility at least that of every other action of that type.

    Two readings of "conditional expected utility" are offered:

    ``conditioning="type-profile"`` (default; Treutlein's definition 29)
        ``EU_i(s; a_i, t_i) = sum_{t_-i} p(t_-i | t_i) E_s[u_i | a_i, t]``: the own
        action is evidence about the others' actions within each type profile, while
        beliefs about the others' types stay at the prior.  Each type profile gets
        its own lexicographic perturbation, and a type's condition sums conditionals
        from several type profiles.  The test is

        1. *relaxation* (exact "no"): the used actions of a type cannot reach a common
           value, or a zero-probability action beats it even when each of its
           conditionals is the worst outcome available;
        2. *certificate* (exact "yes"): split each action's slack between the type
           profiles in proportion to their weight and run the cone LP of every type
           profile with those targets;
        3. *upper test* (exact "no"): some type profile fails even when every action
           may spend all of its slack there.

        Steps 1-3 decide every case in which each type profile can hold all its zero
        actions at their worst outcomes at once, in particular every two-player game
        in which each player has at most one zero-probability action per type profile
        (e.g. two actions per type, as in example 35).  Otherwise (which needs trade-offs
        between the punishments of different zero actions within a type profile, e.g.
        three players) the slack is reallocated, then the reachable vectors of
        conditionals of small type profiles (at most 8 outcomes to perturb) are
        enumerated (levels with weights 0, 1, 2) and combined by backtracking, then a
        few random splits (private generator) are tried; every "yes" found this way
        is certified by the cone LPs.  If all fail, the result has ``exact=False``,
        ``is_equilibrium=False`` and a reason starting with "undetermined": the sum of
        conditionals over type profiles makes the general problem non-convex.

    ``conditioning="joint"``
        ``E[u_i | t_i, a_i]`` under the joint distribution of types and actions: the
        own action is also evidence about the others' types.  Decided exactly by the
        cone LP over outcomes ``(t, a)`` with information set = own type.  This
        reading is more permissive (perturbations may vanish at different rates for
        different type profiles, so a deviation may be "explained" by the type
        profile that punishes it most).

    Parameters
    ----------
    payoffs : array_like, shape (n, T_1, ..., T_n, A_1, ..., A_n)
        ``payoffs[i, t, a]``: player ``i``'s utility at type profile ``t`` and action
        profile ``a``.
    prior : array_like, shape (T_1, ..., T_n)
        Prior over type profiles; every type of every player must have positive
        probability.
    joint : array_like, shape (T_1, ..., T_n, A_1, ..., A_n)
        The joint distribution over types and actions (its type marginal must equal
        ``prior``) or, with ``conditional=True``, the conditional distributions of
        actions given each type profile (each type profile's entries sum to 1).
    conditional : bool
        How to read ``joint``.
    conditioning : {"type-profile", "joint"}
        Which conditional expected utility (above).
    support : array_like of bool, shape like ``joint``, optional
        Restrict the perturbations to these outcomes (a class of joint strategies;
        Treutlein's example 35 restricts to "same type, same action").
    tol : float
        Entries of the conditional distributions ``s(a | t)`` at most ``tol`` count as
        zero.
    eu_tol : float
        Tolerance on conditional expected utilities.

    Returns
    -------
    DependencyResult
        ``values[i][t_i]`` is type ``t_i``'s equalised conditional expected utility;
        ``levels`` are arrays over ``(types, actions)``; ``sequence(eps)`` the
        certificate sequence (joint distributions with type marginal ``prior``).

    Raises
    ------
    ValueError
        Naming the field (``payoffs``, ``prior``, ``joint``, ``support``,
        ``conditioning``, ``tol``/``eu_tol``).

    Notes
    -----
    The class of perturbations matters.  In example 35 (two players) the paper
    restricts joint strategies to "players of the same type play the same action";
    with ``support`` set to that class, exactly the Bayesian Nash equilibrium
    (everyone plays action 2) is a DE among the four anonymous pure profiles, as the
    paper says.  Without the restriction, "everyone plays action 1" is a boundary DE
    under definition 29 (deviating is worth 3 + 2/2 + 0/2 = 4, the value of
    complying), and with ``conditioning="joint"`` all four profiles are DEs.

    References
    ----------
    .. [1] J. Treutlein, "Modeling evidential cooperation in large worlds",
       arXiv:2307.04879, 2023: definitions 29 and 34, example 35, proposition 37.
    .. [2] W. Spohn, "Dependency equilibria", Philosophy of Science 74, 2007.
    .. [3] R. B. Myerson, Econometrica 54, 1986; L. Blume, A. Brandenburger,
       E. Dekel, Econometrica 59, 1991 (lexicographic probability systems).

    Examples
    --------
    Treutlein's example 35 (two players, two equally likely independent types,
    ``u_i = sum_j u_{t_j, t_i}(a_j)``).  Everyone playing action 2 (index 1), the
    Bayesian Nash equilibrium, is a DE worth 4.5 to each type:

    >>> import numpy as np
    >>> c = {(1, 1): [2, 3], (1, 2): [2, 0], (2, 1): [2, 0], (2, 2): [2, 3]}  # u_{t', t}(a)
    >>> U = np.zeros((2, 2, 2, 2, 2))
    >>> for i, t1, t2, a1, a2 in np.ndindex(2, 2, 2, 2, 2):
    ...     t = (t1, t2)
    ...     U[i, t1, t2, a1, a2] = c[t1 + 1, t[i] + 1][a1] + c[t2 + 1, t[i] + 1][a2]
    >>> prior = np.full((2, 2), 0.25)
    >>> s = np.zeros((2, 2, 2, 2)); s[:, :, 1, 1] = 1
    >>> r = is_bayesian_dependency_equilibrium(U, prior, s, conditional=True)
    >>> bool(r), [v.tolist() for v in r.values]
    (True, [[4.5, 4.5], [4.5, 4.5]])
    """
    _check_tols(tol, eu_tol)
    if conditioning not in ("type-profile", "joint"):
        raise ValueError(f"conditioning: expected 'type-profile' or 'joint', got {conditioning!r}")
    U, p, cond, allowed, n, tshape, ashape = _bayesian_inputs(payoffs, prior, joint, conditional,
                                                              support, tol)
    if conditioning == "joint":
        return _bayes_joint(U, p, cond, allowed, n, tshape, ashape, tol, eu_tol)
    return _bayes_type_profile(U, p, cond, allowed, n, tshape, ashape, tol, eu_tol)


def _bayes_joint(U, p, cond, allowed, n, tshape, ashape, tol, eu_tol) -> DependencyResult:
    nt, na = int(np.prod(tshape)), int(np.prod(ashape))
    pf = p.ravel()
    tidx = np.indices(tshape).reshape(n, nt)
    aidx = np.indices(ashape).reshape(n, na)
    s = (pf[:, None] * cond).ravel()
    Uf = U.reshape(n, nt * na)
    key = np.stack([(tidx[i][:, None] * ashape[i] + aidx[i][None, :]).ravel() for i in range(n)])
    group = [np.arange(tshape[i] * ashape[i]) // ashape[i] for i in range(n)]
    # Type profiles the prior excludes stay excluded: the prior never moves.
    allow = (allowed & (pf > 0)[:, None]).ravel()
    out = _dependency_test(
        Uf, s, key, group, allowed=allow, tol=tol, eu_tol=eu_tol,
        key_label=lambda i, k: f"action {k % ashape[i]} at type {k // ashape[i]}",
        group_label=lambda i, g: f" at type {g}")
    values = [v.copy() for v in out.values]
    levels = [lv.reshape(nt, na) for lv in out.levels]
    return _bayes_result(out.ok, values, out.reason, levels,
                         "lexicographic cone LP over (types, actions), evidential type beliefs",
                         p, cond, allowed, tshape, ashape, "joint")


def _weighted_lps_frontier(events: list[tuple[np.ndarray, np.ndarray]],
                           max_cells: int = 8) -> np.ndarray | None:
    """Pareto-minimal vectors of limit conditionals reachable at one type profile.

    Enumerates every LPS whose levels put weight 0, 1 or 2 on each outcome charged
    by the events (``events[e] = (cells, utilities)``), by dynamic programming over
    the set of resolved events (only undominated partial vectors are kept: what can
    follow depends on the resolved set alone).  Sound, not complete: the weights are
    restricted.  ``None`` when there are more than ``max_cells`` outcomes.
    """
    cells = np.unique(np.concatenate([c for c, _ in events]))
    if cells.size > max_cells:
        return None
    E = len(events)
    member = np.zeros((E, cells.size))
    util = np.zeros((E, cells.size))
    for e, (c, u) in enumerate(events):
        idx = np.searchsorted(cells, c)
        member[e, idx] = 1.0
        util[e, idx] = u
    W = np.array(list(itertools.product((0.0, 1.0, 2.0), repeat=cells.size)))[1:]
    mass = W @ member.T
    cond = np.round((W @ (member * util).T) / np.where(mass > 0, mass, 1.0), 12)

    def pareto(vs: np.ndarray) -> np.ndarray:
        vs = np.unique(vs, axis=0)
        keep = np.ones(len(vs), dtype=bool)
        for lo_ in range(0, len(vs), 512):
            blk = vs[lo_:lo_ + 512]
            dom = (np.all(vs[None, :, :] <= blk[:, None, :], axis=2)
                   & np.any(vs[None, :, :] < blk[:, None, :], axis=2))
            keep[lo_:lo_ + 512] = ~dom.any(axis=1)
        return vs[keep]

    bits = 1 << np.arange(E)
    frontier = {0: np.zeros((1, E))}
    for state in sorted(range((1 << E) - 1), key=lambda s: bin(s).count("1")):
        if state not in frontier:
            continue
        touch = (mass > 0) & ((state & bits) == 0)
        lv = np.flatnonzero(touch.any(axis=1))
        new_states = state | (touch[lv] * bits).sum(axis=1)
        base = frontier[state]
        for ns in np.unique(new_states):
            sel = lv[new_states == ns]
            vec = np.repeat(base[:, None, :], sel.size, axis=1)          # (F, L, E)
            vec = np.where(touch[sel][None], cond[sel][None], vec).reshape(-1, E)
            old = frontier.get(int(ns))
            frontier[int(ns)] = pareto(vec if old is None else np.vstack([old, vec]))
    return frontier.get((1 << E) - 1)


def _bayes_type_profile(U, p, cond, allowed, n, tshape, ashape, tol, eu_tol) -> DependencyResult:
    nt, na = int(np.prod(tshape)), int(np.prod(ashape))
    pf = p.ravel()
    tidx = np.indices(tshape).reshape(n, nt)
    aidx = np.indices(ashape).reshape(n, na)
    Uf = U.reshape(n, nt, na)
    live = np.flatnonzero(pf > 0)
    values = [np.full(tshape[i], np.nan) for i in range(n)]
    method = "per-type-profile lexicographic cone LPs (Treutlein definition 29)"

    def fail(reason, levels=(), exact=True):
        return _bayes_result(False, values, reason, list(levels), method, p, cond, allowed,
                             tshape, ashape, "type-profile", exact)

    # marg[t, i, a]: probability that i plays a at t; pinned[t, i, a]: its conditional EU.
    marg = np.zeros((nt, n, max(ashape)))
    pinned = np.full((nt, n, max(ashape)), np.nan)
    for i in range(n):
        for a in range(ashape[i]):
            mask = aidx[i] == a
            m = cond[:, mask].sum(axis=1)
            g = (cond[:, mask] * Uf[i][:, mask]).sum(axis=1)
            marg[:, i, a] = m
            pinned[:, i, a] = np.where(m > 0, g / np.where(m > 0, m, 1.0), np.nan)
    # Free events: (t, i, a) with a unused at t.  cells/lo/hi of each.
    ev_cells: dict[tuple[int, int, int], np.ndarray] = {}
    lo: dict[tuple[int, int, int], float] = {}
    hi: dict[tuple[int, int, int], float] = {}
    for t in live:
        for i in range(n):
            for a in range(ashape[i]):
                if marg[t, i, a] > 0:
                    continue
                cells = np.flatnonzero((aidx[i] == a) & allowed[t])
                if cells.size == 0:
                    raise ValueError(f"support: leaves action {a} of player {i} at type profile "
                                     f"{tuple(int(x) for x in tidx[:, t])} without any outcome a "
                                     "perturbation could charge")
                ev_cells[t, i, a] = cells
                lo[t, i, a] = float(Uf[i, t, cells].min())
                hi[t, i, a] = float(Uf[i, t, cells].max())

    # Per information set (i, tau): weights, pinned parts, value interval, slack.
    plan = []  # (i, tau, v, unused: [(a, P, free_ts, slack)], used_free: [(a, P, free_ts)])
    for i in range(n):
        for tau in range(tshape[i]):
            ts = live[tidx[i][live] == tau]
            w = pf[ts] / pf[ts].sum()
            used, pinned_used, used_free, unused = [], [], [], []
            for a in range(ashape[i]):
                prob = float(w @ marg[ts, i, a])
                free = [(t, wt) for t, wt in zip(ts, w) if marg[t, i, a] == 0]
                P = float(sum(wt * pinned[t, i, a] for t, wt in zip(ts, w) if marg[t, i, a] > 0))
                lo_sum = P + sum(wt * lo[t, i, a] for t, wt in free)
                hi_sum = P + sum(wt * hi[t, i, a] for t, wt in free)
                if prob > 0:
                    used.append(a)
                    (used_free if free else pinned_used).append((a, P, free, lo_sum, hi_sum))
                else:
                    unused.append((a, P, free, lo_sum, hi_sum))
            # A used action with free parts can reach any value between its extremes.
            v_lo = max([ls for *_, ls, hs in used_free], default=-np.inf)
            v_hi = min([hs for *_, ls, hs in used_free], default=np.inf)
            if pinned_used:
                vals = [x[1] for x in pinned_used]
                if max(vals) - min(vals) > eu_tol:
                    return fail(f"conditional expected utilities of used actions differ for player {i} "
                                f"at type {tau} ({min(vals):.6g} vs {max(vals):.6g})")
                v_lo, v_hi = max(v_lo, min(vals)), min(v_hi, min(vals))
            if v_lo > v_hi + eu_tol:
                return fail(f"conditional expected utilities of used actions differ for player {i} "
                            f"at type {tau} (no common value in reach: {v_lo:.6g} > {v_hi:.6g})")
            # The highest common value leaves the most room below it for unused actions;
            # near-ties are split so that no target sits a tolerance outside its range.
            v = v_hi if v_lo <= v_hi else 0.5 * (v_lo + v_hi)
            need = max([ls for *_, ls, hs in unused], default=-np.inf)
            if need > v + eu_tol:
                a = max(unused, key=lambda x: x[3])[0]
                return fail(f"zero-probability action {a} of player {i} at type {tau} is worth at "
                            f"least {need:.6g} > {v:.6g} even under its harshest conditionals")
            values[i][tau] = v
            plan.append((i, tau, v, unused, used_free))

    if not ev_cells:
        return _bayes_result(True, values, "joint has full support at every type profile", [],
                             method, p, cond, allowed, tshape, ashape, "type-profile")

    def targets(shares: dict[tuple[int, int, int], float]):
        """Per-event (le, ge) coefficient targets from the plan and a slack split."""
        tgt = {}
        for i, tau, v, unused, used_free in plan:
            for a, P, free, ls, hs in unused:
                slack = max(v - ls, 0.0)
                for t, wt in free:
                    share = shares.get((t, i, a), 1.0)
                    tgt[t, i, a] = (min(hi[t, i, a], lo[t, i, a] + slack * share / wt), None)
            for a, P, free, ls, hs in used_free:
                # Hit v exactly: every free conditional at the same point of its range.
                theta = 0.0 if hs - ls <= 0 else min(max((v - ls) / (hs - ls), 0.0), 1.0)
                for t, wt in free:
                    x = lo[t, i, a] + theta * (hi[t, i, a] - lo[t, i, a])
                    tgt[t, i, a] = (x, x)
        return tgt

    def run(tgt, relax_used=False):
        """Cone LPs of every type profile; returns levels per t and failing ts."""
        per_t, failing = {}, []
        for t in live:
            evs, names = [], []
            for (tt, i, a), cells in ev_cells.items():
                if tt != t:
                    continue
                le_t, ge_t = tgt[t, i, a]
                if relax_used and ge_t is not None:
                    continue
                u = Uf[i, t, cells]
                evs.append((cells, u - le_t, None if ge_t is None else u - ge_t))
                names.append((i, a))
            if not evs:
                per_t[t] = []
                continue
            lv, stuck = _lps_greedy(evs, na, eu_tol)
            per_t[t] = lv
            if stuck:
                failing.append((t, [names[e] for e in stuck]))
        return per_t, failing

    def merged(per_t):
        K = max((len(v) for v in per_t.values()), default=0)
        out = []
        for k in range(K):
            L = np.zeros((nt, na))
            for t, lv in per_t.items():
                if k < len(lv):
                    L[t] = lv[k] * pf[t]
            out.append(L / L.sum())
        return out

    # Shares are fractions of a set's slack: a weight-proportional (uniform) split first.
    uniform: dict[tuple[int, int, int], float] = {}
    for i, tau, v, unused, used_free in plan:
        for a, P, free, ls, hs in unused:
            W = sum(wt for _, wt in free)
            for t, wt in free:
                uniform[t, i, a] = wt / W
    per_t, failing = run(targets(uniform))
    if not failing:
        return _bayes_result(True, values, "every zero-probability action is resolved", merged(per_t),
                             method, p, cond, allowed, tshape, ashape, "type-profile")

    # Upper test: a type profile that fails even with all of each set's slack cannot pass.
    full_share = {k: 1.0 for k in uniform}
    _, fail_up = run(targets(full_share), relax_used=True)
    if fail_up:
        t, names = fail_up[0]
        prof = tuple(int(x) for x in tidx[:, t])
        lst = ", ".join(f"player {i} action {a}" for i, a in names)
        return fail(f"zero-probability actions cannot be resolved at type profile {prof} even with "
                    f"all the slack of their types ({lst})", merged(per_t))

    # Reallocate the slack: first towards the type profiles that failed, then random
    # splits from a private generator (the feasible splits need not be near either).
    def certified(per_t):
        return _bayes_result(True, values, "every zero-probability action is resolved (after "
                             "reallocating slack between type profiles)", merged(per_t), method,
                             p, cond, allowed, tshape, ashape, "type-profile")

    shares = dict(uniform)
    for _ in range(4):
        bad = {t for t, _ in failing}
        new = {}
        for i, tau, v, unused, used_free in plan:
            for a, P, free, ls, hs in unused:
                W_bad = sum(wt for t, wt in free if t in bad)
                for t, wt in free:
                    tgt_share = (wt / W_bad if t in bad else 0.0) if W_bad > 0 else shares[t, i, a]
                    new[t, i, a] = 0.5 * shares[t, i, a] + 0.5 * tgt_share
        shares = new
        per_t, failing = run(targets(shares))
        if not failing:
            return certified(per_t)
    # At type profiles whose events cannot all sit at their minima, enumerate reachable
    # conditional vectors and search combinations that fit every budget.
    per_t = _frontier_search(plan, ev_cells, lo, Uf, tidx, eu_tol, run)
    if per_t is not None:
        return certified(per_t)
    rng = np.random.default_rng(0)
    for _ in range(_RANDOM_SPLITS):
        shares = {}
        for i, tau, v, unused, used_free in plan:
            for a, P, free, ls, hs in unused:
                for (t, _), x in zip(free, rng.dirichlet(np.ones(len(free)))):
                    shares[t, i, a] = x
        per_t, failing = run(targets(shares))
        if not failing:
            return certified(per_t)
    t, names = failing[0]
    prof = tuple(int(x) for x in tidx[:, t])
    return fail(f"undetermined: no split of the slack between type profiles was found that "
                f"resolves type profile {prof}, and none was proved impossible", merged(per_t),
                exact=False)


def _frontier_search(plan, ev_cells, lo, Uf, tidx, eu_tol, run):
    """Combine per-type-profile reachable vectors (:func:`_weighted_lps_frontier`) so that
    every information set's budget holds; the certified levels per type profile, or None.

    Type profiles whose events can all take their minima at once take them (that
    vector is then the least reachable one); only the others are searched, by
    backtracking over their frontiers, cheapest first.
    """
    if any(used_free for *_, used_free in plan):
        return None
    budget, weight = {}, {}
    for i, tau, v, unused, used_free in plan:
        for a, P, free, ls, hs in unused:
            budget[i, tau, a] = v - P + eu_tol
            for t, wt in free:
                weight[t, i, a] = wt
    by_t: dict[int, list] = {}
    for (t, i, a) in ev_cells:
        by_t.setdefault(t, []).append((i, a))
    spent: dict[tuple[int, int, int], float] = {}
    for (t, i, a) in ev_cells:
        key = (i, int(tidx[i, t]), a)
        spent[key] = spent.get(key, 0.0) + weight[t, i, a] * lo[t, i, a]
    _, failing = run({k: (lo[k], None) for k in ev_cells})
    options = {}
    for t, _ in failing:
        fr = _weighted_lps_frontier([(ev_cells[t, i, a], Uf[i, t, ev_cells[t, i, a]])
                                     for i, a in by_t[t]])
        if fr is None or len(fr) == 0:
            return None
        options[t] = fr[np.argsort(fr.sum(axis=1))][:64]
    order = list(options)
    choice = {}

    def rec(k: int) -> bool:
        if k == len(order):
            return True
        t = order[k]
        for vec in options[t]:
            deltas: dict[tuple[int, int, int], float] = {}
            for (i, a), x in zip(by_t[t], vec):
                key = (i, int(tidx[i, t]), a)
                deltas[key] = deltas.get(key, 0.0) + weight[t, i, a] * (x - lo[t, i, a])
            if all(spent[key] + d <= budget[key] for key, d in deltas.items()):
                for key, d in deltas.items():
                    spent[key] += d
                choice[t] = vec
                if rec(k + 1):
                    return True
                for key, d in deltas.items():
                    spent[key] -= d
        return False

    if not rec(0):
        return None
    tgt = {k: (lo[k], None) for k in ev_cells}
    for t, vec in choice.items():
        for (i, a), x in zip(by_t[t], vec):
            tgt[t, i, a] = (float(x), None)
    per_t, failing = run(tgt)
    return None if failing else per_t


def ecl_dependency_equilibrium(game: Any, profile: Any, *, same_type_same_action: bool = True,
                               tol: float = 1e-9, eu_tol: float = 1e-7) -> DependencyResult:
    """Is an anonymous pure profile of an ECL Bayesian game a dependency equilibrium?

    ``profile[t]`` is the action of every player of type ``t``.  The game's full
    Bayesian arrays (:meth:`gamesim.sim.ecl.ECLBayesianGame.bayesian_payoffs`, small
    games only) go to :func:`is_bayesian_dependency_equilibrium` with the conditional
    strategy that plays ``profile``.  With ``same_type_same_action`` (default) the
    perturbations stay in the class Treutlein analyses -- players of the same type play
    the same action (section 4.4, example 35) -- which is the reading under which
    example 35's known result holds; ``False`` allows any perturbation.

    Examples
    --------
    >>> from gamesim.sim.ecl import treutlein_example_35
    >>> g = treutlein_example_35(2)
    >>> bool(ecl_dependency_equilibrium(g, (1, 1))), bool(ecl_dependency_equilibrium(g, (0, 0)))
    (True, False)
    """
    U, prior = game.bayesian_payoffs()
    n, m, K = game.n_players, game.n_types, game.n_actions
    alpha = np.asarray(profile)
    if alpha.shape != (m,) or not np.issubdtype(alpha.dtype, np.integer) or np.any(alpha < 0) or np.any(alpha >= K):
        raise ValueError(f"profile: expected {m} action indices in 0..{K - 1} (one per type), got {profile!r}")
    types = np.indices((m,) * n).reshape(n, -1).T                       # every type profile
    cond = np.zeros((m,) * n + (K,) * n)
    for t in types:
        cond[tuple(t) + tuple(alpha[t])] = 1.0
    support = None
    if same_type_same_action:
        support = np.zeros(cond.shape, dtype=bool)
        acts = np.indices((K,) * n).reshape(n, -1).T
        for t in types:
            same = t[:, None] == t[None, :]
            for a in acts:
                if np.all(~same | (a[:, None] == a[None, :])):
                    support[tuple(t) + tuple(a)] = True
    return is_bayesian_dependency_equilibrium(U, prior, cond, conditional=True, support=support,
                                              tol=tol, eu_tol=eu_tol)

