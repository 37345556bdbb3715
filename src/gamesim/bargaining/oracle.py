"""One bargaining oracle for every bargainer: ``Oracle(method=...).settle(game)``.

Bargaining agents never solve bargaining problems themselves (DESIGN principle 3):
they ask an :class:`Oracle` for a :class:`Settlement` -- the payoff point, the
correlated joint strategy that achieves it, the disagreement point with the
strategies that carry it out, and the virtual prices -- and play their part.
Settlements are cached per game, so a population of bargainers that share a game
pays for the computation once.

Methods
-------
``"nash"``
    Nash (1950) bargaining solution of the game's feasible set (correlated
    lotteries over outcomes) from a disagreement point.
``"kalai-smorodinsky"``
    The (lexicographic) Kalai-Smorodinsky solution from a disagreement point.
``"egalitarian"``
    Equal gains from the disagreement point (not scale invariant).
``"coco"``
    The CoCo value (Kalai & Kalai 2013; n players: Shapley value of
    ``V(S) = (T + w(S)) / 2``).  Transferable utility: the value may lie outside the
    feasible set, in which case the settlement's joint strategy is the lottery
    closest to it (max norm) and ``transfers`` records what money would have to
    move.  **Units matter**: the value compares utilities across players.
``"harsanyi"``
    Coalition-perfect Harsanyi (= CoCo) equilibrium: scale and shift invariant,
    reached without transfers; for two players Nash's (1953) threat solution.
``"ce-fallback"``
    The threat-resistant essay's proposal: fall back to a correlated equilibrium
    (selected by the Nash product over the correlated-equilibrium payoff set,
    relative to its worst point) and bargain from there (NBS, or an equal split
    of the surplus with ``transferable=True``).

Disagreement points for ``"nash"``, ``"kalai-smorodinsky"`` and ``"egalitarian"``:
``"nash"`` (a Nash equilibrium, default), ``"minmax"``, ``"threat"`` (Nash's
variable threats, two players), ``"ce"`` (the correlated-equilibrium fallback
point) or an explicit payoff vector.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..sim.games import NormalFormGame, as_game
from .._arrays import frozen as _frozen

__all__ = ["Settlement", "Oracle", "METHODS", "DISAGREEMENTS"]

METHODS = ("nash", "kalai-smorodinsky", "egalitarian", "coco", "harsanyi", "ce-fallback")
"""Bargaining methods the oracle knows."""

DISAGREEMENTS = ("nash", "minmax", "threat", "ce")
"""Named disagreement points (an explicit payoff vector is accepted too)."""

_ALIASES = {"ks": "kalai-smorodinsky", "kalai_smorodinsky": "kalai-smorodinsky",
            "ce_fallback": "ce-fallback", "cefallback": "ce-fallback", "nbs": "nash"}




@dataclass(frozen=True, eq=False)
class Settlement:
    """What a bargainer needs to play a bargained outcome.

    Attributes
    ----------
    method : str
        The oracle method that produced it.
    point : ndarray, shape (n,)
        The settlement payoffs (for ``"coco"`` the transferable-utility value).
    joint : ndarray, shape (m_1, ..., m_n)
        A correlated lottery over pure profiles to carry out, round by round, from
        a shared random signal.  Its expected payoffs are :attr:`achieved`; among
        the lotteries that pay that, it is the one with the least spread (a single
        outcome whenever one pays exactly :attr:`achieved`).
    achieved : ndarray, shape (n,)
        Expected payoffs of :attr:`joint` -- equal to :attr:`point` unless the
        settlement needs transfers the game lacks (``"coco"`` outside the feasible
        set).
    transfers : ndarray, shape (n,)
        ``point - achieved``: the side payments a transferable-utility value implies
        (zero for every non-transferable method).
    disagreement : ndarray, shape (n,)
        The disagreement (threat / fallback) payoffs.
    disagreement_strategies : tuple of ndarray or None
        Each player's mixed strategy when bargaining fails (threats, equilibrium
        strategies or punishments), where the fallback is not correlated.
    disagreement_joint : ndarray or None
        A correlated fallback (``"ce"`` / ``"ce-fallback"``): a distribution over
        pure profiles carried out from the shared signal.
    weights : ndarray, shape (n,) or None
        Virtual prices: the normal of the Pareto frontier at the settlement.
    feasible : bool
        Whether :attr:`point` is reachable without transfers.
    details : object
        The underlying result (e.g. a ``BargainingSolution``, ``CoCoValue``,
        ``HarsanyiEquilibrium`` or ``CEFallback``) with its certificate.
    parameters : dict
        Method and options used.
    """

    method: str
    point: np.ndarray
    joint: np.ndarray
    achieved: np.ndarray
    transfers: np.ndarray
    disagreement: np.ndarray
    disagreement_strategies: tuple | None
    disagreement_joint: np.ndarray | None
    weights: np.ndarray | None
    feasible: bool
    details: Any = field(repr=False)
    parameters: dict = field(default_factory=dict)


def _game_key(game: NormalFormGame) -> str:
    h = hashlib.sha1()
    h.update(repr(game.payoffs.shape).encode())
    h.update(np.ascontiguousarray(game.payoffs).tobytes())
    return h.hexdigest()


def _nearest_lottery(game: NormalFormGame, target: np.ndarray):
    """The lottery over pure profiles whose payoffs are closest to ``target`` (max norm)."""
    from .feasible import nearest_lottery

    points = game.payoffs.reshape(game.n_players, -1).T
    dist, lam = nearest_lottery(points, np.asarray(target, dtype=float))
    return dist, lam.reshape(game.n_actions)


def _weak_improvement(game: NormalFormGame, d: np.ndarray):
    """The lottery maximising total payoff over the outcomes weakly above ``d``."""
    from scipy.optimize import linprog

    n = game.n_players
    P = game.payoffs.reshape(n, -1)
    scale = 1.0 + float(np.max(np.abs(P)))
    m = P.shape[1]
    res = linprog(-P.sum(axis=0), A_ub=-P, b_ub=-(d - 1e-9 * scale), A_eq=np.ones((1, m)), b_eq=[1.0],
                  bounds=[(0, None)] * m, method="highs")
    if res.status != 0:
        raise ValueError(f"disagreement: no feasible payoff vector is at least {np.round(d, 9).tolist()} "
                         "for every player")
    lam = np.clip(res.x, 0.0, None)
    lam /= lam.sum()
    return P @ lam, lam.reshape(game.n_actions)


def _steadiest(game: NormalFormGame, settlement: Settlement) -> Settlement:
    """The settlement with its joint replaced by the steadiest lottery with the same payoffs.

    Any lottery whose expected payoffs are ``achieved`` carries the settlement out;
    played round by round, the one with the least spread -- smallest expected squared
    distance of the outcome's payoffs from ``achieved`` (one LP) -- makes a repeated
    game's averages converge fastest, and is a single outcome when one pays exactly
    ``achieved``.  The solvers' lotteries sit on vertices of faces and can mix far-apart
    outcomes.  Kept unchanged if the LP fails.
    """
    from scipy.optimize import linprog

    n = game.n_players
    U = game.payoffs.reshape(n, -1)
    x = np.asarray(settlement.achieved, dtype=float)
    scale = 1.0 + float(np.max(np.abs(U)))
    cost = (((U - x[:, None]) / scale) ** 2).sum(axis=0)
    m = U.shape[1]
    res = linprog(cost, A_eq=np.vstack([U / scale, np.ones((1, m))]), b_eq=np.append(x / scale, 1.0),
                  bounds=[(0, None)] * m, method="highs")
    if res.status != 0:
        return settlement
    lam = np.where(res.x > 1e-12, res.x, 0.0)
    lam /= lam.sum()
    old = np.asarray(settlement.joint, dtype=float).ravel()
    if cost @ lam >= cost @ old - 1e-15 or np.max(np.abs(U @ lam - x)) > 1e-9 * scale:
        return settlement
    import dataclasses

    return dataclasses.replace(settlement, joint=_frozen(lam.reshape(game.n_actions)))


def _expected(game: NormalFormGame, joint: np.ndarray) -> np.ndarray:
    return game.payoffs.reshape(game.n_players, -1) @ np.asarray(joint).ravel()


def _product(strategies) -> np.ndarray:
    joint = np.ones(())
    for s in strategies:
        joint = np.multiply.outer(joint, np.asarray(s, dtype=float))
    return joint


class Oracle:
    """Settles games by one bargaining method; results are cached per game.

    Parameters
    ----------
    method : str
        One of :data:`METHODS` (aliases ``"ks"``, ``"nbs"``, ``"ce_fallback"``).
    disagreement : str or array_like, optional
        For ``"nash"``, ``"kalai-smorodinsky"`` and ``"egalitarian"``: one of
        :data:`DISAGREEMENTS` or a payoff vector (default ``"nash"``).  Ignored by
        the other methods, which derive their own.
    weights : array_like, optional
        Bargaining weights of the asymmetric NBS (``"nash"`` only).
    transferable : bool
        ``"ce-fallback"`` only: split the surplus over the CE point equally in
        payoff units (transferable utility) instead of by the NBS.
    cache_size : int
        How many games' settlements to keep (least recently used are dropped).

    Raises
    ------
    ValueError
        Unknown method or disagreement point, or options the method does not take.

    Examples
    --------
    >>> from gamesim.sim.catalogue import treutlein_example_60
    >>> g = treutlein_example_60()
    >>> Oracle("coco").settle(g).point
    array([1.5, 6.5])
    >>> s = Oracle("harsanyi").settle(g)
    >>> s.point.round(9), s.disagreement.round(9)
    (array([2.5 , 4.75]), array([-3.,  2.]))
    >>> Oracle("ce-fallback").settle(g).point.round(9)
    array([4., 4.])
    """

    def __init__(self, method: str = "nash", *, disagreement: Any = "nash", weights: Any = None,
                 transferable: bool = False, cache_size: int = 256) -> None:
        key = str(method).lower().strip()
        key = _ALIASES.get(key, key)
        if key not in METHODS:
            raise ValueError(f"method: expected one of {', '.join(METHODS)}, got {method!r}")
        self.method = key
        if isinstance(disagreement, str):
            if disagreement not in DISAGREEMENTS:
                raise ValueError(f"disagreement: expected one of {', '.join(DISAGREEMENTS)} "
                                 f"or a payoff vector, got {disagreement!r}")
            self.disagreement = disagreement
        else:
            try:
                d = np.array(disagreement, dtype=float)
            except (TypeError, ValueError):
                raise ValueError(f"disagreement: expected a name or a payoff vector, got {disagreement!r}") from None
            if d.ndim != 1 or not np.all(np.isfinite(d)):
                raise ValueError(f"disagreement: a payoff vector must be 1-D and finite, got {disagreement!r}")
            self.disagreement = _frozen(d)
        if weights is not None and key != "nash":
            raise ValueError(f"weights: only the 'nash' method takes bargaining weights, not {key!r}")
        if weights is not None:
            try:
                w = np.array(weights, dtype=float)
            except (TypeError, ValueError):
                raise ValueError(f"weights: expected positive numbers, got {weights!r}") from None
            if w.ndim != 1 or not np.all(np.isfinite(w)) or np.any(w <= 0):
                raise ValueError(f"weights: expected a 1-D vector of positive numbers, got {weights!r}")
        self.weights = None if weights is None else _frozen(weights)
        if transferable and key != "ce-fallback":
            raise ValueError(f"transferable: only the 'ce-fallback' method takes it, not {key!r}")
        self.transferable = bool(transferable)
        if isinstance(cache_size, bool) or not isinstance(cache_size, (int, np.integer)) or cache_size < 1:
            raise ValueError(f"cache_size: must be a positive integer, got {cache_size!r}")
        self.cache_size = int(cache_size)
        self._cache: OrderedDict[str, Settlement] = OrderedDict()

    def __repr__(self) -> str:
        d = self.disagreement if isinstance(self.disagreement, str) else list(self.disagreement)
        return f"Oracle(method={self.method!r}, disagreement={d!r})"

    def settle(self, game: NormalFormGame) -> Settlement:
        """The settlement of ``game`` (computed once per game, then cached)."""
        game = as_game(game)
        key = _game_key(game)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        settlement = _steadiest(game, self._compute(game))
        self._cache[key] = settlement
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return settlement

    # -- methods ------------------------------------------------------------------
    def _compute(self, game: NormalFormGame) -> Settlement:
        if self.method == "coco":
            return self._coco(game)
        if self.method == "harsanyi":
            return self._harsanyi(game)
        if self.method == "ce-fallback":
            return self._ce_fallback(game)
        return self._solution(game)

    def _params(self, **extra) -> dict:
        d = self.disagreement if isinstance(self.disagreement, str) else self.disagreement.tolist()
        out = {"method": self.method, "disagreement": d}
        out.update(extra)
        return out

    def _disagreement(self, game: NormalFormGame):
        """(point, per-player strategies or None, correlated joint or None, details)."""
        from . import disagreement as dis

        n = game.n_players
        if not isinstance(self.disagreement, str):
            if self.disagreement.shape != (n,):
                raise ValueError(f"disagreement: expected {n} payoffs for this game, got {self.disagreement.shape[0]}")
            return np.array(self.disagreement), None, None, None
        if self.disagreement == "nash":
            dp = dis.nash_point(game)
            return np.asarray(dp.point), dp.strategies, None, dp
        if self.disagreement == "minmax":
            dp = dis.minmax_point(game)
            return np.asarray(dp.point), dp.strategies, dp.joint, dp
        if self.disagreement == "threat":
            ts = dis.threat_point(game)
            return np.asarray(ts.disagreement), tuple(ts.threats), None, ts
        fb = dis.ce_fallback(game)
        return np.asarray(fb.point), None, np.asarray(fb.joint), fb

    def _solution(self, game: NormalFormGame) -> Settlement:
        from . import solutions

        d, strategies, djoint, ddetails = self._disagreement(game)
        try:
            if self.method == "nash":
                sol = solutions.nash_solution(game, d, weights=self.weights)
            elif self.method == "kalai-smorodinsky":
                sol = solutions.kalai_smorodinsky(game, d)
            else:
                sol = solutions.egalitarian(game, d)
        except ValueError as exc:
            if "strictly improves" not in str(exc) and "improve" not in str(exc):
                raise
            # No feasible point improves on d for every player.  Settle on the
            # feasible point that gives the players who can still gain the most
            # total without anyone falling below d (d itself when d is feasible
            # and nobody can gain); a d that no feasible point dominates is an error.
            point, joint = _weak_improvement(game, d)
            scale = 1.0 + float(np.max(np.abs(game.payoffs)))
            if np.all(np.abs(point - d) <= 1e-7 * scale):
                # nobody can gain: the disagreement outcome itself, played as such
                if djoint is not None:
                    point, joint = d, djoint
                elif strategies is not None:
                    point, joint = d, _product(strategies)
            achieved = _expected(game, joint)
            return Settlement(self.method, _frozen(point), _frozen(joint), _frozen(achieved),
                              _frozen(point - achieved), _frozen(d),
                              None if strategies is None else tuple(_frozen(s) for s in strategies),
                              _frozen(djoint), None, True, ddetails,
                              self._params(note="no point strictly improves on d"))
        joint = np.asarray(sol.joint)
        achieved = _expected(game, joint)
        return Settlement(self.method, _frozen(sol.point), _frozen(joint), _frozen(achieved),
                          _frozen(np.asarray(sol.point) - achieved), _frozen(d),
                          None if strategies is None else tuple(_frozen(s) for s in strategies),
                          _frozen(djoint), _frozen(sol.weights), True, sol,
                          self._params(bargaining_weights=None if self.weights is None else self.weights.tolist()))

    def _coco(self, game: NormalFormGame) -> Settlement:
        from .values import coco_value

        cv = coco_value(game)
        point = np.asarray(cv.values, dtype=float)
        # Kalai & Kalai: play welfare-maximising profiles and transfer, so the side
        # payments balance.  Among lotteries over those profiles take the one
        # closest to the value (max norm): it reaches the value exactly, with no
        # transfers, whenever any lottery can (`feasible`).
        from .feasible import nearest_lottery

        n = game.n_players
        P = game.payoffs.reshape(n, -1).T
        scale = 1.0 + float(np.max(np.abs(P)))
        welfare = P.sum(axis=1)
        best = welfare >= welfare.max() - 1e-12 * scale
        dist, lam = nearest_lottery(P[best], point)
        flat = np.zeros(len(P))
        flat[best] = lam
        joint = flat.reshape(game.n_actions)
        achieved = _expected(game, joint)
        feasible = dist <= 1e-9 * scale
        n = game.n_players
        # Each player's threat: its own part of the coalition {i}'s optimal strategy.
        threats = tuple(_frozen(np.asarray(cv.threats[frozenset([i])][0]).ravel()) for i in range(n))
        d = np.asarray(cv.threat_point, dtype=float) if getattr(cv, "threat_point", None) is not None \
            else _expected(game, _product(threats))
        return Settlement("coco", _frozen(point), _frozen(joint), _frozen(achieved),
                          _frozen(point - achieved), _frozen(d), threats, None,
                          _frozen(np.full(n, 1.0 / n)), bool(feasible), cv,
                          self._params(disagreement="threats of the competitive game"))

    def _harsanyi(self, game: NormalFormGame) -> Settlement:
        from .harsanyi import harsanyi_equilibrium

        eq = harsanyi_equilibrium(game)
        n = game.n_players
        singles = [frozenset([i]) for i in range(n)]
        threats = tuple(_frozen(np.asarray(eq.coalition_strategies[s][0]).ravel()) for s in singles)
        if n == 2:
            d = np.asarray(eq.conflict_payoffs[singles[0]], dtype=float)
        else:
            d = np.array([eq.conflict_payoffs[s][i] for i, s in enumerate(singles)])
        achieved = _expected(game, eq.joint)
        return Settlement("harsanyi", _frozen(eq.payoffs), _frozen(eq.joint), _frozen(achieved),
                          _frozen(np.asarray(eq.payoffs) - achieved), _frozen(d), threats, None,
                          _frozen(eq.weights), bool(eq.converged), eq,
                          self._params(disagreement="coalition threats"))

    def _ce_fallback(self, game: NormalFormGame) -> Settlement:
        from .disagreement import ce_fallback

        fb = ce_fallback(game)
        d = np.asarray(fb.point, dtype=float)
        if self.transferable:
            point = np.asarray(fb.tu_value, dtype=float)
            dist, joint = _nearest_lottery(game, point)
            scale = 1.0 + float(np.max(np.abs(game.payoffs)))
            feasible = dist <= 1e-9 * scale
            weights = np.full(game.n_players, 1.0 / game.n_players)
        else:
            point = np.asarray(fb.ntu_point, dtype=float)
            joint = np.asarray(fb.ntu_joint, dtype=float)
            feasible = True
            weights = getattr(fb, "ntu_weights", None)
        achieved = _expected(game, joint)
        return Settlement("ce-fallback", _frozen(point), _frozen(joint), _frozen(achieved),
                          _frozen(point - achieved), _frozen(d), None, _frozen(fb.joint),
                          _frozen(weights), bool(feasible), fb,
                          self._params(disagreement="correlated equilibrium", transferable=self.transferable))
