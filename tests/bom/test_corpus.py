"""Every real BOM in tests/fixtures/boms is read without an exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from opencircuit_cli.bom import bom_document, read_bom
from opencircuit_cli.errors import InputError
from tests.bom.conftest import corpus_files

FILES = corpus_files()


def test_corpus_is_present() -> None:
    assert len(FILES) >= 30, "tests/fixtures/boms should hold the real BOM corpus"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_reads_without_exception(path: Path) -> None:
    try:
        result = read_bom(path, include_dnp=True)
    except InputError as exc:
        # only fixed-width text reports may be refused, and then with a clear message
        assert path.suffix in (".txt", ".bom"), f"{path.name}: {exc}"
        assert exc.message
        return
    assert result.lines, path.name
    assert all(line.quantity >= 0 for line in result.lines)
    assert all(line.rows and line.row == line.rows[0] for line in result.lines)
    document = bom_document(result)
    assert document["schema"] == "opencircuit.bom/1"
    assert len(document["lines"]) == len(result.lines)
