"""Simulation core: games, the payoff engine, environments, matching, the Mesa adapter."""

from . import catalogue, engine, games
from .games import NormalFormGame

__all__ = ["games", "catalogue", "engine", "NormalFormGame"]
