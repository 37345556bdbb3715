"""Shared bits of the benchmark scripts (run as ``python benchmarks/bench_*.py``)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git_commit() -> str | None:
    """``git describe``-style id of the checkout being measured (``-dirty`` if modified)."""
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=Path(__file__).parent,
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None
