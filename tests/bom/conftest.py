"""Shared paths for the BOM reader tests."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "boms"
EXPECTED = FIXTURES / "expected"
NOT_BOMS = {".md", ".json", ".tsv"}


def corpus_files() -> list[Path]:
    if not FIXTURES.is_dir():
        return []
    return sorted(p for p in FIXTURES.iterdir() if p.is_file() and p.suffix not in NOT_BOMS)
