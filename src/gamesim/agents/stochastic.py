"""Learners for stochastic games, vectorized over many parallel matches.

Every learner keeps one table per match (arrays indexed by match first), so a round
of all matches is a constant number of NumPy calls; :func:`play_stochastic` runs
``n_matches`` independent matches of a two-player stochastic game through the
vectorized engine :func:`gamesim.sim.stochastic.step`.

* :class:`MinimaxQ` (Littman 1994): Q-values over own and opponent actions, the
  state value is the value of the zero-sum matrix game ``Q(s, ., .)``; its values
  approach Shapley's in zero-sum games.
* :class:`IndependentQ` (Watkins 1989 Q-learning, each player on its own): the
  opponent is part of the environment.
* :class:`StateFictitiousPlay` (Vrieze & Tijs 1982): fictitious play conditioned on
  the state, with model-based value backups -- in every state a best response to the
  opponent's empirical frequencies there, in the matrix game ``R(s) + discount P(s) V``;
  in zero-sum discounted games its values converge to Shapley's.

Exploration is epsilon-uniform; the step size of an update is
``1 / n^alpha_exponent`` with ``n`` the visits of the (state, joint action) pair
(``alpha_exponent`` in (1/2, 1] meets the Robbins-Monro conditions).

References
----------
.. [L94] M. L. Littman, "Markov games as a framework for multi-agent reinforcement
   learning", ICML 1994.
.. [W89] C. J. C. H. Watkins, *Learning from delayed rewards*, PhD thesis, Cambridge, 1989.
.. [S53] L. S. Shapley, "Stochastic games", PNAS 39, 1953.
.. [VT82] O. J. Vrieze, S. H. Tijs, "Fictitious play applied to sequences of games and
   discounted stochastic games", Int. J. Game Theory 11, 1982.
.. [HM00] S. Hart, A. Mas-Colell, "A simple adaptive procedure leading to correlated
   equilibrium", Econometrica 68, 2000 (regret matching).
.. [SHLG13] E. Sodomka, E. Hilliard, M. Littman, A. Greenwald, "Coco-Q: learning in
   stochastic games with side payments", ICML 2013.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .._arrays import as_count, as_number
from .._seeding import streams
from ..sim.stochastic import StochasticGame, step
from ..sim.stochastic_env import StochasticRunner, StochasticStrategy

__all__ = ["MinimaxQ", "IndependentQ", "StateFictitiousPlay", "StateRegretMatching", "CoCoQ",
           "StochasticGrimTrigger", "StochasticCoCoBargainer", "StationaryPolicy",
           "play_stochastic", "StochasticPlayResult", "matrix_game_values"]


def matrix_game_values(Q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values and row player's optimal strategies of a batch of zero-sum matrix games.

    ``Q`` has shape ``(B, m, k)`` (row maximises).  2x2 games use the closed form
    (pure saddle point, else ``(ad - bc) / (a + d - b - c)``), vectorized; larger
    ones the batched Shapley-Snow vertex enumeration of
    :func:`gamesim.bargaining.zerosum.zero_sum_values` (array operations over all
    matches; an LP only for games it cannot certify or that exceed 4 actions on
    both sides).

    Returns
    -------
    values : ndarray, shape (B,)
    row_strategies : ndarray, shape (B, m)
    """
    Q = np.asarray(Q, dtype=float)
    B, m, k = Q.shape
    if (m, k) == (2, 2):
        row_min = Q.min(axis=2)                                  # (B, 2)
        col_max = Q.max(axis=1)                                  # (B, 2)
        lo, hi = row_min.max(axis=1), col_max.min(axis=1)
        saddle = hi - lo <= 1e-12 * (1.0 + np.abs(Q).reshape(B, -1).max(axis=1))
        a, b, c, d = Q[:, 0, 0], Q[:, 0, 1], Q[:, 1, 0], Q[:, 1, 1]
        den = a + d - b - c
        safe = np.where(saddle | (den == 0), 1.0, den)
        mixed_v = (a * d - b * c) / safe
        p = np.clip((d - c) / safe, 0.0, 1.0)                    # row plays action 0 with p
        values = np.where(saddle, lo, mixed_v)
        pure_row = np.argmax(row_min, axis=1)
        x = np.where(saddle[:, None], np.eye(2)[pure_row], np.stack([p, 1 - p], axis=1))
        return values, x
    from ..bargaining.zerosum import zero_sum_values

    values, x, _y = zero_sum_values(Q)
    return values, x


def _pad(Q: np.ndarray, valid_own: np.ndarray, valid_other: np.ndarray) -> np.ndarray:
    """Matrix games ``(B, M, K)`` whose padded actions are strictly dominated, per match.

    A missing own action pays 1 less than the match's smallest real entry, a missing
    opponent action 1 more than its largest, so neither is ever used and the value is
    the real sub-game's; the margins are on the game's own scale (no huge sentinels to
    upset the LP).
    """
    real = valid_own[:, :, None] & valid_other[:, None, :]
    lo = np.where(real, Q, np.inf).min(axis=(1, 2)) - 1.0
    hi = np.where(real, Q, -np.inf).max(axis=(1, 2)) + 1.0
    Q = np.where(valid_own[:, :, None], Q, lo[:, None, None])
    return np.where(valid_other[:, None, :], Q, hi[:, None, None])


def _sample(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row of ``probs`` (B, m)."""
    u = rng.random(probs.shape[0])
    return np.minimum((u[:, None] >= np.cumsum(probs, axis=1)[:, :-1]).sum(axis=1), probs.shape[1] - 1)


class _StochasticLearner(StochasticStrategy):
    """Base: parameters; ``start(game, player, n_matches, rng)`` returns the per-match state."""

    #: Whether it needs a two-player zero-sum game.
    zero_sum_only: ClassVar[bool] = False

    def stochastic_runner(self, game: StochasticGame, players: np.ndarray, rng: np.random.Generator) -> StochasticRunner:
        return _SeatRunner(self, game, np.asarray(players), rng)

    def _check(self) -> None:
        as_number(self.epsilon, "epsilon", low=0.0, high=1.0)
        as_number(self.alpha_exponent, "alpha_exponent", low=0.5, high=1.0, low_open=True)


@dataclass(frozen=True)
class MinimaxQ(_StochasticLearner):
    """Minimax-Q (Littman 1994): Q over joint actions, state value = matrix-game value of Q(s)."""

    epsilon: float = 0.2
    alpha_exponent: float = 0.6

    zero_sum_only: ClassVar[bool] = True

    def __post_init__(self) -> None:
        self._check()

    def start(self, game: StochasticGame, player: int, n_matches: int, rng: np.random.Generator) -> "_MinimaxQState":
        if not game.is_zero_sum:
            raise ValueError("game: minimax-Q needs a two-player zero-sum stochastic game")
        return _MinimaxQState(self, game, player, n_matches, rng)


class _TabularState:
    """Per-match tables over (state, own action, other action), padded to the largest action sets."""

    def __init__(self, learner, game: StochasticGame, player: int, n_matches: int, rng: np.random.Generator):
        if game.n_players != 2:
            raise ValueError(f"game: these learners play two-player games, got {game.n_players} players")
        if game.discount is None:
            raise ValueError("game: Q-learning needs a discount factor")
        self.learner, self.game, self.player, self.rng = learner, game, player, rng
        S = game.n_states
        self.m_own = np.array([game.n_actions(q)[player] for q in range(S)])
        self.m_other = np.array([game.n_actions(q)[1 - player] for q in range(S)])
        M, K = int(self.m_own.max()), int(self.m_other.max())
        self.M, self.K = M, K
        self.Q = np.zeros((n_matches, S, M, K))
        self.visits = np.zeros((n_matches, S, M, K))
        # Padding: actions that do not exist in a state can never be chosen.
        self.valid_own = np.arange(M)[None, :] < self.m_own[:, None]          # (S, M)
        self.valid_other = np.arange(K)[None, :] < self.m_other[:, None]      # (S, K)
        self.rows = np.arange(n_matches)

    def _explore(self, policy: np.ndarray, states: np.ndarray) -> np.ndarray:
        eps = self.learner.epsilon
        uniform = self.valid_own[states] / self.m_own[states][:, None]
        return (1 - eps) * policy + eps * uniform

    def update(self, states, own, other, reward, next_states) -> None:
        r = self.rows
        self.visits[r, states, own, other] += 1
        alpha = self.visits[r, states, own, other] ** (-self.learner.alpha_exponent)
        target = reward + self.game.discount * self.values(next_states)
        q = self.Q[r, states, own, other]
        self.Q[r, states, own, other] = q + alpha * (target - q)


class _MinimaxQState(_TabularState):
    def _games(self, states: np.ndarray) -> np.ndarray:
        Q = self.Q[self.rows, states]                                        # (B, M, K)
        # Invalid own actions can never be chosen (-inf for the maximiser); invalid
        # opponent actions never happen (+inf for the minimiser).
        return _pad(Q, self.valid_own[states], self.valid_other[states])

    def values(self, states: np.ndarray) -> np.ndarray:
        return matrix_game_values(self._games(states))[0]

    def policy(self, states: np.ndarray) -> np.ndarray:
        return matrix_game_values(self._games(states))[1]

    def act(self, states: np.ndarray) -> np.ndarray:
        return _sample(self._explore(self.policy(states), states), self.rng)

    def state_values(self) -> np.ndarray:
        """Learned value of every state, per match: shape (n_matches, n_states)."""
        S = self.game.n_states
        return np.stack([self.values(np.full(self.rows.size, q)) for q in range(S)], axis=1)


@dataclass(frozen=True)
class IndependentQ(_StochasticLearner):
    """Independent Q-learning (Watkins 1989): the other player is part of the environment."""

    epsilon: float = 0.1
    alpha_exponent: float = 0.6

    def __post_init__(self) -> None:
        self._check()

    def start(self, game: StochasticGame, player: int, n_matches: int, rng: np.random.Generator) -> "_IndependentQState":
        return _IndependentQState(self, game, player, n_matches, rng)


class _IndependentQState(_TabularState):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        # Q over own actions only (the opponent's action is marginalised by experience).
        self.Q = self.Q[..., 0]
        self.visits = self.visits[..., 0]

    def _own(self, states: np.ndarray) -> np.ndarray:
        Q = self.Q[self.rows, states]
        return np.where(self.valid_own[states], Q, -np.inf)

    def values(self, states: np.ndarray) -> np.ndarray:
        return self._own(states).max(axis=1)

    def policy(self, states: np.ndarray) -> np.ndarray:
        Q = self._own(states)
        return np.eye(self.M)[np.argmax(Q, axis=1)]

    def act(self, states: np.ndarray) -> np.ndarray:
        return _sample(self._explore(self.policy(states), states), self.rng)

    def update(self, states, own, other, reward, next_states) -> None:
        r = self.rows
        self.visits[r, states, own] += 1
        alpha = self.visits[r, states, own] ** (-self.learner.alpha_exponent)
        target = reward + self.game.discount * self.values(next_states)
        q = self.Q[r, states, own]
        self.Q[r, states, own] = q + alpha * (target - q)

    def state_values(self) -> np.ndarray:
        S = self.game.n_states
        return np.stack([self.values(np.full(self.rows.size, q)) for q in range(S)], axis=1)


@dataclass(frozen=True)
class StateFictitiousPlay(_StochasticLearner):
    """State-conditioned fictitious play with value backups (Vrieze & Tijs 1982).

    Knows the game's rewards and transitions; learns the opponent's empirical action
    frequencies per state and the state values ``V(s) = max_a sum_o f(s, o) Q(s, a, o)``
    with ``Q(s) = R(s) + discount * P(s) V``, updated in the states it visits.
    """

    epsilon: float = 0.0
    alpha_exponent: float = 1.0          # unused: FP averages exactly; kept for a uniform signature
    myopic: bool = False                 # best-respond to the stage rewards only (no value backup)

    def __post_init__(self) -> None:
        self._check()

    def start(self, game: StochasticGame, player: int, n_matches: int, rng: np.random.Generator) -> "_FPState":
        return _FPState(self, game, player, n_matches, rng)


class _FPState(_TabularState):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        game, player = self.game, self.player
        S, M, K = game.n_states, self.M, self.K
        # Own-perspective tables (own action first), padded: rewards (S, M, K), transitions (S, M, K, S).
        self.R = np.zeros((S, M, K))
        self.P = np.zeros((S, M, K, S))
        for q in range(S):
            r, t = game.rewards(q)[player], game.transitions(q)
            if player == 1:
                r, t = r.T, np.swapaxes(t, 0, 1)
            self.R[q, : r.shape[0], : r.shape[1]] = r
            self.P[q, : t.shape[0], : t.shape[1]] = t
        n = self.rows.size
        self.counts = np.ones((n, S, K)) * self.valid_other[None]       # one prior count per action
        self.V = np.zeros((n, S))

    def _Q(self, states: np.ndarray) -> np.ndarray:
        # R(s) + discount * P(s) @ V, per match: (B, M, K).
        if self.learner.myopic:
            return self.R[states]
        return self.R[states] + self.game.discount * np.einsum("bmks,bs->bmk", self.P[states], self.V)

    def _expected(self, states: np.ndarray) -> np.ndarray:
        f = self.counts[self.rows, states]
        f = f / f.sum(axis=1, keepdims=True)
        ev = np.einsum("bmk,bk->bm", self._Q(states), f)
        return np.where(self.valid_own[states], ev, -np.inf)

    def values(self, states: np.ndarray) -> np.ndarray:
        return self.V[self.rows, states]

    def policy(self, states: np.ndarray) -> np.ndarray:
        return np.eye(self.M)[np.argmax(self._expected(states), axis=1)]

    def act(self, states: np.ndarray) -> np.ndarray:
        return _sample(self._explore(self.policy(states), states), self.rng)

    def update(self, states, own, other, reward, next_states) -> None:
        self.counts[self.rows, states, other] += 1
        self.V[self.rows, states] = self._expected(states).max(axis=1)

    def state_values(self) -> np.ndarray:
        return self.V.copy()


def _own_tables(game: StochasticGame, player: int, M: int, K: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Padded own-perspective tables: own rewards, the other's rewards (S, M, K), transitions (S, M, K, S)."""
    S = game.n_states
    own, other = np.zeros((S, M, K)), np.zeros((S, M, K))
    P = np.zeros((S, M, K, S))
    for q in range(S):
        r, t = game.rewards(q), game.transitions(q)
        a, b = r[player], r[1 - player]
        if player == 1:
            a, b, t = a.T, b.T, np.swapaxes(t, 0, 1)
        own[q, : a.shape[0], : a.shape[1]] = a
        other[q, : b.shape[0], : b.shape[1]] = b
        P[q, : t.shape[0], : t.shape[1]] = t
    return own, other, P


@dataclass(frozen=True)
class StateRegretMatching(_StochasticLearner):
    """Regret matching (Hart & Mas-Colell 2000) run separately in every state, on the stage rewards.

    Knows the stage rewards, so each round it adds the regret of every own action
    against the opponent's actual action in that state; plays in proportion to the
    positive regrets (uniformly when none is positive).  Myopic: continuation values
    are not part of the regrets.
    """

    epsilon: float = 0.0
    alpha_exponent: float = 1.0          # unused; kept for a uniform signature

    def __post_init__(self) -> None:
        self._check()

    def start(self, game, player, n_matches, rng):
        return _RMState(self, game, player, n_matches, rng)


class _RMState(_TabularState):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.R = _own_tables(self.game, self.player, self.M, self.K)[0]
        self.regret = np.zeros((self.rows.size, self.game.n_states, self.M))

    def policy(self, states):
        pos = np.maximum(self.regret[self.rows, states], 0.0) * self.valid_own[states]
        tot = pos.sum(axis=1, keepdims=True)
        uniform = self.valid_own[states] / self.m_own[states][:, None]
        return np.where(tot > 0, pos / np.where(tot > 0, tot, 1.0), uniform)

    def act(self, states):
        return _sample(self._explore(self.policy(states), states), self.rng)

    def update(self, states, own, other, reward, next_states):
        r = self.rows
        gains = self.R[states, :, other] - self.R[states, own, other][:, None]       # (B, M)
        self.regret[r, states] += gains * self.valid_own[states]

    def values(self, states):
        return np.zeros(len(states))


@dataclass(frozen=True)
class CoCoQ(_StochasticLearner):
    """CoCo-Q (Sodomka, Hilliard, Littman & Greenwald 2013): learns the CoCo value model-free.

    Two Q-tables over joint actions: a team table on ``(r_own + r_other) / 2`` backed up
    with a max over joint actions, and a competitive table on ``(r_own - r_other) / 2``
    backed up with the matrix-game value; both are contractions, so the sum converges
    to the CoCo value.  It plays its part of the team-optimal joint action (with
    epsilon exploration).  The other player's reward is read from the known stage
    rewards (the CoCo setting assumes rewards are observable).
    """

    epsilon: float = 0.1
    alpha_exponent: float = 0.6

    def __post_init__(self) -> None:
        self._check()

    def start(self, game, player, n_matches, rng):
        return _CoCoQState(self, game, player, n_matches, rng)


class _CoCoQState(_TabularState):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        _, self.R_other, _ = _own_tables(self.game, self.player, self.M, self.K)
        self.C = np.zeros_like(self.Q)                     # competitive table; self.Q is the team table

    def _masked(self, T, states, low):
        valid = self.valid_own[states][:, :, None] & self.valid_other[states][:, None, :]
        return np.where(valid, T[self.rows, states], low)

    def team_values(self, states):
        return self._masked(self.Q, states, -np.inf).reshape(len(states), -1).max(axis=1)

    def competitive_values(self, states):
        C = _pad(self.C[self.rows, states], self.valid_own[states], self.valid_other[states])
        return matrix_game_values(C)[0]

    def values(self, states):
        return self.team_values(states) + self.competitive_values(states)

    def policy(self, states):
        T = self._masked(self.Q, states, -np.inf).reshape(len(states), -1)
        own = np.argmax(T, axis=1) // self.K
        return np.eye(self.M)[own]

    def act(self, states):
        return _sample(self._explore(self.policy(states), states), self.rng)

    def update(self, states, own, other, reward, next_states):
        r = self.rows
        r_other = self.R_other[states, own, other]
        self.visits[r, states, own, other] += 1
        alpha = self.visits[r, states, own, other] ** (-self.learner.alpha_exponent)
        g = self.game.discount
        t_target = (reward + r_other) / 2 + g * self.team_values(next_states)
        c_target = (reward - r_other) / 2 + g * self.competitive_values(next_states)
        self.Q[r, states, own, other] += alpha * (t_target - self.Q[r, states, own, other])
        self.C[r, states, own, other] += alpha * (c_target - self.C[r, states, own, other])

    def state_values(self):
        S = self.game.n_states
        return np.stack([self.values(np.full(self.rows.size, q)) for q in range(S)], axis=1)


class _SeatRunner(StochasticRunner):
    """A learner's tables for the units of each seat (their orientation depends on the seat)."""

    def __init__(self, learner, game: StochasticGame, players: np.ndarray, rng: np.random.Generator) -> None:
        if game.n_players != 2:
            raise ValueError(f"game: these learners play two-player games, got {game.n_players} players")
        self.parts = []
        for p in range(2):
            idx = np.flatnonzero(players == p)
            if idx.size:
                self.parts.append((p, idx, learner.start(game, p, idx.size, rng)))

    def act(self, units, players, states):
        out = np.empty(len(units), dtype=np.intp)
        for p, idx, st in self.parts:
            out[idx] = st.act(states[idx])
        return out

    def observe(self, units, players, states, joint, rewards, next_states):
        for p, idx, st in self.parts:
            st.update(states[idx], joint[idx, p], joint[idx, 1 - p], rewards[idx], next_states[idx])


def _punishers(game: StochasticGame, victim: int) -> list[np.ndarray]:
    """Per state, the other player's stationary strategy that minimises ``victim``'s discounted value.

    Shapley iteration on the zero-sum game ``(R_victim, -R_victim)`` (the victim
    maximises): its minimiser's optimal strategies hold the victim to its minmax value
    in the stochastic game.
    """
    from ..analysis.stochastic import shapley_value_iteration

    rewards, transitions = [], []
    for q in range(game.n_states):
        R = game.rewards(q)[victim]
        T = game.transitions(q)
        if victim == 1:
            R, T = R.T, np.swapaxes(T, 0, 1)
        rewards.append(np.stack([R, -R]))
        transitions.append(T)
    zs = StochasticGame(rewards, transitions, game.discount)
    sol = shapley_value_iteration(zs)
    return [np.asarray(sol.strategies[q][1]) for q in range(game.n_states)]


@dataclass(frozen=True)
class StochasticGrimTrigger(StochasticStrategy):
    """Grim trigger for stochastic games (Friedman 1971, made state-aware).

    Plays its part of an agreed stationary joint policy -- by default the
    welfare-maximising one (team value iteration on ``R1 + R2``) -- and, after the
    partner deviates from the agreed action **in any state**, punishes forever with the
    stationary strategy that holds the partner to its minmax value in the stochastic
    game (Shapley iteration on the partner's rewards).
    """

    agreed: tuple | None = None

    def plan(self, game: StochasticGame) -> tuple[np.ndarray, list[list[np.ndarray]]]:
        """``agreed[q]`` (joint action per state) and ``punish[q][p]`` (seat p's punishment)."""
        return _plan(game, self.agreed, "minmax")

    def stochastic_runner(self, game, players, rng):
        agreed, punish = self.plan(game)
        return _TriggerRunner(game, np.asarray(players), rng, agreed, punish)


@dataclass(frozen=True)
class StochasticCoCoBargainer(StochasticStrategy):
    """A CoCo bargainer for stochastic games (Sodomka et al. 2013).

    Plays the cooperative part of the CoCo value -- a welfare-maximising stationary
    joint policy from team value iteration on ``(R1 + R2) / 2`` -- and, after a
    deviation in any state, its threat: its optimal stationary strategy in the
    competitive game ``(R1 - R2) / 2`` (Shapley iteration).  The CoCo transfers are not
    paid (the game has no side payments); :func:`gamesim.analysis.stochastic.coco_value_iteration`
    reports them.
    """

    def plan(self, game: StochasticGame) -> tuple[np.ndarray, list[list[np.ndarray]]]:
        return _plan(game, None, "coco")

    def stochastic_runner(self, game, players, rng):
        agreed, punish = self.plan(game)
        return _TriggerRunner(game, np.asarray(players), rng, agreed, punish)


@dataclass(frozen=True)
class StationaryPolicy(StochasticStrategy):
    """Plays a fixed stationary profile: ``profile[q][p]`` is the mixed strategy of seat ``p`` in state ``q``.

    The baseline every stochastic-game solution concept is stated against (Shapley
    1953: stationary strategies suffice in discounted zero-sum games).  Give it as
    nested tuples so that it stays hashable.
    """

    profile: tuple

    def stochastic_runner(self, game, players, rng):
        return _StationaryRunner(game, self.profile, rng)


class _StationaryRunner(StochasticRunner):
    def __init__(self, game: StochasticGame, profile: Any, rng: np.random.Generator) -> None:
        from ..analysis.stochastic import _check_profile

        prof = _check_profile(game, profile)
        S = game.n_states
        A = max(max(game.n_actions(q)) for q in range(S))
        self.cdf = np.full((S, game.n_players, max(A - 1, 1)), 2.0)
        for q in range(S):
            for p, x in enumerate(prof[q]):
                self.cdf[q, p, : x.size - 1] = np.cumsum(x)[:-1]
        self.rng = rng

    def act(self, units, players, states):
        u = self.rng.random(len(units))
        return (u[:, None] >= self.cdf[states, players]).sum(axis=1)

    def observe(self, units, players, states, joint, rewards, next_states):
        pass


def _plan(game: StochasticGame, agreed: Any, punish: str):
    from ..analysis.stochastic import coco_value_iteration

    if game.n_players != 2 or game.discount is None:
        raise ValueError("game: state-aware trigger strategies need a discounted two-player stochastic game")
    cv = coco_value_iteration(game)
    if agreed is None:
        agreed = np.array(cv.team_actions, dtype=np.intp)
    else:
        agreed = np.asarray(agreed, dtype=np.intp)
        if agreed.shape != (game.n_states, 2):
            raise ValueError(f"agreed: expected one joint action per state, shape ({game.n_states}, 2)")
        for q in range(game.n_states):
            if np.any(agreed[q] < 0) or np.any(agreed[q] >= np.array(game.n_actions(q))):
                raise ValueError(f"agreed: joint action {tuple(agreed[q])} is out of range in state {q}")
    if punish == "coco":
        plans = [[np.asarray(cv.competitive_strategies[q][0]), np.asarray(cv.competitive_strategies[q][1])]
                 for q in range(game.n_states)]
    else:
        by_victim = [_punishers(game, 1), _punishers(game, 0)]     # seat 0 punishes victim 1, seat 1 victim 0
        plans = [[by_victim[0][q], by_victim[1][q]] for q in range(game.n_states)]
    return agreed, plans


class _TriggerRunner(StochasticRunner):
    def __init__(self, game, players, rng, agreed, punish) -> None:
        self.game, self.rng = game, rng
        self.agreed = agreed                                        # (S, 2)
        S = game.n_states
        A = max(max(game.n_actions(q)) for q in range(S))
        self.cdf = np.full((S, 2, max(A - 1, 1)), 2.0)
        for q in range(S):
            for p in range(2):
                x = np.clip(np.asarray(punish[q][p], dtype=float), 0.0, None)
                x = x / x.sum()
                self.cdf[q, p, : x.size - 1] = np.cumsum(x)[:-1]
        self.triggered = np.zeros(len(players), dtype=bool)

    def act(self, units, players, states):
        coop = self.agreed[states, players]
        if not self.triggered.any():
            return coop
        u = self.rng.random(len(units))
        punish = (u[:, None] >= self.cdf[states, players]).sum(axis=1)
        return np.where(self.triggered[units], punish, coop)

    def observe(self, units, players, states, joint, rewards, next_states):
        partner = 1 - players
        expected = self.agreed[states, partner]
        self.triggered[units] |= joint[np.arange(len(units)), partner] != expected


@dataclass(frozen=True, eq=False)
class StochasticPlayResult:
    """What :func:`play_stochastic` recorded.

    Attributes
    ----------
    mean_rewards : ndarray, shape (rounds, 2)
        Mean reward of each seat over the matches, per round.
    state_share : ndarray, shape (rounds, n_states)
        Share of matches in each state, per round.
    values : ndarray, shape (2, n_matches, n_states) or None
        Each seat's learned state values at the end (learners that have them).
    checkpoints : ndarray of int
    value_trace : ndarray, shape (len(checkpoints), 2, n_states)
        Learned state values averaged over matches at the checkpoints.
    learners : tuple
        The per-seat learner states (tables), for inspection.
    """

    mean_rewards: np.ndarray
    state_share: np.ndarray
    values: np.ndarray | None
    checkpoints: np.ndarray
    value_trace: np.ndarray
    learners: tuple


def play_stochastic(game: StochasticGame, row: Any, col: Any, rounds: int, *, n_matches: int = 1,
                    seed: Any = None, checkpoints: int = 50, restart: float = 0.0) -> StochasticPlayResult:
    """Play ``n_matches`` independent matches of a two-player stochastic game for ``rounds`` rounds.

    Each match starts from ``game.initial``; all randomness comes from generators
    spawned from ``seed`` (start states, each seat's exploration, transitions).
    With ``restart`` > 0, after each round (and its learning update, which uses the
    true next state) a match jumps back to a state drawn from ``game.initial`` with
    that probability -- episodic play, so that learners keep visiting states that an
    absorbing state would cut off.

    Examples
    --------
    >>> from gamesim.sim.catalogue import matching_pennies
    >>> g = StochasticGame.repeated(matching_pennies(), discount=0.5)
    >>> res = play_stochastic(g, MinimaxQ(), MinimaxQ(), 2000, n_matches=20, seed=1)
    >>> bool(abs(res.values[0].mean()) < 0.3)
    True
    """
    if isinstance(rounds, bool) or not isinstance(rounds, (int, np.integer)) or rounds < 1:
        raise ValueError(f"rounds: must be a positive integer, got {rounds!r}")
    if isinstance(n_matches, bool) or not isinstance(n_matches, (int, np.integer)) or n_matches < 1:
        raise ValueError(f"n_matches: must be a positive integer, got {n_matches!r}")
    if not isinstance(game, StochasticGame) or game.n_players != 2:
        raise ValueError("game: expected a two-player StochasticGame")
    as_number(restart, "restart", low=0.0, high=1.0, high_open=True)
    as_count(checkpoints, "checkpoints")
    s_start, s_row, s_col, s_env = streams(seed, 4)
    for field, learner in (("row", row), ("col", col)):
        if not hasattr(learner, "start"):
            raise ValueError(f"{field}: {learner!r} is not a learner for play_stochastic "
                             "(use StochasticEnvironment for other stochastic-game strategies)")
    learners = (row.start(game, 0, n_matches, s_row), col.start(game, 1, n_matches, s_col))
    S = game.n_states
    states = s_start.choice(S, size=n_matches, p=game.initial)
    mean_rewards = np.empty((rounds, 2))
    share = np.empty((rounds, S))
    marks = np.unique(np.geomspace(1, rounds, min(checkpoints, rounds)).astype(int))
    trace = np.full((marks.size, 2, S), np.nan)
    k = 0
    for t in range(1, rounds + 1):
        a0 = learners[0].act(states)
        a1 = learners[1].act(states)
        rewards, nxt = step(game, states, np.stack([a0, a1]), s_env, check=False)
        learners[0].update(states, a0, a1, rewards[0], nxt)
        learners[1].update(states, a1, a0, rewards[1], nxt)
        mean_rewards[t - 1] = rewards.mean(axis=1)
        share[t - 1] = np.bincount(nxt, minlength=S) / n_matches
        if restart > 0:
            back = s_start.random(n_matches) < restart
            nxt = np.where(back, s_start.choice(S, size=n_matches, p=game.initial), nxt)
        states = nxt
        if k < marks.size and t == marks[k]:
            for i in range(2):
                if hasattr(learners[i], "state_values"):
                    trace[k, i] = learners[i].state_values().mean(axis=0)
            k += 1
    values = None
    if all(hasattr(lr, "state_values") for lr in learners):
        values = np.stack([lr.state_values() for lr in learners])
    return StochasticPlayResult(mean_rewards=mean_rewards, state_share=share, values=values,
                                checkpoints=marks, value_trace=trace, learners=learners)
