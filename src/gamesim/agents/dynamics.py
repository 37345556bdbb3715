"""Population dynamics on the simplex: the replicator equation.

The replicator dynamic (Taylor and Jonker 1978) moves a population state ``x`` on
the simplex by ``dx_i/dt = x_i ((A x)_i - x . A x)``: strategies that earn more than
the population average grow.  Two versions:

* :func:`replicator_dynamics` -- one population playing a symmetric two-player game
  against itself (payoff matrix ``A`` of the row player);
* :func:`two_population_replicator` -- a row population ``x`` and a column population
  ``y`` in any two-player game: ``dx_i/dt = x_i ((A y)_i - x . A y)``,
  ``dy_j/dt = y_j ((B^T x)_j - y . B^T x)``.

Both integrate a *batch* of starting points at once with the classical fourth-order
Runge-Kutta method (``method="rk4"``, default) or the explicit Euler method
(``method="euler"``), with a fixed step ``dt``.  The vector field sums to zero on
the simplex, so both methods keep ``sum(x) = 1`` up to rounding; after every step
the state is clipped at 0 and renormalised (a no-op unless ``dt`` is too large for
the payoffs), so it always stays on the simplex.

References
----------
.. [TJ78] P. D. Taylor and L. B. Jonker, "Evolutionary stable strategies and game
   dynamics", Math. Biosci. 40, 1978.
.. [HS98] J. Hofbauer and K. Sigmund, *Evolutionary Games and Population Dynamics*,
   Cambridge University Press, 1998.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..sim.games import NormalFormGame, as_game

__all__ = ["ReplicatorResult", "TwoPopulationResult", "replicator_dynamics", "two_population_replicator"]

_METHODS = ("rk4", "euler")


@dataclass(frozen=True, eq=False)
class ReplicatorResult:
    """Trajectory of the single-population replicator dynamic.

    Attributes
    ----------
    trajectory : ndarray, shape (steps + 1, m) or (steps + 1, batch, m)
        The state at times ``0, dt, ..., steps dt`` (the start first).
    times : ndarray, shape (steps + 1,)
    method : str
    params : dict
    """

    trajectory: np.ndarray
    times: np.ndarray
    method: str
    params: dict

    @property
    def final(self) -> np.ndarray:
        """The last state, shape (m,) or (batch, m)."""
        return self.trajectory[-1]


@dataclass(frozen=True, eq=False)
class TwoPopulationResult:
    """Trajectories of the two-population replicator dynamic.

    Attributes
    ----------
    x, y : ndarray, shape (steps + 1, [batch,] m) and (steps + 1, [batch,] n)
        Row and column population states at times ``0, dt, ..., steps dt``.
    times : ndarray, shape (steps + 1,)
    method : str
    params : dict
    """

    x: np.ndarray
    y: np.ndarray
    times: np.ndarray
    method: str
    params: dict

    @property
    def trajectory(self) -> tuple[np.ndarray, np.ndarray]:
        """``(x, y)``."""
        return self.x, self.y

    @property
    def final(self) -> tuple[np.ndarray, np.ndarray]:
        """The last states ``(x, y)``."""
        return self.x[-1], self.y[-1]


def _check_simplex(x0: Any, m: int, field: str) -> tuple[np.ndarray, bool]:
    try:
        x = np.array(x0, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{field}: must be an array of probabilities") from None
    single = x.ndim == 1
    if single:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] != m:
        raise ValueError(f"{field}: expected {m} shares (or shape (batch, {m})), got shape {np.shape(x0)}")
    if not np.all(np.isfinite(x)) or np.any(x < 0):
        raise ValueError(f"{field}: shares must be finite and non-negative")
    if not np.allclose(x.sum(axis=1), 1.0, atol=1e-8):
        raise ValueError(f"{field}: shares must sum to 1")
    return x / x.sum(axis=1, keepdims=True), single


def _check_steps(steps: Any, dt: Any, method: str) -> tuple[int, float]:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps: must be a non-negative integer, got {steps!r}")
    try:
        h = float(dt)
    except (TypeError, ValueError):
        raise ValueError(f"dt: expected a number, got {dt!r}") from None
    if not (h > 0 and np.isfinite(h)):
        raise ValueError(f"dt: must be positive, got {dt!r}")
    if method not in _METHODS:
        raise ValueError(f"method: expected 'rk4' or 'euler', got {method!r}")
    return int(steps), h


def _project(z: np.ndarray) -> np.ndarray:
    z = np.clip(z, 0.0, None)
    return z / z.sum(axis=-1, keepdims=True)


def _integrate(f: Callable[[np.ndarray], np.ndarray], z0: np.ndarray, steps: int, h: float, method: str,
               project: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Fixed-step RK4 or Euler, projecting onto the simplex (or simplices) after every step."""
    out = np.empty((steps + 1,) + z0.shape)
    out[0] = z = z0
    for s in range(1, steps + 1):
        if method == "euler":
            z = z + h * f(z)
        else:
            k1 = f(z)
            k2 = f(z + 0.5 * h * k1)
            k3 = f(z + 0.5 * h * k2)
            k4 = f(z + h * k3)
            z = z + (h / 6.0) * (k1 + 2 * k2 + 2 * k3 + k4)
        z = project(z)
        out[s] = z
    return out


_METHOD_NAMES = {"rk4": "classical Runge-Kutta (RK4)", "euler": "explicit Euler"}


def replicator_dynamics(game: Any, x0: Any, steps: int, dt: float, method: str = "rk4") -> ReplicatorResult:
    """Single-population replicator dynamic of a symmetric two-player game.

    Parameters
    ----------
    game : NormalFormGame or array_like
        A symmetric two-player game (the column player's payoffs are the transpose of
        the row player's), or the row player's square payoff matrix ``A``.
    x0 : array_like, shape (m,) or (batch, m)
        Starting population shares (points of the simplex).
    steps : int
        Number of integration steps.
    dt : float
        Step size.
    method : {"rk4", "euler"}

    Returns
    -------
    ReplicatorResult

    Examples
    --------
    Hawk-dove (chicken, 7/6/2/0): the population settles at the mixed equilibrium,
    one third Dare.

    >>> from gamesim.sim.catalogue import chicken
    >>> replicator_dynamics(chicken(), [0.9, 0.1], steps=400, dt=0.05).final.round(4)
    array([0.3333, 0.6667])
    """
    if isinstance(game, NormalFormGame):
        if game.n_players != 2 or game.n_actions[0] != game.n_actions[1] or not np.allclose(game.payoffs[1], game.payoffs[0].T):
            raise ValueError("game: the single-population replicator needs a symmetric two-player game "
                             "(use two_population_replicator otherwise)")
        A = np.asarray(game.payoffs[0], dtype=float)
        name = game.name
    else:
        A = np.array(game, dtype=float)
        if A.ndim != 2 or A.shape[0] != A.shape[1] or not np.all(np.isfinite(A)):
            raise ValueError(f"game: expected a symmetric game or a finite square matrix, got shape {A.shape}")
        name = "matrix"
    x, single = _check_simplex(x0, A.shape[0], "x0")
    steps, h = _check_steps(steps, dt, method)

    def f(z: np.ndarray) -> np.ndarray:
        fit = z @ A.T                                   # (batch, m): (A z)_i
        return z * (fit - np.sum(z * fit, axis=1, keepdims=True))

    traj = _integrate(f, x, steps, h, method, _project)
    if single:
        traj = traj[:, 0]
    return ReplicatorResult(trajectory=traj, times=np.arange(steps + 1) * h,
                            method=f"replicator dynamic, {_METHOD_NAMES[method]}, fixed step dt={h:g}",
                            params={"game": name, "steps": steps, "dt": h, "method": method, "batch": None if single else x.shape[0]})


def two_population_replicator(game: Any, x0: Any, y0: Any, steps: int, dt: float,
                              method: str = "rk4") -> TwoPopulationResult:
    """Two-population replicator dynamic of a two-player game.

    Parameters
    ----------
    game : NormalFormGame or (A, B)
        A two-player game, or the row and column players' payoff matrices.
    x0, y0 : array_like, shapes (m,) / (n,) or (batch, m) / (batch, n)
        Starting shares of the row and column populations.
    steps : int
    dt : float
    method : {"rk4", "euler"}

    Returns
    -------
    TwoPopulationResult

    Examples
    --------
    A strictly dominated row strategy dies out:

    >>> import numpy as np
    >>> A = np.array([[3, 1], [2, 0]]); B = np.array([[1, 0], [0, 1]])
    >>> r = two_population_replicator((A, B), [0.1, 0.9], [0.5, 0.5], steps=2000, dt=0.01)
    >>> bool(r.x[-1][0] > 0.99)
    True
    """
    if isinstance(game, (tuple, list)) and len(game) == 2:
        A = np.array(game[0], dtype=float)
        B = np.array(game[1], dtype=float)
        if A.ndim != 2 or A.shape != B.shape or not (np.all(np.isfinite(A)) and np.all(np.isfinite(B))):
            raise ValueError(f"game: expected two finite matrices of the same shape, got {A.shape} and {B.shape}")
        name = "bimatrix"
    else:
        g = as_game(game)
        if g.n_players != 2:
            raise ValueError(f"game: need a two-player game, got {g.n_players} players")
        A, B = (np.asarray(g.payoffs[i], dtype=float) for i in range(2))
        name = g.name
    m, n = A.shape
    x, sx = _check_simplex(x0, m, "x0")
    y, sy = _check_simplex(y0, n, "y0")
    if x.shape[0] != y.shape[0]:
        if x.shape[0] == 1:
            x = np.repeat(x, y.shape[0], axis=0)
        elif y.shape[0] == 1:
            y = np.repeat(y, x.shape[0], axis=0)
        else:
            raise ValueError(f"x0, y0: batch sizes differ ({x.shape[0]} and {y.shape[0]})")
    steps, h = _check_steps(steps, dt, method)
    single = sx and sy

    def f(z: np.ndarray) -> np.ndarray:
        xs, ys = z[:, :m], z[:, m:]
        fx = ys @ A.T                                   # (batch, m): (A y)_i
        fy = xs @ B                                     # (batch, n): (B^T x)_j
        return np.concatenate([xs * (fx - np.sum(xs * fx, axis=1, keepdims=True)),
                               ys * (fy - np.sum(ys * fy, axis=1, keepdims=True))], axis=1)

    def project(z: np.ndarray) -> np.ndarray:
        return np.concatenate([_project(z[:, :m]), _project(z[:, m:])], axis=1)

    z0 = np.concatenate([x, y], axis=1)
    out = _integrate(f, z0, steps, h, method, project)
    xs, ys = out[:, :, :m], out[:, :, m:]
    if single:
        xs, ys = xs[:, 0], ys[:, 0]
    return TwoPopulationResult(x=xs, y=ys, times=np.arange(steps + 1) * h,
                               method=f"two-population replicator dynamic, {_METHOD_NAMES[method]}, fixed step dt={h:g}",
                               params={"game": name, "steps": steps, "dt": h, "method": method,
                                       "batch": None if single else z0.shape[0]})
