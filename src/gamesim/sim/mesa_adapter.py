"""The one place gamesim touches Mesa.

Mesa's API changes between major versions; keeping it behind this module means a
Mesa upgrade touches one file.  :class:`GameModel` is a ``mesa.Model`` that wraps an
:class:`~gamesim.sim.environment.Environment`: ``step()`` plays one round of every
match with the environment's array code, and a ``mesa.DataCollector`` records the
per-strategy mean payoff and action frequencies of each round.  Mesa agents are
made only on request (:meth:`GameModel.make_agents`), as thin read-only views onto
the environment's arrays, for visualisation and agent reporters.

References
----------
J. Kazil, D. Masad and A. Crooks, "Utilizing Python for agent-based modeling: the
Mesa framework", SBP-BRiMS 2020.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from .environment import Environment
from .results import SimulationResult

__all__ = ["GameModel", "AgentView"]


class AgentView(mesa.Agent):
    """A Mesa agent that reads one gamesim agent's figures from the environment."""

    def __init__(self, model: "GameModel", index: int) -> None:
        super().__init__(model)
        self.index = index
        self.agent_name = model.env.agent_names[index]
        self.strategy = model.env.strategies[model.env.agent_strategy[index]].name

    @property
    def score(self) -> float:
        """Mean payoff per turn so far."""
        r = self.model.env.result()
        return float(r.mean_score[self.index])

    def step(self) -> None:  # rounds are played by the model, all agents at once
        pass


class GameModel(mesa.Model):
    """A Mesa model whose ``step()`` plays one round of an :class:`Environment`.

    Parameters
    ----------
    env : Environment, optional
        The environment to wrap; otherwise the remaining arguments build one.
    *args, **kwargs
        Passed to :class:`Environment` (``game, population, matching, rounds, ...,
        seed=...``).

    Running ``N`` steps gives the same numbers as ``Environment.run()`` with the
    same seed and ``rounds=N``: the environment's generators, not Mesa's, drive play.

    Examples
    --------
    >>> import gamesim as gs
    >>> from gamesim.agents import TitForTat, Defector
    >>> model = GameModel(game=gs.games.prisoners_dilemma(), population=[TitForTat(), Defector()],
    ...                   rounds=5, seed=3)
    >>> model.run(5)
    >>> frame = model.datacollector.get_model_vars_dataframe()
    >>> [round(x, 3) for x in frame["mean_payoff[Defector]"]]   # vs TitForTat and vs itself
    [2.333, 1.0, 1.0, 1.0, 1.0]
    """

    def __init__(self, env: Environment | None = None, *args: Any, **kwargs: Any) -> None:
        seed = kwargs.get("seed")
        super().__init__(seed=seed if isinstance(seed, (int, np.integer)) else None)
        self.env = env if env is not None else Environment(*args, **kwargs)
        names = [s.name for s in self.env.strategies]
        reporters: dict[str, Any] = {"round": lambda m: m.env.round}
        for k, name in enumerate(names):
            reporters[f"mean_payoff[{name}]"] = _reporter("mean_payoff", k)
            for a in range(max(self.env.game.n_actions)):
                label = self.env.game.actions[0][a] if a < len(self.env.game.actions[0]) else str(a)
                reporters[f"freq[{name}][{label}]"] = _reporter("action_freq", k, a)
        self.datacollector = mesa.DataCollector(model_reporters=reporters)

    def step(self) -> None:
        """Play one round of every match and record the per-strategy figures."""
        self.env.step()
        self._latest = self.env.last_round()
        self.datacollector.collect(self)
        if self.env.round >= self.env.horizon:
            self.running = False

    def run(self, steps: int) -> None:
        """Play ``steps`` rounds (stops early when the environment's horizon is reached)."""
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
            raise ValueError(f"steps: must be a non-negative integer, got {steps!r}")
        for _ in range(int(steps)):
            if not self.running:
                break
            self.step()

    def result(self) -> SimulationResult:
        """The environment's result for the rounds played so far."""
        return self.env.result()

    def make_agents(self) -> list[AgentView]:
        """Create one Mesa agent per gamesim agent (views, for visualisation and reporters)."""
        return [AgentView(self, i) for i in range(self.env.n_agents)]


def _reporter(key: str, *index: int):
    def report(model: GameModel) -> float:
        return float(model._latest[key][index])
    return report
