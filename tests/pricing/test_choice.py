"""Line and order choices, each case with a hand-computed expected total."""

from decimal import Decimal as D

from opencircuit_cli.models import Fee, Offer, Part, PriceBreak
from opencircuit_cli.pricing.choice import Rules, choose_line
from opencircuit_cli.pricing.currency import Converter
from opencircuit_cli.pricing.order import DistributorCosts, plan_order

USD = Converter("USD")


def offer(
    dist,
    sku,
    breaks,
    *,
    stock=10_000,
    moq=1,
    mult=1,
    packaging="Cut Tape",
    currency="USD",
    fees=(),
    lead=None,
    authorized=None,
):
    return Offer(
        "test",
        dist,
        sku,
        currency,
        tuple(PriceBreak(q, D(p)) for q, p in breaks),
        packaging=packaging,
        stock=stock,
        moq=moq,
        order_multiple=mult,
        fees=fees,
        lead_time_days=lead,
        authorized=authorized,
    )


def part(*offers, lifecycle="active", maker="Acme", mpn="X1"):
    return Part(mpn, maker, lifecycle=lifecycle, offers=tuple(offers))


def skus(choice):
    return [(a.offer.sku, a.price.order_quantity) for a in choice.option.allocations]


def test_offer_short_of_stock_loses_to_one_that_can_supply():
    p = part(offer("A", "A1", [(1, "0.10")], stock=5), offer("B", "B1", [(1, "0.20")]))
    choice = choose_line([p], 10, USD)
    assert skus(choice) == [("B1", 10)]
    assert choice.option.cost == D("2.00")
    assert choice.why == "only offer with enough stock"


def test_full_reels_plus_cut_tape_beat_cut_tape_alone():
    cut = offer("DigiKey", "X-CT", [(1, "0.10"), (100, "0.03"), (1000, "0.02")])
    reel = offer(
        "DigiKey", "X-TR", [(3000, "0.01")], moq=3000, mult=3000, packaging="Tape & Reel (TR)"
    )
    choice = choose_line([part(cut, reel)], 3500, USD)
    # cut tape alone 3500 x 0.02 = 70.00; two reels 6000 x 0.01 = 60.00;
    # one reel 30.00 + 500 cut at 0.03 = 15.00 -> 45.00
    assert skus(choice) == [("X-TR", 3000), ("X-CT", 500)]
    assert choice.option.cost == D("45.00")
    assert choice.option.kind == "reel+cut"


def test_digi_reel_fee_is_part_of_the_total():
    cut = offer("DigiKey", "X-CT", [(1, "0.10"), (100, "0.03")])
    digi = offer(
        "DigiKey",
        "X-DKR",
        [(1, "0.10"), (100, "0.03")],
        packaging="Digi-Reel",
        fees=(Fee("Digi-Reel", D("7.00")),),
    )
    choice = choose_line([part(cut, digi)], 500, USD)
    assert skus(choice) == [("X-CT", 500)] and choice.option.cost == D("15.00")
    no_cut = offer("DigiKey", "X-CT", [(1, "0.10")], stock=0)
    choice = choose_line([part(no_cut, digi)], 500, USD)
    assert skus(choice) == [("X-DKR", 500)] and choice.option.cost == D("22.00")


def test_split_across_distributors_when_nobody_has_enough():
    p = part(offer("A", "A1", [(1, "0.10")], stock=60), offer("B", "B1", [(1, "0.12")], stock=50))
    choice = choose_line([p], 100, USD)
    assert choice.status == "ok"
    assert skus(choice) == [("A1", 60), ("B1", 40)]
    assert choice.option.cost == D("10.80")  # 6.00 + 4.80
    assert choice.why.startswith("split")
    no_split = choose_line([p], 100, USD, Rules(allow_split=False))
    assert no_split.status == "short"


def test_short_line_when_even_a_split_is_not_enough():
    p = part(offer("A", "A1", [(1, "0.10")], stock=30), offer("B", "B1", [(1, "0.12")], stock=20))
    choice = choose_line([p], 100, USD)
    assert choice.status == "short"
    assert skus(choice) == [("A1", 100)]
    assert choice.short_by == 70


def test_obsolete_ranks_last_even_when_cheaper():
    old = part(offer("A", "A1", [(1, "0.01")]), lifecycle="obsolete", mpn="X1")
    new = part(offer("B", "B1", [(1, "0.50")]), mpn="X1", maker="Other")
    choice = choose_line([old, new], 10, USD)
    assert skus(choice) == [("B1", 10)]
    only_old = choose_line([old], 10, USD)
    assert any("obsolete" in w for w in only_old.warnings)


def test_preferred_distributor_within_margin():
    p = part(offer("Arrow", "AR1", [(1, "1.00")]), offer("Mouser", "M1", [(1, "1.05")]))
    choice = choose_line([p], 10, USD, Rules(prefer=("mouser",)))
    assert skus(choice) == [("M1", 10)] and choice.why.startswith("preferred")
    dear = part(offer("Arrow", "AR1", [(1, "1.00")]), offer("Mouser", "M1", [(1, "1.20")]))
    assert skus(choose_line([dear], 10, USD, Rules(prefer=("mouser",)))) == [("AR1", 10)]


def test_bom_sku_is_honoured_even_when_dearer():
    p = part(offer("Mouser", "M1", [(1, "1.00")]), offer("DigiKey", "X-ND", [(1, "1.50")]))
    choice = choose_line([p], 2, USD, honoured=("DigiKey", "x-nd"))
    assert skus(choice) == [("X-ND", 2)] and choice.why == "honoured BOM SKU"


def test_currency_conversion_and_unknown_rates():
    p = part(offer("EU", "E1", [(1, "0.90")], currency="EUR"), offer("US", "U1", [(1, "1.00")]))
    converter = Converter("USD", {"EUR": D("1.10")})
    choice = choose_line([p], 10, converter)
    assert skus(choice) == [("E1", 10)] and choice.option.cost == D("9.9000")
    plain = choose_line([p], 10, USD)
    assert skus(plain) == [("U1", 10)]
    assert any("EUR" in w for w in plain.warnings)


def test_authorized_only_and_max_lead_days():
    p = part(
        offer("Broker", "BR1", [(1, "0.10")], authorized=False),
        offer("Arrow", "AR1", [(1, "0.20")], authorized=True),
    )
    assert skus(choose_line([p], 5, USD, Rules(authorized_only=True))) == [("AR1", 5)]
    backorder = part(
        offer("A", "A1", [(1, "0.10")], stock=0, lead=200),
        offer("B", "B1", [(1, "0.30")], stock=0, lead=40),
        offer("C", "C1", [(1, "0.50")], stock=0, lead=25),
    )
    anyhow = choose_line([backorder], 5, USD)
    assert (anyhow.status, skus(anyhow)) == ("short", [("A1", 5)])  # cheapest backorder
    quick = choose_line([backorder], 5, USD, Rules(max_lead_days=30))
    assert (quick.status, skus(quick)) == ("short", [("C1", 5)])


def test_unpriced_line():
    choice = choose_line([part(offer("A", "A1", []))], 5, USD)
    assert (choice.status, choice.option) == ("unpriced", None)


def test_shipping_consolidation_lowers_the_order_total():
    line1 = choose_line(
        [part(offer("A", "A1", [(1, "1.00")]), offer("B", "B1", [(1, "1.05")]))], 10, USD
    )  # A 10.00, B 10.50
    line2 = choose_line([part(offer("B", "B2", [(1, "0.50")]), mpn="X2")], 10, USD)  # B 5.00
    costs = {"a": DistributorCosts(D("6.99")), "b": DistributorCosts(D("6.99"))}
    plan = plan_order([line1, line2], costs)
    # greedy: 10.00 + 5.00 + 2 x 6.99 = 28.98; consolidated on B: 10.50 + 5.00 + 6.99 = 22.49
    assert plan.total == D("22.49")
    assert plan.lines[0].why == "consolidated to save shipping"
    assert set(plan.subtotals) == {"B"}


def test_free_shipping_threshold_and_max_distributors():
    line1 = choose_line(
        [part(offer("A", "A1", [(1, "1.00")]), offer("B", "B1", [(1, "1.05")]))], 10, USD
    )
    line2 = choose_line([part(offer("B", "B2", [(1, "0.50")]), mpn="X2")], 10, USD)
    costs = {
        "a": DistributorCosts(D("6.99")),
        "b": DistributorCosts(D("6.99"), free_shipping_over=D("5.00")),
    }
    plan = plan_order([line1, line2], costs)
    # B ships free (subtotal >= 5): A 10.00 + 6.99 + B 5.00 = 21.99 vs all on B 15.50 -> 15.50
    assert plan.total == D("15.50")
    cheap = {"a": DistributorCosts(), "b": DistributorCosts()}
    assert plan_order([line1, line2], cheap).total == D("15.00")  # no shipping: stay greedy
    assert plan_order([line1, line2], cheap, max_distributors=1).total == D("15.50")


def test_a_large_forced_overbuy_is_flagged():
    p = part(offer("DigiKey", "X-OS", [(11539, "0.03")], moq=11539, stock=50_000))
    choice = choose_line([p], 6, USD)
    assert choice.option.quantity == 11539
    assert any("orders 11539 for 6 needed" in w for w in choice.warnings)
    small = choose_line([part(offer("A", "A1", [(1, "0.10"), (10, "0.01")]))], 6, USD)
    assert small.option.quantity == 10 and small.warnings == ()  # a small buy-up is normal
