"""Property: a table written with the csv module (random delimiter, quoting, encoding) reads
back with the same cells, whatever the delimiter and encoding."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opencircuit_cli.bom.decode import decode_bytes
from opencircuit_cli.bom.sniff import sniff_delimiter
from opencircuit_cli.bom.tables import text_rows

# cells as BOM writers produce them: no leading/trailing blanks (the reader strips those)
ALPHABET = st.characters(
    whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters=" ,;|\t\"'#-/.µΩ±()\n"
)
cell = st.text(ALPHABET, max_size=12).map(str.strip).filter(lambda c: not c.startswith("#"))


@st.composite
def tables(draw) -> list[list[str]]:
    width = draw(st.integers(2, 6))
    rows = draw(st.integers(2, 12))
    header = [f"Col{i}" for i in range(width)]
    body = [[draw(cell) for _ in range(width)] for _ in range(rows)]
    # a fully blank row reads as a blank row; keep one real cell so rows stay comparable
    for row in body:
        row[0] = row[0] or "x"
    return [header, *body]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tables(),
    st.sampled_from([",", ";", "\t", "|"]),
    st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    st.sampled_from(["\n", "\r\n"]),
)
def test_round_trip(table, delimiter, quoting, encoding, newline) -> None:
    if encoding == "cp1252":
        table = [[c.encode("cp1252", "replace").decode("cp1252") for c in r] for r in table]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=newline).writerows(
        table
    )
    data = buffer.getvalue().encode(encoding)
    decoded = decode_bytes(data)
    assert decoded.text == buffer.getvalue()
    sniffed = sniff_delimiter(decoded.text)
    assert sniffed == delimiter
    rows = [r for r in text_rows(decoded.text, sniffed).rows if not r.blank]
    expected = [tuple(_trimmed(r)) for r in table]
    assert [r.cells for r in rows] == expected


def _trimmed(row: list[str]) -> list[str]:
    out = [c.strip() for c in row]
    while out and not out[-1]:
        out.pop()
    return out


@settings(max_examples=30, deadline=None)
@given(tables(), st.sampled_from([",", ";", "\t"]), st.sampled_from(["utf-8", "utf-16"]))
def test_round_trip_through_read_bom(table, delimiter, encoding) -> None:
    from opencircuit_cli.bom import read_bom

    table[0] = ["Reference", "Qty", "MPN", "Value", "Footprint", "Description"][: len(table[0])]
    for number, row in enumerate(table[1:], 1):
        row[0] = f"R{number}"
        row[1] = "1"
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(table)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bom.csv"
        path.write_bytes(buffer.getvalue().encode(encoding))
        result = read_bom(path, include_dnp=True)
    refs = sorted(ref for line in result.lines for ref in line.references)
    assert refs == sorted(f"R{n}" for n in range(1, len(table)))


def test_quoted_newlines_do_not_hide_the_delimiter() -> None:
    """Found by the property above: every cell quoted, the first one holding a newline."""
    text = '"Col0","Col1"\n"0\n0",""\n"0\n0",""\n'
    assert sniff_delimiter(text) == ","
    rows = [r.cells for r in text_rows(text, ",").rows if not r.blank]
    assert rows == [("Col0", "Col1"), ("0\n0",), ("0\n0",)]
