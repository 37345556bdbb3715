"""Array helpers shared by result types and input validation (imports only NumPy)."""

from __future__ import annotations

from typing import Any

import numpy as np


def frozen(a: Any) -> np.ndarray | None:
    """A read-only float copy of ``a`` (``None`` stays ``None``): result fields cannot be mutated."""
    if a is None:
        return None
    arr = np.array(a, dtype=float)
    arr.setflags(write=False)
    return arr


def as_matrix(value: Any, field: str, shape_hint: str = "a 2-D array") -> np.ndarray:
    """``value`` as a finite 2-D float array; ``ValueError`` naming ``field`` otherwise."""
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{field}: must be a matrix of numbers ({exc})") from None
    if arr.ndim != 2:
        raise ValueError(f"{field}: expected {shape_hint}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{field}: contains NaN or infinite entries")
    return arr
