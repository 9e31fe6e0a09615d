"""`catalog import / list / remove`, and `price` / `search` answered from a catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.catalog.conftest import DEMO, FIXTURES, REPO
from tests.support.cli import invoke

JLC = str(FIXTURES / "jlc_parts_library_2020_testParts.csv")


def test_import_list_remove() -> None:
    done = invoke("catalog", "import", JLC, "--name", "jlc")
    assert done.exit_code == 0, done.stderr
    assert "imported catalog 'jlc' (jlc, LCSC, USD)" in done.stdout
    assert "22 rows, 44 price breaks, 0 skipped" in done.stdout

    listed = invoke("--json", "catalog", "list")
    doc = json.loads(listed.stdout)
    assert doc["schema"] == "opencircuit.catalogs/1"
    [entry] = doc["catalogs"]
    assert (entry["name"], entry["format"], entry["rows"]) == ("jlc", "jlc", 22)
    assert entry["source"] == JLC
    assert "jlc" in invoke("catalog", "list").stdout

    removed = invoke("catalog", "remove", "jlc")
    assert removed.exit_code == 0 and "removed catalog 'jlc'" in removed.stdout
    assert json.loads(invoke("catalog", "list", "--json").stdout)["catalogs"] == []
    again = invoke("catalog", "remove", "jlc")
    assert again.exit_code == 2 and "no catalog named 'jlc'" in again.stderr


def test_import_json_summary_lists_skipped_rows() -> None:
    done = invoke(
        "catalog", "import", str(FIXTURES / "generic_breaks_in_one_cell.csv"), "--name", "dk",
        "--json",
    )  # fmt: skip
    doc = json.loads(done.stdout)
    assert doc["schema"] == "opencircuit.catalog-import/1"
    assert doc["catalog"]["rows"] == 4
    assert doc["skipped"] == [{"row": 7, "reason": "totals row"}]


def test_import_errors_exit_7_and_bad_flags_exit_2(tmp_path: Path) -> None:
    bad = invoke("catalog", "import", str(FIXTURES / "jlc_parts_library_2020_utf16.csv"),
                 "--name", "x")  # fmt: skip
    assert bad.exit_code == 7
    assert "neither UTF-8 nor GB18030" in bad.stderr
    flags = invoke("catalog", "import", JLC, "--name", "x", "--map", "colour=Red")
    assert flags.exit_code == 2 and "unknown field 'colour'" in flags.stderr
    fmt = invoke("catalog", "import", JLC, "--name", "x", "--format", "kicad")
    assert fmt.exit_code == 2


def test_price_and_search_answer_from_the_catalog() -> None:
    assert invoke("catalog", "import", JLC, "--name", "jlc").exit_code == 0
    priced = invoke("--json", "--providers", "catalog", "price", "1206W4F1002T5E", "--qty", "250")
    assert priced.exit_code == 0, priced.stderr
    doc = json.loads(priced.stdout)
    [offer] = doc["results"][0]["parts"][0]["offers"]
    assert offer["source"] == "catalog:jlc"
    assert offer["distributor"] == "LCSC"
    assert (offer["unit_price"], offer["extended_price"]) == ("0.002156522", "0.5391305")

    found = invoke("--json", "--providers", "catalog", "search", "10k 1%", "--filter",
                   "package=1206")  # fmt: skip
    assert found.exit_code == 0, found.stderr
    results = json.loads(found.stdout)["results"]
    assert [p["mpn"] for p in results] == ["1206W4F1002T5E"]
    assert results[0]["offers"][0]["source"] == "catalog:jlc"


def test_empty_catalog_is_skipped_with_its_reason() -> None:
    done = invoke("--providers", "catalog", "price", "LM358")
    assert done.exit_code == 2
    assert "no catalog imported (opencircuit catalog import FILE --name NAME)" in done.stderr


@pytest.fixture
def at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


@pytest.mark.usefixtures("at_repo_root")
def test_demo_command() -> None:
    config = str(Path("fixtures") / "demo" / "opencircuit.toml")
    done = invoke(
        "--config", config, "price", "AP2114H-3.3TRG1", "OPA4197IDR", "RMCF0805JT10K0",
        "--qty", "10",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert "AP2114H-3.3TRG1DICT-ND" in done.stdout
    doc = json.loads(
        invoke("--config", config, "--json", "price", "OPA4197IDR", "--qty", "10").stdout
    )
    best = doc["results"][0]["parts"][0]["offers"][0]
    assert (best["source"], best["sku"], best["unit_price"]) == (
        "catalog:demo",
        "296-45059-1-ND",
        "2.511",
    )
    assert (DEMO / "README.md").is_file()


@pytest.mark.usefixtures("at_repo_root")
def test_demo_command_as_a_subprocess(tmp_path: Path) -> None:
    from tests.support.cli import run_subprocess

    done = run_subprocess(
        "--config", "fixtures/demo/opencircuit.toml", "price", "RMCF0805JT10K0", "--qty", "10",
        keyring_file=tmp_path / "keyring.json",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert "RMCF0805JT10K0CT-ND" in done.stdout
