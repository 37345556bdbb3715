"""Transferable-utility values: Shapley value, CoCo value, Harsanyi's coalition algebra.

* :func:`shapley_value` -- the Shapley (1953) value of a TU game given as a
  function, a table or a bitmask-indexed array of coalition worths.
* :func:`coco_value` -- the cooperative-competitive (CoCo) value of a strategic
  game (Kalai & Kalai 2013) and its n-player generalisation, the Shapley value of
  the constant-sum game ``V(S) = (T + w(S)) / 2`` built from the zero-sum games
  "coalition ``S`` against its complement" (Kohlberg & Neyman 2021).
* :func:`harsanyi_dividends` and :func:`harsanyi_fallbacks` -- Harsanyi's (1963)
  dividends ``w_i^S`` and fallback (threat) payoffs ``t_i^S`` of a family of
  coalition payoff vectors ``u^S`` (Lemma 1 of the unifying CoCo-Harsanyi note).

Utility units.  TU values compare utilities across players: adding ``c`` to one
player's payoffs adds ``c`` to that player's value, and multiplying *every*
player's payoffs by ``s > 0`` multiplies the values by ``s``, but rescaling a
single player changes everyone's value.  Payoffs are taken in the units the game
gives them ("1 util of player i = 1 util of player j").

Coalitions are frozensets of 0-based player indices; as array indices they are
bitmasks ``sum(2**i for i in S)``.

References
----------
.. [Sh53] L. S. Shapley, "A value for n-person games", in *Contributions to the
   Theory of Games II*, Ann. Math. Stud. 28, 307-317, 1953.
.. [KK13] A. Kalai, E. Kalai, "Cooperation in strategic games revisited",
   Quarterly Journal of Economics 128(2), 917-966, 2013.
.. [KN21] E. Kohlberg, A. Neyman, "Cooperative strategic games", Theoretical
   Economics 16, 825-851, 2021.
.. [Ha63] J. C. Harsanyi, "A simplified bargaining model for the n-person
   cooperative game", International Economic Review 4(2), 194-220, 1963.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from gamesim.analysis.equilibria import _frozen
from gamesim.sim.games import NormalFormGame, as_game

from .zerosum import small_zero_sum_value

__all__ = ["shapley_value", "CoCoValue", "coco_value", "harsanyi_dividends", "harsanyi_fallbacks"]

_MAX_PLAYERS = 20


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
@functools.lru_cache(maxsize=32)
def _shapley_tables(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every player ``i``: the masks without ``i``, with ``i``, and their Shapley weights.

    Shapes ``(n, 2^(n-1))``; the weight of ``S`` (``i`` not in ``S``) is
    ``|S|! (n - |S| - 1)! / n! = 1 / (n C(n-1, |S|))``.
    """
    masks = np.arange(1 << n)
    size = ((masks[:, None] >> np.arange(n)) & 1).sum(axis=1)
    w = np.array([1.0 / (n * math.comb(n - 1, s)) for s in range(n)])
    without = np.stack([masks[(masks >> i & 1) == 0] for i in range(n)])
    out = (without, without | (1 << np.arange(n))[:, None], w[size[without]])
    for a in out:
        a.setflags(write=False)
    return out


def _check_n(n: Any, field: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{field}: expected a positive number of players, got {n!r}")
    if n > _MAX_PLAYERS:
        raise ValueError(f"{field}: at most {_MAX_PLAYERS} players (2^n coalitions), got {n}")
    return int(n)


def _coalition_mask(key: Any, field: str) -> int:
    """Bitmask of a coalition given as a frozenset / set / tuple / list of player indices."""
    if isinstance(key, (str, bytes)) or not hasattr(key, "__iter__"):
        raise ValueError(f"{field}: coalition {key!r} must be a frozenset or tuple of player indices")
    mask = 0
    members = list(key)
    for i in members:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or i < 0:
            raise ValueError(f"{field}: coalition {key!r} contains {i!r}, not a player index >= 0")
        if i >= _MAX_PLAYERS:
            raise ValueError(f"{field}: coalition {key!r} mentions player {i}; at most "
                             f"{_MAX_PLAYERS} players are supported")
        mask |= 1 << int(i)
    if len(set(int(i) for i in members)) != len(members):
        raise ValueError(f"{field}: coalition {key!r} lists a player twice")
    return mask


def _members(mask: int, n: int) -> frozenset:
    return frozenset(i for i in range(n) if mask >> i & 1)


def _shapley_from_array(v: np.ndarray, n: int) -> np.ndarray:
    without, with_i, weight = _shapley_tables(n)
    return np.sum(weight * (v[with_i] - v[without]), axis=1)


# ---------------------------------------------------------------------------
# Shapley value
# ---------------------------------------------------------------------------
def shapley_value(v: Any, n: int | None = None) -> np.ndarray:
    r"""Shapley value of a transferable-utility game.

    .. math:: \phi_i = \sum_{S \subseteq N \setminus \{i\}}
              \frac{|S|!\,(n - |S| - 1)!}{n!}\,\bigl(v(S \cup \{i\}) - v(S)\bigr),

    computed exactly from all ``2^n`` worths.

    Parameters
    ----------
    v : callable, mapping or array_like
        The characteristic function, with ``v(∅) = 0``:

        * a callable taking a ``frozenset`` of player indices ``0 .. n-1`` and
          returning its worth (``n`` required);
        * a mapping ``{coalition: worth}`` with coalitions as frozensets or tuples
          of player indices; every nonempty coalition of ``range(n)`` must be
          present (the empty one may be, with worth 0).  ``n`` defaults to one
          more than the largest player index;
        * an array of length ``2^n`` indexed by bitmask, ``v[sum(2**i for i in S)]``.
    n : int, optional
        Number of players (at most 20).

    Returns
    -------
    ndarray, shape (n,)

    Raises
    ------
    ValueError
        Naming ``v`` if the worths are inconsistent (missing or unknown
        coalitions, one coalition given twice with different worths, a length that
        is not a power of two, ``v(∅) != 0``, non-finite worths); naming ``n``
        if it is missing for a callable, invalid, or disagrees with ``v``.

    References
    ----------
    .. [1] L. S. Shapley, "A value for n-person games", in *Contributions to the
       Theory of Games II*, Ann. Math. Stud. 28, 307-317, 1953.

    Examples
    --------
    The glove game: player 0 owns a left glove, players 1 and 2 a right glove each;
    a pair is worth 1.

    >>> glove = lambda S: float(0 in S and len(S) >= 2)
    >>> (shapley_value(glove, 3) * 6).round(12)
    array([4., 1., 1.])
    >>> shapley_value({(0,): 1, (1,): 2, (0, 1): 5})
    array([2., 3.])
    >>> shapley_value([0, 1, 2, 5])          # the same game as a bitmask array
    array([2., 3.])
    """
    if isinstance(v, Mapping):
        vals, n = _worths_from_mapping(v, n)
    elif callable(v):
        if n is None:
            raise ValueError("n: the number of players is required when v is a function")
        n = _check_n(n)
        vals = np.empty(1 << n)
        for mask in range(1 << n):
            try:
                vals[mask] = float(v(_members(mask, n)))
            except (TypeError, ValueError) as exc:
                raise ValueError(f"v: worth of coalition {set(_members(mask, n)) or '{}'} "
                                 f"is not a number ({exc})") from None
    else:
        try:
            vals = np.array(v, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"v: expected a function, a mapping or an array of worths ({exc})") from None
        if vals.ndim != 1 or vals.size < 2 or vals.size & (vals.size - 1):
            raise ValueError(f"v: an array of worths must have length 2^n (n >= 1), got shape {vals.shape}")
        n_v = int(vals.size).bit_length() - 1
        if n is not None and _check_n(n) != n_v:
            raise ValueError(f"n: {n} players need 2^{n} = {1 << n} worths, v has {vals.size}")
        n = _check_n(n_v, "v")
    if not np.all(np.isfinite(vals)):
        raise ValueError("v: contains NaN or infinite worths")
    if abs(vals[0]) > 1e-12 * (1.0 + float(np.max(np.abs(vals)))):
        raise ValueError(f"v: the empty coalition must be worth 0, got {vals[0]}")
    vals[0] = 0.0
    return _shapley_from_array(vals, n) + 0.0


def _worths_from_mapping(v: Mapping, n: int | None) -> tuple[np.ndarray, int]:
    entries: dict[int, float] = {}
    for key, worth in v.items():
        mask = _coalition_mask(key, "v")
        try:
            w = float(worth)
        except (TypeError, ValueError):
            raise ValueError(f"v: worth of coalition {key!r} is not a number: {worth!r}") from None
        if mask in entries and entries[mask] != w:
            raise ValueError(f"v: coalition {key!r} is given twice with different worths "
                             f"({entries[mask]} and {w})")
        entries[mask] = w
    highest = max((m.bit_length() for m in entries), default=0)
    if n is None:
        if highest == 0:
            raise ValueError("v: no nonempty coalition given")
        n = _check_n(highest, "v")
    else:
        n = _check_n(n)
        if highest > n:
            raise ValueError(f"v: coalitions mention player {highest - 1}, but n = {n}")
    vals = np.zeros(1 << n)
    missing = [m for m in range(1, 1 << n) if m not in entries]
    if missing:
        shown = ", ".join(str(sorted(_members(m, n))) for m in missing[:4])
        raise ValueError(f"v: {len(missing)} nonempty coalition(s) have no worth, e.g. {shown}")
    for m, w in entries.items():
        vals[m] = w
    return vals, n


# ---------------------------------------------------------------------------
# CoCo value
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class CoCoValue:
    """The CoCo value of a strategic game and the data that certify it.

    Attributes
    ----------
    values : ndarray, shape (n,)
        The (Shapley-)CoCo value ``phi``; ``sum(values) == cooperative``.
    cooperative : float
        ``T = max_a sum_i u_i(a)``, the largest total payoff.
    competitive : ndarray, shape (n,)
        ``values - T / n``: what each player gains or loses from the threats.  For
        two players this is ``(val((A - B) / 2), -val((A - B) / 2))``.
    welfare_profile : tuple of int
        A pure profile reaching ``T`` (the first in C order).
    coalition_values : dict
        ``frozenset S -> w(S)``, the value of the zero-sum game
        ``sum_{i in S} u_i - sum_{j not in S} u_j`` in which ``S`` and its
        complement each correlate their actions; for every proper nonempty ``S``
        (``w(N \\ S) = -w(S)``).
    threats : dict
        ``frozenset S -> (rho_S, rho_comp)``: optimal joint strategies of ``S``
        and of its complement in that game, each an array shaped like the
        coalition's joint actions (players in increasing order).
    transfers : ndarray, shape (n,)
        ``values - u(welfare_profile)``: side payments that turn the welfare
        profile's payoffs into the value; they sum to 0 (positive = receives).
    method : str
    threat_point : ndarray, shape (2,), or None
        Two players: the payoffs ``(x^T A y, x^T B y)`` at the optimal threat pair
        ``(x, y)`` of the zero-sum game ``(A - B) / 2`` (one witness when optimal
        threats are not unique).  ``None`` for other numbers of players.
    """

    values: np.ndarray
    cooperative: float
    competitive: np.ndarray
    welfare_profile: tuple
    coalition_values: dict
    threats: dict
    transfers: np.ndarray
    method: str
    threat_point: np.ndarray | None = None


def _coalition_matrix(U: np.ndarray, S: list[int], comp: list[int]) -> np.ndarray:
    """Rows: S's joint actions; columns: the complement's; entries sum_S u - sum_comp u."""
    sign = np.full(U.shape[0], -1.0)
    sign[S] = 1.0
    shape = U.shape[1:]
    W = (sign @ U.reshape(U.shape[0], -1)).reshape(shape)
    W = np.transpose(W, S + comp)
    return W.reshape(int(np.prod([shape[i] for i in S])), -1)


def coco_value(game: NormalFormGame) -> CoCoValue:
    r"""CoCo value (Kalai & Kalai 2013) and its n-player (Shapley) generalisation.

    **Two players** (row ``A``, column ``B``)::

        coco = (max(A + B)/2 + val((A - B)/2),  max(A + B)/2 - val((A - B)/2)):

    the players play a welfare-maximising profile and the side payment is set by
    the zero-sum "competitive" game ``(A - B) / 2``, solved over mixed strategies.

    **n players.**  For every proper nonempty coalition ``S`` let ``w(S)`` be the
    value of the zero-sum game ``sum_{i in S} u_i - sum_{j not in S} u_j`` between
    ``S`` and its complement, each correlating its members' actions, and
    ``T = max_a sum_i u_i(a)``.  The value is the Shapley value of the
    constant-sum game ``V(S) = (T + w(S)) / 2``, ``V(N) = T``, ``V(∅) = 0``:

    .. math:: \phi_i = T/n + \sum_{S \ni i,\, S \neq N}
              \frac{(s-1)!\,(n-s)!}{n!}\, w(S).

    It is efficient (``w(N \ S) = -w(S)``), reduces to the two-player formula,
    and equals Kohlberg & Neyman's value of a strategic game.  It is **not** the
    Shapley value of ``w`` itself, which counts every threat twice (two players:
    ``T/2 + w`` instead of ``T/2 + w/2``).

    Cost: ``2^(n-1) - 1`` zero-sum games (``w`` of a complement is ``-w``), each
    with ``prod_{i in S} m_i`` rows and ``prod_{j not in S} m_j`` columns, solved
    by :func:`~gamesim.bargaining.zerosum.small_zero_sum_value` (an LP for big
    ones).  Practical up to about six players with small action sets.

    Units: TU values compare utilities across players (see the module notes).
    Covariant: adding ``c_i`` to player ``i``'s payoffs adds ``c_i`` to
    ``phi_i``; multiplying all payoffs by ``s > 0`` multiplies ``phi`` by ``s``.

    Threat sensitivity: the value rewards threats.  Giving player 1 an action that
    costs him nothing and costs player 2 ``c`` (large) raises player 1's value by
    ``c / 2`` even if that action is strictly dominated ("the $1000 curse is
    worth $500"); see :func:`gamesim.bargaining.disagreement.ce_fallback` for a
    threat-resistant alternative.

    Parameters
    ----------
    game : NormalFormGame

    Returns
    -------
    CoCoValue

    Raises
    ------
    ValueError
        If ``game`` is not a :class:`NormalFormGame` (the message names ``game``).

    References
    ----------
    .. [1] A. Kalai, E. Kalai, "Cooperation in strategic games revisited",
       Quarterly Journal of Economics 128(2), 917-966, 2013.
    .. [2] E. Kohlberg, A. Neyman, "Cooperative strategic games", Theoretical
       Economics 16, 825-851, 2021.
    .. [3] L. S. Shapley, "A value for n-person games", Ann. Math. Stud. 28, 1953.

    Examples
    --------
    Treutlein's Example 60: ``T = 8`` at ``(b1, a1)``, ``val((A - B)/2) = -2.5``;
    player 1 pays 2.5 to player 2.

    >>> from gamesim.sim.catalogue import treutlein_example_60
    >>> cc = coco_value(treutlein_example_60())
    >>> cc.values, cc.cooperative, cc.welfare_profile, cc.transfers
    (array([1.5, 6.5]), 8.0, (0, 0), array([-2.5,  2.5]))
    >>> cc.threat_point, cc.coalition_values[frozenset({0})]
    (array([-3.,  2.]), -5.0)
    """
    game = as_game(game)
    U = np.asarray(game.payoffs, dtype=float)
    n = game.n_players
    total = U.sum(axis=0)
    flat = int(np.argmax(total))
    profile = tuple(int(a) for a in np.unravel_index(flat, game.n_actions))
    T = float(total.ravel()[flat])
    coalition_values: dict = {}
    threats: dict = {}
    V = np.zeros(1 << n)
    V[-1] = T
    full = (1 << n) - 1
    for mask in range(1, full):
        if not mask & 1:  # solve only the coalitions containing player 0
            continue
        S = [i for i in range(n) if mask >> i & 1]
        comp = [j for j in range(n) if not mask >> j & 1]
        w, x, y = small_zero_sum_value(_coalition_matrix(U, S, comp))
        w += 0.0
        xs = _frozen(x.reshape([game.n_actions[i] for i in S]))
        ys = _frozen(y.reshape([game.n_actions[j] for j in comp]))
        coalition_values[frozenset(S)] = w
        coalition_values[frozenset(comp)] = -w + 0.0
        threats[frozenset(S)] = (xs, ys)
        threats[frozenset(comp)] = (ys, xs)
        V[mask] = 0.5 * (T + w)
        V[full ^ mask] = 0.5 * (T - w)
    values = _shapley_from_array(V, n) + 0.0 if n > 1 else np.array([T])
    threat_point = None
    if n == 2:
        x, y = threats[frozenset({0})]
        threat_point = _frozen(np.array([x @ U[0] @ y, x @ U[1] @ y]) + 0.0)
    method = ("two-player CoCo: max(A+B)/2 +- val((A-B)/2)" if n == 2 else
              "Shapley value of V(S) = (T + w(S))/2 over 2^(n-1)-1 coalition-vs-complement zero-sum games")
    return CoCoValue(
        values=_frozen(values),
        cooperative=T,
        competitive=_frozen(values - T / n + 0.0),
        welfare_profile=profile,
        coalition_values=coalition_values,
        threats=threats,
        transfers=_frozen(values - U[(slice(None),) + profile] + 0.0),
        method=method,
        threat_point=threat_point,
    )


# ---------------------------------------------------------------------------
# Harsanyi's coalition algebra
# ---------------------------------------------------------------------------
def _coalition_payoffs(u: Any) -> tuple[np.ndarray, int]:
    """``G[mask, i] = u_i^S`` for members ``i`` of ``S`` (0 elsewhere), and n."""
    if not isinstance(u, Mapping) or not u:
        raise ValueError("u: expected a non-empty mapping {coalition: payoff vector}")
    rows: dict[int, np.ndarray] = {}
    n = None
    for key, vec in u.items():
        mask = _coalition_mask(key, "u")
        if mask == 0:
            continue  # the empty coalition has no members: nothing to use
        try:
            arr = np.array(vec, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"u: payoffs of coalition {key!r} are not numbers") from None
        if arr.ndim != 1:
            raise ValueError(f"u: payoffs of coalition {key!r} must be a vector, got shape {arr.shape}")
        if n is None:
            n = arr.size
        elif arr.size != n:
            raise ValueError(f"u: payoff vectors have different lengths ({n} and {arr.size})")
        if mask in rows:
            raise ValueError(f"u: coalition {key!r} is given twice")
        rows[mask] = arr
    if n is None:
        raise ValueError("u: no nonempty coalition given")
    n = _check_n(n, "u")
    if max(rows).bit_length() > n:
        raise ValueError(f"u: a coalition mentions player {max(rows).bit_length() - 1}, "
                         f"but payoff vectors have length {n}")
    missing = [m for m in range(1, 1 << n) if m not in rows]
    if missing:
        shown = ", ".join(str(sorted(_members(m, n))) for m in missing[:4])
        raise ValueError(f"u: {len(missing)} nonempty coalition(s) missing, e.g. {shown}")
    G = np.zeros((1 << n, n))
    member = (np.arange(1 << n)[:, None] >> np.arange(n)) & 1 == 1
    for m, arr in rows.items():
        G[m] = arr
    G[~member] = 0.0
    if not np.all(np.isfinite(G)):
        raise ValueError("u: contains NaN or infinite payoffs")
    return G, n


def _as_dict(G: np.ndarray, n: int) -> dict:
    out = {}
    for m in range(1, 1 << n):
        out[_members(m, n)] = _frozen(G[m] + 0.0)
    return out


def _mobius(G: np.ndarray, n: int) -> np.ndarray:
    """``H[S] = sum_{T subset S} (-1)^{|S|-|T|} G[T]`` (fast Moebius transform)."""
    H = G.copy()
    masks = np.arange(1 << n)
    for b in range(n):
        has = (masks >> b & 1) == 1
        H[masks[has]] -= H[masks[has] ^ (1 << b)]
    return H


def harsanyi_dividends(u: Mapping) -> dict:
    r"""Harsanyi's dividends ``w_i^S`` of a family of coalition payoff vectors.

    .. math:: w_i^S = \sum_{T \subseteq S,\; i \in T} (-1)^{|S| - |T|}\, u_i^T,

    the inverse of ``u_i^S = sum_{R subseteq S, i in R} w_i^R`` (Lemma 1): the
    slice of player ``i``'s payoff that coalition ``S`` adds on top of its
    sub-coalitions.  Computed by a fast Moebius transform (``O(n 2^n)``).

    Parameters
    ----------
    u : mapping
        ``coalition -> payoff vector`` (length ``n``) for every nonempty
        coalition of ``range(n)`` (frozensets or tuples of player indices).
        ``u^S`` is typically the payoff vector when ``S`` and its complement play
        their optimal threats; only the members' entries ``u_i^S, i in S`` are used.

    Returns
    -------
    dict
        ``frozenset S -> ndarray (n,)`` with ``w_i^S`` for ``i in S`` and 0 for
        non-members.

    Raises
    ------
    ValueError
        Naming ``u`` on missing coalitions, duplicate keys or inconsistent lengths.

    References
    ----------
    .. [1] J. C. Harsanyi, "A simplified bargaining model for the n-person
       cooperative game", International Economic Review 4(2), 194-220, 1963.

    Examples
    --------
    >>> u = {(0,): [1, 0], (1,): [0, 2], (0, 1): [4, 5]}
    >>> w = harsanyi_dividends(u)
    >>> w[frozenset({0})], w[frozenset({0, 1})]
    (array([1., 0.]), array([3., 3.]))
    """
    G, n = _coalition_payoffs(u)
    H = _mobius(G, n)
    member = (np.arange(1 << n)[:, None] >> np.arange(n)) & 1 == 1
    H[~member] = 0.0
    return _as_dict(H, n)


def harsanyi_fallbacks(u: Mapping) -> dict:
    r"""Harsanyi's fallback (threat) payoffs ``t_i^S`` inside each coalition.

    .. math:: t_i^S = \sum_{R \subsetneq S,\; i \in R} (-1)^{|S| - |R| + 1}\, u_i^R,

    so that ``u_i^S - t_i^S = w_i^S`` (:func:`harsanyi_dividends`): the
    disagreement payoff of member ``i`` when ``S`` bargains internally.  For a
    pair ``{i, j}``, ``t_i = u_i^{{i}}`` ("I fight the rest of the world alone");
    for a singleton it is 0.

    Parameters
    ----------
    u : mapping
        ``coalition -> payoff vector``, as in :func:`harsanyi_dividends`.

    Returns
    -------
    dict
        ``frozenset S -> ndarray (n,)`` with ``t_i^S`` for ``i in S`` and 0 for
        non-members.

    Raises
    ------
    ValueError
        Naming ``u`` on missing coalitions, duplicate keys or inconsistent lengths.

    References
    ----------
    .. [1] J. C. Harsanyi, "A simplified bargaining model for the n-person
       cooperative game", International Economic Review 4(2), 194-220, 1963.

    Examples
    --------
    >>> u = {(0,): [1, 0], (1,): [0, 2], (0, 1): [4, 5]}
    >>> harsanyi_fallbacks(u)[frozenset({0, 1})]
    array([1., 2.])
    """
    G, n = _coalition_payoffs(u)
    H = G - _mobius(G, n)
    member = (np.arange(1 << n)[:, None] >> np.arange(n)) & 1 == 1
    H[~member] = 0.0
    return _as_dict(H, n)
