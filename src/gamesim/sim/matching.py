"""Matching rules: who plays whom.

A matching produces an integer array ``(n_matches, group_size)`` of agent indices.
Fixed matchings (round robin, the edges of a graph) produce the same matches every
round, so strategies can remember each partner; random matching draws new groups
every round from the environment's seeded generator.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

__all__ = ["Matching", "RoundRobin", "FixedGroups", "RandomMatching", "GraphMatching", "as_matching"]


class Matching:
    """Base class.  ``fixed`` tells whether :meth:`matches` is the same every round."""

    fixed: bool = True
    name: str = "matching"

    def matches(self, n_agents: int, group_size: int, rng: np.random.Generator | None = None) -> np.ndarray:
        raise NotImplementedError


class RoundRobin(Matching):
    """Every group of ``group_size`` distinct agents plays one match (pairs for two players).

    With ``self_play=True`` each agent also plays a copy of itself (as in Axelrod's
    tournaments); for more than two players the groups are then all multisets.
    """

    fixed = True
    name = "round_robin"

    def __init__(self, self_play: bool = True) -> None:
        self.self_play = bool(self_play)

    def matches(self, n_agents: int, group_size: int, rng: np.random.Generator | None = None) -> np.ndarray:
        if group_size == 2:
            # Same order as itertools' (lexicographic), without a Python loop over pairs.
            out = np.stack(np.triu_indices(n_agents, 0 if self.self_play else 1), axis=1).astype(np.intp)
        else:
            combos = (itertools.combinations_with_replacement if self.self_play else itertools.combinations)
            out = np.array(list(combos(range(n_agents), group_size)), dtype=np.intp)
        if out.size == 0:
            raise ValueError(
                f"population: {n_agents} agent(s) make no round-robin match of {group_size} "
                f"players{' (self_play is off)' if not self.self_play else ''}"
            )
        return out.reshape(-1, group_size)


class FixedGroups(Matching):
    """Agents ``0..P-1`` form the first match, ``P..2P-1`` the second, and so on, for good.

    The matching for many independent runs of the same pair (or group) side by side:
    a population ``{FictitiousPlay(): 2 * k}`` gives ``k`` separate self-play runs that
    advance together in one NumPy step.
    """

    fixed = True
    name = "pairs"

    def matches(self, n_agents: int, group_size: int, rng: np.random.Generator | None = None) -> np.ndarray:
        if n_agents % group_size:
            raise ValueError(
                f"population: {n_agents} agents cannot be split into fixed groups of {group_size}"
            )
        return np.arange(n_agents, dtype=np.intp).reshape(-1, group_size)


class RandomMatching(Matching):
    """Each round the agents are shuffled and split into groups of ``group_size``.

    If the population does not divide evenly, the agents left over sit the round out
    (a different few each round).  Seats are shuffled too, so in an asymmetric game an
    agent plays every role.
    """

    fixed = False
    name = "random"

    def matches(self, n_agents: int, group_size: int, rng: np.random.Generator | None = None) -> np.ndarray:
        if rng is None:
            raise ValueError("rng: random matching needs a generator")
        k = n_agents // group_size
        if k == 0:
            raise ValueError(f"population: {n_agents} agent(s) cannot form a group of {group_size}")
        return rng.permutation(n_agents)[: k * group_size].reshape(k, group_size)


class GraphMatching(Matching):
    """Agents sit on the nodes of a networkx graph and every edge is a two-player match.

    Nodes are taken in ``graph.nodes`` order and given to the agents in population
    order, so the graph must have exactly as many nodes as there are agents.  A
    self-loop is a match against a copy of oneself.
    """

    fixed = True
    name = "graph"

    def __init__(self, graph: Any) -> None:
        try:
            import networkx as nx
        except ImportError:  # pragma: no cover - networkx is a dependency
            raise
        if not isinstance(graph, nx.Graph):
            raise ValueError(f"matching: expected a networkx graph, got {type(graph).__name__}")
        self.graph = graph

    def matches(self, n_agents: int, group_size: int, rng: np.random.Generator | None = None) -> np.ndarray:
        if group_size != 2:
            raise ValueError(f"matching: graph matching is for two-player games, the game has {group_size} players")
        nodes = list(self.graph.nodes)
        if len(nodes) != n_agents:
            raise ValueError(f"matching: the graph has {len(nodes)} nodes but the population has {n_agents} agents")
        index = {node: k for k, node in enumerate(nodes)}
        edges = np.array([(index[u], index[v]) for u, v in self.graph.edges], dtype=np.intp)
        if edges.size == 0:
            raise ValueError("matching: the graph has no edges, so nobody plays")
        return edges.reshape(-1, 2)


def as_matching(matching: Any, self_play: bool = True) -> Matching:
    """Turn ``"round_robin"``, ``"random"``, a networkx graph or a Matching into a Matching."""
    if isinstance(matching, Matching):
        return matching
    if isinstance(matching, str):
        if matching in ("round_robin", "round-robin"):
            return RoundRobin(self_play=self_play)
        if matching in ("random", "random_pairing"):
            return RandomMatching()
        if matching in ("pairs", "fixed_pairs", "groups"):
            return FixedGroups()
        raise ValueError(f"matching: unknown rule {matching!r} (use 'round_robin', 'pairs', 'random' or a networkx graph)")
    try:
        import networkx as nx
        if isinstance(matching, nx.Graph):
            return GraphMatching(matching)
    except ImportError:  # pragma: no cover
        pass
    raise ValueError(f"matching: expected 'round_robin', 'random', a networkx graph or a Matching, got {type(matching).__name__}")
