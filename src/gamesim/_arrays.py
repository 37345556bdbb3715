"""Array helpers shared by the result types (imports only NumPy)."""

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
