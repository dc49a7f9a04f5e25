"""Which Loc8 customer an app contact is, and the reverse: one match or a reason, never a guess."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.accounting import AppContact
from chalicelib.domain.customer_matching import (
    Loc8Matcher,
    app_fingerprint,
    is_customer,
    loc8_fingerprint,
    match_in_app,
    normalised_email,
    normalised_name,
    valid_email,
)
from chalicelib.domain.loc8 import Loc8Customer

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def customer(customer_id: str, name: str, email: str | None = None) -> Loc8Customer:
    return Loc8Customer(id=customer_id, version=1, updated_at=NOW, name=name, email=email)


def contact(contact_id: str, name: str, email: str | None = None) -> AppContact:
    return AppContact(id=contact_id, name=name, email=email)


def test_names_and_emails_compare_without_case_or_extra_spaces():
    assert normalised_name("  Boom   FM ") == normalised_name("boom fm")
    assert normalised_email(" AP@BoomFM.example ") == "ap@boomfm.example"
    assert normalised_email("   ") is None
    assert valid_email(" not an email ") is None
    assert valid_email(" ap@boomfm.example ") == "ap@boomfm.example"


def test_a_supplier_only_contact_is_not_a_customer():
    assert not is_customer(AppContact(id="1", name="PowerDirect", is_supplier=True))
    assert is_customer(AppContact(id="2", name="Both", is_supplier=True, is_customer=True))
    assert is_customer(AppContact(id="3", name="Unmarked"))


def test_email_decides_before_the_name():
    matcher = Loc8Matcher.load(
        [customer("c1", "Boom FM", "ap@boomfm.example"), customer("c2", "Boom FM Radio")], set()
    )
    assert matcher.match(contact("x", "Boom FM Radio", "AP@boomfm.example")) == ("c1", None)


def test_one_name_matches_when_no_email_says_otherwise():
    matcher = Loc8Matcher.load([customer("c1", "Harbour Dental")], set())
    assert matcher.match(contact("x", "harbour  dental")) == ("c1", None)


def test_a_shared_email_or_name_is_an_ambiguity_not_a_guess():
    shared_email = Loc8Matcher.load(
        [customer("c1", "North", "ap@bay.example"), customer("c2", "South", "ap@bay.example")],
        set(),
    )
    found, why = shared_email.match(contact("x", "Bay", "ap@bay.example"))
    assert found is None
    assert "share this email" in (why or "")
    shared_name = Loc8Matcher.load([customer("c1", "Bay"), customer("c2", "Bay")], set())
    found, why = shared_name.match(contact("x", "Bay"))
    assert found is None
    assert "share this name" in (why or "")


def test_of_customers_sharing_an_email_the_one_of_the_contacts_name_is_it():
    matcher = Loc8Matcher.load(
        [customer("c1", "North", "ap@bay.example"), customer("c2", "South", "ap@bay.example")],
        set(),
    )
    assert matcher.match(contact("x", "south", "AP@bay.example")) == ("c2", None)


def test_the_same_name_with_another_email_is_another_business():
    matcher = Loc8Matcher.load([customer("c1", "City Agency", "a@one.example")], set())
    found, why = matcher.match(contact("x", "City Agency", "b@two.example"))
    assert found is None
    assert "another email" in (why or "")


def test_linked_and_claimed_customers_are_not_matched_again():
    matcher = Loc8Matcher.load([customer("c1", "Boom FM"), customer("c2", "Linked")], {"c2"})
    assert matcher.match(contact("x", "Linked")) == (None, None)
    matcher.claim("c1")
    assert matcher.match(contact("y", "Boom FM")) == (None, None)


def test_in_the_app_the_known_id_wins_then_email_then_name():
    candidates = [
        contact("a1", "Boom FM", "ap@boomfm.example"),
        contact("a2", "Boom FM Radio", "radio@boomfm.example"),
    ]
    loc8 = customer("c1", "Boom FM Radio", "ap@boomfm.example")
    assert match_in_app(loc8, candidates, app_id="a2", app_name="Books") == ("a2", None)
    assert match_in_app(loc8, candidates, app_id=None, app_name="Books") == ("a1", None)
    by_name = customer("c2", "boom fm radio")
    assert match_in_app(by_name, candidates, app_id=None, app_name="Books") == ("a2", None)


def test_in_the_app_a_contact_named_as_another_loc8_customer_is_not_matched_by_email():
    """Two businesses billed through one accounts address: the contact named as one of
    them is that one's, whichever is matched first, and the other is not swallowed."""
    candidates = [contact("a1", "Harbour Strata 12", "accounts@strata.example")]
    other = customer("c2", "Harbour Strata 14", "accounts@strata.example")
    found, why = match_in_app(
        other,
        candidates,
        app_id=None,
        app_name="Books",
        names_being_matched=frozenset({"harbour strata 12", "harbour strata 14"}),
    )
    assert (found, why) == (None, None)  # created as itself
    own = customer("c1", "Harbour Strata 12", "accounts@strata.example")
    assert match_in_app(
        own,
        candidates,
        app_id=None,
        app_name="Books",
        names_being_matched=frozenset({"harbour strata 12", "harbour strata 14"}),
    ) == ("a1", None)


def test_in_the_app_a_name_held_by_another_email_is_reported_with_the_apps_name():
    candidates = [contact("a1", "City Agency", "a@one.example")]
    found, why = match_in_app(
        customer("c1", "City Agency", "b@two.example"), candidates, app_id=None, app_name="Books"
    )
    assert found is None
    assert "taken in Books" in (why or "")


def test_fingerprints_ignore_email_case_but_see_every_shared_field():
    assert app_fingerprint(contact("a", "Boom FM", "AP@x.example")) == app_fingerprint(
        contact("b", "Boom FM", "ap@x.example")
    )
    assert loc8_fingerprint(customer("c", "Boom FM")) != loc8_fingerprint(
        customer("c", "Boom FM", "ap@x.example")
    )
