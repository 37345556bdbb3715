"""ECL Bayesian games: additively separable, anonymous Bayesian games (Treutlein 2023, section 4).

Evidential cooperation in large worlds (ECL) is modelled as a Bayesian game
[H67]_ whose ``n`` players are causally separate universes.  Each player has one
of ``m`` *types* (its values and empirical situation) and chooses one of ``K``
actions.  Utilities are additively separable and anonymous (definition 21 of
[T23]_): a player of type ``t2`` receives ``u_{t,t2}(a)`` from every player of type
``t`` choosing ``a``, itself included, so player ``i``'s utility is

``u_i = sum_j u_{t_j, t_i}(a_j)``.

The game is stored as data:

* ``contributions[t, t2, a] = u_{t,t2}(a)``, shape ``(m, m, K)``;
* ``posterior[t, t2] = p(t2 | t)``, the belief of a type-``t`` player that another
  given player has type ``t2`` (well defined for an anonymous prior, definition 22);
* ``prior[t] = p(t)``, the type marginal.

For an *anonymous pure profile* ``alpha`` (one action per type, the same for every
player) the ex-interim expected utility of a type-``t`` player is equation (9):

``EU_t(alpha) = u_{t,t}(alpha_t) + (n - 1) sum_t2 p(t2|t) u_{t2,t}(alpha_t2)``.

Results implemented here:

* proposition 36 -- in every Bayesian Nash equilibrium each type plays a maximiser
  of ``u_{t,t}`` (its own contribution to itself), whatever the others do;
* corollary 40 / equation (41) -- a *sufficient* condition for an anonymous pure
  profile ``alpha`` to be a dependency equilibrium: ``EU_t(alpha) >= EU_t(beta)`` for
  every type, ``beta`` the Bayesian Nash profile;
* equation (49) -- the same with cooperator/non-cooperator subtypes (section 4.6);
* the weighted Nash bargaining compromise with the Bayesian Nash profile as
  disagreement point and the prior as weights (definition 47, weights of Harsanyi
  and Selten 1972): the bargaining oracle's solution over lotteries (the mixed
  extension as an ECL Bayesian bargaining game, definition 42), or the best
  anonymous pure profile by enumeration;
* :meth:`ECLBayesianGame.realized_utilities` -- utilities of sampled universes in
  ``O(n)`` array operations, via additive separability.

Types and actions are numbered from 0 in the code (Treutlein numbers them from 1).

Notes on the source
-------------------
A few typos of the source are corrected here, following its own derivations:
the displayed ``EU_i(alpha; t_i)`` before equation (9) should read
``alpha_{j,t_j}`` (not ``alpha_{i,t_j}``); equations (48)-(51) should read
``u_{t',t}`` (what type ``t'`` gives to ``t``, as in (41)), not ``u_{t,t'}``; in
section 4.6 the roles of ``alpha`` and ``beta`` are swapped with respect to
corollary 40 (there ``alpha`` is the Bayesian Nash profile); equations (24)-(25)
are type 2's, not type 1's; and the "10 players" payoffs (27)-(30) of Example 35
use ``n - 1 = 10``, i.e. 11 players.

References
----------
.. [T23] J. Treutlein, "Modeling evidential cooperation in large worlds",
   arXiv:2307.04879, 2023: section 4 (definitions 20-24, equations (9) and (10),
   Example 35 with Table 4, proposition 36, corollary 40 with equation (41),
   section 4.6 with equation (49)) and definition 47.
.. [H67] J. C. Harsanyi, "Games with incomplete information played by 'Bayesian'
   players, I-III", Management Science 14, 1967-68.
.. [HS72] J. C. Harsanyi and R. Selten, "A generalized Nash solution for two-person
   bargaining games with incomplete information", Management Science 18, 1972.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._arrays import as_matrix, as_weights, frozen
from .._arrays import as_vector as _as_vector

__all__ = [
    "ECLBayesianGame", "BayesianNashProfile", "DependencyCheck", "CompromiseResult",
    "treutlein_example_35", "MAX_PROFILES", "MAX_BAYESIAN_ENTRIES",
]

#: Most anonymous pure profiles (``K ** m``) that :meth:`ECLBayesianGame.compromise_profile` enumerates.
MAX_PROFILES = 200_000
#: Most entries of the arrays :meth:`ECLBayesianGame.bayesian_payoffs` builds.
MAX_BAYESIAN_ENTRIES = 10_000_000
#: Tolerance on probability vectors (rows of the posterior, the prior, weights).
_PROB_TOL = 1e-9


# ---------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------
def _check_int(value: Any, field: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{field}: expected an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{field}: must be at least {minimum}, got {value}")
    return int(value)


def _check_distribution(arr: np.ndarray, field: str, *, positive: bool) -> np.ndarray:
    """A probability vector (or rows of one) within ``_PROB_TOL``; renormalised copy."""
    if np.any(arr < -_PROB_TOL):
        raise ValueError(f"{field}: probabilities must be non-negative")
    sums = arr.sum(axis=-1)
    if np.any(np.abs(sums - 1.0) > _PROB_TOL):
        raise ValueError(f"{field}: probabilities must sum to 1 (got sums {np.round(sums, 12).tolist()})")
    out = np.clip(arr, 0.0, None)
    out = out / out.sum(axis=-1, keepdims=True)
    if positive and np.any(out <= 0):
        raise ValueError(f"{field}: every type needs positive probability (Treutlein definitions 20, 42)")
    return out


def _names(value: Any, count: int, field: str, default: str) -> tuple[str, ...]:
    if value is None:
        return tuple(f"{default}{k}" for k in range(count))
    if isinstance(value, str):
        raise ValueError(f"{field}: expected a sequence of names, got a single string")
    names = tuple(str(v) for v in value)
    if len(names) != count:
        raise ValueError(f"{field}: {len(names)} names given for {count} entries")
    if len(set(names)) != count:
        raise ValueError(f"{field}: names must be distinct, got {names}")
    return names


def _posterior_and_prior(posterior: Any, prior: Any, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Checked ``p(t'|t)`` (m, m) and type marginal; the default marginal is the posterior's row
    when all rows agree, else its unique stationary distribution (which any anonymous prior's
    marginal is).  Shared by the finite and the bargaining ECL games."""
    P = as_matrix(posterior, "posterior", f"shape ({m}, {m})")
    if P.shape != (m, m):
        raise ValueError(f"posterior: expected shape ({m}, {m}), got {P.shape}")
    P = _check_distribution(P, "posterior", positive=False)
    if prior is not None:
        return P, _check_distribution(_as_vector(prior, "prior", m), "prior", positive=True)
    independent = bool(np.allclose(P, P[:1], rtol=0.0, atol=_PROB_TOL))
    pi = P[0].copy() if independent else _stationary(P)
    if pi is None:
        raise ValueError("prior: required, the posterior has no unique stationary distribution")
    if np.any(pi <= _PROB_TOL):
        raise ValueError("prior: required, the default (the posterior's stationary distribution) "
                         "gives some type zero probability")
    return P, _check_distribution(np.clip(pi, 0.0, None) / pi.sum(), "prior", positive=True)


def _stationary(posterior: np.ndarray) -> np.ndarray | None:
    """The unique stationary distribution ``pi P = pi`` of a stochastic matrix, or None."""
    m = posterior.shape[0]
    A = np.vstack([posterior.T - np.eye(m), np.ones((1, m))])
    b = np.zeros(m + 1)
    b[-1] = 1.0
    pi, _, rank, _ = np.linalg.lstsq(A, b, rcond=None)
    if rank < m or np.max(np.abs(A @ pi - b)) > 1e-9:
        return None
    return pi


# ---------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class BayesianNashProfile:
    """The anonymous pure Bayesian Nash profile of proposition 36.

    Attributes
    ----------
    profile : tuple of int
        One action per type: the lowest-index maximiser of ``u_{t,t}``.
    unique : bool
        Whether every type's maximiser is unique; then (proposition 36) this is the
        game's only Bayesian Nash equilibrium, mixed ones included.
    expected_utility : ndarray, shape (m,)
        ``EU_t`` of the profile (equation (9)).
    """

    profile: tuple
    unique: bool
    expected_utility: np.ndarray


@dataclass(frozen=True, eq=False)
class DependencyCheck:
    """Result of the dependency-equilibrium test of equation (41) or (49).

    ``bool(check)`` is :attr:`holds`.  The test is *sufficient*, not necessary
    (corollary 40 is an "if"): a profile failing it may still be a dependency
    equilibrium supported by some other sequence of joint distributions.

    Attributes
    ----------
    profile : tuple of int or None
        The candidate anonymous pure profile ``alpha``; None for a mixed one.
    disagreement : tuple of int or None
        The Bayesian Nash profile ``beta`` it is compared with (None if mixed).
    gains : ndarray, shape (m,)
        Left-hand side of the equation for each type.
    by_type : ndarray of bool, shape (m,)
        ``gains >= -tol``: whether the condition holds for each type.
    holds : bool
        Whether it holds for every type (then ``alpha`` is a dependency equilibrium).
    equation : str
        ``"(41)"`` or ``"(49)"`` (when a non-cooperator belief was given).
    strategy : ndarray, shape (m, K)
        ``alpha`` as one lottery over actions per type (one-hot rows when pure).
    """

    profile: tuple | None
    disagreement: tuple | None
    gains: np.ndarray
    by_type: np.ndarray
    holds: bool
    equation: str
    strategy: np.ndarray | None = None

    def __bool__(self) -> bool:
        return self.holds


@dataclass(frozen=True, eq=False)
class CompromiseResult:
    """The prior-weighted Nash bargaining compromise of an ECL Bayesian game.

    Two computations fill it (:meth:`ECLBayesianGame.compromise`): the bargaining
    oracle's Nash bargaining solution over the *convexified* game, whose actions
    are the types' lotteries over their actions (definition 42 with ``A_t`` the
    convex hull of type ``t``'s contribution vectors; requested with
    ``method="nbs"``), or an enumeration of the anonymous pure profiles
    (``method="pure"``, :meth:`ECLBayesianGame.compromise_profile`).

    Attributes
    ----------
    method : str
        ``"nbs"`` (the oracle's solution over mixed profiles), ``"enumeration"``
        (the best anonymous pure profile), or ``"disagreement"`` when there is
        nothing to trade and the result is the disagreement profile itself: for
        the NBS, no positively weighted type can gain; for the enumeration, no pure
        profile gives every positively weighted type a strictly positive gain.
    weights : ndarray, shape (m,)
        The Nash exponents ``nu_t`` (summing to 1).
    profile : tuple of int or None
        The compromise as an anonymous pure profile ``alpha``; None when some type
        must randomise (see :attr:`strategy`).
    strategy : ndarray, shape (m, K)
        ``strategy[t]``: the lottery over actions that every type-``t`` player
        plays (one-hot rows for a pure compromise).
    expected_utility : ndarray, shape (m,)
        ``EU_t`` of the compromise.
    disagreement_profile : tuple of int
        ``beta``, the Bayesian Nash profile used as disagreement point.
    disagreement_utility : ndarray, shape (m,)
        ``EU_t(beta)``.
    log_nash_product : float
        ``sum_t nu_t log(EU_t - EU_t(beta))`` over types with ``nu_t > 0``
        (``-inf`` for the disagreement fallback).
    n_profiles : int or None
        How many pure profiles were enumerated (``K ** m``); None for ``"nbs"``.
    outcome : ECLBargainingOutcome or None
        The bargaining oracle's result (:func:`gamesim.bargaining.ecl_nash_bargaining`)
        when the NBS was computed.
    """

    method: str
    weights: np.ndarray
    profile: tuple | None
    strategy: np.ndarray
    expected_utility: np.ndarray
    disagreement_profile: tuple
    disagreement_utility: np.ndarray
    log_nash_product: float
    n_profiles: int | None
    outcome: Any = None

    @property
    def gains(self) -> np.ndarray:
        """``EU(alpha) - EU(beta)``, the left-hand side of equation (41)."""
        return self.expected_utility - self.disagreement_utility

    @property
    def is_pure(self) -> bool:
        """Whether every type plays one action for sure."""
        return self.profile is not None


# ---------------------------------------------------------------------------
# the game
# ---------------------------------------------------------------------------
class ECLBayesianGame:
    """An additively separable and anonymous ECL Bayesian game with finite actions.

    Parameters
    ----------
    contributions : array_like, shape (m, m, K)
        ``contributions[t, t2, a] = u_{t,t2}(a)``: what a player of type ``t``
        choosing action ``a`` gives every player of type ``t2`` (itself included when
        ``t2 == t``), definition 21.
    posterior : array_like, shape (m, m)
        ``posterior[t, t2] = p(t2 | t)``: a type-``t`` player's belief that another
        given player has type ``t2``.  Rows must be probability vectors (tolerance
        ``1e-9``; they are renormalised).
    n_players : int
        Number of players (universes) ``n >= 1``.
    prior : array_like, shape (m,), optional
        The type marginal ``p(t)``, positive and summing to 1.  Default: the common
        row when every row of the posterior is the same (independent types);
        otherwise the posterior's unique stationary distribution ``pi = pi P``.  This
        rule is sound because the marginal of any anonymous prior is stationary for
        its pairwise conditional: ``sum_t p(t) p(t2|t) = sum_t p(t, t2) = p(t2)``.
        When the stationary distribution is not unique (a reducible posterior) or
        gives a type zero probability, ``prior`` must be passed.
    actions, types : sequence of str, optional
        Names; default ``("a0", ...)`` and ``("t0", ...)``.
    name : str, optional
        A label.

    Raises
    ------
    ValueError
        Naming the field: wrong shapes, NaN/inf, a posterior row or prior that is not
        a probability vector, a type with zero prior probability, ``n_players < 1``,
        or names whose counts do not match.

    Notes
    -----
    The prior is used for the default bargaining weights, for sampling types and for
    the joint prior of :meth:`bayesian_payoffs`; expected utilities depend on the
    posterior only.  A posterior and prior come from an anonymous joint prior over
    type pairs only if detailed balance ``p(t) p(t2|t) = p(t2) p(t|t2)`` holds
    (:attr:`is_anonymous`); this is not enforced, so that subjective beliefs that do
    not stem from a common prior can also be studied (Treutlein section 4.1).

    Arrays are copied and made read-only; games are hashable and compare by value.

    References
    ----------
    .. [1] J. Treutlein, "Modeling evidential cooperation in large worlds", 2023,
       definitions 20-24, equation (9).
    .. [2] J. C. Harsanyi, "Games with incomplete information played by 'Bayesian'
       players", Management Science 14, 1967-68.

    Examples
    --------
    Treutlein's Example 35 (Table 4), a Bayesian prisoner's dilemma:

    >>> g = ECLBayesianGame.independent([[[2, 3], [2, 0]], [[2, 0], [2, 3]]], [0.5, 0.5], 2)
    >>> g.n_players, g.n_types, g.n_actions
    (2, 2, 2)
    >>> g.bayesian_nash_profile().profile
    (1, 1)
    >>> g.expected_utility([1, 1]), g.expected_utility([0, 0])
    (array([4.5, 4.5]), array([4., 4.]))
    """

    def __init__(
        self,
        contributions: Any,
        posterior: Any,
        n_players: int,
        *,
        prior: Any = None,
        actions: Sequence[str] | None = None,
        types: Sequence[str] | None = None,
        name: str | None = None,
    ) -> None:
        try:
            C = np.array(contributions, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"contributions: must be an array of numbers ({exc})") from None
        if C.ndim != 3 or C.shape[0] != C.shape[1]:
            raise ValueError(f"contributions: expected shape (m, m, K), got {C.shape}")
        if C.shape[0] < 1 or C.shape[2] < 1:
            raise ValueError(f"contributions: need at least one type and one action, got shape {C.shape}")
        if not np.all(np.isfinite(C)):
            raise ValueError("contributions: contains NaN or infinite entries")
        m = C.shape[0]
        P, pi = _posterior_and_prior(posterior, prior, m)
        self._n = _check_int(n_players, "n_players")
        for arr in (C, P, pi):
            arr.setflags(write=False)
        self._C, self._P, self._prior = C, P, pi
        self._independent = bool(np.allclose(P, pi[None, :], rtol=0.0, atol=_PROB_TOL))
        self.actions: tuple[str, ...] = _names(actions, C.shape[2], "actions", "a")
        self.types: tuple[str, ...] = _names(types, m, "types", "t")
        self.name = name if name is not None else f"ECL Bayesian game ({m} types, {C.shape[2]} actions, n={self._n})"
        self._scale = 1.0 + float(np.max(np.abs(C)))
        self._bargaining = None

    @classmethod
    def independent(cls, contributions: Any, prior: Any, n_players: int, **kwargs: Any) -> "ECLBayesianGame":
        """Types drawn independently from ``prior``: every posterior row is the prior.

        Examples
        --------
        >>> g = ECLBayesianGame.independent([[[1, 0]]], [1.0], 3)
        >>> g.posterior, g.is_independent
        (array([[1.]]), True)
        """
        try:
            shape = np.shape(contributions)
        except ValueError:
            shape = ()
        if len(shape) != 3:
            raise ValueError(f"contributions: expected shape (m, m, K), got {shape}")
        m = shape[0]
        p = _check_distribution(_as_vector(prior, "prior", m), "prior", positive=True)
        return cls(contributions, np.tile(p, (m, 1)), n_players, prior=p, **kwargs)

    def with_n_players(self, n_players: int) -> "ECLBayesianGame":
        """The same game with another number of players (names kept, default name updated)."""
        n = _check_int(n_players, "n_players")
        name = self.name if not self.name.startswith("ECL Bayesian game (") else None
        return ECLBayesianGame(self._C, self._P, n, prior=self._prior, actions=self.actions,
                               types=self.types, name=name)

    # -- accessors ------------------------------------------------------------
    @property
    def contributions(self) -> np.ndarray:
        """Read-only ``contributions[t, t2, a] = u_{t,t2}(a)``, shape ``(m, m, K)``."""
        return self._C

    @property
    def posterior(self) -> np.ndarray:
        """Read-only ``posterior[t, t2] = p(t2 | t)``, shape ``(m, m)``."""
        return self._P

    @property
    def prior(self) -> np.ndarray:
        """Read-only type marginal ``p(t)``, shape ``(m,)``."""
        return self._prior

    @property
    def n_players(self) -> int:
        return self._n

    @property
    def n_types(self) -> int:
        return self._C.shape[0]

    @property
    def n_actions(self) -> int:
        return self._C.shape[2]

    @property
    def is_independent(self) -> bool:
        """Whether every posterior row equals the prior (types drawn i.i.d.)."""
        return self._independent

    @property
    def is_anonymous(self) -> bool:
        """Whether ``p(t) p(t2|t)`` is symmetric (detailed balance), as any anonymous prior requires."""
        J = self._prior[:, None] * self._P
        return bool(np.allclose(J, J.T, rtol=0.0, atol=_PROB_TOL))

    # -- profiles and expected utilities ---------------------------------------
    def _profile(self, profile: Any, field: str = "profile") -> np.ndarray:
        try:
            arr = np.asarray(profile)
        except Exception:  # pragma: no cover - exotic inputs
            raise ValueError(f"{field}: expected {self.n_types} action indices") from None
        if arr.shape != (self.n_types,):
            raise ValueError(f"{field}: expected one action per type, shape ({self.n_types},), got {arr.shape}")
        if arr.dtype.kind not in "iu":
            if arr.dtype.kind != "f" or not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
                raise ValueError(f"{field}: action indices must be integers")
        arr = arr.astype(np.intp)
        bad = np.flatnonzero((arr < 0) | (arr >= self.n_actions))
        if bad.size:
            raise ValueError(f"{field}[{bad[0]}]: action {arr[bad[0]]} out of range 0..{self.n_actions - 1}")
        return arr

    def _weights(self, non_cooperator: Any = None) -> np.ndarray:
        """``W[t, t2]``: how many players of type ``t2`` a type-``t`` player expects to count.

        ``W = I + (n - 1) P`` for equation (9); with a non-cooperator belief ``D``
        the other players' weights become ``(n - 1) P (1 - D)`` (equation (49)).
        """
        m = self.n_types
        others = self._P if non_cooperator is None else self._P * (1.0 - self._non_cooperator(non_cooperator))
        return np.eye(m) + (self._n - 1) * others

    def _non_cooperator(self, value: Any) -> np.ndarray:
        m = self.n_types
        try:
            D = np.array(value, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"non_cooperator: must be a number or an (m, m) array ({exc})") from None
        if D.ndim == 0:
            D = np.full((m, m), float(D))
        if D.shape != (m, m):
            raise ValueError(f"non_cooperator: expected a scalar or shape ({m}, {m}), got {D.shape}")
        if not np.all(np.isfinite(D)) or np.any((D < 0) | (D > 1)):
            raise ValueError("non_cooperator: probabilities must lie in [0, 1]")
        return D

    def _received(self, profile: np.ndarray) -> np.ndarray:
        """``V[t2, t] = u_{t2,t}(alpha_t2)``: what each type's action gives each type.

        ``profile`` is an index vector ``(m,)`` or a strategy ``(m, K)`` (expected gifts).
        """
        if profile.ndim == 2:
            return np.einsum("pa,pta->pt", profile, self._C)
        return self._C[np.arange(self.n_types), :, profile]

    def _pure_or_mixed(self, value: Any, field: str) -> np.ndarray:
        """An anonymous profile: action indices ``(m,)``, or lotteries ``(m, K)`` for a mixed one."""
        try:
            ndim = np.ndim(value)
        except ValueError:  # ragged nested sequences
            raise ValueError(f"{field}: expected {self.n_types} action indices or a ({self.n_types}, "
                             f"{self.n_actions}) array of lotteries, got a ragged sequence") from None
        if ndim != 2:
            return self._profile(value, field)
        m, K = self.n_types, self.n_actions
        S = as_matrix(value, field, f"shape ({m}, {K})")
        if S.shape != (m, K):
            raise ValueError(f"{field}: a mixed profile needs shape ({m}, {K}) (a lottery per type), got {S.shape}")
        return _check_distribution(S, field, positive=False)

    def _as_strategy(self, profile: np.ndarray) -> np.ndarray:
        if profile.ndim == 2:
            return profile
        return np.eye(self.n_actions)[profile]

    @staticmethod
    def _pure_tuple(profile: np.ndarray) -> tuple | None:
        return tuple(int(x) for x in profile) if profile.ndim == 1 else None

    def expected_utility(self, profile: Any) -> np.ndarray:
        """Ex-interim expected utility of an anonymous pure profile, equation (9).

        ``EU_t(alpha) = u_{t,t}(alpha_t) + (n - 1) sum_t2 p(t2|t) u_{t2,t}(alpha_t2)``.

        Parameters
        ----------
        profile : array_like of int, shape (m,)
            ``profile[t]``: the action every player of type ``t`` takes.

        Returns
        -------
        ndarray, shape (m,)

        Examples
        --------
        >>> g = treutlein_example_35(n_players=10)
        >>> g.expected_utility([0, 0]), g.expected_utility([1, 1])
        (array([20., 20.]), array([16.5, 16.5]))
        """
        alpha = self._profile(profile)
        return (self._weights() * self._received(alpha).T).sum(axis=1)

    def expected_utility_mixed(self, strategy: Any) -> np.ndarray:
        """Ex-interim expected utility of an anonymous mixed profile.

        Every player of type ``t`` plays ``strategy[t]`` independently, so by
        separability ``EU_t = sum_a s_t(a) u_{t,t}(a) + (n - 1) sum_t2 p(t2|t)
        sum_a s_t2(a) u_{t2,t}(a)``.

        Parameters
        ----------
        strategy : array_like, shape (m, K)
            One probability vector per type.

        Examples
        --------
        >>> g = treutlein_example_35()
        >>> g.expected_utility_mixed([[0.5, 0.5], [0.5, 0.5]])
        array([4.25, 4.25])
        """
        S = as_matrix(strategy, "strategy", f"shape ({self.n_types}, {self.n_actions})")
        if S.shape != (self.n_types, self.n_actions):
            raise ValueError(f"strategy: expected shape ({self.n_types}, {self.n_actions}), got {S.shape}")
        S = _check_distribution(S, "strategy", positive=False)
        V = np.einsum("pa,pta->pt", S, self._C)
        return (self._weights() * V.T).sum(axis=1)

    # -- Bayesian Nash equilibria (proposition 36) -------------------------------
    def _own(self) -> np.ndarray:
        """``own[t, a] = u_{t,t}(a)``."""
        m = self.n_types
        return self._C[np.arange(m), np.arange(m), :]

    def _best_sets(self) -> list[np.ndarray]:
        own = self._own()
        tol = 1e-12 * self._scale
        return [np.flatnonzero(row >= row.max() - tol) for row in own]

    def bayesian_nash_profile(self) -> BayesianNashProfile:
        """The anonymous pure Bayesian Nash profile of proposition 36.

        Each type's part of any other player's utility does not depend on its own
        action, so each type plays a maximiser of ``u_{t,t}`` (ties: lowest index).

        Examples
        --------
        >>> bne = treutlein_example_35().bayesian_nash_profile()
        >>> bne.profile, bne.unique, bne.expected_utility
        ((1, 1), True, array([4.5, 4.5]))
        """
        sets = self._best_sets()
        profile = tuple(int(s[0]) for s in sets)
        unique = all(s.size == 1 for s in sets)
        return BayesianNashProfile(profile, unique, frozen(self.expected_utility(profile)))

    def bayesian_nash_equilibria(self) -> list[tuple[int, ...]]:
        """All anonymous pure Bayesian Nash equilibria, in lexicographic order.

        By proposition 36 these are the products of each type's maximisers of
        ``u_{t,t}``.  When a type has tied maximisers there are also non-anonymous
        pure equilibria (different players of one type choosing different
        maximisers) and mixed ones; they are not listed.

        Examples
        --------
        >>> g = ECLBayesianGame.independent([[[1, 1, 0]]], [1.0], 2)
        >>> g.bayesian_nash_equilibria()
        [(0,), (1,)]
        """
        return [tuple(int(a) for a in p) for p in itertools.product(*self._best_sets())]

    # -- dependency equilibria (corollary 40, equation (49)) -----------------------
    def gains_from_trade(self, alpha: Any, beta: Any = None, *, non_cooperator: Any = None) -> np.ndarray:
        """Left-hand side of equation (41) (or (49)) for every type.

        ``u_{t,t}(alpha_t) - u_{t,t}(beta_t) + (n - 1) sum_t2 p(t2|t) (1 - D[t, t2])
        (u_{t2,t}(alpha_t2) - u_{t2,t}(beta_t2))``, which for ``D = 0`` is
        ``EU_t(alpha) - EU_t(beta)``.

        A mixed ``alpha`` (one lottery over actions per type, every player drawing
        independently) enters through its expected gifts ``sum_a alpha_t(a)
        u_{t,t2}(a)``: by separability the expected utilities are linear in each
        type's lottery, so this is the condition of theorem 51 in the convexified
        game (definition 42 with ``A_t`` the convex hull of type ``t``'s gift
        vectors), where a lottery is an action.

        Parameters
        ----------
        alpha : array_like of int, shape (m,), or array_like, shape (m, K)
            The candidate anonymous profile: one action per type, or one lottery
            over actions per type.
        beta : array_like, shape (m,) or (m, K), optional
            The comparison profile; default :meth:`bayesian_nash_profile`.
        non_cooperator : float or array_like, shape (m, m), optional
            Equation (49): ``non_cooperator[t, t2] = p(D | t2, t, C)``, the belief of
            a *cooperator* of type ``t`` that another player of type ``t2`` is a
            non-cooperator (whose action does not depend on its own).  A scalar is
            the same belief for every pair.  The cooperator's type belief
            ``p(t2 | t, C)`` is taken to be :attr:`posterior`.

        Returns
        -------
        ndarray, shape (m,)

        References
        ----------
        .. [1] J. Treutlein, "Modeling evidential cooperation in large worlds", 2023,
           corollary 40, equation (41); section 4.6, equation (49).

        Examples
        --------
        >>> g = treutlein_example_35(n_players=10)
        >>> g.gains_from_trade([0, 0])
        array([3.5, 3.5])
        >>> g.gains_from_trade([0, 0], non_cooperator=0.5)
        array([1.25, 1.25])
        """
        a = self._pure_or_mixed(alpha, "alpha")
        b = self._pure_or_mixed(self.bayesian_nash_profile().profile if beta is None else beta, "beta")
        W = self._weights(non_cooperator)
        return (W * (self._received(a) - self._received(b)).T).sum(axis=1)

    def cooperation_is_dependency_equilibrium(self, alpha: Any, beta: Any = None, *,
                                              non_cooperator: Any = None) -> DependencyCheck:
        """Corollary 40: is ``alpha`` a dependency equilibrium by equation (41) (or (49))?

        The condition is **sufficient, not necessary** ("``alpha`` is a dependency
        equilibrium *if* ..."): ``alpha`` weakly Pareto-improves on the Bayesian
        Nash profile ``beta`` for every type, so a sequence of joint distributions
        in which a deviation reveals that the others play ``beta`` supports it
        (theorem 38).  Failing it does not prove that ``alpha`` is *not* a
        dependency equilibrium.  The per-type results tell for which types the
        condition holds; only :attr:`DependencyCheck.holds` (all types) is the
        corollary's conclusion.  Equality counts as holding (within a tolerance of
        ``1e-9`` times the size of the terms).

        Parameters
        ----------
        alpha, beta, non_cooperator
            As in :meth:`gains_from_trade`; with ``non_cooperator`` the test is
            equation (49) (section 4.6, cooperator and non-cooperator subtypes).

        Returns
        -------
        DependencyCheck
            ``bool(result)`` is whether the condition holds for every type.

        Examples
        --------
        >>> g = treutlein_example_35(n_players=2)
        >>> bool(g.cooperation_is_dependency_equilibrium([0, 0]))
        False
        >>> check = g.with_n_players(10).cooperation_is_dependency_equilibrium([0, 0])
        >>> check.holds, check.by_type, check.gains
        (True, array([ True,  True]), array([3.5, 3.5]))
        """
        a = self._pure_or_mixed(alpha, "alpha")
        b = self._pure_or_mixed(self.bayesian_nash_profile().profile if beta is None else beta, "beta")
        gains = self.gains_from_trade(a, b, non_cooperator=non_cooperator)
        tol = 1e-9 * self._scale * self._n
        by_type = gains >= -tol
        return DependencyCheck(self._pure_tuple(a), self._pure_tuple(b), frozen(gains),
                               _frozen_bool(by_type), bool(by_type.all()),
                               "(41)" if non_cooperator is None else "(49)", frozen(self._as_strategy(a)))

    # -- the compromise -----------------------------------------------------------
    def anonymous_pure_profiles(self) -> Iterator[tuple[int, ...]]:
        """All ``K ** m`` anonymous pure profiles, in lexicographic order (type 0 slowest).

        Examples
        --------
        >>> list(treutlein_example_35().anonymous_pure_profiles())
        [(0, 0), (0, 1), (1, 0), (1, 1)]
        """
        return itertools.product(range(self.n_actions), repeat=self.n_types)

    def _profile_count(self) -> int:
        return self.n_actions ** self.n_types

    def _all_expected_utilities(self) -> tuple[np.ndarray, np.ndarray]:
        """Every anonymous pure profile (lexicographic) and its ``EU``, both ``(K**m, m)``."""
        m, K = self.n_types, self.n_actions
        count = self._profile_count()
        if count > MAX_PROFILES:
            raise ValueError(
                f"game: {K} actions and {m} types give {K}**{m} = {count} anonymous pure profiles, "
                f"more than the {MAX_PROFILES} that are enumerated"
            )
        profiles = np.stack(np.unravel_index(np.arange(count), (K,) * m), axis=1).astype(np.intp)
        W = self._weights()
        EU = np.zeros((count, m))
        for t2 in range(m):
            # what type t2's action in each profile gives every type t, weighted by W[t, t2]
            EU += self._C[t2][:, profiles[:, t2]].T * W[:, t2]
        return profiles, EU

    def compromise_profile(self, weights: Any = None, beta: Any = None) -> CompromiseResult:
        """The weighted Nash bargaining compromise among anonymous pure profiles.

        Maximises ``prod_t (EU_t(alpha) - EU_t(beta)) ** nu_t`` over the anonymous
        pure profiles with ``EU(alpha) >= EU(beta)`` (definition 47 restricted to
        pure anonymous profiles; ``beta`` the Bayesian Nash profile).  Every type
        with ``nu_t > 0`` must gain strictly; types with ``nu_t = 0`` need only not
        lose.  Ties (within ``1e-12`` relative) go to the first profile in
        lexicographic order.  When no profile gives every positively weighted type
        a strict gain, the result is ``beta`` itself (``method="disagreement"``).

        By construction the result satisfies equation (41) for every type, so it is
        a dependency equilibrium (corollary 40; cf. proposition 53 for the NBS over
        mixed profiles).

        Parameters
        ----------
        weights : array_like, shape (m,), optional
            Non-negative Nash exponents with a positive sum (normalised to 1).
            Default: the prior, as Harsanyi and Selten (1972) derive.
        beta : array_like of int, shape (m,), optional
            Disagreement profile; default :meth:`bayesian_nash_profile`.

        Raises
        ------
        ValueError
            ``game: ...`` when there are more than :data:`MAX_PROFILES` profiles,
            ``weights: ...`` for bad weights.

        References
        ----------
        .. [1] J. Treutlein, "Modeling evidential cooperation in large worlds",
           2023, definition 47.
        .. [2] J. C. Harsanyi and R. Selten, "A generalized Nash solution for
           two-person bargaining games with incomplete information", 1972.

        Examples
        --------
        >>> r = treutlein_example_35(n_players=10).compromise_profile()
        >>> r.method, r.profile, r.expected_utility, r.disagreement_utility
        ('enumeration', (0, 0), array([20., 20.]), array([16.5, 16.5]))
        >>> treutlein_example_35(n_players=2).compromise_profile().method
        'disagreement'
        """
        nu = self._nash_weights(weights)
        b = self._profile(self.bayesian_nash_profile().profile if beta is None else beta, "beta")
        d = self.expected_utility(b)
        profiles, EU = self._all_expected_utilities()
        gains = EU - d
        tol = 1e-9 * self._scale * self._n
        pos = nu > 0
        ok = np.all(gains >= -tol, axis=1) & np.all(gains[:, pos] > tol, axis=1)
        beta_t = tuple(int(x) for x in b)
        if not ok.any():
            return CompromiseResult("disagreement", frozen(nu), beta_t, frozen(self._as_strategy(b)), frozen(d),
                                    beta_t, frozen(d), -math.inf, profiles.shape[0])
        idx = np.flatnonzero(ok)
        with np.errstate(divide="ignore"):
            obj = np.log(gains[idx][:, pos]) @ nu[pos]
        best = obj.max()
        k = idx[np.flatnonzero(obj >= best - 1e-12 * (1.0 + abs(best)))[0]]
        return CompromiseResult("enumeration", frozen(nu), tuple(int(x) for x in profiles[k]),
                                frozen(self._as_strategy(profiles[k])), frozen(EU[k]), beta_t, frozen(d),
                                float(obj[np.flatnonzero(idx == k)[0]]), profiles.shape[0])

    def _nash_weights(self, weights: Any) -> np.ndarray:
        """Non-negative exponents with a positive sum, normalised to 1; default the prior."""
        if weights is None:
            return self._prior.copy()
        return as_weights(weights, "weights", self.n_types)

    def _eu_width(self) -> float:
        """The largest range of any type's expected utility over all profiles."""
        C, W = self._C, self._weights()
        spread = C.max(axis=2) - C.min(axis=2)          # spread[t2, t] of what t2 can give t
        return float(np.max((W * spread.T).sum(axis=1)))

    def to_bargaining_game(self):
        """The ECL Bayesian bargaining game of the mixed extension (definition 42).

        Type ``t``'s action set ``A_t`` is the convex hull of its gift vectors
        ``(u_{t,t2}(a))_{t2}`` over its ``K`` actions (a
        :class:`~gamesim.bargaining.feasible.PolytopeSet` whose points are the
        actions, in order): a lottery over actions is an action of the bargaining
        game, and by additive separability its expected utilities (equation (52))
        are those of the mixed profile here.  Same posterior, prior, type names and
        number of players.  Cached.

        Raises
        ------
        ValueError
            ``n_players: ...`` for a one-player game (nothing to bargain over).

        Examples
        --------
        >>> bg = treutlein_example_35(10).to_bargaining_game()
        >>> bg.action_sets[0].points          # type 0's gifts (to type 0, to type 1) by action
        array([[2., 2.],
               [3., 0.]])
        >>> bg.expected_utility([[2, 2], [2, 2]])   # everyone cooperates
        array([20., 20.])
        """
        if self._n < 2:
            raise ValueError("n_players: a bargaining game needs at least 2 players")
        if self._bargaining is None:
            from ..bargaining.feasible import from_points
            from .ecl_bargaining import ECLBargainingGame

            sets = [from_points(self._C[t].T) for t in range(self.n_types)]
            self._bargaining = ECLBargainingGame(sets, self._P, self._n, prior=self._prior, types=self.types,
                                                 name=f"bargaining game of {self.name}")
        return self._bargaining

    def compromise(self, weights: Any = None, beta: Any = None, *, method: str = "nbs") -> CompromiseResult:
        """The prior-weighted Nash bargaining compromise: the bargaining oracle's solution.

        ``method="nbs"`` (default) asks the bargaining oracle
        (:func:`gamesim.bargaining.ecl_nash_bargaining`) for the weighted Nash
        bargaining solution of definition 47 over the mixed extension
        (:meth:`to_bargaining_game`), with the Bayesian Nash payoffs ``EU(beta)`` as
        disagreement point.  Its profile is a gift vector per type in the convex
        hull of the type's actions; each is written as a lottery over actions
        (:func:`~gamesim.bargaining.feasible.nearest_lottery`, a vertex of the
        lottery polytope, so few actions are mixed).  By proposition 53 the NBS is a
        dependency equilibrium of the bargaining game, and it satisfies equation
        (41) in expectation.  When no type can gain the result is ``beta`` itself
        (``method="disagreement"``).  When some type can gain but not all of them,
        the oracle holds the others at their disagreement utility (the convention
        before definition 57).

        ``method="pure"`` is :meth:`compromise_profile`: the best anonymous *pure*
        profile, by enumeration.  It is never better for the Nash product and often
        worse (it cannot split a type between actions).

        Parameters
        ----------
        weights : array_like, shape (m,), optional
            Non-negative Nash exponents with a positive sum (normalised to sum 1),
            default the prior (Harsanyi and Selten 1972).  A type with weight 0 is
            only kept from losing.
        beta : array_like of int, shape (m,), optional
            Disagreement profile; default :meth:`bayesian_nash_profile`.
        method : {"nbs", "pure"}

        Returns
        -------
        CompromiseResult

        Raises
        ------
        ValueError
            ``method: ...``, ``weights: ...``, ``beta: ...``.

        References
        ----------
        .. [1] J. Treutlein, "Modeling evidential cooperation in large worlds",
           2023, definitions 42 and 47, theorem 51, proposition 53.
        .. [2] J. F. Nash, "The bargaining problem", Econometrica 18, 1950.

        Examples
        --------
        >>> r = treutlein_example_35(n_players=10).compromise()
        >>> r.method, r.profile, r.expected_utility.round(9), r.disagreement_utility
        ('nbs', (0, 0), array([20., 20.]), array([16.5, 16.5]))
        >>> treutlein_example_35(n_players=2).compromise().method
        'disagreement'
        """
        if method == "pure":
            return self.compromise_profile(weights=weights, beta=beta)
        if method != "nbs":
            raise ValueError(f"method: expected 'nbs' or 'pure', got {method!r}")
        nu = self._nash_weights(weights)
        b = self._profile(self.bayesian_nash_profile().profile if beta is None else beta, "beta")
        d = self.expected_utility(b)
        beta_t = tuple(int(x) for x in b)
        disagree = CompromiseResult("disagreement", frozen(nu), beta_t, frozen(self._as_strategy(b)), frozen(d),
                                    beta_t, frozen(d), -math.inf, None)
        if self._n < 2:
            return disagree
        from ..bargaining.ecl import nash_bargaining

        outcome = nash_bargaining(self.to_bargaining_game(), weights=nu, disagreement=d)
        # The oracle is accurate to a small fraction of the payoff ranges (about 1e-7 of
        # them where d is on the frontier); a smaller gain is not a gain.
        tol = max(1e-9 * self._scale * self._n, 1e-7 * self._eu_width())
        if not np.any(outcome.gains[nu > 0] > tol):
            return disagree
        S = self._lotteries(np.asarray(outcome.profile))
        EU = self.expected_utility_mixed(S)
        gains = EU - d
        active = (gains > tol) & (nu > 0)
        with np.errstate(divide="ignore"):
            log_np = float(np.log(gains[active]) @ nu[active])
        pure = np.all(S.max(axis=1) == 1.0)
        profile = tuple(int(a) for a in S.argmax(axis=1)) if pure else None
        return CompromiseResult("nbs", frozen(nu), profile, frozen(S), frozen(EU), beta_t, frozen(d), log_np,
                                None, outcome)

    def _lotteries(self, alpha: np.ndarray) -> np.ndarray:
        """One lottery over actions per type whose expected gifts are ``alpha[t]``.

        Weights below ``1e-9`` are solver noise and are dropped, so a vertex of
        ``A_t`` becomes the pure action.
        """
        from ..bargaining.feasible import nearest_lottery

        m, K = self.n_types, self.n_actions
        S = np.zeros((m, K))
        for t in range(m):
            gifts = self._C[t].T                           # (K, m): action a's gifts to each type
            dist = np.abs(gifts - alpha[t]).max(axis=1)
            close = np.flatnonzero(dist <= 1e-9 * self._scale)
            if close.size:
                S[t, close[0]] = 1.0
                continue
            gap, lam = nearest_lottery(gifts, alpha[t])
            if gap > 1e-6 * self._scale:  # pragma: no cover - the oracle's profile lies in A_t
                raise RuntimeError(f"compromise: type {t}'s part {alpha[t]} is not a lottery over its actions")
            lam[lam < 1e-9] = 0.0
            S[t] = lam / lam.sum()
        return S

    # -- full Bayesian game arrays ---------------------------------------------------
    def bayesian_payoffs(self) -> tuple[np.ndarray, np.ndarray]:
        """The explicit Bayesian game (definition 20) for small games.

        Returns
        -------
        payoffs : ndarray, shape (n, m, ..., m, K, ..., K)
            ``payoffs[i, t_1, ..., t_n, a_1, ..., a_n] = sum_j u_{t_j, t_i}(a_j)``
            (definition 21).
        prior_joint : ndarray, shape (m, ..., m)
            The joint prior over type profiles: i.i.d. from :attr:`prior` when the
            game :attr:`is_independent`; otherwise (two players only)
            ``p(t, t2) = p(t) p(t2|t)``, which must be symmetric.

        Raises
        ------
        ValueError
            ``n_players: ...`` when the arrays would have more than
            :data:`MAX_BAYESIAN_ENTRIES` entries, or when a correlated posterior
            is asked for with more than two players; ``posterior: ...`` when
            ``p(t) p(t2|t)`` is not symmetric (no anonymous joint prior).

        Examples
        --------
        >>> U, p = treutlein_example_35().bayesian_payoffs()
        >>> U.shape, p.tolist()
        ((2, 2, 2, 2, 2), [[0.25, 0.25], [0.25, 0.25]])
        >>> U[:, 0, 1, 1, 1].tolist()    # types (1, 2) both play action 2
        [3.0, 3.0]
        """
        n, m, K = self._n, self.n_types, self.n_actions
        entries = n * (m * K) ** n
        if entries > MAX_BAYESIAN_ENTRIES:
            raise ValueError(f"n_players: the Bayesian payoff arrays would have {entries} entries "
                             f"(more than {MAX_BAYESIAN_ENTRIES})")
        if self._independent:
            joint = np.ones(())
            for _ in range(n):
                joint = np.multiply.outer(joint, self._prior)
        elif n == 1:
            joint = self._prior.copy()
        elif n == 2:
            joint = self._prior[:, None] * self._P
            if not np.allclose(joint, joint.T, rtol=0.0, atol=_PROB_TOL):
                raise ValueError("posterior: p(t) p(t2|t) is not symmetric, so no anonymous joint prior "
                                 "over two players has this posterior and prior")
            joint = (joint + joint.T) / 2
        else:
            raise ValueError(f"n_players: a correlated posterior determines the joint prior only for two "
                             f"players, got {n}")
        payoffs = np.zeros((n,) + (m,) * n + (K,) * n)
        own = self._own()
        for i in range(n):
            for j in range(n):
                shape = [1] * (2 * n)
                if i == j:
                    shape[i], shape[n + i] = m, K
                    payoffs[i] += own.reshape(shape)
                else:
                    # C[t_j, t_i, a_j] onto axes (j, i, n + j), in increasing axis order
                    axes = {j: 0, i: 1, n + j: 2}
                    order = sorted(axes)
                    arr = np.transpose(self._C, [axes[a] for a in order])
                    for a in order:
                        shape[a] = arr.shape[order.index(a)]
                    payoffs[i] += arr.reshape(shape)
        return payoffs, joint

    # -- sampling universes -----------------------------------------------------------
    def sample_types(self, n_players: int, n_universes: int, rng: np.random.Generator) -> np.ndarray:
        """Types of ``n_players`` players in each of ``n_universes`` draws, i.i.d. from :attr:`prior`.

        For a correlated posterior this draws from the prior marginal only (there is
        no unique exchangeable joint prior for ``n > 2`` players with a given pairwise
        conditional), so the sampled types are independent.

        Parameters
        ----------
        n_players, n_universes : int
        rng : numpy.random.Generator
            No global random state is used.

        Returns
        -------
        ndarray of intp, shape (n_universes, n_players)

        Examples
        --------
        >>> t = treutlein_example_35().sample_types(5, 3, np.random.default_rng(0))
        >>> t.shape, set(np.unique(t)) <= {0, 1}
        ((3, 5), True)
        """
        n = _check_int(n_players, "n_players")
        U = _check_int(n_universes, "n_universes")
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng: expected a numpy.random.Generator, got {type(rng).__name__}")
        cdf = np.cumsum(self._prior)
        cdf[-1] = np.inf            # guard against round-off
        return np.searchsorted(cdf, rng.random((U, n)), side="right").astype(np.intp)

    def realized_utilities(self, types: Any, actions: Any) -> np.ndarray:
        """Every player's utility in each sampled universe, in ``O(n)`` array operations.

        By additive separability (definition 21) a universe's utility for type ``t2``
        is ``S[t2] = sum_j u_{t_j, t2}(a_j) = sum_{t, a} count[t, a] u_{t,t2}(a)``,
        where ``count`` is the universe's number of players of each (type, action);
        player ``i`` gets ``S[t_i]``.  One ``bincount`` and one matrix product, no
        ``n x n`` arrays.

        Parameters
        ----------
        types, actions : array_like of int, shape (n_universes, n_players) or (n_players,)
            Each player's type and action (a 1-D pair is one universe).

        Returns
        -------
        ndarray of float, the shape of ``types``

        Examples
        --------
        >>> g = treutlein_example_35()
        >>> g.realized_utilities([[0, 1], [0, 0]], [[1, 1], [0, 1]])
        array([[3., 3.],
               [5., 5.]])
        """
        t = np.asarray(types)
        a = np.asarray(actions)
        one = t.ndim == 1
        if one:
            t, a = t[None, :], a[None, :]
        if t.ndim != 2:
            raise ValueError(f"types: expected shape (n_universes, n_players), got {np.shape(types)}")
        if a.shape != t.shape:
            raise ValueError(f"actions: shape {np.shape(actions)} does not match types' shape {np.shape(types)}")
        for arr, field, hi in ((t, "types", self.n_types), (a, "actions", self.n_actions)):
            if arr.dtype.kind not in "iu":
                raise ValueError(f"{field}: expected integer indices, got dtype {arr.dtype}")
            if arr.size and (arr.min() < 0 or arr.max() >= hi):
                raise ValueError(f"{field}: indices must lie in 0..{hi - 1}")
        U, n = t.shape
        m, K = self.n_types, self.n_actions
        if n == 0:
            out = np.zeros(t.shape)
            return out[0] if one else out
        codes = (np.arange(U, dtype=np.int64)[:, None] * (m * K)
                 + t.astype(np.int64, copy=False) * K + a.astype(np.int64, copy=False))
        counts = np.bincount(codes.ravel(), minlength=U * m * K).reshape(U, m * K)
        S = counts.astype(float) @ self._C.transpose(0, 2, 1).reshape(m * K, m)   # S[u, t2]
        out = np.take_along_axis(S, t.astype(np.intp, copy=False), axis=1)
        return out[0] if one else out

    # -- value semantics ----------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ECLBayesianGame):
            return NotImplemented
        return (self._n == other._n and self.actions == other.actions and self.types == other.types
                and np.array_equal(self._C, other._C) and np.array_equal(self._P, other._P)
                and np.array_equal(self._prior, other._prior))

    def __hash__(self) -> int:
        return hash((self._n, self.actions, self.types, self._C.shape, self._C.tobytes(),
                     self._P.tobytes(), self._prior.tobytes()))

    def __repr__(self) -> str:
        return (f"ECLBayesianGame(name={self.name!r}, n_players={self._n}, n_types={self.n_types}, "
                f"n_actions={self.n_actions})")


def _frozen_bool(a: np.ndarray) -> np.ndarray:
    out = np.array(a, dtype=bool)
    out.setflags(write=False)
    return out


def treutlein_example_35(n_players: int = 2) -> ECLBayesianGame:
    """Treutlein's Example 35 (Table 4): a Bayesian prisoner's dilemma.

    Two types with a uniform independent prior.  Action 1 (index 0, "cooperate")
    gives 2 to every player of either type; action 2 (index 1, "defect") gives 3 to
    players of the chooser's own type and 0 to the other type.  The unique Bayesian
    Nash profile is everyone defecting, with ``EU_t = 3 + (n - 1) * 1.5``; everyone
    cooperating gives ``2 + (n - 1) * 2``.  Equation (41) for cooperation reads
    ``-1 + (n - 1) * (0.5 * (2 - 3) + 0.5 * (2 - 0)) = (n - 3) / 2 >= 0``, so it
    holds from ``n = 3`` on (with equality at 3, strictly from 4).

    Parameters
    ----------
    n_players : int
        The number of universes; Treutlein uses 2 and "10".

    References
    ----------
    .. [1] J. Treutlein, "Modeling evidential cooperation in large worlds", 2023,
       Example 35 and Table 4.

    Examples
    --------
    >>> g = treutlein_example_35(3)
    >>> g.gains_from_trade([0, 0])
    array([0., 0.])
    """
    C = np.array([[[2.0, 3.0], [2.0, 0.0]],
                  [[2.0, 0.0], [2.0, 3.0]]])
    return ECLBayesianGame.independent(C, [0.5, 0.5], n_players, actions=("1", "2"), types=("1", "2"),
                                       name=f"Treutlein example 35 (n={n_players})")
