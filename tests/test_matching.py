from opencircuit_cli.matching import (
    canonical_manufacturer,
    match_parts,
    merge_parts,
    normalize_mpn,
    same_manufacturer,
)
from opencircuit_cli.models import Part, PartQuery
from tests.support.fake_provider import offer


def test_mpn_normalisation_ignores_case_and_spaces():
    assert normalize_mpn("  lm358dr ") == "LM358DR"
    assert normalize_mpn("5MF 6-R") == "5MF6-R"


def test_manufacturer_aliases():
    assert canonical_manufacturer("TI") == "Texas Instruments"
    assert canonical_manufacturer("Texas Instruments Incorporated") == "Texas Instruments"
    assert canonical_manufacturer("Vishay Dale") == "Vishay"
    assert canonical_manufacturer("Wurth Elektronik") == "Würth Elektronik"
    assert canonical_manufacturer("Würth") == "Würth Elektronik"
    assert canonical_manufacturer("Some Maker GmbH") == "Some Maker GmbH"
    assert same_manufacturer("TI", "Texas Instruments")
    assert same_manufacturer("Bel Fuse Inc.", "Bel Fuse")
    assert not same_manufacturer("TI", "STMicroelectronics")
    assert not same_manufacturer(None, "TI")


def parts(*pairs):
    return [Part(mpn, maker) for mpn, maker in pairs]


def test_exact_first_and_ambiguity_reported_without_a_manufacturer():
    found = parts(
        ("LM358DRG4", "TI"), ("LM358DR", "Texas Instruments"), ("lm358dr", "STMicroelectronics")
    )
    match = match_parts(PartQuery("LM358DR"), found)
    assert [p.mpn for p in match.parts] == ["LM358DR", "lm358dr", "LM358DRG4"]
    assert match.exact
    assert match.ambiguous_manufacturers == ("Texas Instruments", "STMicroelectronics")


def test_asked_manufacturer_filters_and_removes_ambiguity():
    found = parts(("LM358DR", "Texas Instruments"), ("LM358DR", "STMicroelectronics"))
    match = match_parts(PartQuery("LM358DR", "ST"), found)
    assert [p.manufacturer for p in match.parts] == ["STMicroelectronics"]
    assert match.ambiguous_manufacturers == ()


def test_no_exact_match_keeps_similar_parts_flagged():
    match = match_parts(PartQuery("LM358"), parts(("LM358DR", "TI")))
    assert not match.exact
    assert [p.mpn for p in match.parts] == ["LM358DR"]
    assert match_parts(PartQuery("LM358"), parts(("LM358DR", "TI")), exact_only=True).parts == ()


def test_merge_gathers_offers_of_one_part_from_several_providers():
    a = Part("LM358DR", "TI", description=None, offers=(offer("Mouser", "M1", [(1, "1")]),))
    b = Part(
        "lm358dr",
        "Texas Instruments",
        description="Dual op-amp",
        offers=(offer("DigiKey", "D1", [(1, "1")]),),
    )
    c = Part("LM358DR", "STMicroelectronics", offers=(offer("Arrow", "A1", [(1, "1")]),))
    merged = merge_parts([a, b, c])
    assert len(merged) == 2
    assert [o.sku for o in merged[0].offers] == ["M1", "D1"]
    assert merged[0].description == "Dual op-amp"
