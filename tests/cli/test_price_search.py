"""`price` and `search` through the real CLI and registry, with fake providers (no HTTP)."""

import json

from opencircuit_cli.errors import AuthError, NetworkError
from tests.support.cli import invoke
from tests.support.fake_provider import offer, part, spec

PRICE_OFFER_FIELDS = {
    "source",
    "distributor",
    "sku",
    "packaging",
    "stock",
    "moq",
    "order_multiple",
    "lead_time_days",
    "currency",
    "price_breaks",
    "order_quantity",
    "unit_price",
    "extended_price",
    "url",
}
PART_FIELDS = {"mpn", "manufacturer", "description", "lifecycle", "datasheet_url", "offers"}

LM358_TI = part(
    "LM358DR",
    "Texas Instruments",
    offer("Arrow", "LM358DR-AR", [(1, "0.50"), (10, "0.30"), (100, "0.12")]),
    offer("Future", "F-LM358", [(1, "0.40"), (25, "0.20")], moq=5, mult=5),
)
LM358_ST = part("lm358dr", "STMicroelectronics", offer("Chip1", "C1-358", [(1, "0.45")]))


def test_price_json_document_has_every_field_and_cheapest_first():
    alpha, _ = spec("alpha", [LM358_TI])
    out = invoke(
        "--providers", "alpha", "--json", "price", "LM358DR", "--qty", "8", plugins=(alpha,)
    )
    assert out.exit_code == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["schema"] == "opencircuit.price/1"
    assert (doc["currency"], doc["quantity"], doc["errors"]) == ("USD", 8, [])
    result = doc["results"][0]
    assert result["query"] == {"mpn": "LM358DR", "manufacturer": None}
    found = result["parts"][0]
    assert set(found) >= PART_FIELDS
    offers = found["offers"]
    assert all(set(o) >= PRICE_OFFER_FIELDS for o in offers)
    # Future: 8 -> MOQ 5, multiple 5 -> 10 at 0.40 = 4.00; but 25 at 0.20 = 5.00 is dearer.
    # Arrow: 8 at 0.50 = 4.00, but buying 10 at 0.30 = 3.00 is cheaper: buys up.
    assert [
        (o["sku"], o["order_quantity"], o["unit_price"], o["extended_price"]) for o in offers
    ] == [
        ("LM358DR-AR", 10, "0.3", "3"),
        ("F-LM358", 10, "0.4", "4"),
    ]
    assert offers[0]["price_breaks"][0] == {"quantity": 1, "unit_price": "0.5"}


def test_price_table_names_every_maker_sharing_an_mpn():
    alpha, _ = spec("alpha", [LM358_TI, LM358_ST])
    out = invoke("--providers", "alpha", "price", "LM358DR", plugins=(alpha,))
    assert out.exit_code == 0, out.stderr
    assert "2 manufacturers make LM358DR" in out.stdout
    assert "Texas Instruments" in out.stdout and "STMicroelectronics" in out.stdout
    doc = json.loads(
        invoke("--providers", "alpha", "--json", "price", "LM358DR", plugins=(alpha,)).stdout
    )
    assert doc["results"][0]["ambiguous_manufacturers"] == [
        "Texas Instruments",
        "STMicroelectronics",
    ]
    out = invoke(
        "--providers",
        "alpha",
        "--json",
        "price",
        "LM358DR",
        "--manufacturer",
        "TI",
        plugins=(alpha,),
    )
    parts = json.loads(out.stdout)["results"][0]["parts"]
    assert [p["manufacturer"] for p in parts] == ["Texas Instruments"]


def test_one_provider_failing_keeps_the_others_results():
    good, made_good = spec("alpha", [LM358_TI])
    bad, made_bad = spec(
        "beta", [], NetworkError("beta", "no answer within 30 s", hint="try later")
    )
    out = invoke("--providers", "alpha,beta", "--json", "price", "LM358DR", plugins=(good, bad))
    assert out.exit_code == 0, out.stderr
    doc = json.loads(out.stdout)
    assert len(doc["results"][0]["parts"][0]["offers"]) == 2
    assert doc["errors"] == [
        {"provider": "beta", "kind": "network", "message": "beta: no answer within 30 s"}
    ]
    assert "beta: no answer within 30 s" in out.stderr
    assert made_good().calls == made_bad().calls == ["lookup"]


def test_all_providers_failing_exits_5_or_4_for_credentials():
    bad, _ = spec("beta", [], NetworkError("beta", "connection refused"))
    out = invoke("--providers", "beta", "price", "LM358DR", plugins=(bad,))
    assert out.exit_code == 5
    assert "connection refused" in out.stderr
    denied, _ = spec("gamma", [], AuthError("gamma: key rejected", provider="gamma"))
    out = invoke("--providers", "gamma", "price", "LM358DR", plugins=(denied,))
    assert out.exit_code == 4


def test_no_offer_exits_6_unless_allowed():
    alpha, _ = spec("alpha", [LM358_TI])
    out = invoke("--providers", "alpha", "price", "LM358DR", "NOPE-123", plugins=(alpha,))
    assert out.exit_code == 6
    assert "NOPE-123" in out.stderr
    assert "LM358DR" in out.stdout
    out = invoke(
        "--providers", "alpha", "price", "NOPE-123", "--allow-incomplete", plugins=(alpha,)
    )
    assert out.exit_code == 0


def test_distributor_filter_and_stock_ordering():
    short = part(
        "X1",
        "Acme",
        offer("Cheap", "C-1", [(1, "0.01")], stock=3),
        offer("Pricey", "P-1", [(1, "0.05")], stock=500),
    )
    alpha, _ = spec("alpha", [short])
    doc = json.loads(
        invoke(
            "--providers", "alpha", "--json", "price", "X1", "--qty", "10", plugins=(alpha,)
        ).stdout
    )
    skus = [o["sku"] for o in doc["results"][0]["parts"][0]["offers"]]
    assert skus == ["P-1", "C-1"], "an offer short of stock ranks after one that can supply"
    doc = json.loads(
        invoke(
            "--providers",
            "alpha",
            "--json",
            "price",
            "X1",
            "--distributor",
            "cheap",
            plugins=(alpha,),
        ).stdout
    )
    assert [o["sku"] for o in doc["results"][0]["parts"][0]["offers"]] == ["C-1"]


def test_search_json_and_no_hits_is_success():
    alpha, _ = spec("alpha", [LM358_TI, LM358_ST])
    out = invoke("--providers", "alpha", "--json", "search", "LM358", plugins=(alpha,))
    assert out.exit_code == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["schema"] == "opencircuit.search/1"
    assert doc["query"] == "LM358"
    assert [p["manufacturer"] for p in doc["results"]] == [
        "Texas Instruments",
        "STMicroelectronics",
    ]
    assert all(set(p) >= PART_FIELDS for p in doc["results"])
    out = invoke("--providers", "alpha", "search", "NOTHING", plugins=(alpha,))
    assert out.exit_code == 0
    assert "no parts found" in out.stdout


def test_search_table_on_a_narrow_terminal_drops_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    alpha, _ = spec("alpha", [LM358_TI])
    out = invoke("--providers", "alpha", "price", "LM358DR", plugins=(alpha,))
    assert out.exit_code == 0
    assert "packaging" not in out.stdout and "manufacturer" not in out.stdout
    assert all(len(line) <= 60 for line in out.stdout.splitlines())
    monkeypatch.setenv("COLUMNS", "160")
    out = invoke("--providers", "alpha", "price", "LM358DR", plugins=(alpha,))
    assert "packaging" in out.stdout and "Cut Tape" in out.stdout


def test_unknown_or_unavailable_provider_is_a_usage_error():
    out = invoke("--providers", "mouzer", "price", "X")
    assert out.exit_code == 2 and "did you mean 'mouser'" in out.stderr
    out = invoke("--providers", "nexar", "price", "X")
    assert out.exit_code == 4 and "NEXAR_CLIENT_ID" in out.stderr


def test_default_providers_without_credentials_exit_4_naming_the_variable():
    out = invoke("price", "LM358DR")
    assert out.exit_code == 4
    assert "MOUSER_API_KEY" in out.stderr


def test_auth_status_runs_the_live_check_of_registered_providers(tmp_path):
    (tmp_path / "opencircuit.toml").write_text('[defaults]\nproviders = ["alpha"]\n')
    alpha, made = spec("alpha", [])
    out = invoke("--json", "auth", "status", plugins=(alpha,))
    assert out.exit_code == 0, out.stderr
    assert made() is not None
    doc = json.loads(out.stdout)
    entry = next(p for p in doc["providers"] if p["name"] == "alpha")
    assert entry["check"] == {"ok": True, "message": "alpha answered"}
    out = invoke("--offline", "--json", "auth", "status", plugins=(alpha,))
    entry = next(p for p in json.loads(out.stdout)["providers"] if p["name"] == "alpha")
    assert entry["check"] is None


def test_config_source_priority_decides_which_duplicate_offer_stays(tmp_path):
    def provider(name):
        found = part("X9", "Acme", offer("Arrow", "AR-X9", [(1, "0.10")], source=name))
        return spec(name, [found])[0]

    alpha, beta = provider("alpha"), provider("beta")
    for order, kept in ((["beta", "alpha"], "beta"), (["alpha", "beta"], "alpha")):
        (tmp_path / "opencircuit.toml").write_text(
            f"[defaults]\nsource_priority = {json.dumps(order)}\n"
        )
        out = invoke("--providers", "alpha,beta", "--json", "price", "X9", plugins=(alpha, beta))
        offers = json.loads(out.stdout)["results"][0]["parts"][0]["offers"]
        assert [o["source"] for o in offers] == [kept]
