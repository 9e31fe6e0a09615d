"""Atomic file writes: the old file stays intact until the new one is complete."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_text(path: Path, text: str, *, mode: int = 0o644) -> None:
    _write(path, text.encode("utf-8"), mode)


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (0600), creating its directory 0700 if needed."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    _write(path, text.encode("utf-8"), 0o600)


def _write(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
