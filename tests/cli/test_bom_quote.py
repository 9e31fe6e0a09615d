"""`bom-quote` end to end: a real BOM, a fake Mouser over a real socket, the XLSX read back."""

import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.support.cli import REPO, invoke
from tests.support.fake_mouser import FakeMouserServer
from tests.support.fake_provider import offer, part, spec
from tests.support.server import Reply

GLASGOW = REPO / "tests/fixtures/boms/GlasgowEmbedded__glasgow__revB_mouser_bom.txt"
KEY = "test-key-0000-not-real"


def write_config(tmp_path: Path, base_url: str, providers: str = '"mouser"') -> Path:
    config = tmp_path / "opencircuit.toml"
    config.write_text(
        f"[defaults]\nproviders = [{providers}]\n"
        f'[providers.mouser]\nbase_url = "{base_url}"\nrate_limit = 6000\n'
        "[http]\nmax_retries = 1\n",
        encoding="utf-8",
    )
    return config


def quote_table(path: Path):
    """(header -> column index, data rows) of the Quote sheet, formulas as written."""
    sheet = openpyxl.load_workbook(path)["Quote"]
    rows = list(sheet.iter_rows())
    header_at = next(i for i, r in enumerate(rows) if r[0].value == "References")
    header = {cell.value: i for i, cell in enumerate(rows[header_at]) if cell.value}
    data = []
    for row in rows[header_at + 1 :]:
        if not row[0].value:
            break
        data.append(row)
    return header, data


def test_real_bom_against_fake_mouser(tmp_path, monkeypatch):
    monkeypatch.setenv("MOUSER_API_KEY", KEY)
    out = tmp_path / "quote.xlsx"
    with FakeMouserServer() as server:
        config = write_config(tmp_path, server.base_url)
        result = invoke(
            "--config",
            str(config),
            "--json",
            "bom-quote",
            str(GLASGOW),
            "--boards",
            "5",
            "-o",
            str(out),
        )
        sent = server.request_count
    assert result.exit_code == 6, result.stderr  # one line's MPN is the placeholder "TBD"
    doc = json.loads(result.stdout)
    assert doc["schema"] == "opencircuit.quote/1"
    unpriced = [line for line in doc["lines"] if line["status"] != "ok"]
    assert [line["line"]["references"][0] for line in unpriced] == ["RN1"]
    assert unpriced[0]["why"] == "no part number in the BOM"
    assert len(doc["lines"]) == 34
    assert sent == 4  # 33 part numbers, 10 per request
    # Totals by hand: every line's order quantity x unit price, summed.
    by_hand = sum(
        Decimal(line["chosen"]["order_quantity"]) * Decimal(line["chosen"]["unit_price"])
        for line in doc["lines"]
        if line["chosen"]
    )
    assert Decimal(doc["totals"]["parts"]) == by_hand
    assert Decimal(doc["totals"]["total"]) == by_hand  # no shipping configured
    first = doc["lines"][0]
    assert first["build_quantity"] == first["line"]["quantity"] * 5
    assert f"wrote {out}" in result.stderr
    header, rows = quote_table(out)
    assert len(rows) == 34
    assert sum(1 for row in rows if row[header["Status"]].value == "unpriced") == 1
    build = rows[0][header["Build qty"]]
    extended = rows[0][header["Extended"]]
    assert build.data_type == "f" and build.value.startswith("=")
    assert extended.data_type == "f"
    assert rows[0][header["SKU"]].data_type == "s"
    assert rows[0][header["MPN"]].value == first["line"]["mpn"]


def test_existing_output_needs_force_and_input_is_untouched(tmp_path, monkeypatch):
    monkeypatch.setenv("MOUSER_API_KEY", KEY)
    out = tmp_path / "quote.xlsx"
    out.write_bytes(b"mine")
    before = GLASGOW.read_bytes()
    with FakeMouserServer() as server:
        config = write_config(tmp_path, server.base_url)
        result = invoke("--config", str(config), "bom-quote", str(GLASGOW), "-o", str(out))
        assert result.exit_code == 2 and "--force" in result.stderr
        assert server.request_count == 0, "refused before any request"
    assert out.read_bytes() == b"mine"
    assert GLASGOW.read_bytes() == before


def test_distributor_text_that_looks_like_a_formula_stays_text(tmp_path):
    bom = tmp_path / "bom.csv"
    bom.write_text("Reference,Qty,MPN\nR1,1,EVIL-1\n", encoding="utf-8")
    evil = part("EVIL-1", "Acme", offer("Arrow", "=1+1", [(1, "0.10")]))
    evil = evil.__class__(**{**evil.__dict__, "description": '=HYPERLINK("http://x","y")'})
    alpha, _ = spec("alpha", [evil])
    out = tmp_path / "q.xlsx"
    result = invoke("--providers", "alpha", "bom-quote", str(bom), "-o", str(out), plugins=(alpha,))
    assert result.exit_code == 0, result.stderr
    header, rows = quote_table(out)
    description = rows[0][header["Description"]]
    sku = rows[0][header["SKU"]]
    assert description.data_type == "s" and description.value.startswith("=HYPERLINK")
    assert sku.data_type == "s" and sku.value == "=1+1"


def test_a_provider_failing_all_run_still_writes_the_quote(tmp_path, monkeypatch, local_server):
    monkeypatch.setenv("MOUSER_API_KEY", KEY)
    local_server.set_fallback("/api/v1/search/partnumber", Reply(500, body="Internal error"))
    bom = tmp_path / "bom.csv"
    bom.write_text("Reference,Qty,MPN\nR1,1,A-1\nR2,1,B-2\n", encoding="utf-8")
    alpha, _ = spec("alpha", [part("A-1", "Acme", offer("Arrow", "AR-A1", [(1, "0.10")]))])
    config = write_config(tmp_path, local_server.url("/api/v1"), '"mouser", "alpha"')
    out = tmp_path / "q.xlsx"
    result = invoke(
        "--config", str(config), "--json", "bom-quote", str(bom), "-o", str(out), plugins=(alpha,)
    )
    assert result.exit_code == 6, result.stderr
    assert out.exists()
    doc = json.loads(result.stdout)
    assert [e["provider"] for e in doc["errors"]] == ["mouser"]
    status = {line["line"]["mpn"]: line for line in doc["lines"]}
    assert status["A-1"]["status"] == "ok"
    assert status["B-2"]["status"] == "unpriced"
    assert any("mouser" in note for note in status["B-2"]["notes"])
    assert "mouser" in result.stderr


def test_ctrl_c_during_pricing_leaves_no_output(tmp_path, local_server):
    local_server.set_fallback("/api/v1/search/partnumber", Reply(200, body={}, delay=30))
    config = write_config(tmp_path, local_server.url("/api/v1"))
    out = tmp_path / "out" / "quote.xlsx"
    out.parent.mkdir()
    env = dict(os.environ, PYTHONPATH=str(REPO), MOUSER_API_KEY=KEY, NO_COLOR="1")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "opencircuit_cli",
            "--config",
            str(config),
            "bom-quote",
            str(GLASGOW),
            "-o",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    deadline = time.monotonic() + 30
    while not local_server.requests_for("/api/v1/search/partnumber"):
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the quote never asked the server")
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert b"Traceback" not in stderr
    assert list(out.parent.iterdir()) == []


def test_offers_sheet_lists_passed_over_offers_with_the_reason(tmp_path):
    bom = tmp_path / "bom.csv"
    bom.write_text("Reference,Qty,MPN\nR1,10,X-1\n", encoding="utf-8")
    found = part(
        "X-1",
        "Acme",
        offer("Arrow", "AR-1", [(1, "0.10")], stock=500),
        offer("Cheap", "CH-1", [(1, "0.01")], stock=3),
        offer("Euro", "EU-1", [(1, "0.01")], currency="EUR"),
    )
    alpha, _ = spec("alpha", [found])
    out = tmp_path / "q.xlsx"
    result = invoke("--providers", "alpha", "bom-quote", str(bom), "-o", str(out), plugins=(alpha,))
    assert result.exit_code == 0, result.stderr
    rows = list(openpyxl.load_workbook(out)["Offers"].iter_rows(values_only=True))
    chosen = {row[4]: row[-1] for row in rows[1:]}
    assert chosen == {
        "AR-1": "yes",
        "CH-1": "no: not enough stock",
        "EU-1": "no: EUR: no rate to USD",
    }
