"""Where the cache and the quota ledger live, and how their files are protected.

The cache holds API responses (priced quotes, account-specific prices), so it is private to the
user: directories we create are 0700 and database files we create are 0600. SQLite creates its
-wal/-shm side files with the permissions of the main database file.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

APP_NAME = "opencircuit"
CACHE_FILE_NAME = "http_cache.sqlite"
LEDGER_FILE_NAME = "ledger.sqlite"


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME))


def default_cache_path() -> Path:
    return default_cache_dir() / CACHE_FILE_NAME


def ensure_private_dir(directory: Path) -> Path:
    """Create `directory` (and parents) if missing; the directories created here get mode 0700.

    An existing directory is left as it is unless it is our default cache directory: a user may
    point `cache.path` into a shared place such as /tmp, whose mode is not ours to change.
    """
    directory = directory.expanduser()
    missing = []
    probe = directory
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process may win the race
            path.mkdir(mode=0o700)
        os.chmod(path, 0o700)  # mkdir's mode is filtered by the umask
    if not missing and directory.resolve() == default_cache_dir().resolve():
        os.chmod(directory, 0o700)
    return directory


def ensure_private_file(path: Path) -> Path:
    """Create an empty file with mode 0600 unless it exists (SQLite accepts an empty file)."""
    ensure_private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path
    os.close(fd)
    os.chmod(path, 0o600)
    return path
