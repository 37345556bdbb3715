"""Simulation core: games, the payoff engine, environments, matching, the Mesa adapter."""

from . import catalogue, ecl, engine, games, stochastic
from .environment import Environment
from .stochastic import StochasticGame
from .stochastic_env import StochasticEnvironment
from .games import NormalFormGame
from .ecl import ECLBayesianGame
from .separable import SeparableGame
from .matching import FixedGroups, GraphMatching, RandomMatching, RoundRobin
from .protocol import Automaton, AutomatonStrategy, Conventions, Runner, Strategy
from .results import SimulationResult

__all__ = ["games", "catalogue", "ecl", "engine", "stochastic", "NormalFormGame", "SeparableGame", "ECLBayesianGame",
           "StochasticGame", "StochasticEnvironment", "Environment", "GameModel",
           "SimulationResult", "RoundRobin", "FixedGroups", "RandomMatching", "GraphMatching",
           "Strategy", "AutomatonStrategy", "Automaton", "Runner", "Conventions"]


def __getattr__(name: str):
    # Mesa is imported only when the adapter is used: it costs most of gamesim's import time.
    if name == "GameModel":
        from .mesa_adapter import GameModel
        return GameModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
