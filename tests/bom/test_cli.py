"""`opencircuit bom-quote FILE --dry-run` through the real CLI (in-process)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.bom.conftest import FIXTURES
from tests.support.cli import invoke

HACKRF = FIXTURES / "greatscottgadgets__hackrf__hackrf-one-bom.csv"
MUONPI = FIXTURES / "MuonPi__cosmic-detector-unit-lite__bom.xlsx"
FOMU = FIXTURES / "im-tomu__fomu-hardware__tomu-fpga-bom.csv"


def test_dry_run_text() -> None:
    outcome = invoke("bom-quote", str(HACKRF), "--dry-run")
    assert outcome.exit_code == 0, outcome.stderr
    assert "GRM1555C1H330JA01D" in outcome.stdout  # the table of lines goes to stdout
    assert "header row 1" in outcome.stderr  # how the file was read goes to stderr
    assert "mpn" in outcome.stderr and "Part Number" in outcome.stderr
    assert "65 lines" in outcome.stderr


def test_dry_run_json_document() -> None:
    outcome = invoke("bom-quote", str(FOMU), "--dry-run", "--json")
    assert outcome.exit_code == 0, outcome.stderr
    document = json.loads(outcome.stdout)
    assert document["schema"] == "opencircuit.bom/1"
    for key in ("file", "sheet", "header_row", "columns", "lines", "warnings"):
        assert key in document
    assert document["file"] == FOMU.name
    assert document["header_row"] == 1
    assert document["columns"]["mpn"] == "MPN"
    line = document["lines"][0]
    for key in (
        "row",
        "references",
        "quantity",
        "value",
        "footprint",
        "manufacturer",
        "mpn",
        "skus",
        "dnp",
        "description",
    ):
        assert key in line
    assert document["dnp_count"] == 6  # DNP lines are listed, marked, and counted
    assert sum(1 for item in document["lines"] if item["dnp"]) == 6
    assert all(isinstance(w["message"], str) for w in document["warnings"])


def test_global_json_flag_works_too() -> None:
    outcome = invoke("--json", "bom-quote", str(FOMU), "--dry-run")
    assert json.loads(outcome.stdout)["schema"] == "opencircuit.bom/1"


def test_include_dnp_keeps_dnp_lines_in_the_table() -> None:
    without = invoke("bom-quote", str(FOMU), "--dry-run")
    with_dnp = invoke("bom-quote", str(FOMU), "--dry-run", "--include-dnp")
    assert "excluded from pricing" in without.stderr
    assert "kept (--include-dnp)" in with_dnp.stderr
    assert "do not place" in without.stdout


def test_map_override(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_text("Ref,Qty,Internal\nR1,1,X-1\nR2,1,X-2\n")
    outcome = invoke("bom-quote", str(path), "--dry-run", "--json", "--map", "mpn=Internal")
    assert outcome.exit_code == 0, outcome.stderr
    document = json.loads(outcome.stdout)
    assert document["columns"]["mpn"] == "Internal"
    assert [line["mpn"] for line in document["lines"]] == ["X-1", "X-2"]


def test_bad_map_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_text("Ref,Qty,MPN\nR1,1,X-1\n")
    assert invoke("bom-quote", str(path), "--dry-run", "--map", "mpn").exit_code == 2
    assert invoke("bom-quote", str(path), "--dry-run", "--map", "colour=Ref").exit_code == 2
    missing = invoke("bom-quote", str(path), "--dry-run", "--map", "mpn=Nope")
    assert missing.exit_code == 7
    assert "no column named 'Nope'" in missing.stderr


def test_sheet_option() -> None:
    default = json.loads(invoke("bom-quote", str(MUONPI), "--dry-run", "--json").stdout)
    assert default["sheet"] == "cdu-lite Parts Placed by JLC"
    chosen = invoke(
        "bom-quote", str(MUONPI), "--dry-run", "--json", "--sheet", "cdu-lite final assembly"
    )
    assert chosen.exit_code == 0, chosen.stderr
    assert json.loads(chosen.stdout)["sheet"] == "cdu-lite final assembly"
    unknown = invoke("bom-quote", str(MUONPI), "--dry-run", "--sheet", "Nope")
    assert unknown.exit_code == 7
    assert "cdu-lite final assembly" in unknown.stderr


def test_exit_7_for_unreadable_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    outcome = invoke("bom-quote", str(empty), "--dry-run")
    assert outcome.exit_code == 7
    assert "empty" in outcome.stderr
    notes = tmp_path / "notes.csv"
    notes.write_text("Colour,Mood\nred,happy\n")
    outcome = invoke("bom-quote", str(notes), "--dry-run")
    assert outcome.exit_code == 7
    assert "--map" in outcome.stderr
    assert invoke("bom-quote", str(tmp_path / "missing.csv"), "--dry-run").exit_code == 7


def test_pricing_without_any_usable_provider_names_what_to_set() -> None:
    outcome = invoke("bom-quote", str(HACKRF))
    assert outcome.exit_code == 4
    assert "MOUSER_API_KEY" in outcome.stderr
    assert "catalog: no catalog imported" in outcome.stderr


def test_real_entry_point_as_subprocess(tmp_path: Path) -> None:
    from tests.support.cli import run_subprocess

    outcome = run_subprocess(
        "bom-quote", str(FOMU), "--dry-run", "--json", keyring_file=tmp_path / "keyring.json"
    )
    assert outcome.exit_code == 0, outcome.stderr
    assert json.loads(outcome.stdout)["schema"] == "opencircuit.bom/1"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    failed = run_subprocess(
        "bom-quote", str(empty), "--dry-run", keyring_file=tmp_path / "keyring.json"
    )
    assert failed.exit_code == 7
    assert "empty" in failed.stderr
