"""Catalogs declared in `[providers.catalog] files`: names, paths, and re-import when changed.

Entries are `PATH` or `NAME=PATH` (NAME defaults to the file's stem). A relative PATH is looked
up first next to the config file that declares it (when the caller knows that file), then in the
working directory; `~` is expanded. A file is re-imported when its size or mtime differ from the
recorded ones AND its SHA-256 differs (a `touch` alone only updates the recorded stat), or when
it is declared under a name whose catalog came from another file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from opencircuit_cli.catalog.importer import (
    ImportRequest,
    ImportSummary,
    check_name,
    fingerprint,
    import_catalog,
)
from opencircuit_cli.catalog.store import FILE_NAME, CatalogInfo, CatalogStore
from opencircuit_cli.errors import ConfigError, InputError, UsageError


@dataclass(frozen=True)
class ConfiguredFile:
    name: str
    path: Path
    entry: str  # as written in the config, for messages


def store_path(configured: str, data_dir: Path) -> Path:
    """`[providers.catalog] path`, a directory to hold catalogs.sqlite, or the default."""
    if not configured:
        return data_dir / FILE_NAME
    path = Path(configured).expanduser()
    return path / FILE_NAME if path.is_dir() else path


def resolve_path(text: str, base_dir: Path | None, cwd: Path) -> Path:
    path = Path(text).expanduser()
    if path.is_absolute():
        return path
    candidates = [*([base_dir / path] if base_dir is not None else []), cwd / path]
    return next((c for c in candidates if c.is_file()), candidates[0])


def parse_entries(entries: Sequence[str], base_dir: Path | None, cwd: Path) -> list[ConfiguredFile]:
    files: list[ConfiguredFile] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        name, sep, text = entry.partition("=")
        if not sep:
            name, text = "", entry
        name, text = name.strip(), text.strip()
        if not text:
            raise ConfigError(
                f"entry {entry!r} names no file", key=f"providers.catalog.files[{index}]"
            )
        path = resolve_path(text, base_dir, cwd)
        name = name or re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem).strip("-.") or "catalog"
        try:
            check_name(name)
        except UsageError as exc:
            raise ConfigError(exc.message, key=f"providers.catalog.files[{index}]") from None
        if name in seen:
            raise ConfigError(
                f"two files are declared as catalog {name!r}",
                key=f"providers.catalog.files[{index}]",
                hint="write NAME=PATH to give each file its own name",
            )
        seen.add(name)
        files.append(ConfiguredFile(name, path, entry))
    return files


def needs_import(info: CatalogInfo | None, path: Path) -> str | None:
    """Why `path` must be (re-)imported over `info` ("new", "moved", "changed"), "touched" when
    only its stat changed, or None when it is up to date."""
    if info is None:
        return "new"
    if info.source != str(path.resolve()):
        return "moved"
    stat = path.stat()
    if stat.st_size == info.file_size and stat.st_mtime_ns == info.file_mtime_ns:
        return None
    if fingerprint(path).sha256 != info.file_sha256:
        return "changed"
    return "touched"


def sync(
    store: CatalogStore,
    files: Sequence[ConfiguredFile],
    on_import: Callable[[ConfiguredFile, str], None] | None = None,
) -> list[ImportSummary]:
    """Import every declared file that is new or changed; leave the others alone."""
    done: list[ImportSummary] = []
    current = {c.name: c for c in store.catalogs()}
    for item in files:
        if not item.path.is_file():
            raise InputError(
                f"catalog file {item.path} (from [providers.catalog] files entry "
                f"{item.entry!r}) does not exist",
                hint="fix the path (relative paths start at the config file's directory)",
            )
        reason = needs_import(current.get(item.name), item.path)
        if reason is None:
            continue
        if reason == "touched":
            stat = item.path.stat()
            store.touch(item.name, stat.st_size, stat.st_mtime_ns)
            continue
        if on_import is not None:
            on_import(item, reason)
        done.append(import_catalog(store, ImportRequest(item.path, item.name, origin="config")))
    return done
