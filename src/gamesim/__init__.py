"""gamesim: agent-based simulation of repeated and stochastic games.

>>> import gamesim as gs
>>> g = gs.games.prisoners_dilemma(R=3, S=0, T=5, P=1)
>>> gs.sim.engine.play(g, [[1], [0]]).ravel().tolist()
[5.0, 0.0]
"""

from importlib.metadata import PackageNotFoundError, version as _version

from . import agents, analysis, bargaining, games, sim
from .sim.environment import Environment
from .sim.games import NormalFormGame
from .sim.stochastic import StochasticGame
from .sim.stochastic_env import StochasticEnvironment

try:
    __version__ = _version("gamesim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

__all__ = ["games", "sim", "agents", "analysis", "bargaining", "NormalFormGame", "Environment", "StochasticGame",
           "StochasticEnvironment", "__version__"]
