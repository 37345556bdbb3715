"""ECL Bayesian bargaining games (Treutlein 2023, section 5).

An ECL Bayesian bargaining game [T23]_ (definition 42) is an additively separable,
anonymous Bayesian game whose action sets are convex: a player of type ``t`` chooses
a point ``alpha_t`` of a compact convex set ``A_t`` in ``R^m`` (``m`` types), and
``alpha_t[t2]`` is the utility that this player produces for *every* player of type
``t2`` (itself included when ``t2 == t``).  One can think of ``A_t`` as the convex
hull of the utility vectors of a finite action set (mixed strategies), or as a
smooth frontier of diminishing returns (example 46: a quarter disc).

Strategies are anonymous: all players of a type take the same action, so a *pure
strategy profile* (definition 43) is an ``(m, m)`` array ``alpha`` whose row ``t``
is ``alpha_t``.  The expected utility of a type-``t`` player, after observing its own
type, is equation (52):

``EU_t(alpha) = alpha[t, t] + (n - 1) sum_t2 p(t2 | t) alpha[t2, t]``,

its own contribution to itself plus the expected contributions of the ``n - 1``
others.  With ``n_players=None`` (the "large ``n``" regime of section 5.5.2, used in
examples 54-56) the game uses the limit of ``EU_t / (n - 1)``:

``EU_t(alpha) = sum_t2 p(t2 | t) alpha[t2, t]``,

i.e. only the others' contributions count, each weighted by the posterior, and
utilities are measured per other player.  This is the normalisation under which
Treutlein's example 54 has ``F_t = {x >= 0 : (2 x_1)^2 + (2 x_2)^2 <= 1}`` for
``p(t | t) = 1/2`` from the unit quarter disc.

Both cases are ``EU = sum over rows of C * alpha`` for the *coefficient matrix*
``C[t, t2] = (n - 1) p(t | t2) + [t == t2]`` (``C[t, t2] = p(t | t2)`` for large
``n``): ``C[t, t2]`` is the weight of type ``t``'s contribution in type ``t2``'s
expected utility.  Type ``t``'s *individual feasible set* (definition 45) is the
image ``F_t = f^(t)(A_t)`` of its action set under the diagonal map
``f^(t)(y) = C[t] * y``, and the game's feasible set (definition 44) is the Minkowski
sum ``F = F_1 + ... + F_m`` of the individual sets.

This module holds the games (data) and the paper's examples; the solution concepts
(Bayesian Nash equilibrium, the Nash bargaining solution with prior weights, the
threat point, the dependency-equilibrium check of proposition 53) live in
:mod:`gamesim.bargaining.ecl`.

Types are numbered from 0 in the code (Treutlein numbers them from 1).

References
----------
.. [T23] J. Treutlein, "Modeling evidential cooperation in large worlds",
   arXiv:2307.04879, 2023: section 5 (definitions 42-45, equation (52), examples 46
   and 54-56; section 5.5.2 for the large-``n`` limit).
.. [HS72] J. C. Harsanyi and R. Selten, "A generalized Nash solution for two-person
   bargaining games with incomplete information", Management Science 18, 1972.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._arrays import as_vector, frozen

__all__ = [
    "ECLBargainingGame", "treutlein_example_46", "treutlein_example_54", "treutlein_example_55",
    "treutlein_example_56",
]

from .ecl import _posterior_and_prior  # noqa: E402  (one set of checks for both ECL games)
from .ecl import _names as _ecl_names  # noqa: E402


# ---------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------
def _names(value: Any, count: int) -> tuple[str, ...]:
    return _ecl_names(value, count, "types", "t")


# ---------------------------------------------------------------------------
# the game
# ---------------------------------------------------------------------------
class ECLBargainingGame:
    """An ECL Bayesian bargaining game (Treutlein 2023, definition 42).

    Parameters
    ----------
    action_sets : sequence of FeasibleSet
        ``m`` compact convex sets ``A_t`` in ``R^m``, one per type
        (:class:`~gamesim.bargaining.feasible.FeasibleSet`: polytopes, smooth sets,
        Minkowski sums).  A point ``y`` of ``A_t`` lists the utility ``y[t2]`` that a
        type-``t`` player produces for each player of type ``t2``.
    posterior : array_like, shape (m, m)
        ``posterior[t, t2] = p(t2 | t)``: a type-``t`` player's belief that another
        given player has type ``t2``.  Rows must be probability vectors (tolerance
        ``1e-9``; they are renormalised).
    n_players : int or None
        The number of players ``n >= 2``, or ``None`` for the large-``n`` limit, where
        expected utilities are ``lim EU_t / (n - 1) = sum_t2 p(t2|t) alpha[t2, t]``
        (see the module docstring).
    prior : array_like, shape (m,), optional
        The type marginal ``p(t)``: positive, summing to 1; the default bargaining
        weights (definition 47).  Default: the common row of the posterior when all
        rows agree (independent types), otherwise the posterior's unique stationary
        distribution ``pi = pi P`` -- the marginal of any anonymous prior is
        stationary for its pairwise conditional.  When that is not unique (a reducible
        posterior) or gives a type zero probability, ``prior`` must be passed.
    types : sequence of str, optional
        Type names; default ``("t0", "t1", ...)``.
    name : str, optional
        A label.

    Attributes
    ----------
    action_sets : tuple of FeasibleSet
    posterior, prior : ndarray
        Read-only.
    n_players : int or None
    n_types : int
    types : tuple of str
    name : str

    Raises
    ------
    ValueError
        Naming the field: ``action_sets`` (not feasible sets, wrong dimension, wrong
        count), ``posterior`` (shape, NaN, rows that are not probability vectors),
        ``prior`` (shape, not a positive probability vector, or no default),
        ``n_players`` (not an integer ``>= 2`` or None), ``types``.

    Notes
    -----
    A posterior and prior come from an anonymous prior over type vectors only if
    detailed balance ``p(t) p(t2|t) = p(t2) p(t|t2)`` holds (:attr:`is_anonymous`);
    as in :class:`~gamesim.sim.ecl.ECLBayesianGame` this is reported, not enforced.
    The disagreement point ``d`` of definition 42 is not part of the game here: it
    is an argument of the solution functions (default: the Bayesian Nash
    equilibrium, section 6.1).

    References
    ----------
    .. [1] J. Treutlein, "Modeling evidential cooperation in large worlds", 2023,
       definitions 42-45 and equation (52).

    Examples
    --------
    Example 46: three players, two uniformly and independently distributed types,
    both with the unit quarter disc as action set.

    >>> g = treutlein_example_46()
    >>> g.coefficients                       # f^(1)(y) = (2 y1, y2), f^(2)(y) = (y1, 2 y2)
    array([[2., 1.],
           [1., 2.]])
    >>> g.expected_utility([[1, 0], [0, 1]])  # each type serves only itself
    array([2., 2.])
    >>> round(g.feasible_set().support([1, 1])[0] ** 2, 12)  # F_1 + F_2 in direction (1, 1)
    20.0
    """

    def __init__(self, action_sets: Sequence[Any], posterior: Any, n_players: int | None, *,
                 prior: Any = None, types: Sequence[str] | None = None, name: str | None = None) -> None:
        from gamesim.bargaining.feasible import FeasibleSet

        try:
            sets = tuple(action_sets)
        except TypeError:
            raise ValueError("action_sets: expected a sequence of feasible sets") from None
        m = len(sets)
        if m < 1:
            raise ValueError("action_sets: need at least one type")
        for t, A in enumerate(sets):
            if not isinstance(A, FeasibleSet):
                raise ValueError(f"action_sets: item {t} is a {type(A).__name__}, not a FeasibleSet")
            if A.n_players != m:
                raise ValueError(f"action_sets: item {t} lives in R^{A.n_players}, expected R^{m} "
                                 f"(one coordinate per type)")
        P, pi = _posterior_and_prior(posterior, prior, m)
        if n_players is not None:
            if isinstance(n_players, bool) or not isinstance(n_players, (int, np.integer)):
                raise ValueError(f"n_players: expected an integer >= 2 or None (large n), got {n_players!r}")
            if n_players < 2:
                raise ValueError(f"n_players: must be at least 2 (or None for large n), got {n_players}")
            n_players = int(n_players)
        self.action_sets: tuple = sets
        self._P = frozen(P)
        self._prior = frozen(pi)
        self._n = n_players
        self.types = _names(types, m)
        n_label = "large n" if n_players is None else f"n={n_players}"
        self.name = name if name is not None else f"ECL Bayesian bargaining game ({m} types, {n_label})"
        C = P.T.copy() if n_players is None else (n_players - 1) * P.T + np.eye(m)
        self._C = frozen(C)
        self._cache: dict[Any, Any] = {}

    # -- accessors ------------------------------------------------------------------
    @property
    def posterior(self) -> np.ndarray:
        """Read-only ``posterior[t, t2] = p(t2 | t)``."""
        return self._P

    @property
    def prior(self) -> np.ndarray:
        """Read-only type marginal ``p(t)`` (the default bargaining weights)."""
        return self._prior

    @property
    def n_players(self) -> int | None:
        """The number of players, or None in the large-``n`` limit."""
        return self._n

    @property
    def large_n(self) -> bool:
        """Whether expected utilities are the large-``n`` limit ``EU_t / (n - 1)``."""
        return self._n is None

    @property
    def n_types(self) -> int:
        return len(self.action_sets)

    @property
    def coefficients(self) -> np.ndarray:
        """``C[t, t2]``: weight of type ``t``'s contribution in type ``t2``'s expected utility.

        ``C = (n - 1) P^T + I`` (equation (52)), or ``C = P^T`` for large ``n``, with
        ``P = posterior``.  Row ``t`` is the diagonal of the map ``f^(t)`` of
        definition 45.
        """
        return self._C

    @property
    def is_anonymous(self) -> bool:
        """Whether ``p(t) p(t2|t) = p(t2) p(t|t2)`` (a symmetric pair distribution)."""
        J = self._prior[:, None] * self._P
        return bool(np.allclose(J, J.T, rtol=0.0, atol=1e-9))

    def __repr__(self) -> str:
        return f"ECLBargainingGame({self.name!r})"

    # -- expected utilities --------------------------------------------------------
    def _type(self, t: Any) -> int:
        if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not 0 <= t < self.n_types:
            raise ValueError(f"t: expected a type index in 0..{self.n_types - 1}, got {t!r}")
        return int(t)

    def _profile(self, profile: Any, field: str = "profile") -> np.ndarray:
        m = self.n_types
        try:
            arr = np.array(profile, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{field}: must be an (m, m) array of numbers ({exc})") from None
        if arr.shape != (m, m):
            raise ValueError(f"{field}: expected shape ({m}, {m}) (row t = type t's action), got {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{field}: contains NaN or infinite entries")
        return arr

    def contributions(self, profile: Any) -> np.ndarray:
        """``f^(t)(alpha_t)`` for every type: row ``t`` is type ``t``'s point of ``F_t``.

        The rows sum to :meth:`expected_utility`.
        """
        return self._C * self._profile(profile)

    def expected_utility(self, profile: Any) -> np.ndarray:
        """Expected utilities of all types, equation (52) (large ``n``: divided by ``n - 1``).

        Parameters
        ----------
        profile : array_like, shape (m, m)
            Row ``t`` is type ``t``'s action ``alpha_t`` (membership in ``A_t`` is not
            checked; see :meth:`is_profile`).

        Returns
        -------
        ndarray, shape (m,)
            ``EU_t = alpha[t, t] + (n - 1) sum_t2 p(t2|t) alpha[t2, t]``, or
            ``sum_t2 p(t2|t) alpha[t2, t]`` for large ``n``.

        Examples
        --------
        >>> g = treutlein_example_55(0.75)
        >>> g.expected_utility([[1, 0], [0, 1]])     # the Bayesian Nash equilibrium
        array([0.75, 0.75])
        """
        return self.contributions(profile).sum(axis=0)

    def is_profile(self, profile: Any, tol: float = 1e-7) -> bool:
        """Whether every row ``alpha_t`` lies in ``A_t`` (up to ``tol``, relative)."""
        arr = self._profile(profile)
        return all(A.contains(arr[t], tol=tol) for t, A in enumerate(self.action_sets))

    # -- feasible sets --------------------------------------------------------------
    def individual_map(self, t: int) -> np.ndarray:
        """The matrix of ``f^(t)`` (definition 45): ``diag(C[t])``.

        Examples
        --------
        >>> treutlein_example_46().individual_map(0)
        array([[2., 0.],
               [0., 1.]])
        """
        return np.diag(self._C[self._type(t)])

    def individual_feasible_set(self, t: int):
        """``F_t = f^(t)(A_t)`` (definition 45), a :class:`~gamesim.bargaining.feasible.FeasibleSet`.

        A linear image (:func:`~gamesim.bargaining.feasible.linear_image`): polytopes
        stay polytopes, smooth sets become
        :class:`~gamesim.bargaining.feasible.LinearImageSet`.  Cached.

        Examples
        --------
        >>> F1 = treutlein_example_54(0.75).individual_feasible_set(0)  # (58): radius 3/4
        >>> F1.support([1, 0])
        (0.75, array([0.75, 0.  ]))
        """
        from gamesim.bargaining.feasible import linear_image

        t = self._type(t)
        key = ("F", t)
        if key not in self._cache:
            self._cache[key] = linear_image(self.action_sets[t], self.individual_map(t))
        return self._cache[key]

    def feasible_set(self):
        """``F(G) = F_1 + ... + F_m`` (definition 44): a Minkowski sum, cached.

        Its components are the individual feasible sets, in type order, so a
        bargaining solution's ``components`` are the types' contributions.
        """
        from gamesim.bargaining.feasible import minkowski_sum

        if "F" not in self._cache:
            self._cache["F"] = minkowski_sum(*(self.individual_feasible_set(t) for t in range(self.n_types)))
        return self._cache["F"]

    def action_for(self, t: int, contribution: Any, lottery: Any = None) -> np.ndarray:
        """An action ``alpha_t`` in ``A_t`` with ``f^(t)(alpha_t) = contribution``.

        When ``f^(t)`` is invertible this is ``contribution / C[t]``.  Otherwise the
        coordinates ``t2`` with ``C[t, t2] = 0`` (types that do not count type ``t``'s
        help, ``p(t | t2) = 0``) do not affect any expected utility; they are filled in
        so that ``alpha_t`` lies in ``A_t`` -- from ``lottery`` (a lottery over the
        points of a polytope ``A_t``) when given, otherwise by a feasibility program
        over ``A_t``.

        Raises
        ------
        ValueError
            ``contribution: ...`` when it is not in ``F_t`` (singular maps only).
        """
        t = self._type(t)
        m = self.n_types
        y = as_vector(contribution, "contribution", m)
        c = self._C[t]
        A = self.action_sets[t]
        if np.all(c > 0):
            return y / c
        from gamesim.bargaining.feasible import LinearImageSet, PolytopeSet

        if lottery is not None and isinstance(A, PolytopeSet):
            return A.points.T @ np.asarray(lottery, dtype=float)
        F_t = self.individual_feasible_set(t)
        if isinstance(F_t, LinearImageSet):
            return F_t.preimage(y)
        keep = c > 0
        D = np.diag(c)[keep]
        opt = A._lin_opt(c=np.zeros(m), G=np.vstack([D, -D]), h=np.concatenate([y[keep], -y[keep]]))
        if not opt.ok and opt.violation > 1e-7 * max(1.0, A._size()):
            raise ValueError(f"contribution: no action of type {t} produces {y}")
        return opt.x


# ---------------------------------------------------------------------------
# Treutlein's examples
# ---------------------------------------------------------------------------
def _quarter_disc():
    from gamesim.bargaining.feasible import quarter_disc

    return quarter_disc(1.0)


def _check_p(p: Any, field: str, low: float, high: float) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise ValueError(f"{field}: expected a number, got {p!r}")
    p = float(p)
    if not (math.isfinite(p) and low <= p <= high):
        raise ValueError(f"{field}: must lie in [{low}, {high}], got {p}")
    return p


def treutlein_example_46() -> ECLBargainingGame:
    """Example 46: ``n = 3``, two uniform independent types, ``A_1 = A_2`` = unit quarter disc.

    ``f^(1)(y) = (2 y1, y2)`` and ``f^(2)(y) = (y1, 2 y2)`` (equations (53)-(56)).

    Examples
    --------
    >>> g = treutlein_example_46()
    >>> g.n_players, g.prior, g.individual_map(1)
    (3, array([0.5, 0.5]), array([[1., 0.],
           [0., 2.]]))
    """
    A = _quarter_disc()
    return ECLBargainingGame([A, A], np.full((2, 2), 0.5), 3, types=("1", "2"),
                             name="Treutlein example 46")


def treutlein_example_54(p: float = 0.75) -> ECLBargainingGame:
    """Example 54: large ``n``, independent types with prior ``(p, 1 - p)``, unit quarter discs.

    Every player believes another is of type 1 with probability ``p`` (``p = 3/4`` in
    the paper; ``p = 1/2`` is its symmetric case).  Then
    ``F_1 = {x >= 0 : (x_1 / p)^2 + (x_2 / p)^2 <= 1}`` and ``F_2`` the same with
    ``1 - p`` (equations (58)-(59)); the Bayesian Nash equilibrium is ``(p, 1 - p)``.

    Examples
    --------
    >>> g = treutlein_example_54(0.75)
    >>> g.coefficients, g.prior
    (array([[0.75, 0.75],
           [0.25, 0.25]]), array([0.75, 0.25]))
    """
    p = _check_p(p, "p", 0.0, 1.0)
    if not 0.0 < p < 1.0:
        raise ValueError(f"p: must lie strictly between 0 and 1 (both types need positive prior), got {p}")
    A = _quarter_disc()
    return ECLBargainingGame([A, A], [[p, 1 - p], [p, 1 - p]], None, prior=[p, 1 - p], types=("1", "2"),
                             name=f"Treutlein example 54 (p={p:g})")


def treutlein_example_55(p: float = 0.75) -> ECLBargainingGame:
    """Example 55 ("double decrease"): large ``n``, ``p(t | t) = p``, unit quarter discs.

    Equal priors; ``F_1 = {x >= 0 : (x_1 / p)^2 + (x_2 / (1 - p))^2 <= 1}`` and ``F_2``
    mirrored.  ``p`` in ``[0, 1]`` (the paper plots ``[1/2, 1]``).

    Examples
    --------
    >>> treutlein_example_55(0.75).coefficients
    array([[0.75, 0.25],
           [0.25, 0.75]])
    """
    p = _check_p(p, "p", 0.0, 1.0)
    A = _quarter_disc()
    return ECLBargainingGame([A, A], [[p, 1 - p], [1 - p, p]], None, prior=[0.5, 0.5], types=("1", "2"),
                             name=f"Treutlein example 55 (p={p:g})")


def treutlein_example_56(p: float = 0.75, r: float = 100.0) -> ECLBargainingGame:
    """Example 56 ("Paretotopia"): large ``n``, ``p(t | t) = p``, logarithmic utilities.

    ``A_1 = A_2 = {y >= 0 : exp(y_1) + exp(y_2) <= r}`` (``r`` resources, utility
    ``log`` of the share, at least 1 unit per value), so that
    ``F_1 = {x >= 0 : exp(x_1 / p) + exp(x_2 / (1 - p)) <= r}`` (equation (60)) and
    ``F_2`` mirrored (61).  Needs ``0 <= p <= 1`` and ``r >= 2``.

    Examples
    --------
    >>> g = treutlein_example_56(0.75, 100.0)
    >>> F1 = g.individual_feasible_set(0)
    >>> bool(np.allclose(F1.support([1, 1])[1], [0.75 * np.log(75), 0.25 * np.log(25)]))
    True
    """
    p = _check_p(p, "p", 0.0, 1.0)
    if isinstance(r, bool) or not isinstance(r, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(r)) or float(r) < 2:
        raise ValueError(f"r: must be a finite number >= 2, got {r!r}")
    from gamesim.bargaining.feasible import exponential_set

    A = exponential_set([1.0, 1.0], float(r))
    return ECLBargainingGame([A, A], [[p, 1 - p], [1 - p, p]], None, prior=[0.5, 0.5], types=("1", "2"),
                             name=f"Treutlein example 56 (p={p:g}, r={float(r):g})")
