"""The reader against hand-written expectations (tests/fixtures/boms/expected/*.json).

The expectation files are written by reading the source files by hand (EXPECTATIONS.md); they
are never generated with the reader. Where the reader deliberately differs, the single test is
marked xfail(strict=True) with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opencircuit_cli.bom import read_bom
from opencircuit_cli.models import BomLine
from tests.bom.conftest import EXPECTED, FIXTURES

# expectation file name -> why the reader deliberately differs (none at present)
DISAGREEMENTS: dict[str, str] = {}

FILES = sorted(EXPECTED.glob("*.json")) if EXPECTED.is_dir() else []


def _params() -> list:
    out = []
    for path in FILES:
        marks = []
        if path.name in DISAGREEMENTS:
            marks.append(pytest.mark.xfail(strict=True, reason=DISAGREEMENTS[path.name]))
        out.append(pytest.param(path, id=path.name.removesuffix(".json"), marks=marks))
    return out


def _line_for(lines: list[BomLine], sample: dict) -> BomLine | None:
    """The line whose source rows contain the sample's row. Several lines can share a row
    when a whole file is one physical line (KiBoM XML): then the one holding its designators."""
    candidates = [line for line in lines if sample["row"] in line.rows]
    if len(candidates) > 1 and sample.get("references"):
        wanted = set(sample["references"])
        sharing = [line for line in candidates if wanted & set(line.references)]
        candidates = sharing or candidates
    return candidates[0] if candidates else None


@pytest.mark.parametrize("path", _params())
def test_matches_hand_written_expectation(path: Path) -> None:
    expected = json.loads(path.read_text(encoding="utf-8"))
    source = FIXTURES / expected["file"]
    result = read_bom(source, include_dnp=True)
    lines = list(result.lines)
    problems = []
    if expected.get("sheet") is not None and result.sheet != expected["sheet"]:
        problems.append(f"sheet {result.sheet!r} != {expected['sheet']!r}")
    if len(lines) != expected["lines"]:
        problems.append(f"lines {len(lines)} != {expected['lines']}")
    dnp_lines = sum(1 for line in lines if line.dnp)
    if dnp_lines != expected["dnp_lines"]:
        problems.append(f"dnp_lines {dnp_lines} != {expected['dnp_lines']}")
    placements = sum(line.quantity for line in lines if not line.dnp)
    if placements != expected["placements"]:
        problems.append(f"placements {placements} != {expected['placements']}")
    for sample in expected["samples"]:
        line = _line_for(lines, sample)
        if line is None:
            problems.append(f"row {sample['row']}: no line holds this source row")
            continue
        got = {
            "references": list(line.references),
            "quantity": line.quantity,
            "mpn": line.mpn,
            "dnp": line.dnp,
        }
        for key, value in got.items():
            if key in sample and sample[key] != value:
                problems.append(f"row {sample['row']} {key}: {value!r} != {sample[key]!r}")
    assert not problems, "\n".join(problems)
