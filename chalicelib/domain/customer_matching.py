"""How a Loc8 customer and an app contact are recognised as the same business.

Pure rules, no calls: an existing link wins, then one email (case-insensitive), then
one exact normalised name; more than one candidate, or a name shared by two different
emails, is an ambiguity for a person to settle, never a guess. Fingerprints of what
each side looked like at the last sync tell a real change from the echo of our write.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from chalicelib.domain.accounting import AppContact
from chalicelib.domain.links import fingerprint
from chalicelib.domain.loc8 import EMAIL_PATTERN, Loc8Customer

# (the match, None), (None, why it cannot be decided) or (None, None): nothing matches.
Match = tuple[str | None, str | None]


def normalised_name(name: str) -> str:
    return " ".join(name.casefold().split())


def normalised_email(email: str | None) -> str | None:
    return email.strip().casefold() if email and email.strip() else None


def valid_email(email: str | None) -> str | None:
    return email.strip() if email and re.match(EMAIL_PATTERN, email.strip()) else None


def app_fingerprint(contact: AppContact) -> str:
    return fingerprint(
        {"name": contact.name, "email": normalised_email(contact.email), "phone": contact.phone}
    )


def loc8_fingerprint(customer: Loc8Customer) -> str:
    return fingerprint(
        {"name": customer.name, "email": normalised_email(customer.email), "phone": customer.phone}
    )


def is_customer(contact: AppContact) -> bool:
    """A contact the app marks as a customer, or leaves unmarked; not a supplier alone."""
    return contact.is_customer or not contact.is_supplier


@dataclass
class Loc8Matcher:
    """Unlinked Loc8 customers by email and by normalised name."""

    by_email: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    by_name: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    emails: dict[str, str | None] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, customers: Iterable[Loc8Customer], linked: set[str]) -> Loc8Matcher:
        matcher = cls()
        matcher.add(customer for customer in customers if customer.id not in linked)
        return matcher

    def add(self, customers: Iterable[Loc8Customer]) -> None:
        """Take these unlinked customers' keys (their id, email and name only)."""
        for customer in customers:
            email = normalised_email(customer.email)
            self.emails[customer.id] = email
            if email:
                self.by_email[email].append(customer.id)
            self.names[customer.id] = normalised_name(customer.name)
            self.by_name[self.names[customer.id]].append(customer.id)

    def match(self, contact: AppContact) -> Match:
        """The Loc8 customer id an app contact is, if exactly one can be told."""
        email = normalised_email(contact.email)
        if email:
            found = self.by_email.get(email, [])
            if len(found) > 1:
                # Businesses billed through one address: the one of this name, if one is.
                name = normalised_name(contact.name)
                named = [customer_id for customer_id in found if self.names[customer_id] == name]
                found = named or found
            if len(found) == 1:
                return found[0], None
            if len(found) > 1:
                return None, f"{len(found)} Loc8 customers share this email; link one by hand."
        found = self.by_name.get(normalised_name(contact.name), [])
        if len(found) > 1:
            return None, f"{len(found)} Loc8 customers share this name; link one by hand."
        if len(found) == 1:
            other = self.emails.get(found[0])
            if email and other and other != email:
                return None, (
                    "A Loc8 customer has this name but another email; they are treated as "
                    "different businesses. Rename one of them to sync it."
                )
            return found[0], None
        return None, None

    def claim(self, customer_id: str) -> None:
        """Taken by a contact: no other contact may match it."""
        for index in (self.by_email, self.by_name):
            for ids in index.values():
                if customer_id in ids:
                    ids.remove(customer_id)


def match_in_app(
    customer: Loc8Customer,
    candidates: list[AppContact],
    *,
    app_id: str | None,
    app_name: str,
    names_being_matched: frozenset[str] = frozenset(),
) -> Match:
    """The app contact id a Loc8 customer is, among contacts found by its name or email.

    `app_id` is where Loc8 says the customer already lives in the app, if anywhere.
    `names_being_matched` are the normalised names of the Loc8 customers being matched
    (this one's too): a contact with another of those names is that customer's, even if
    it shares this one's email (two businesses billed through one accounts address).
    """
    if app_id is not None and any(c.id == app_id for c in candidates):
        return app_id, None
    email = normalised_email(customer.email)
    by_email = [
        c
        for c in candidates
        if email
        and normalised_email(c.email) == email
        and (
            normalised_name(c.name) == normalised_name(customer.name)
            or normalised_name(c.name) not in names_being_matched
        )
    ]
    if len(by_email) == 1:
        return by_email[0].id, None
    if len(by_email) > 1:
        return None, f"{len(by_email)} {app_name} contacts share this email."
    name = normalised_name(customer.name)
    by_name = [c for c in candidates if normalised_name(c.name) == name]
    if len(by_name) == 1:
        other = normalised_email(by_name[0].email)
        if other and email and other != email:
            return None, (
                f"The name is taken in {app_name} by a contact with another email; "
                "they are treated as different businesses. Rename one of them to sync it."
            )
        return by_name[0].id, None
    return None, None
