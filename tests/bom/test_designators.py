"""Designator lists: the syntaxes seen in real BOMs, and property-based round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencircuit_cli.bom.designators import format_references, parse_references


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("C1, C3", ["C1", "C3"]),
        ("C1,C3", ["C1", "C3"]),
        ("C1 C3 ", ["C1", "C3"]),
        ("B1, B2,", ["B1", "B2"]),
        (">  C1, C4", ["C1", "C4"]),
        ("C2,6,7,16,71", ["C2", "C6", "C7", "C16", "C71"]),
        ("R2,3", ["R2", "R3"]),
        ("C102-C105,C108", ["C102", "C103", "C104", "C105", "C108"]),
        ("J3-J5", ["J3", "J4", "J5"]),
        ("Q1#2 HS1", ["Q1#2", "HS1"]),
        ("CNN2901#1", ["CNN2901#1"]),
        ("USB-OTG1", ["USB-OTG1"]),
        ("HEADPHONES/LINEOUT1", ["HEADPHONES/LINEOUT1"]),
        ("BOOT0_2", ["BOOT0_2"]),
        ("R35; R40", ["R35", "R40"]),
        ("", []),
        ("--", []),
    ],
)
def test_parse(text: str, refs: list[str]) -> None:
    parsed = parse_references(text)
    assert list(parsed.references) == refs
    assert parsed.unrecognised == ()


def test_non_designator_text_is_kept_and_reported() -> None:
    parsed = parse_references("REC, RST, LEDs")
    assert parsed.references == ("REC", "RST", "LEDs")
    assert parsed.unrecognised == ("REC", "RST", "LEDs")


def test_bracketed_remark_is_not_a_reference() -> None:
    parsed = parse_references("JP2 (closed jumper)")
    assert parsed.references == ("JP2",)
    assert parsed.unrecognised == ("(closed jumper)",)


def test_reversed_or_huge_ranges_are_not_expanded() -> None:
    assert len(parse_references("R1-R100000").references) == 1
    assert parse_references("R5-R3").references == ("R5-R3",)


def test_format_compresses_runs() -> None:
    assert format_references(["C1", "C2", "C3", "C5", "R1", "R2"]) == "C1-C3, C5, R1, R2"


prefixes = st.sampled_from(["C", "R", "U", "LED", "SW", "FB", "J"])
single = st.builds(lambda p, n: f"{p}{n}", prefixes, st.integers(1, 500))
subpart = st.builds(lambda p, n, k: f"{p}{n}#{k}", prefixes, st.integers(1, 99), st.integers(1, 9))


@given(st.lists(st.one_of(single, subpart), max_size=40))
def test_expand_format_round_trip(refs: list[str]) -> None:
    assert list(parse_references(format_references(refs)).references) == refs


@given(prefixes, st.integers(1, 900), st.integers(0, 60))
def test_range_expands_to_every_number(prefix: str, start: int, length: int) -> None:
    stop = start + length
    parsed = parse_references(f"{prefix}{start}-{prefix}{stop}")
    assert list(parsed.references) == [f"{prefix}{n}" for n in range(start, stop + 1)]


@given(st.lists(single, min_size=1, max_size=30), st.sampled_from([", ", ",", " ", " , ", "; "]))
def test_any_separator(refs: list[str], separator: str) -> None:
    assert list(parse_references(separator.join(refs) + separator).references) == refs
