"""Matching Loc8 tax types to the app's tax rates: pure rules (domain/tax_matching.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from chalicelib.domain.accounting import RecordStatus, TaxRate
from chalicelib.domain.loc8 import Loc8TaxType
from chalicelib.domain.tax_matching import MatchedBy, match_tax_types, tax_mapping_problems

ACTIVE = RecordStatus.ACTIVE
ARCHIVED = RecordStatus.ARCHIVED


def loc8(code: str, name: str, rate: str, *, active: bool = True) -> Loc8TaxType:
    return Loc8TaxType(
        id=f"tax_{code.lower()}",
        version=1,
        updated_at=datetime(2026, 1, 12, tzinfo=UTC),
        code=code,
        name=name,
        rate=Decimal(rate),
        active=active,
    )


def rate(code: str, name: str, percent: str, *, revenue: bool = True, status=ACTIVE) -> TaxRate:
    return TaxRate(
        code=code, name=name, rate=Decimal(percent), status=status, applies_to_revenue=revenue
    )


LOC8_DEMO = [
    loc8("GST", "GST on Income", "10.00"),
    loc8("GST_FREE", "GST Free Income", "0.00"),
    loc8("BAS_EXCLUDED", "BAS Excluded", "0.00"),
]
# Xero's AU rates as the app reads them: rates without places, expense rates too.
XERO_AU = [
    rate("OUTPUT", "GST on Income", "10"),
    rate("EXEMPTOUTPUT", "GST Free Income", "0"),
    rate("EXEMPTEXPORT", "GST Free Exports", "0"),
    rate("INPUTTAXED", "Input Taxed", "0"),
    rate("BASEXCLUDED", "BAS Excluded", "0"),
    rate("INPUT", "GST on Expenses", "10", revenue=False),
    rate("EXEMPTEXPENSES", "GST Free Expenses", "0", revenue=False),
    rate("TAX001", "Luxury Goods", "12.5", status=ARCHIVED),
]


def matched(matching) -> dict[str, tuple[str | None, MatchedBy | None]]:
    return {
        m.tax_type.code: (m.rate.code if m.rate else None, m.matched_by) for m in matching.matches
    }


def test_loc8s_demo_types_keep_their_codes_and_match_xeros_by_name():
    matching = match_tax_types(LOC8_DEMO, XERO_AU, {})

    assert matched(matching) == {
        "BAS_EXCLUDED": ("BASEXCLUDED", MatchedBy.NAME),
        "GST": ("OUTPUT", MatchedBy.NAME),
        "GST_FREE": ("EXEMPTOUTPUT", MatchedBy.NAME),
    }
    # 10 and 10.00 are the same rate: nothing to change in Loc8.
    assert matching.updates == []
    # Sales rates Loc8 has no type for are added under the app's code, as Loc8 writes rates.
    assert [(d.code, d.name, d.model_dump(mode="json")["rate"]) for d in matching.to_add] == [
        ("EXEMPTEXPORT", "GST Free Exports", "0.00"),
        ("INPUTTAXED", "Input Taxed", "0.00"),
    ]
    assert matching.unmatched() == []


def test_a_matched_type_takes_the_apps_rate_and_name_in_place_with_two_places():
    tax_types = [loc8("GST", "GST on Income", "10.00")]
    matching = match_tax_types(tax_types, [rate("OUTPUT2", "GST on Income", "15")], {})

    assert matched(matching) == {"GST": ("OUTPUT2", MatchedBy.NAME)}
    [update] = matching.updates
    assert update.tax_type.id == "tax_gst"
    assert update.change.model_dump(mode="json", exclude_none=True) == {"rate": "15.00"}
    assert matching.to_add == []


def test_a_unique_rate_matches_when_the_name_does_not():
    tax_types = [loc8("SALES", "Sales tax", "10.00")]
    matching = match_tax_types(tax_types, XERO_AU, {})

    # The only sales rate at 10% (GST on Expenses does not apply to sales).
    assert matched(matching) == {"SALES": ("OUTPUT", MatchedBy.RATE)}
    [update] = matching.updates
    assert update.tax_type.code == "SALES"
    assert update.change.model_dump(mode="json", exclude_none=True) == {"name": "GST on Income"}


def test_a_rate_shared_by_several_sales_rates_matches_nothing():
    tax_types = [loc8("ZERO", "Zero rated", "0.00")]
    matching = match_tax_types(tax_types, XERO_AU, {})

    assert matched(matching) == {"ZERO": (None, None)}
    assert [m.tax_type.code for m in matching.unmatched()] == ["ZERO"]
    assert matching.app_code("ZERO") is None
    # Left as it is: nothing is sent for it.
    assert matching.updates == []
    # ...and the note says why: several rates could be it, not that none has its rate.
    [note] = [m.note for m in matching.unmatched()]
    assert note is not None
    assert note.startswith("4 sales tax rates have its rate (")


def test_names_match_ignoring_case_and_spaces():
    tax_types = [loc8("G", "gst  ON income", "10.00")]
    matching = match_tax_types(tax_types, XERO_AU, {})

    assert matched(matching) == {"G": ("OUTPUT", MatchedBy.NAME)}
    [update] = matching.updates
    assert update.change.name == "GST on Income"
    assert update.change.rate is None


def test_an_explicit_mapping_wins_over_the_name():
    matching = match_tax_types(LOC8_DEMO, XERO_AU, {"GST_FREE": "EXEMPTEXPORT"})

    assert matched(matching)["GST_FREE"] == ("EXEMPTEXPORT", MatchedBy.MAPPING)
    [update] = matching.updates
    assert update.tax_type.code == "GST_FREE"
    assert update.change.name == "GST Free Exports"
    # GST Free Income now has no Loc8 type: it is added, under a code of its own.
    assert [d.code for d in matching.to_add] == ["EXEMPTOUTPUT", "INPUTTAXED"]


def test_a_type_mapped_to_nothing_is_left_as_it_is_and_said_why():
    matching = match_tax_types(LOC8_DEMO, XERO_AU, {"BAS_EXCLUDED": None})

    [left] = matching.unmatched()
    assert left.tax_type.code == "BAS_EXCLUDED"
    assert left.note == "set to no counterpart in the settings"
    assert matching.app_code("BAS_EXCLUDED") is None


def test_a_mapping_to_a_rate_no_longer_on_offer_leaves_the_type_unmatched():
    matching = match_tax_types(LOC8_DEMO, XERO_AU, {"GST": "TAX001"})

    [left] = matching.unmatched()
    assert left.tax_type.code == "GST"
    assert "TAX001" in (left.note or "")
    # GST on Income is still offered in Loc8: added under its own code.
    assert "OUTPUT" in [d.code for d in matching.to_add]


def test_a_type_the_sync_added_matches_by_code_after_the_app_renames_its_rate():
    tax_types = [*LOC8_DEMO, loc8("EXEMPTEXPORT", "GST Free Exports", "0.00")]
    renamed = [
        r.model_copy(update={"name": "Export sales"}) if r.code == "EXEMPTEXPORT" else r
        for r in XERO_AU
    ]
    matching = match_tax_types(tax_types, renamed, {})

    assert matched(matching)["EXEMPTEXPORT"] == ("EXEMPTEXPORT", MatchedBy.CODE)
    assert [d.code for d in matching.to_add] == ["INPUTTAXED"]
    [update] = matching.updates
    assert update.change.name == "Export sales"


def test_several_loc8_types_for_one_rate_take_its_rate_but_only_one_its_name():
    tax_types = [loc8("GST", "GST on Income", "10.00"), loc8("OLDGST", "Old GST", "9.00")]
    matching = match_tax_types(tax_types, XERO_AU, {"OLDGST": "OUTPUT"})

    assert matching.app_code("GST") == "OUTPUT"
    assert matching.app_code("OLDGST") == "OUTPUT"
    [update] = matching.updates
    assert update.tax_type.code == "OLDGST"
    assert update.change.model_dump(mode="json", exclude_none=True) == {"rate": "10.00"}
    # The app's rate is carried in Loc8 by the type that has its name.
    assert matching.loc8_code("OUTPUT") == "GST"


def test_inactive_types_still_translate_but_are_never_changed_nor_count_as_a_counterpart():
    tax_types = [loc8("GST", "GST on Income", "12.00", active=False)]
    matching = match_tax_types(tax_types, [rate("OUTPUT", "GST on Income", "10")], {})

    assert matching.app_code("GST") == "OUTPUT"
    assert matching.updates == []
    assert [d.code for d in matching.to_add] == ["OUTPUT"]
    assert matching.loc8_code("OUTPUT") is None


def test_an_added_code_keeps_only_the_characters_loc8_allows_and_never_clashes():
    tax_types = [loc8("OUT_PUT", "Something else", "3.00")]
    matching = match_tax_types(
        tax_types, [rate("OUT PUT", "Sales 7", "7"), rate("out-put", "Sales 8", "8")], {}
    )

    assert [d.code for d in matching.to_add] == ["OUT_PUT_2", "out-put"]


def test_an_added_rate_with_more_places_keeps_them_up_to_four():
    matching = match_tax_types([], [rate("LUX", "Luxury", "12.345")], {})

    [draft] = matching.to_add
    assert draft.model_dump(mode="json")["rate"] == "12.345"


def test_mapping_problems_name_each_field_the_admin_must_fix():
    problems = tax_mapping_problems(
        {
            "GST": "OUTPUT",
            "GST_FREE": "INPUT",
            "BAS_EXCLUDED": "TAX001",
            "NOPE": "OUTPUT",
            "ZERO": "MISSING",
            "LEFT": None,
        },
        XERO_AU,
        {"GST", "GST_FREE", "BAS_EXCLUDED", "ZERO", "LEFT"},
        "Xero",
    )

    assert {p.field: p.message for p in problems} == {
        "tax_rate_mappings.BAS_EXCLUDED": "Tax rate TAX001 is archived in Xero.",
        "tax_rate_mappings.GST_FREE": (
            "Tax rate INPUT (GST on Expenses) does not apply to sales in Xero; "
            "choose a sales tax rate."
        ),
        "tax_rate_mappings.NOPE": "Loc8 has no tax type NOPE.",
        "tax_rate_mappings.ZERO": "Tax rate MISSING does not exist in Xero.",
    }
