"""Shapley iteration against learning in a zero-sum stochastic game.

The game is the contested-state example of ALGORITHMS.md section 7
(:func:`gamesim.sim.stochastic.contested_game`): state 0 is a 2x2 zero-sum stage
game from which the row player may win state W (+1 forever) or lose to state L (-1
forever).  The scenario computes

* Shapley's value iteration [S53]_ -- the model-based answer (V(0) = 6.4599 at
  discount 0.9) with stationary optimal strategies;
* minimax-Q [L94]_ in self-play, ``matches`` independent seeded matches, episodic
  (a match restarts from state 0 with probability ``restart`` after each round);
* state-conditioned fictitious play with value backups [VT82]_ in self-play: the row
  player's value estimate and the column player's bracket the value.

and records the learners' value error ``|V_learned(0) - V*(0)|`` (mean over matches)
at log-spaced rounds.  Headline: Shapley's values and iterations, the final
minimax-Q values and error, the fictitious-play bracket and its width.  Writes
``value_error.csv`` and ``value_error.png`` (value error against rounds, log-log).

References
----------
.. [S53] L. S. Shapley, "Stochastic games", PNAS 39, 1953.
.. [L94] M. L. Littman, "Markov games as a framework for multi-agent reinforcement
   learning", ICML 1994.
.. [VT82] O. J. Vrieze, S. H. Tijs, "Fictitious play applied to sequences of games and
   discounted stochastic games", Int. J. Game Theory 11, 1982.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._base import Parameter, Progress, half_open_unit_interval, open_unit_interval, positive

NAME = "stochastic_zero_sum"
DESCRIPTION = "Zero-sum stochastic game: Shapley value iteration against minimax-Q and state-conditioned FP"

PARAMETERS = (
    Parameter("rounds", 5000, int, "rounds each learner plays per match", positive),
    Parameter("matches", 20, int, "independent matches per learner", positive),
    Parameter("discount", 0.9, float, "discount factor", open_unit_interval),
    Parameter("restart", 0.05, float, "probability that a match restarts from state 0 after a round",
              half_open_unit_interval),
    Parameter("checkpoints", 30, int, "number of log-spaced checkpoints", positive),
)


def run(params: Mapping[str, Any], seed: Any, out_dir: Path | None, progress: Progress | None) -> dict[str, Any]:
    """Solve the game, run both learners, record value errors; see the module docstring."""
    from ..agents.stochastic import MinimaxQ, StateFictitiousPlay, play_stochastic
    from ..analysis.stochastic import shapley_value_iteration
    from ..sim.stochastic import contested_game

    game = contested_game(params["discount"])
    sol = shapley_value_iteration(game)
    v_star = sol.values[0]
    root = np.random.SeedSequence(seed)
    s_q, s_fp = root.spawn(2)
    kw = dict(n_matches=params["matches"], restart=params["restart"], checkpoints=params["checkpoints"])
    if progress is not None:
        progress(0, 2, "learners")
    mq = play_stochastic(game, MinimaxQ(), MinimaxQ(), params["rounds"], seed=s_q, **kw)
    if progress is not None:
        progress(1, 2, "learners")
    fp = play_stochastic(game, StateFictitiousPlay(), StateFictitiousPlay(), params["rounds"], seed=s_fp, **kw)
    if progress is not None:
        progress(2, 2, "learners")
    mq_err = np.abs(mq.value_trace[:, 0, 0] - v_star[0])
    fp_upper, fp_lower = fp.value_trace[:, 0, 0], -fp.value_trace[:, 1, 0]
    fp_err = np.maximum(np.abs(fp_upper - v_star[0]), np.abs(fp_lower - v_star[0]))
    mq_final = mq.values[0].mean(axis=0)
    headline = {
        "game": game.name,
        "shapley_values": v_star.tolist(),
        "shapley_iterations": sol.iterations,
        "shapley_strategies_state0": [s.tolist() for s in sol.strategies[0]],
        "minimax_q_values": mq_final.tolist(),
        "minimax_q_error_state0": float(abs(mq_final[0] - v_star[0])),
        "fp_bracket_state0": [float(fp_lower[-1]), float(fp_upper[-1])],
        "fp_bracket_width": float(fp_upper[-1] - fp_lower[-1]),
        "fp_brackets_value": bool(fp_lower[-1] - 1e-9 <= v_star[0] <= fp_upper[-1] + 1e-9),
    }
    if out_dir is not None:
        import pandas as pd

        from ..analysis.plots import save_figure

        frame = pd.DataFrame({"rounds": mq.checkpoints, "minimax_q_value0": mq.value_trace[:, 0, 0],
                              "minimax_q_error0": mq_err, "fp_upper0": fp_upper, "fp_lower0": fp_lower,
                              "fp_error0": fp_err, "shapley_value0": v_star[0]})
        frame.to_csv(out_dir / "value_error.csv", index=False)
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6.4, 4.2))
        ax.loglog(mq.checkpoints, np.maximum(mq_err, 1e-12), label="minimax-Q")
        ax.loglog(fp.checkpoints, np.maximum(fp_err, 1e-12), label="state-conditioned FP (bracket)")
        ax.set_xlabel("round")
        ax.set_ylabel("|V(0) - V*(0)|, mean over matches")
        ax.set_title(f"{game.name}: V*(0) = {v_star[0]:.6f} (Shapley)")
        ax.legend()
        save_figure(fig, out_dir / "value_error.png")
    return headline


def format_summary(headline: Mapping[str, Any]) -> str:
    """Shapley's values against the learners'."""
    fmt = lambda v: "(" + ", ".join(f"{x:.4f}" for x in v) + ")"  # noqa: E731
    lo, hi = headline["fp_bracket_state0"]
    return "\n".join([
        f"game:                        {headline['game']}",
        f"Shapley values (0, W, L):    {fmt(headline['shapley_values'])}  ({headline['shapley_iterations']} sweeps)",
        f"minimax-Q values:            {fmt(headline['minimax_q_values'])}  "
        f"(error in state 0: {headline['minimax_q_error_state0']:.4f})",
        f"fictitious play, state 0:    [{lo:.4f}, {hi:.4f}]  width {headline['fp_bracket_width']:.4f}, "
        f"brackets V*: {'yes' if headline['fp_brackets_value'] else 'no'}",
    ])
