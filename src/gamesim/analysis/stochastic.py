"""Solution concepts for stochastic games: Shapley iteration, policy evaluation, best responses.

* :func:`shapley_value_iteration` -- two-player zero-sum discounted games: the
  value of every state and stationary optimal strategies (Shapley 1953), one
  zero-sum matrix game per state and sweep.
* :func:`policy_evaluation` -- every player's discounted value of a stationary
  profile, by one linear solve per player.
* :func:`best_response_values` -- the best a player can do against the others'
  stationary strategies (the MDP they induce), by exact policy iteration.
* :func:`nash_conv` -- the sum over players of what a best response gains: 0 exactly
  at a stationary Nash equilibrium (the exploitability of a profile).
* :func:`coco_value_iteration` -- the CoCo value of a two-player stochastic game
  (Sodomka et al. 2013): team value iteration on ``(R1 + R2) / 2`` plus Shapley
  iteration on ``(R1 - R2) / 2``; both are discount contractions.

A stationary profile is a sequence over states of a sequence over players of mixed
strategies: ``profile[q][i]`` has ``game.n_actions(q)[i]`` entries.

References
----------
.. [S53] L. S. Shapley, "Stochastic games", PNAS 39, 1095-1100, 1953.
.. [FV97] J. Filar, K. Vrieze, *Competitive Markov Decision Processes*, Springer, 1997.
.. [P94] M. L. Puterman, *Markov Decision Processes*, Wiley, 1994 (policy iteration).
.. [SHLG13] E. Sodomka, E. Hilliard, M. Littman, A. Greenwald, "Coco-Q: learning in
   stochastic games with side payments", ICML 2013.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .._arrays import as_count, as_number
from ..errors import ConvergenceWarning
from ..sim.stochastic import StochasticGame
from .equilibria import zero_sum_value

__all__ = ["StochasticSolution", "shapley_value_iteration", "policy_evaluation", "best_response_values",
           "nash_conv", "NashConvResult", "coco_value_iteration", "CoCoStochasticValue", "matrix_game_value"]


@dataclass(frozen=True, eq=False)
class StochasticSolution:
    """Values and stationary strategies of a stochastic game.

    Attributes
    ----------
    values : ndarray, shape (n_players, n_states)
        Each player's value of starting in each state.
    strategies : tuple
        ``strategies[q][i]``: player ``i``'s stationary mixed strategy in state ``q``.
    iterations : int
        Sweeps made.
    residual : float
        Sup-norm change of the last sweep.
    converged : bool
        Whether the stopping rule was met (then ``|V - V*| < tol / 2``).
    method : str
    parameters : dict
    """

    values: np.ndarray
    strategies: tuple
    iterations: int
    residual: float
    converged: bool
    method: str
    parameters: dict = field(default_factory=dict)


def _check_discounted(game: Any) -> StochasticGame:
    if not isinstance(game, StochasticGame):
        raise ValueError(f"game: expected a StochasticGame, got {type(game).__name__}")
    if game.discount is None:
        raise ValueError("game: needs a discount factor (discount=None means average reward, "
                         "which these solvers do not handle)")
    return game


def matrix_game_value(Q: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Value and optimal strategies of the zero-sum matrix game ``Q`` (row maximises).

    A pure saddle point is read off directly; otherwise one LP
    (:func:`gamesim.analysis.zero_sum_value`).
    """
    Q = np.asarray(Q, dtype=float)
    row_min = Q.min(axis=1)
    col_max = Q.max(axis=0)
    lo, hi = float(row_min.max()), float(col_max.min())
    if hi - lo <= 1e-14 * (1.0 + float(np.abs(Q).max())):
        x = np.zeros(Q.shape[0])
        y = np.zeros(Q.shape[1])
        x[int(np.argmax(row_min))] = 1.0
        y[int(np.argmin(col_max))] = 1.0
        return lo, x, y
    sol = zero_sum_value(Q)
    return float(sol.value), np.asarray(sol.row_strategy), np.asarray(sol.col_strategy)


def _continuation(game: StochasticGame, q: int, V: np.ndarray) -> np.ndarray:
    """``P[q] @ V`` over joint actions: expected next-state value, shape ``n_actions(q)``."""
    return game.transitions(q) @ V


def _iterate(game: StochasticGame, backup: Callable[[int, np.ndarray], tuple[float, tuple]],
             tol: float, max_iter: int, V0: Any, what: str) -> tuple[np.ndarray, tuple, int, float, bool]:
    as_number(tol, "tol", low=0.0, low_open=True)
    as_count(max_iter, "max_iter")
    gamma = game.discount
    S = game.n_states
    V = np.zeros(S) if V0 is None else np.array(V0, dtype=float)
    if V.shape != (S,):
        raise ValueError(f"initial_values: expected {S} values, got shape {V.shape}")
    # |V_{k+1} - V_k| < tol (1 - g) / (2 g)  implies  |V_{k+1} - V*| < tol / 2.
    stop = tol * (1 - gamma) / (2 * gamma)
    strategies: tuple = ()
    residual = np.inf
    for it in range(1, max_iter + 1):
        new = np.empty(S)
        strats = []
        for q in range(S):
            new[q], s = backup(q, V)
            strats.append(s)
        residual = float(np.max(np.abs(new - V)))
        V, strategies = new, tuple(strats)
        if residual < stop:
            return V, strategies, it, residual, True
    warnings.warn(f"{what}: no convergence in {max_iter} sweeps (last change {residual:.3g}, "
                  f"needed < {stop:.3g})", ConvergenceWarning, stacklevel=3)
    return V, strategies, max_iter, residual, False


def shapley_value_iteration(game: StochasticGame, *, tol: float = 1e-10, max_iter: int = 100_000,
                            initial_values: Any = None) -> StochasticSolution:
    """Shapley's value iteration for a two-player zero-sum discounted stochastic game.

    ``V_{k+1}(q) = val(R_1(q) + discount * P(q) V_k)``: the operator is a
    ``discount``-contraction in the sup norm, so the iteration converges to the unique
    value ``V*`` from any start; the optimal strategies of the last sweep's matrix
    games are stationary optimal strategies.  Stops when a sweep changes ``V`` by less
    than ``tol (1 - discount) / (2 discount)``, which guarantees ``|V - V*| < tol / 2``.

    Parameters
    ----------
    game : StochasticGame
        Two players, zero-sum rewards (``R_2 = -R_1``), discounted.
    tol : float
    max_iter : int
        On reaching it, ``converged=False`` and a :class:`~gamesim.errors.ConvergenceWarning`.
    initial_values : array_like, optional
        Starting values of player 1 (default 0).

    Returns
    -------
    StochasticSolution
        ``values[0] = V*``, ``values[1] = -V*``.

    References
    ----------
    .. [1] L. S. Shapley, "Stochastic games", PNAS 39, 1953.

    Examples
    --------
    A one-state game is the repeated stage game: value ``val(A) / (1 - discount)``.

    >>> from gamesim.sim.catalogue import matching_pennies
    >>> g = StochasticGame.repeated(matching_pennies(), discount=0.5)
    >>> abs(round(float(shapley_value_iteration(g).values[0, 0]), 9))
    0.0
    """
    game = _check_discounted(game)
    if not game.is_zero_sum:
        raise ValueError("game: Shapley iteration needs a two-player zero-sum game (R_2 = -R_1 in every state)")
    gamma = game.discount

    def backup(q: int, V: np.ndarray):
        value, x, y = matrix_game_value(game.rewards(q)[0] + gamma * _continuation(game, q, V))
        return value, (x, y)

    V, strategies, it, res, ok = _iterate(game, backup, tol, max_iter, initial_values, "shapley_value_iteration")
    return StochasticSolution(values=np.stack([V, -V]), strategies=strategies, iterations=it, residual=res,
                              converged=ok, method="Shapley value iteration (LP per state)",
                              parameters={"tol": tol, "max_iter": max_iter, "discount": gamma})


def _check_profile(game: StochasticGame, profile: Any) -> list[list[np.ndarray]]:
    if len(profile) != game.n_states:
        raise ValueError(f"profile: expected strategies for {game.n_states} states, got {len(profile)}")
    out = []
    for q, per_player in enumerate(profile):
        if len(per_player) != game.n_players:
            raise ValueError(f"profile: state {q} has strategies for {len(per_player)} players, "
                             f"expected {game.n_players}")
        row = []
        for i, s in enumerate(per_player):
            x = np.asarray(s, dtype=float)
            if x.shape != (game.n_actions(q)[i],):
                raise ValueError(f"profile: state {q}, player {i}: expected {game.n_actions(q)[i]} "
                                 f"probabilities, got shape {x.shape}")
            if np.any(x < -1e-12) or abs(x.sum() - 1.0) > 1e-9:
                raise ValueError(f"profile: state {q}, player {i}: not a probability vector")
            row.append(np.clip(x, 0.0, None) / x.sum())
        out.append(row)
    return out


def _product(strategies: list[np.ndarray]) -> np.ndarray:
    joint = np.ones(())
    for s in strategies:
        joint = np.multiply.outer(joint, s)
    return joint


def _induced(game: StochasticGame, prof: list[list[np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Expected stage rewards ``r[i, q]`` and the state chain ``P[q, q']`` of a stationary profile."""
    n, S = game.n_players, game.n_states
    r = np.empty((n, S))
    P = np.empty((S, S))
    for q in range(S):
        joint = _product(prof[q])
        r[:, q] = game.rewards(q).reshape(n, -1) @ joint.ravel()
        P[q] = joint.ravel() @ game.transitions(q).reshape(-1, S)
    return r, P


def policy_evaluation(game: StochasticGame, profile: Any) -> np.ndarray:
    """Every player's discounted value of a stationary profile from every state.

    ``V_i = (I - discount * P_pi)^{-1} r_i``: one linear solve per player, exact.

    Returns
    -------
    ndarray, shape (n_players, n_states)

    Examples
    --------
    >>> from gamesim.sim.catalogue import prisoners_dilemma
    >>> g = StochasticGame.repeated(prisoners_dilemma(), discount=0.9)
    >>> policy_evaluation(g, [[[1, 0], [1, 0]]]).round(9).tolist()      # cooperate forever: 3 / (1 - 0.9)
    [[30.0], [30.0]]
    """
    game = _check_discounted(game)
    prof = _check_profile(game, profile)
    r, P = _induced(game, prof)
    A = np.eye(game.n_states) - game.discount * P
    return np.linalg.solve(A, r.T).T


def best_response_values(game: StochasticGame, profile: Any, player: int) -> tuple[np.ndarray, tuple]:
    """The best ``player`` can do against the others' stationary strategies in ``profile``.

    The others' strategies fix an MDP for ``player``; exact policy iteration (Howard
    1960; Puterman 1994, section 6.4) finds its optimal values and a pure stationary
    best response in at most finitely many linear solves.

    Returns
    -------
    values : ndarray, shape (n_states,)
    policy : tuple of int
        A best-response action per state.
    """
    game = _check_discounted(game)
    if isinstance(player, bool) or not isinstance(player, (int, np.integer)) or not 0 <= player < game.n_players:
        raise ValueError(f"player: must be an integer in 0..{game.n_players - 1}, got {player!r}")
    prof = _check_profile(game, profile)
    S, gamma = game.n_states, game.discount
    # Per state: the player's action -> expected reward and next-state distribution.
    r_a, P_a = [], []
    for q in range(S):
        others = [s if j != player else np.ones(game.n_actions(q)[j]) for j, s in enumerate(prof[q])]
        w = _product(others)                                         # weights with player's axis = 1
        R = game.rewards(q)[player] * w
        T = game.transitions(q) * w[..., None]
        axes = tuple(j for j in range(game.n_players) if j != player)
        r_a.append(R.sum(axis=axes))
        P_a.append(T.sum(axis=axes))                                 # (m_player, S)
    policy = [int(np.argmax(r)) for r in r_a]
    for _ in range(10_000):
        r = np.array([r_a[q][policy[q]] for q in range(S)])
        P = np.array([P_a[q][policy[q]] for q in range(S)])
        V = np.linalg.solve(np.eye(S) - gamma * P, r)
        improved = False
        for q in range(S):
            Qv = r_a[q] + gamma * P_a[q] @ V
            best = int(np.argmax(Qv))
            # Switch only on a strict gain, so the iteration cannot cycle between ties.
            if Qv[best] > Qv[policy[q]] + 1e-12 * (1.0 + abs(Qv[best])):
                policy[q] = best
                improved = True
        if not improved:
            return V, tuple(policy)
    raise RuntimeError("best_response_values: policy iteration did not terminate")  # pragma: no cover


@dataclass(frozen=True, eq=False)
class NashConvResult:
    """What best responses gain against a stationary profile.

    Attributes
    ----------
    nash_conv : float
        ``sum_i (BR_i - V_i)`` weighted by the initial state distribution.
    gains : ndarray, shape (n_players, n_states)
        Per player and starting state, best-response value minus the profile's value.
    values, best_response : ndarray, shape (n_players, n_states)
    """

    nash_conv: float
    gains: np.ndarray
    values: np.ndarray
    best_response: np.ndarray


def nash_conv(game: StochasticGame, profile: Any) -> NashConvResult:
    """NashConv (exploitability) of a stationary profile of a discounted stochastic game.

    Zero exactly when no player gains by a unilateral deviation from any state: a
    stationary (Markov perfect) Nash equilibrium.

    Examples
    --------
    >>> from gamesim.sim.catalogue import prisoners_dilemma
    >>> g = StochasticGame.repeated(prisoners_dilemma(), discount=0.9)
    >>> round(nash_conv(g, [[[0, 1], [0, 1]]]).nash_conv, 9)        # always defect: a stationary NE
    0.0
    """
    V = policy_evaluation(game, profile)
    BR = np.stack([best_response_values(game, profile, i)[0] for i in range(game.n_players)])
    gains = np.maximum(BR - V, 0.0)
    return NashConvResult(nash_conv=float((gains @ game.initial).sum()), gains=gains, values=V, best_response=BR)


@dataclass(frozen=True, eq=False)
class CoCoStochasticValue:
    """CoCo value of a two-player discounted stochastic game.

    Attributes
    ----------
    values : ndarray, shape (2, n_states)
        ``team + competitive`` and ``team - competitive``.
    team : ndarray, shape (n_states,)
        Value of the common-interest game ``(R1 + R2) / 2`` (max over joint actions).
    competitive : ndarray, shape (n_states,)
        Value of the zero-sum game ``(R1 - R2) / 2``.
    team_actions : tuple
        A welfare-maximising joint action per state.
    competitive_strategies : tuple
        Stationary optimal strategies of the competitive game per state.
    converged : bool
    iterations : tuple of int
    """

    values: np.ndarray
    team: np.ndarray
    competitive: np.ndarray
    team_actions: tuple
    competitive_strategies: tuple
    converged: bool
    iterations: tuple


def coco_value_iteration(game: StochasticGame, *, tol: float = 1e-10, max_iter: int = 100_000) -> CoCoStochasticValue:
    """CoCo values of a two-player discounted stochastic game (Sodomka et al. 2013).

    The CoCo backup splits into team value iteration on ``(R1 + R2) / 2`` (a max over
    joint actions) and Shapley iteration on ``(R1 - R2) / 2`` (a minimax); both are
    ``discount``-contractions, so the combination converges.

    Examples
    --------
    >>> from gamesim.sim.catalogue import prisoners_dilemma
    >>> g = StochasticGame.repeated(prisoners_dilemma(), discount=0.5)
    >>> coco_value_iteration(g).values.round(9).tolist()       # (3, 3) per round, doubled by 1 / (1 - 0.5)
    [[6.0], [6.0]]
    """
    game = _check_discounted(game)
    if game.n_players != 2:
        raise ValueError(f"game: the CoCo value iteration needs two players, got {game.n_players}")
    gamma = game.discount

    def team_backup(q: int, V: np.ndarray):
        Q = game.rewards(q).sum(axis=0) / 2 + gamma * _continuation(game, q, V)
        k = int(np.argmax(Q))
        return float(Q.ravel()[k]), tuple(int(a) for a in np.unravel_index(k, Q.shape))

    def comp_backup(q: int, V: np.ndarray):
        R = game.rewards(q)
        value, x, y = matrix_game_value((R[0] - R[1]) / 2 + gamma * _continuation(game, q, V))
        return value, (x, y)

    T, ta, it_t, _, ok_t = _iterate(game, team_backup, tol, max_iter, None, "coco_value_iteration (team)")
    C, cs, it_c, _, ok_c = _iterate(game, comp_backup, tol, max_iter, None, "coco_value_iteration (competitive)")
    return CoCoStochasticValue(values=np.stack([T + C, T - C]), team=T, competitive=C, team_actions=ta,
                               competitive_strategies=cs, converged=ok_t and ok_c, iterations=(it_t, it_c))
