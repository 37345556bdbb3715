"""The outcome of an :class:`~gamesim.sim.environment.Environment` run, as data."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["SimulationResult", "DeferredSeries"]

_SERIES = ("series_payoff", "series_actions", "series_turns")


class DeferredSeries:
    """Stands in for the per-round series of a result until they are first read.

    Subclasses implement :meth:`_compute`, returning ``(series_payoff, series_actions,
    series_turns)``; it runs at most once.
    """

    def __init__(self) -> None:
        self._values: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def values(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._values is None:
            self._values = self._compute()
        return self._values

    def _compute(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError


class _SeriesField:
    """Data descriptor for a series field: a :class:`DeferredSeries` is computed on first read."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            raise AttributeError(self.name)       # no class-level default for the dataclass
        try:
            value = obj.__dict__[self.name]
        except KeyError:
            raise AttributeError(self.name) from None
        if isinstance(value, DeferredSeries):
            d = obj.__dict__
            for name, computed in zip(_SERIES, value.values()):
                if d.get(name) is value:
                    d[name] = computed
            value = d[self.name]
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.name] = value


@dataclass(frozen=True)
class SimulationResult:
    """Scores, pairwise payoffs and per-round series of one simulation run.

    Scores are per *turn* (a turn is one seat in one played round): an agent's
    ``mean_score`` is its total payoff divided by the number of turns it played,
    so agents that play different numbers of matches are comparable.

    Attributes
    ----------
    agent_names, strategy_names : tuple of str
        Agents in population order; distinct strategies in first-appearance order.
    agent_strategy : ndarray of int, shape (n_agents,)
        Index into ``strategy_names`` for each agent.
    total_payoff, turns : ndarray, shape (n_agents,)
    discounted_payoff : ndarray or None
        ``sum_t discount**t * u_t`` per agent, summed over its matches (t from 0).
    self_payoff, self_turns : ndarray, shape (n_agents,)
        The part of ``total_payoff`` / ``turns`` earned against a copy of itself.
    pairwise_total, pairwise_turns : ndarray, shape (n_agents, n_agents) or None
        Two-player games with at most ``MAX_PAIRWISE_AGENTS`` (2000) agents: payoff
        agent ``i`` earned against agent ``j`` and the number of turns it took
        (None for larger populations, whose N x N tables would not fit in memory).
    strategy_pairwise_total, strategy_pairwise_turns : ndarray, shape (n_strategies, n_strategies) or None
        The same by strategy, for every two-player run.
    series_payoff : ndarray, shape (rounds, n_strategies)
        Mean payoff per turn of each strategy in each round (NaN if it did not play).
        The three series may be computed from the run's history when first read
        (the environment passes a :class:`DeferredSeries`); they read the same either way.
    series_actions : ndarray, shape (rounds, n_strategies, max_actions)
        Frequency of each action index among each strategy's turns in each round.
    series_turns : ndarray, shape (rounds, n_strategies)
        Number of turns each strategy played in each round (the weights of the series).
    rounds_played : int
    parameters : dict
        Everything needed to reproduce the run (game name, matching, rounds, noise,
        continuation, discount, seed, method).
    """

    agent_names: tuple[str, ...]
    strategy_names: tuple[str, ...]
    agent_strategy: np.ndarray
    total_payoff: np.ndarray
    turns: np.ndarray
    discounted_payoff: np.ndarray | None
    self_payoff: np.ndarray
    self_turns: np.ndarray
    pairwise_total: np.ndarray | None
    pairwise_turns: np.ndarray | None
    strategy_pairwise_total: np.ndarray | None
    strategy_pairwise_turns: np.ndarray | None
    series_payoff: np.ndarray = _SeriesField()      # type: ignore[assignment]
    series_actions: np.ndarray = _SeriesField()     # type: ignore[assignment]
    series_turns: np.ndarray = _SeriesField()       # type: ignore[assignment]
    action_names: tuple[tuple[str, ...], ...]
    rounds_played: int
    parameters: dict[str, Any] = field(default_factory=dict)
    #: With ``keep_history=True``: joint actions ``(rounds, n_matches, n_players)`` and
    #: the agents in each seat ``(rounds, n_matches, n_players)``; otherwise None.
    history: np.ndarray | None = None
    history_agents: np.ndarray | None = None

    # -- derived figures -------------------------------------------------------
    @property
    def mean_score(self) -> np.ndarray:
        """Each agent's mean payoff per turn over all its matches (self-play included)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.total_payoff / self.turns

    @property
    def mean_score_excluding_self(self) -> np.ndarray:
        """Mean payoff per turn over matches against other agents only (Axelrod's convention)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return (self.total_payoff - self.self_payoff) / (self.turns - self.self_turns)

    def strategy_scores(self, include_self_play: bool = False) -> dict[str, float]:
        """Mean score per turn of each strategy, averaged over its agents.

        By default a match against a copy of oneself is left out, as the Axelrod
        library does for its scores; pass ``include_self_play=True`` to count it.
        """
        per_agent = self.mean_score if include_self_play else self.mean_score_excluding_self
        K = len(self.strategy_names)
        ok = np.isfinite(per_agent)
        total = np.bincount(self.agent_strategy[ok], weights=per_agent[ok], minlength=K)
        count = np.bincount(self.agent_strategy[ok], minlength=K)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = total / count                 # NaN for a strategy none of whose agents played
        return {name: float(v) for name, v in zip(self.strategy_names, means)}

    @property
    def pairwise_payoff(self) -> np.ndarray | None:
        """``[i, j]``: agent i's mean payoff per turn against agent j (NaN where they never met)."""
        if self.pairwise_total is None:
            return None
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.pairwise_total / self.pairwise_turns

    def strategy_pairwise_payoff(self) -> np.ndarray | None:
        """``[k, l]``: strategy k's mean payoff per turn against strategy l."""
        if self.strategy_pairwise_total is None:
            return None
        tot, trn = self.strategy_pairwise_total, self.strategy_pairwise_turns
        with np.errstate(invalid="ignore", divide="ignore"):
            return tot / trn

    def cooperation_series(self, action: int = 0) -> np.ndarray:
        """Per round and strategy, the frequency of ``action`` (C in the catalogue's PD)."""
        return self.series_actions[:, :, action]

    def ranking(self, include_self_play: bool = False) -> list[tuple[str, float]]:
        """Strategies with their mean scores, best first (ties keep population order)."""
        scores = self.strategy_scores(include_self_play)
        # NaN (a strategy that never played) goes last.
        return sorted(scores.items(), key=lambda kv: (np.isnan(kv[1]), -kv[1] if not np.isnan(kv[1]) else 0.0))

    # -- export ----------------------------------------------------------------
    def to_frame(self, include_self_play: bool = False):
        """Per-strategy table, ranked: strategy, agents, mean score per turn, total payoff, turns."""
        import pandas as pd

        scores = self.strategy_scores(include_self_play)
        rows = []
        for k, name in enumerate(self.strategy_names):
            mask = self.agent_strategy == k
            rows.append({
                "strategy": name,
                "agents": int(mask.sum()),
                "mean_score": scores[name],
                "total_payoff": float(self.total_payoff[mask].sum()),
                "turns": int(self.turns[mask].sum()),
            })
        df = pd.DataFrame(rows).sort_values("mean_score", ascending=False, kind="stable")
        df.insert(0, "rank", np.arange(1, len(df) + 1))
        return df.reset_index(drop=True)

    def series_frame(self):
        """Long table of the per-round series: round, strategy, mean_payoff, and one column per action."""
        import pandas as pd

        T, K, A = self.series_actions.shape
        names = self.action_names[0] if len(set(self.action_names)) == 1 else tuple(f"action_{a}" for a in range(A))
        data = {
            "round": np.repeat(np.arange(T), K),
            "strategy": np.tile(np.array(self.strategy_names, dtype=object), T),
            "mean_payoff": self.series_payoff.reshape(-1),
        }
        for a in range(A):
            label = f"freq_{names[a]}" if a < len(names) else f"freq_action_{a}"
            data[label] = self.series_actions[:, :, a].reshape(-1)
        return pd.DataFrame(data)

    def save(self, directory: str | Path) -> Path:
        """Write ``scores.csv``, ``series.csv``, ``arrays.npz`` and ``parameters.json`` to ``directory``."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        self.to_frame().to_csv(out / "scores.csv", index=False)
        self.series_frame().to_csv(out / "series.csv", index=False)
        arrays = {
            "agent_strategy": self.agent_strategy, "total_payoff": self.total_payoff,
            "turns": self.turns, "self_payoff": self.self_payoff, "self_turns": self.self_turns,
            "series_payoff": self.series_payoff, "series_actions": self.series_actions,
            "series_turns": self.series_turns,
        }
        if self.pairwise_total is not None:
            arrays["pairwise_total"] = self.pairwise_total
            arrays["pairwise_turns"] = self.pairwise_turns
        if self.strategy_pairwise_total is not None:
            arrays["strategy_pairwise_total"] = self.strategy_pairwise_total
            arrays["strategy_pairwise_turns"] = self.strategy_pairwise_turns
        if self.discounted_payoff is not None:
            arrays["discounted_payoff"] = self.discounted_payoff
        np.savez_compressed(out / "arrays.npz", **arrays)
        meta = {"agent_names": list(self.agent_names), "strategy_names": list(self.strategy_names),
                "rounds_played": self.rounds_played, "parameters": self.parameters}
        (out / "parameters.json").write_text(json.dumps(meta, indent=2, default=str))
        return out
