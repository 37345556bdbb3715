"""Seeds to independent random streams: one rule for every simulation entry point.

Every stream is a child of the caller's seed, *derived* rather than spawned:
``SeedSequence(root.entropy, spawn_key=root.spawn_key + (i,))`` is the child that a
fresh ``root.spawn(...)[i]`` would give, but deriving leaves the caller's
``SeedSequence`` untouched, so the same seed gives the same numbers however often it
is used.  A ``numpy.random.Generator`` is accepted as a seed by spawning one child
from it once (that advances the generator, as NumPy's own ``spawn`` does).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def seed_root(seed: Any, field: str = "seed") -> np.random.SeedSequence:
    """The root ``SeedSequence`` of ``seed`` (None, an int, a SeedSequence or a Generator).

    Raises
    ------
    ValueError
        ``seed: ...`` for any other type (bools included).

    Examples
    --------
    >>> seed_root(7).entropy
    7
    >>> seed_root("7")
    Traceback (most recent call last):
    ...
    ValueError: seed: expected None, an int, a SeedSequence or a Generator, got str
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return seed.spawn(1)[0].bit_generator.seed_seq
    if seed is None or (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0):
        return np.random.SeedSequence(None if seed is None else int(seed))
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        raise ValueError(f"{field}: must be non-negative, got {seed}")
    raise ValueError(f"{field}: expected None, an int, a SeedSequence or a Generator, got {type(seed).__name__}")


def child_seed(root: np.random.SeedSequence, i: int) -> np.random.SeedSequence:
    """Child ``i`` of ``root``, derived without advancing ``root``."""
    return np.random.SeedSequence(root.entropy, spawn_key=tuple(root.spawn_key) + (int(i),),
                                  pool_size=root.pool_size)


def child_rng(root: np.random.SeedSequence, i: int) -> np.random.Generator:
    """A generator on :func:`child_seed` ``(root, i)``."""
    return np.random.default_rng(child_seed(root, i))


def streams(seed: Any, k: int, field: str = "seed") -> list[np.random.Generator]:
    """``k`` independent generators, children ``0 .. k-1`` of ``seed_root(seed)``."""
    root = seed_root(seed, field)
    return [child_rng(root, i) for i in range(k)]
