"""Repeated games: when can trigger strategies sustain an agreed profile?

References
----------
.. [notes] "Game theory course notes", ``shared/seeds/game-theory-course-notes.md``,
   sections "Discounted Repeated Games" and "A Folk Theorem for Discounted Repeated Games".
.. [F71] J. W. Friedman, "A non-cooperative equilibrium for supergames", Review of
   Economic Studies 38, 1971.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..sim.games import NormalFormGame, as_game
from .equilibria import minmax_values

__all__ = ["TriggerThreshold", "grim_trigger_threshold", "is_feasible", "is_enforceable"]


@dataclass(frozen=True)
class TriggerThreshold:
    """Smallest discount factor at which grim trigger sustains an agreed profile.

    Attributes
    ----------
    delta : float
        ``max_i delta_i``: grim trigger is a subgame-perfect-style equilibrium of the
        discounted repeated game (no profitable one-shot deviation) iff
        ``discount >= delta``.  ``inf`` if some player gets less than its minmax value
        at the agreed profile (no discount factor sustains it).
    per_player : ndarray
        ``delta_i = (u_i^dev - u_i(c)) / (u_i^dev - v_i)`` (0 if deviating gains nothing).
    agreed : tuple of int
    cooperation_payoff, deviation_payoff, punishment_payoff : ndarray
        ``u_i(c)``, the best one-shot deviation payoff ``u_i^dev`` and the minmax value ``v_i``.
    method : str
    """

    delta: float
    per_player: np.ndarray
    agreed: tuple[int, ...]
    cooperation_payoff: np.ndarray
    deviation_payoff: np.ndarray
    punishment_payoff: np.ndarray
    method: str = "one-shot deviation against minmax punishment"

    def sustains(self, discount: float) -> bool:
        """Whether grim trigger sustains the agreed profile at this discount factor."""
        return bool(discount >= self.delta)


def grim_trigger_threshold(game: NormalFormGame, agreed: Sequence[int | str] | None = None) -> TriggerThreshold:
    """Critical discount factor for grim trigger to sustain ``agreed`` [notes]_, [F71]_.

    Player ``i`` compares cooperating forever, ``u_i(c) / (1 - delta)``, with the best
    one-shot deviation followed by minmax punishment forever,
    ``u_i^dev + delta v_i / (1 - delta)``.  Cooperation is sustained iff
    ``delta >= (u_i^dev - u_i(c)) / (u_i^dev - v_i)`` for every player.  In the
    prisoner's dilemma with payoffs (R, S, T, P) this is ``(T - R) / (T - P)``.

    Parameters
    ----------
    game : NormalFormGame
        Any finite game (for n > 2 players the punishment value is the one the others
        can force when they correlate, see :func:`minmax_values`).
    agreed : sequence of int or str, optional
        The profile to sustain; default: the actions named ``"C"`` if every player has
        one, else the pure profile with the largest total payoff.

    Examples
    --------
    >>> from gamesim.sim.catalogue import prisoners_dilemma
    >>> grim_trigger_threshold(prisoners_dilemma(R=3, S=0, T=5, P=1)).delta
    0.5
    >>> round(grim_trigger_threshold(prisoners_dilemma(R=3, S=0, T=10, P=1)).delta, 12)
    0.777777777778
    """
    game = as_game(game)
    n = game.n_players
    if agreed is None:
        if all("C" in acts for acts in game.actions):
            agreed = tuple(acts.index("C") for acts in game.actions)
        else:
            total = game.payoffs.sum(axis=0)
            agreed = tuple(int(a) for a in np.unravel_index(int(np.argmax(total)), total.shape))
    else:
        if len(agreed) != n:
            raise ValueError(f"agreed: {len(agreed)} actions given for {n} players")
        agreed = tuple(game.action_index(i, a) for i, a in enumerate(agreed))
    coop = game.payoff_vector(agreed)
    dev = np.empty(n)
    for i in range(n):
        idx = list(agreed)
        idx[i] = slice(None)
        dev[i] = game.payoffs[(i, *idx)].max()
    punish = np.asarray(minmax_values(game).values, dtype=float)
    per = np.zeros(n)
    for i in range(n):
        if coop[i] < punish[i] - 1e-12:
            per[i] = np.inf
        elif dev[i] > coop[i]:
            per[i] = (dev[i] - coop[i]) / (dev[i] - punish[i])
    return TriggerThreshold(float(per.max()), per, agreed, coop, dev, punish)


def is_feasible(game: NormalFormGame, payoff: Sequence[float], tol: float = 1e-9) -> bool:
    """Whether ``payoff`` is a convex combination of the game's outcome payoffs [notes]_.

    Checked by a linear program over the weights of the outcomes.

    Examples
    --------
    >>> from gamesim.sim.catalogue import folk_theorem_game
    >>> is_feasible(folk_theorem_game(), [1, 1]), is_feasible(folk_theorem_game(), [2, 2])
    (True, False)
    """
    from scipy.optimize import linprog

    game = as_game(game)
    r = np.asarray(payoff, dtype=float)
    if r.shape != (game.n_players,):
        raise ValueError(f"payoff: expected {game.n_players} numbers, got shape {r.shape}")
    V = game.outcome_payoffs().T                     # (n_players, n_outcomes)
    A_eq = np.vstack([V, np.ones(V.shape[1])])
    b_eq = np.concatenate([r, [1.0]])
    res = linprog(np.zeros(V.shape[1]), A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if res.status == 0:
        return bool(np.allclose(A_eq @ res.x, b_eq, atol=1e-7 + tol))
    return False


def is_enforceable(game: NormalFormGame, payoff: Sequence[float], tol: float = 1e-9) -> bool:
    """Whether every player gets at least its minmax value [notes]_.

    Examples
    --------
    >>> from gamesim.sim.catalogue import folk_theorem_game
    >>> is_enforceable(folk_theorem_game(), [1, 1])
    True
    """
    game = as_game(game)
    r = np.asarray(payoff, dtype=float)
    if r.shape != (game.n_players,):
        raise ValueError(f"payoff: expected {game.n_players} numbers, got shape {r.shape}")
    return bool(np.all(r >= np.asarray(minmax_values(game).values) - tol))
