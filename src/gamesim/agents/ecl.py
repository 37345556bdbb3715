"""Policies for ECL Bayesian games, superrational play, and the ECL simulation.

An *ECL policy* tells a player what to do given its type in an
:class:`~gamesim.sim.ecl.ECLBayesianGame`.  The policies here depend on the type
only, so each reduces to a table: one lottery over actions per type
(:meth:`ECLPolicy.strategy_table`; one action per type, :meth:`ECLPolicy.table`,
when no type mixes), and :meth:`ECLPolicy.actions` is one fancy-indexing call over
any array of types, plus one seeded uniform draw per player of a mixing type -- a
million players cost one gather.  They are *not* repeated-game
:class:`~gamesim.sim.protocol.Strategy` objects; :func:`simulate_ecl` plays them in
sampled universes.

* :class:`ECLCooperator` -- Treutlein's ECL reasoner: plays its part of the
  bargaining oracle's compromise (the prior-weighted Nash bargaining solution over
  the game's mixed extension) when equation (41) (or (49), given its belief about
  how many others are cooperators) says the compromise is a dependency equilibrium
  for its type, else its Bayesian Nash action.
* :class:`CausalDecisionTheorist` -- the Bayesian Nash action (proposition 36).
* :class:`Superrational` -- Hofstadter's superrational player for symmetric
  normal-form games; also a repeated-game ``Strategy`` (it always plays the same
  action), so it can join :class:`~gamesim.sim.environment.Environment` tournaments.

References
----------
.. [T23] J. Treutlein, "Modeling evidential cooperation in large worlds",
   arXiv:2307.04879, 2023: proposition 36, corollary 40 / equation (41), section 4.6 /
   equation (49), definition 47.
.. [H83] D. R. Hofstadter, "Dilemmas for superrational thinkers, leading up to a
   luring lottery", Scientific American 248(6), June 1983 (reprinted in *Metamagical
   Themas*, 1985, ch. 30).
.. [H67] J. C. Harsanyi, "Games with incomplete information played by 'Bayesian'
   players", Management Science 14, 1967-68.
"""

from __future__ import annotations

import abc
import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from .._arrays import as_number
from .._seeding import child_rng, seed_root
from ..sim.ecl import CompromiseResult, DependencyCheck, ECLBayesianGame
from ..sim.games import NormalFormGame, as_game
from ..sim.protocol import Conventions, Runner, Strategy, describe_params

__all__ = [
    "ECLPolicy", "ECLCooperator", "ECLPlan", "CausalDecisionTheorist", "Superrational",
    "ECLSimulationResult", "simulate_ecl", "sample_actions",
]


def _check_game(game: Any) -> ECLBayesianGame:
    if not isinstance(game, ECLBayesianGame):
        raise ValueError(f"game: expected an ECLBayesianGame, got {type(game).__name__}")
    return game


def _readonly(a: Any, dtype: Any = float) -> np.ndarray:
    out = np.array(a, dtype=dtype)
    out.setflags(write=False)
    return out


# ---------------------------------------------------------------------------
# ECL policies
# ---------------------------------------------------------------------------
class ECLPolicy(abc.ABC):
    """Base of the ECL policies: a lottery over actions for each type.

    Subclasses are frozen dataclasses (hashable parameters).  A deterministic
    policy defines :meth:`table` (one action per type); one that may randomise
    overrides :meth:`strategy_table` as well.  :meth:`actions` looks the table up
    for any array of types, drawing from a seeded generator where a type mixes.
    """

    #: Policies see only their own type, no history.
    memory_depth: ClassVar[float] = 0
    #: Whether the policy may draw random numbers.
    stochastic: ClassVar[bool] = False

    @property
    def name(self) -> str:
        """Display name: the class name plus any non-default parameters."""
        return describe_params(self)

    @abc.abstractmethod
    def table(self, game: ECLBayesianGame) -> np.ndarray:
        """``table[t]``: the action a player of type ``t`` takes, shape ``(m,)`` (read-only).

        Policies that mix in ``game`` raise ``ValueError`` here; see :meth:`strategy_table`.
        """

    def strategy_table(self, game: ECLBayesianGame) -> np.ndarray:
        """``strategy_table[t]``: type ``t``'s lottery over actions, shape ``(m, K)`` (read-only)."""
        return _one_hot(self.table(game), _check_game(game).n_actions)

    def actions(self, game: ECLBayesianGame, types: Any, rng: np.random.Generator | None = None) -> np.ndarray:
        """Actions of players with the given types (any shape), by one table lookup.

        Types whose lottery is mixed draw their actions independently from ``rng``.

        Raises
        ------
        ValueError
            ``types: ...`` for non-integer or out-of-range types; ``rng: ...`` when
            some type mixes and no ``numpy.random.Generator`` is given.
        """
        game = _check_game(game)
        t = np.asarray(types)
        if t.dtype.kind not in "iu":
            raise ValueError(f"types: expected integer type indices, got dtype {t.dtype}")
        if t.size and (t.min() < 0 or t.max() >= game.n_types):
            raise ValueError(f"types: indices must lie in 0..{game.n_types - 1}")
        return sample_actions(self.strategy_table(game), t, rng)


def _one_hot(table: np.ndarray, K: int) -> np.ndarray:
    return _readonly(np.eye(K)[np.asarray(table, np.intp)])


def _pure_table(strategy: np.ndarray) -> np.ndarray | None:
    """The action per row when every row is one-hot, else None."""
    if np.all(strategy.max(axis=1) == 1.0):
        return _readonly(strategy.argmax(axis=1), np.intp)
    return None


def sample_actions(strategies: np.ndarray, rows: Any, rng: np.random.Generator | None) -> np.ndarray:
    """Draw one action per entry of ``rows`` from the lotteries ``strategies[rows]``.

    Rows that are one-hot are looked up; an entry with a mixed row takes the
    number of the row's partial sums at or below its uniform draw -- a loop over
    the ``K - 1`` partial sums, not over players.

    Parameters
    ----------
    strategies : ndarray, shape (R, K)
        Probability rows.
    rows : ndarray of int, any shape
        Which row each player uses.
    rng : numpy.random.Generator or None
        Needed only when some used row is mixed; then one uniform number is drawn
        per entry of ``rows`` (in C order), and only the mixing entries use theirs.

    Returns
    -------
    ndarray of intp, the shape of ``rows``

    Raises
    ------
    ValueError
        ``strategies: ...`` when a row is not a probability vector; ``rows: ...`` for
        non-integer or out-of-range indices; ``rng: ...`` when a mixed row is used
        and ``rng`` is not a Generator.

    Examples
    --------
    >>> S = np.array([[0.0, 1.0], [0.25, 0.75]])
    >>> sample_actions(S, np.array([0, 0]), None)
    array([1, 1])
    >>> a = sample_actions(S, np.ones(100_000, np.intp), np.random.default_rng(0))
    >>> round(float((a == 0).mean()), 2)
    0.25
    """
    S = _check_strategies(strategies)
    idx = np.asarray(rows)
    if idx.dtype.kind not in "iu":
        raise ValueError(f"rows: expected integer row indices, got dtype {idx.dtype}")
    if idx.size and (idx.min() < 0 or idx.max() >= S.shape[0]):
        raise ValueError(f"rows: indices must lie in 0..{S.shape[0] - 1}")
    idx = idx.astype(np.intp, copy=False)
    mixed = S.max(axis=1) < 1.0
    acts = S.argmax(axis=1)[idx]
    if not mixed.any() or idx.size == 0:
        return acts
    used = mixed[idx].ravel()
    if not used.any():
        return acts
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng: some type plays a mixed strategy here; pass a numpy.random.Generator")
    # One draw per player, mixing or not: a player's number does not depend on who else
    # mixes, so runs that differ only in the policies use common random numbers.
    u = rng.random(idx.size)
    where = np.flatnonzero(used)
    which = idx.reshape(-1)[where]
    u = u[where]
    cdf = np.cumsum(S, axis=1)
    # Past the last action with positive probability nothing may be drawn, whatever
    # the rounding of the partial sums.
    rest = np.cumsum(S[:, ::-1], axis=1)[:, ::-1]
    cdf[:, :-1][rest[:, 1:] <= 0] = np.inf
    drawn = np.zeros(where.size, np.intp)
    for k in range(S.shape[1] - 1):      # a loop over actions, not players
        drawn += u >= cdf[which, k]
    acts.reshape(-1)[where] = drawn
    return acts


def _check_strategies(strategies: Any) -> np.ndarray:
    """Rows that are probability vectors (within 1e-9), as a float array."""
    try:
        S = np.asarray(strategies, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("strategies: expected an (R, K) array of probabilities") from None
    if S.ndim != 2 or S.shape[0] < 1 or S.shape[1] < 1:
        raise ValueError(f"strategies: expected an (R, K) array of probabilities with R, K >= 1, got shape {S.shape}")
    if not np.all(np.isfinite(S)) or np.any(S < -1e-9) or np.any(np.abs(S.sum(axis=1) - 1.0) > 1e-9):
        raise ValueError("strategies: every row must be a probability vector (non-negative, summing to 1)")
    return S


@dataclass(frozen=True, eq=False)
class ECLPlan:
    """What an :class:`ECLCooperator` decides in one game.

    Attributes
    ----------
    compromise : CompromiseResult
        The oracle's compromise (:meth:`~gamesim.sim.ecl.ECLBayesianGame.compromise`).
    check : DependencyCheck
        Equation (41) (or (49)) for the profile played, per type.
    bayesian_nash : tuple of int
        The Bayesian Nash profile (proposition 36).
    cooperating : ndarray of bool, shape (m,)
        The types that play their part of the compromise.
    strategy : ndarray, shape (m, K)
        The compromise lottery for cooperating types, the Bayesian Nash action for
        the others.
    table : ndarray of intp, shape (m,), or None
        The action per type when :attr:`strategy` is pure, else None.
    """

    compromise: CompromiseResult
    check: DependencyCheck
    bayesian_nash: tuple
    cooperating: np.ndarray = field(repr=False)
    strategy: np.ndarray = field(repr=False)
    table: np.ndarray | None = field(repr=False)


@dataclass(frozen=True)
class ECLCooperator(ECLPolicy):
    """The ECL reasoner of Treutlein (2023): cooperate on the compromise where it is a dependency equilibrium.

    A player knows its type and the posterior.  It asks the bargaining oracle for
    the compromise -- the weighted Nash bargaining solution of definition 47 over
    the game's mixed extension, with the Bayesian Nash profile as disagreement
    point and the prior as weights
    (:meth:`~gamesim.sim.ecl.ECLBayesianGame.compromise`), which every cooperator
    computes alike -- and plays its type's part ``alpha_t`` (a lottery over actions
    when the solution splits a type) exactly when the dependency-equilibrium
    condition holds for its type: equation (41) when it believes every other
    player is a cooperator, equation (49) otherwise, with ``p(D | t', t, C) = 1 -
    belief_cooperators``.  Otherwise it plays its Bayesian Nash action.  Types that
    fail change what the others can expect, so the check is repeated against the
    profile actually played until no further type drops out.

    With full belief the compromise always passes (41), since no type loses from
    it; a low belief that others reason alike makes (49) fail for the types that
    would give up the most.  The per-type rule is a heuristic reading of
    corollary 40, whose conclusion needs every type.

    Parameters
    ----------
    belief_cooperators : float or array_like, shape (m, m)
        ``p(C | t', t, C)``: the belief of a cooperator of type ``t`` that another
        player of type ``t'`` is a cooperator too (row ``t``, column ``t'``); a
        scalar is the same for every pair.  Arrays are stored as nested tuples.
    weights : sequence of float, optional
        Nash exponents of the compromise; default the prior.
    compromise : {"nbs", "pure"}
        ``"nbs"``: the oracle's solution over lotteries (may mix); ``"pure"``: the
        best anonymous pure profile by enumeration (deterministic, often a worse
        Nash product).

    References
    ----------
    .. [1] J. Treutlein, "Modeling evidential cooperation in large worlds", 2023,
       corollary 40 (equation (41)), section 4.6 (equation (49)), definitions 42
       and 47, proposition 53.

    Examples
    --------
    >>> from gamesim.sim.ecl import treutlein_example_35
    >>> ECLCooperator().table(treutlein_example_35(10))
    array([0, 0])
    >>> ECLCooperator().table(treutlein_example_35(2))
    array([1, 1])
    >>> ECLCooperator(belief_cooperators=0.2).table(treutlein_example_35(10))
    array([1, 1])
    >>> ECLCooperator().actions(treutlein_example_35(10), np.array([[0, 1, 1]]))
    array([[0, 0, 0]])
    """

    belief_cooperators: Any = 1.0
    weights: Any = None
    compromise: str = "nbs"

    #: The oracle's compromise may split a type between actions.
    stochastic: ClassVar[bool] = True

    def __post_init__(self) -> None:
        b = self.belief_cooperators
        if isinstance(b, (str, bytes, Mapping)):
            raise ValueError(f"belief_cooperators: expected a number or an (m, m) matrix, got {b!r}")
        try:
            scalar = np.ndim(b) == 0
        except ValueError:  # ragged nested sequences
            raise ValueError("belief_cooperators: expected an (m, m) matrix, got a ragged sequence") from None
        if scalar:
            object.__setattr__(self, "belief_cooperators", as_number(b, "belief_cooperators", low=0.0, high=1.0))
        else:
            try:
                arr = np.array(b, dtype=float)
            except (TypeError, ValueError):
                raise ValueError("belief_cooperators: expected a number or a matrix of numbers") from None
            if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
                raise ValueError(f"belief_cooperators: expected shape (m, m), got {arr.shape}")
            if not np.all(np.isfinite(arr)) or np.any((arr < 0) | (arr > 1)):
                raise ValueError("belief_cooperators: probabilities must lie in [0, 1]")
            object.__setattr__(self, "belief_cooperators", tuple(tuple(float(x) for x in r) for r in arr))
        if self.weights is not None:
            if isinstance(self.weights, (str, bytes, Mapping)) or not isinstance(self.weights, (Sequence, np.ndarray)):
                raise ValueError(f"weights: expected a sequence of numbers, one per type, got {self.weights!r}")
            try:
                w = tuple(float(x) for x in self.weights)
            except (TypeError, ValueError):
                raise ValueError("weights: expected a sequence of numbers, one per type") from None
            object.__setattr__(self, "weights", w)
        if self.compromise not in ("nbs", "pure"):
            raise ValueError(f"compromise: expected 'nbs' or 'pure', got {self.compromise!r}")

    def plan(self, game: ECLBayesianGame) -> ECLPlan:
        """The compromise, the per-type check and the resulting strategy (cached per game)."""
        return _ecl_plan(self, _check_game(game))

    def table(self, game: ECLBayesianGame) -> np.ndarray:
        plan = self.plan(game)
        if plan.table is None:
            raise ValueError("game: the compromise mixes here, so there is no action table; "
                             "use strategy_table() or actions(..., rng=)")
        return plan.table

    def strategy_table(self, game: ECLBayesianGame) -> np.ndarray:
        return self.plan(game).strategy


@functools.lru_cache(maxsize=256)
def _ecl_plan(policy: ECLCooperator, game: ECLBayesianGame) -> ECLPlan:
    b = policy.belief_cooperators
    if isinstance(b, tuple) and (len(b) != game.n_types):
        raise ValueError(f"belief_cooperators: expected shape ({game.n_types}, {game.n_types}), "
                         f"got {len(b)} rows")
    non_coop = None if b == 1.0 else 1.0 - np.array(b, dtype=float)
    bne = game.bayesian_nash_profile().profile
    comp = game.compromise(weights=policy.weights, beta=bne, method=policy.compromise)
    alpha = np.asarray(comp.strategy)
    beta = np.asarray(_one_hot(bne, game.n_actions))
    differs = np.any(alpha != beta, axis=1)
    # Types whose check fails play their Bayesian Nash action; that changes what the
    # others can expect, so re-check against the profile actually played until no
    # further type drops out (the cooperating set only shrinks: at most m rounds).
    cooperating = np.ones(game.n_types, dtype=bool)
    while True:
        played = np.where(cooperating[:, None], alpha, beta)
        pure = _pure_table(played)
        check = game.cooperation_is_dependency_equilibrium(played if pure is None else pure, bne,
                                                           non_cooperator=non_coop)
        drop = cooperating & ~np.asarray(check.by_type) & differs
        if not drop.any():
            break
        cooperating &= ~drop
    return ECLPlan(comp, check, bne, _readonly(cooperating, bool), _readonly(played), _pure_table(played))


@dataclass(frozen=True)
class CausalDecisionTheorist(ECLPolicy):
    """Plays the Bayesian Nash action: the causal decision theory baseline.

    An agent that takes its action to carry no evidence about anyone else's
    maximises ``u_{t,t}`` (Treutlein's proposition 36; the Bayesian game of
    Harsanyi 1967): the other universes' contributions do not depend on it.  Ties go
    to the lowest action index.

    References
    ----------
    .. [1] J. Treutlein, "Modeling evidential cooperation in large worlds", 2023,
       proposition 36.

    Examples
    --------
    >>> from gamesim.sim.ecl import treutlein_example_35
    >>> CausalDecisionTheorist().table(treutlein_example_35(10))
    array([1, 1])
    """

    def table(self, game: ECLBayesianGame) -> np.ndarray:
        return _cdt_table(_check_game(game))


@functools.lru_cache(maxsize=256)
def _cdt_table(game: ECLBayesianGame) -> np.ndarray:
    return _readonly(game.bayesian_nash_profile().profile, np.intp)


# ---------------------------------------------------------------------------
# Hofstadter's superrational player
# ---------------------------------------------------------------------------
class _ConstantRunner(Runner):
    """Every unit plays the same action every round; nothing is observed."""

    observes_outcomes: ClassVar[bool] = True

    def __init__(self, action: int) -> None:
        self.action = int(action)

    def act(self, units: np.ndarray, players: np.ndarray) -> np.ndarray:
        return np.full(np.size(units), self.action, np.intp)

    def observe(self, units: np.ndarray, players: np.ndarray, joint: np.ndarray, payoffs: np.ndarray) -> None:
        pass

    def observe_outcomes(self, units: np.ndarray, players: np.ndarray, outcomes: np.ndarray,
                         payoffs: np.ndarray) -> None:
        pass


@dataclass(frozen=True)
class _SuperrationalPlan:
    action: int
    values: np.ndarray
    nash: np.ndarray            # the others' strategy when not like-minded (one-hot if pure)
    nash_is_pure: bool


@dataclass(frozen=True)
class Superrational(Strategy):
    """Hofstadter's superrational player for symmetric normal-form games.

    Hofstadter (1983) argued that rational players in a symmetric game who know
    each other to be rational will reach the same conclusion, so each should pick
    the action that is best *if everybody picks it*.  Here the belief is graded:
    with probability ``similarity`` all other players are like-minded and choose the
    same action; otherwise they play the game's symmetric Nash action ``b*``.  The
    player chooses

    ``argmax_a  similarity * u(a, a, ..., a) + (1 - similarity) * u(a, b*, ..., b*)``

    (player 0's payoff; ties to the lowest index).  ``b*`` is the symmetric pure
    Nash action with the highest payoff ``u(b, ..., b)`` (lowest index among ties);
    when the game has no symmetric pure equilibrium it is the best-paying symmetric
    mixed equilibrium found by :func:`gamesim.analysis.nash_equilibria` (exact
    for two players; a heuristic search for more), and ``u(a, b*, ..., b*)`` is the
    expectation with the others mixing independently.

    In the prisoner's dilemma with payoffs ``(R, S, T, P)`` the only symmetric
    equilibrium is mutual defection, so C is worth ``s R + (1 - s) S`` and D is
    worth ``s P + (1 - s) P = P``: the player cooperates iff
    ``s >= (P - S) / (R - S)``, ``1/3`` for Axelrod's ``(3, 0, 5, 1)``.  The
    temptation ``T`` does not enter: a like-minded partner never plays C when one
    plays D.

    As a repeated-game :class:`~gamesim.sim.protocol.Strategy` it always plays
    :meth:`action` (memory depth 0), in every seat.

    Parameters
    ----------
    similarity : float
        Probability in [0, 1] that the others are like-minded.

    References
    ----------
    .. [1] D. R. Hofstadter, "Dilemmas for superrational thinkers, leading up to a
       luring lottery", Scientific American 248(6), 1983.

    Examples
    --------
    >>> from gamesim.sim.catalogue import prisoners_dilemma
    >>> pd = prisoners_dilemma()
    >>> Superrational(1.0).action(pd), Superrational(0.3).action(pd), Superrational(1 / 3).action(pd)
    (0, 1, 0)
    >>> Superrational(0.5).values(pd)
    array([1.5, 1. ])
    """

    similarity: float = 1.0

    memory_depth: ClassVar[float] = 0
    stochastic: ClassVar[bool] = False
    two_player_only: ClassVar[bool] = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "similarity", as_number(self.similarity, "similarity", low=0.0, high=1.0))

    @property
    def name(self) -> str:
        return describe_params(self)

    def action(self, game: NormalFormGame) -> int:
        """The superrational action in a symmetric game (the same for every seat)."""
        return _superrational_plan(self.similarity, _check_symmetric(game)).action

    def values(self, game: NormalFormGame) -> np.ndarray:
        """``similarity * u(a, ..., a) + (1 - similarity) * u(a, b*, ..., b*)`` for every action ``a``."""
        return _superrational_plan(self.similarity, _check_symmetric(game)).values

    def nash_strategy(self, game: NormalFormGame) -> np.ndarray:
        """The symmetric Nash strategy ``b*`` the non-like-minded others are taken to play."""
        return _superrational_plan(self.similarity, _check_symmetric(game)).nash

    def runner(self, game: NormalFormGame, n_units: int, rng: np.random.Generator,
               conventions: Conventions | None = None) -> Runner:
        return _ConstantRunner(self.action(game))


def _check_symmetric(game: Any) -> NormalFormGame:
    game = as_game(game)
    if game.n_players < 2 or not game.is_symmetric(atol=1e-9):
        raise ValueError(f"game: superrational play needs a symmetric game with two or more players, got {game.name!r}")
    return game


def _symmetric_nash(game: NormalFormGame) -> tuple[np.ndarray, bool]:
    U0 = game.payoffs[0]
    n, K = game.n_players, game.n_actions[0]
    scale = 1e-9 * (1.0 + float(np.max(np.abs(U0))))
    best_b, best_v = -1, -math.inf
    for b in range(K):
        col = U0[(slice(None),) + (b,) * (n - 1)]          # u(a, b, ..., b) for every a
        if col[b] >= col.max() - scale and col[b] > best_v + scale:
            best_b, best_v = b, float(col[b])
    if best_b >= 0:
        return np.eye(K)[best_b], True
    from ..analysis import nash_equilibria

    found = [e for e in nash_equilibria(game)
             if all(np.allclose(s, e.strategies[0], atol=1e-7) for s in e.strategies)]
    if not found:
        raise ValueError(f"game: no symmetric Nash equilibrium found for {game.name!r} "
                         "(the search over mixed equilibria of games with more than two players is heuristic)")
    best = max(found, key=lambda e: float(e.payoffs[0]))
    return np.asarray(best.strategies[0], dtype=float), False


@functools.lru_cache(maxsize=256)
def _superrational_plan(similarity: float, game: NormalFormGame) -> _SuperrationalPlan:
    U0 = game.payoffs[0]
    n, K = game.n_players, game.n_actions[0]
    sigma, pure = _symmetric_nash(game)
    diag = U0[(np.arange(K),) * n]                          # u(a, a, ..., a)
    against = U0
    for _ in range(n - 1):                                  # u(a, sigma, ..., sigma)
        against = against @ sigma
    values = similarity * diag + (1.0 - similarity) * against
    tol = 1e-12 * (1.0 + float(np.max(np.abs(U0))))
    action = int(np.flatnonzero(values >= values.max() - tol)[0])
    return _SuperrationalPlan(action, _readonly(values), _readonly(sigma), pure)


# ---------------------------------------------------------------------------
# the ECL simulation
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ECLSimulationResult:
    """Outcome of :func:`simulate_ecl`.

    Attributes
    ----------
    game : ECLBayesianGame
        The game played (with the simulation's number of players).
    policies : tuple of str
        Names of the distinct policies, in the order of :attr:`policy_index`.
    n_players, n_universes : int
    types, actions, policy_index : ndarray of intp, shape (n_universes, n_players) or None
        Each player's sampled type, action and policy (None with ``keep_players=False``).
    utilities : ndarray, shape (n_universes, n_players) or None
        Realised utilities (definition 21).
    type_counts : ndarray of int, shape (m,)
        Players of each type over all universes.
    mean_utility : ndarray, shape (m,)
        Mean realised utility of the players of each type (NaN for a type never drawn).
    bne_mean_utility : ndarray, shape (m,)
        The same for the same draws of types when everyone plays the Bayesian Nash profile.
    gains : ndarray, shape (m,)
        ``mean_utility - bne_mean_utility``: the realised gains from trade of each type.
    policy_mean_utility : ndarray, shape (n_policies,)
        Mean realised utility of the players following each policy.
    bne_expected_utility : ndarray, shape (m,)
        ``EU_t`` of the Bayesian Nash profile (equation (9)), for reference.
    parameters : dict
        The inputs (policy assignment, shares, seed entropy).
    """

    game: ECLBayesianGame
    policies: tuple
    n_players: int
    n_universes: int
    types: np.ndarray | None
    actions: np.ndarray | None
    policy_index: np.ndarray | None
    utilities: np.ndarray | None
    type_counts: np.ndarray
    mean_utility: np.ndarray
    bne_mean_utility: np.ndarray
    gains: np.ndarray
    policy_mean_utility: np.ndarray
    bne_expected_utility: np.ndarray
    parameters: dict = field(default_factory=dict)


def _is_policy(obj: Any) -> bool:
    return callable(getattr(obj, "actions", None)) and not isinstance(obj, type)


def _policy_name(p: Any) -> str:
    return str(getattr(p, "name", type(p).__name__))


def _parse_policies(policy: Any, m: int) -> tuple[list[Any], np.ndarray | None, np.ndarray | None]:
    """Distinct policies, and either a per-type index ``(m,)`` or shares ``(k,)``."""
    if isinstance(policy, type) and issubclass(policy, ECLPolicy):
        policy = policy()
    if _is_policy(policy):
        return [policy], np.zeros(m, np.intp), None
    if isinstance(policy, Mapping):
        items = list(policy.items())
        if not items:
            raise ValueError("policy: no policies given")
        if all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k, _ in items):
            keys = sorted(int(k) for k, _ in items)
            if keys != list(range(m)):
                raise ValueError(f"policy: a policy per type needs the keys 0..{m - 1}, got {keys}")
            seq = [policy[k] for k in range(m)]
            return _per_type(seq)
        pols, shares = [], []
        for p, s in items:
            if isinstance(p, type) and issubclass(p, ECLPolicy):
                p = p()
            if not _is_policy(p):
                raise ValueError(f"policy: {p!r} has no actions(game, types) method")
            try:
                s = float(s)
            except (TypeError, ValueError):
                raise ValueError(f"policy: share of {_policy_name(p)} must be a number, got {s!r}") from None
            if not (s >= 0 and math.isfinite(s)):
                raise ValueError(f"policy: share of {_policy_name(p)} must be non-negative, got {s!r}")
            pols.append(p)
            shares.append(s)
        shares_arr = np.array(shares)
        if abs(shares_arr.sum() - 1.0) > 1e-9:
            raise ValueError(f"policy: shares must sum to 1, got {shares_arr.sum():g}")
        return pols, None, shares_arr / shares_arr.sum()
    if isinstance(policy, Sequence) and not isinstance(policy, str):
        seq = list(policy)
        if len(seq) != m:
            raise ValueError(f"policy: a sequence gives one policy per type, expected {m}, got {len(seq)}")
        return _per_type(seq)
    raise ValueError(f"policy: expected a policy, {{type: policy}}, {{policy: share}} or a list of {m} "
                     f"policies, got {type(policy).__name__}")


def _per_type(seq: list[Any]) -> tuple[list[Any], np.ndarray, None]:
    pols: list[Any] = []
    index = np.empty(len(seq), np.intp)
    for t, p in enumerate(seq):
        if isinstance(p, type) and issubclass(p, ECLPolicy):
            p = p()
        if not _is_policy(p):
            raise ValueError(f"policy[{t}]: {p!r} has no actions(game, types) method")
        for k, q in enumerate(pols):
            if q is p or q == p:
                index[t] = k
                break
        else:
            index[t] = len(pols)
            pols.append(p)
    return pols, index, None


def _mean_by(labels: np.ndarray, values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    counts = np.bincount(labels, minlength=k)
    sums = np.bincount(labels, weights=values, minlength=k)
    mean = np.full(k, np.nan)
    np.divide(sums, counts, out=mean, where=counts > 0)
    return counts, mean


def simulate_ecl(game: ECLBayesianGame, policy: Any, n_players: int | None = None, n_universes: int = 1,
                 seed: Any = None, *, keep_players: bool = True) -> ECLSimulationResult:
    """Sample universes of an ECL Bayesian game and play policies in them.

    Each of ``n_universes`` independent draws gives ``n_players`` players i.i.d.
    types from the prior (:meth:`~gamesim.sim.ecl.ECLBayesianGame.sample_types`);
    every player acts by its policy; utilities follow from additive separability
    (:meth:`~gamesim.sim.ecl.ECLBayesianGame.realized_utilities`, ``O(n)``).  The
    same draws are also played with everyone at the Bayesian Nash profile, and the
    gains from trade are the difference of the two mean utilities per type.

    Parameters
    ----------
    game : ECLBayesianGame
    policy : ECLPolicy, mapping or sequence
        One policy for everybody; ``{type: policy}`` or a list of ``m`` policies (a
        policy per type); or ``{policy: share}`` with shares summing to 1, each
        player following a policy drawn independently with those probabilities
        (e.g. ``{ECLCooperator(): 0.8, CausalDecisionTheorist(): 0.2}``).  A policy is
        any object with ``actions(game, types)``.
    n_players : int, optional
        Players per universe; default ``game.n_players``.  The policies see a game
        with this many players (the cooperators' condition depends on it).
    n_universes : int
    seed : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Root of three independent streams (types, policy assignment, the draws of
        players whose type mixes), derived from a
        :class:`numpy.random.SeedSequence`; a Generator is spawned from.
    keep_players : bool
        Keep the per-player arrays in the result (False saves memory for huge runs).

    Returns
    -------
    ECLSimulationResult

    Notes
    -----
    Types are sampled independently even when the game's posterior is correlated
    (see :meth:`~gamesim.sim.ecl.ECLBayesianGame.sample_types`), while the
    policies reason with the posterior; realised gains then reflect the prior, not
    the posterior.

    Examples
    --------
    >>> from gamesim.sim.ecl import treutlein_example_35
    >>> r = simulate_ecl(treutlein_example_35(), ECLCooperator(), n_players=10, n_universes=200, seed=1)
    >>> r.policies, int(r.actions.max())
    (('ECLCooperator',), 0)
    >>> bool(np.all(r.gains > 3))   # about 3.5 each, by equation (41)
    True
    """
    game = _check_game(game)
    n = game.n_players if n_players is None else n_players
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n_players: expected a positive integer, got {n_players!r}")
    if isinstance(n_universes, bool) or not isinstance(n_universes, (int, np.integer)) or n_universes < 1:
        raise ValueError(f"n_universes: expected a positive integer, got {n_universes!r}")
    n, U = int(n), int(n_universes)
    if n != game.n_players:
        game = game.with_n_players(n)
    m = game.n_types
    pols, by_type, shares = _parse_policies(policy, m)
    root = seed_root(seed)
    type_rng, policy_rng, action_rng = (child_rng(root, i) for i in range(3))

    if not game.is_independent:
        import warnings

        # No joint prior over n > 2 players follows from pairwise beliefs p(t'|t): the
        # universes are drawn i.i.d. from the marginal, so the agents' correlated
        # beliefs are not the sampled world's -- say so rather than hide it.
        warnings.warn("game: the posterior is correlated but types are drawn i.i.d. from the prior; "
                      "realized gains are those of independent universes", UserWarning, stacklevel=2)
    types = game.sample_types(n, U, type_rng)
    if by_type is not None:
        pidx = by_type[types]
    else:
        cdf = np.cumsum(shares)
        cdf[-1] = np.inf
        pidx = np.searchsorted(cdf, policy_rng.random((U, n)), side="right").astype(np.intp)
    if all(isinstance(p, ECLPolicy) for p in pols):
        tables = np.concatenate([p.strategy_table(game) for p in pols])      # (k * m, K)
        acts = sample_actions(tables, pidx * m + types, action_rng)
    else:
        acts = np.empty(types.shape, np.intp)
        for k, p in enumerate(pols):
            mask = pidx == k
            if mask.any():
                if isinstance(p, ECLPolicy):
                    a = p.actions(game, types[mask], action_rng)
                else:
                    a = np.asarray(p.actions(game, types[mask]))
                if a.shape != (int(mask.sum()),) or a.dtype.kind not in "iu":
                    raise ValueError(f"policy: {_policy_name(p)}.actions must return one integer action per type")
                acts[mask] = a
    utilities = game.realized_utilities(types, acts)
    bne = np.asarray(game.bayesian_nash_profile().profile, np.intp)
    bne_util = game.realized_utilities(types, bne[types])

    flat_t = types.ravel()
    counts, mean = _mean_by(flat_t, utilities.ravel(), m)
    _, bne_mean = _mean_by(flat_t, bne_util.ravel(), m)
    _, pol_mean = _mean_by(pidx.ravel(), utilities.ravel(), len(pols))
    params: dict[str, Any] = {"n_players": n, "n_universes": U}
    if by_type is not None:
        params["policy_by_type"] = tuple(int(k) for k in by_type)
    else:
        params["shares"] = tuple(float(s) for s in shares)
    params["seed_entropy"] = root.entropy
    params["seed_spawn_key"] = tuple(root.spawn_key)
    def keep(a: np.ndarray) -> np.ndarray | None:
        if not keep_players:
            return None
        a = np.asarray(a)
        a.setflags(write=False)
        return a

    return ECLSimulationResult(
        game=game, policies=tuple(_policy_name(p) for p in pols), n_players=n, n_universes=U,
        types=keep(types), actions=keep(acts), policy_index=keep(pidx), utilities=keep(utilities),
        type_counts=_readonly(counts, np.int64), mean_utility=_readonly(mean), bne_mean_utility=_readonly(bne_mean),
        gains=_readonly(mean - bne_mean), policy_mean_utility=_readonly(pol_mean),
        bne_expected_utility=_readonly(game.expected_utility(bne)), parameters=params,
    )
