"""Simulation core: games, the payoff engine, environments, matching, the Mesa adapter."""

from . import catalogue, engine, games
from .environment import Environment
from .games import NormalFormGame
from .matching import GraphMatching, RandomMatching, RoundRobin
from .mesa_adapter import GameModel
from .protocol import Automaton, AutomatonStrategy, Conventions, Runner, Strategy
from .results import SimulationResult

__all__ = ["games", "catalogue", "engine", "NormalFormGame", "Environment", "GameModel",
           "SimulationResult", "RoundRobin", "RandomMatching", "GraphMatching",
           "Strategy", "AutomatonStrategy", "Automaton", "Runner", "Conventions"]
