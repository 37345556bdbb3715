"""Shared by the scenario tests: run the CLI in-process, recognise a written PNG."""

import contextlib
import io

from gamesim.cli import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def call(*argv):
    """Run main(argv) in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main([str(a) for a in argv])
    return rc, out.getvalue(), err.getvalue()


def is_png(path):
    return path.is_file() and path.stat().st_size > 1000 and path.read_bytes()[:8] == PNG_MAGIC
