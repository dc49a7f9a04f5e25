"""Customers, both ways: the app's customer contacts ↔ Loc8 customers.

Each pass reads only what changed since its cursor, one page at a time, and saves
links and the cursor after every page. Before creating anything it matches: an
existing link, then email (case-insensitive), then the exact normalised name; an
ambiguous match is reported and skipped, never guessed. Fingerprints of what each
side looked like at the last sync tell a real change from the echo of our own write.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import ValidationError

from chalicelib.domain.accounting import AppContact, AppContactDraft
from chalicelib.domain.links import Link, fingerprint
from chalicelib.domain.loc8 import EMAIL_PATTERN, ExternalRef, Loc8Customer, Loc8CustomerDraft
from chalicelib.domain.loc8_errors import Loc8Conflict, Loc8ValidationFailed
from chalicelib.sync.framework import SyncContext
from chalicelib.sync.positions import later, load_position, next_since, save_position, since_of

DOMAIN = "customers"
APP_CURSOR = "customers#app"
LOC8_CURSOR = "customers#loc8"
WRITE_BATCH = 50
# Customers looked up in the app per request: a `where` of names and emails, short
# enough for a URL, and as many as one create batch should carry.
LOOKUP_BATCH = 20
NAME_TAKEN = re.compile(r"already assigned to another contact", re.IGNORECASE)


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


@dataclass
class Loc8Matcher:
    """Unlinked Loc8 customers by email and by normalised name, loaded when first needed."""

    by_email: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    by_name: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    emails: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def load(cls, customers: Iterable[Loc8Customer], linked: set[str]) -> Loc8Matcher:
        matcher = cls()
        for customer in customers:
            if customer.id in linked:
                continue
            email = normalised_email(customer.email)
            matcher.emails[customer.id] = email
            if email:
                matcher.by_email[email].append(customer.id)
            matcher.by_name[normalised_name(customer.name)].append(customer.id)
        return matcher

    def match(self, contact: AppContact) -> tuple[str | None, str | None]:
        """(customer id, None) on one match, (None, reason) when it cannot be decided,
        (None, None) when there is nothing to match."""
        email = normalised_email(contact.email)
        if email:
            found = self.by_email.get(email, [])
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
        for index in (self.by_email, self.by_name):
            for ids in index.values():
                if customer_id in ids:
                    ids.remove(customer_id)


class CustomersSyncer:
    domain = DOMAIN

    def sync(self, context: SyncContext) -> None:
        self._app_to_loc8(context)
        self._loc8_to_app(context)

    # --- app → Loc8 -----------------------------------------------------------------

    def _app_to_loc8(self, context: SyncContext) -> None:
        state = load_position(context, APP_CURSOR)
        since = since_of(state)
        high_water = state.get("high_water")
        matcher: Loc8Matcher | None = None
        for page in context.app.contact_pages(since, int(state.get("page") or 1)):
            contacts = [c for c in page.records if c.is_customer or not c.is_supplier]
            links = context.links.by_app(context.scope, DOMAIN, [c.id for c in contacts])
            new_links: list[Link] = []
            for contact in contacts:
                high_water = later(high_water, contact.updated_at)  # type: ignore[arg-type]
                link = links.get(contact.id)
                if link is None and matcher is None and contact.is_active:
                    matcher = self._matcher(context)
                made = self._take_contact(context, contact, link, matcher)
                if made is not None:
                    new_links.append(made)
            context.links.save(context.scope, new_links)
            cursor = {"since": state.get("since"), "page": page.page + 1, "high_water": high_water}
            if page.last:
                since = next_since(high_water, context.now())
                cursor = {"since": since, "page": 1, "high_water": high_water}
            save_position(context, APP_CURSOR, cursor)
            context.check_budget()

    def _matcher(self, context: SyncContext) -> Loc8Matcher:
        customers = list(context.loc8.iter_customers(context.tenant_id))
        linked = context.links.by_loc8(context.scope, DOMAIN, [c.id for c in customers])
        return Loc8Matcher.load(customers, set(linked))

    def _take_contact(
        self,
        context: SyncContext,
        contact: AppContact,
        link: Link | None,
        matcher: Loc8Matcher | None,
    ) -> Link | None:
        counts = context.counts(DOMAIN)
        current = app_fingerprint(contact)
        if link is not None and link.app_fingerprint == current:
            counts.unchanged += 1
            return None
        try:
            if link is not None:
                return self._update_loc8(context, contact, link, current)
            if not contact.is_active or matcher is None:
                return None
            customer_id, ambiguity = matcher.match(contact)
            if ambiguity:
                context.record_error(DOMAIN, contact.name, ambiguity)
                return None
            if customer_id is not None:
                matcher.claim(customer_id)
                customer = context.loc8.get_customer(context.tenant_id, customer_id)
                counts.unchanged += 1
                return self._link(context, customer, contact)
            created = context.loc8.create_customer(
                context.tenant_id,
                self._draft_from(contact, None, context.integration.app),
                idempotency_key=f"{context.scope.key(DOMAIN)}:create:{contact.id}",
            )
            counts.created += 1
            return self._link(context, created, contact)
        except (Loc8ValidationFailed, Loc8Conflict) as refused:
            context.record_error(DOMAIN, contact.name, refused.message)
            return None

    def _update_loc8(
        self, context: SyncContext, contact: AppContact, link: Link, current: str
    ) -> Link | None:
        customer = context.loc8.get_customer(context.tenant_id, link.loc8_id)
        if loc8_fingerprint(customer) != link.loc8_fingerprint:
            # Changed on both sides since the last sync: the later change wins.
            if (
                customer.updated_at
                and contact.updated_at
                and customer.updated_at > contact.updated_at
            ):
                context.record_conflict(
                    DOMAIN, contact.name, "changed in both apps; kept Loc8's later change."
                )
                return link.model_copy(update={"app_fingerprint": current})
            context.record_conflict(
                DOMAIN,
                contact.name,
                f"changed in both apps; kept {context.app_name}'s later change.",
            )
        draft = self._draft_from(contact, customer, context.integration.app)
        updated = context.loc8.update_customer(
            context.tenant_id,
            customer.id,
            draft,
            version=customer.version,
            idempotency_key=f"{context.scope.key(DOMAIN)}:update:{contact.id}:{current}",
        )
        context.counts(DOMAIN).updated += 1
        return self._link(context, updated, contact)

    @staticmethod
    def _draft_from(
        contact: AppContact, existing: Loc8Customer | None, app: str
    ) -> Loc8CustomerDraft:
        base = existing.to_draft() if existing else Loc8CustomerDraft(name=contact.name)
        refs = [ref for ref in base.external_refs if ref.app != app]
        refs.append(ExternalRef(app=app, external_id=contact.id))
        try:
            return base.model_copy(
                update={
                    "name": contact.name[:255],
                    "email": valid_email(contact.email),
                    "phone": (contact.phone or None) and contact.phone[:50],
                    "external_refs": refs,
                }
            )
        except ValidationError:
            return base

    @staticmethod
    def _link(context: SyncContext, customer: Loc8Customer, contact: AppContact) -> Link:
        return Link(
            domain=DOMAIN,
            loc8_id=customer.id,
            app_id=contact.id,
            loc8_fingerprint=loc8_fingerprint(customer),
            app_fingerprint=app_fingerprint(contact),
            synced_at=context.now(),
        )

    # --- Loc8 → app -----------------------------------------------------------------

    def _loc8_to_app(self, context: SyncContext) -> None:
        state = load_position(context, LOC8_CURSOR)
        since = since_of(state)
        high_water = state.get("high_water")
        pages = context.loc8.customer_pages(
            context.tenant_id, updated_since=since, cursor=state.get("cursor") or None
        )
        for page in pages:
            customers = page.items
            links = context.links.by_loc8(context.scope, DOMAIN, [c.id for c in customers])
            creates: list[Loc8Customer] = []
            updates: list[tuple[Loc8Customer, Link]] = []
            for customer in customers:
                high_water = later(high_water, customer.updated_at)  # type: ignore[arg-type]
                link = links.get(customer.id)
                if link is not None and link.loc8_fingerprint == loc8_fingerprint(customer):
                    context.counts(DOMAIN).unchanged += 1
                elif link is not None:
                    updates.append((customer, link))
                else:
                    creates.append(customer)
            # Each batch saves its links before the next call, so a deferral mid-page
            # keeps what was done and the continuation only repeats the rest.
            self._push_updates(context, updates)
            self._push_creates(context, creates)
            cursor = {
                "since": state.get("since"),
                "cursor": page.next_cursor,
                "high_water": high_water,
            }
            if page.next_cursor is None:
                cursor = {"since": high_water, "cursor": None, "high_water": high_water}
            save_position(context, LOC8_CURSOR, cursor)
            context.check_budget()

    def _push_updates(self, context: SyncContext, updates: list[tuple[Loc8Customer, Link]]) -> None:
        for start in range(0, len(updates), WRITE_BATCH):
            context.check_budget()
            batch = updates[start : start + WRITE_BATCH]
            drafts = [self._app_draft(customer, link.app_id) for customer, link in batch]
            results = context.app.update_contacts(drafts, _batch_key(context, "update", batch))
            made: list[Link] = []
            for (customer, _link), result in zip(batch, results, strict=False):
                made += self._after_write(context, customer, result, created=False)
            context.links.save(context.scope, made)

    def _push_creates(self, context: SyncContext, creates: list[Loc8Customer]) -> None:
        for start in range(0, len(creates), LOOKUP_BATCH):
            context.check_budget()
            chunk = creates[start : start + LOOKUP_BATCH]
            candidates = context.app.find_contacts(
                names=[c.name for c in chunk], emails=[c.email for c in chunk if c.email]
            )
            made: list[Link] = []
            to_create: list[Loc8Customer] = []
            for customer in chunk:
                existing, ambiguity = self._match_in_app(context, customer, candidates)
                if ambiguity:
                    context.record_error(DOMAIN, customer.name, ambiguity)
                elif existing is not None:
                    context.counts(DOMAIN).unchanged += 1
                    made.append(self._link(context, customer, existing))
                else:
                    to_create.append(customer)
            if to_create:
                drafts = [self._app_draft(customer, None) for customer in to_create]
                key = _batch_key(context, "create", to_create)
                results = context.app.create_contacts(drafts, key)
                for customer, result in zip(to_create, results, strict=False):
                    made += self._after_write(context, customer, result, created=True)
            context.links.save(context.scope, made)

    def _match_in_app(
        self, context: SyncContext, customer: Loc8Customer, candidates: list[AppContact]
    ) -> tuple[AppContact | None, str | None]:
        ref = customer.external_ref(context.integration.app)
        if ref is not None:
            by_id = [c for c in candidates if c.id == ref.external_id]
            if by_id:
                return by_id[0], None
        email = normalised_email(customer.email)
        by_email = [c for c in candidates if email and normalised_email(c.email) == email]
        if len(by_email) == 1:
            return by_email[0], None
        if len(by_email) > 1:
            return None, f"{len(by_email)} {context.app_name} contacts share this email."
        by_name = [
            c for c in candidates if normalised_name(c.name) == normalised_name(customer.name)
        ]
        if len(by_name) == 1:
            if by_name[0].email and email and normalised_email(by_name[0].email) != email:
                return None, (
                    f"The name is taken in {context.app_name} by a contact with another email; "
                    "they are treated as different businesses. Rename one of them to sync it."
                )
            return by_name[0], None
        return None, None

    def _after_write(
        self, context: SyncContext, customer: Loc8Customer, result: object, *, created: bool
    ) -> list[Link]:
        record = getattr(result, "record", None)
        if not getattr(result, "ok", False) or record is None:
            errors = getattr(result, "errors", []) or ["rejected without a reason"]
            message = "; ".join(errors)
            if any(NAME_TAKEN.search(error) for error in errors):
                message = (
                    f"The name is already used by another {context.app_name} contact; "
                    "rename one of them to sync this customer."
                )
            context.record_error(DOMAIN, customer.name, message)
            return []
        if created:
            context.counts(DOMAIN).created += 1
        else:
            context.counts(DOMAIN).updated += 1
        return [self._link(context, customer, record)]

    @staticmethod
    def _app_draft(customer: Loc8Customer, app_id: str | None) -> AppContactDraft:
        return AppContactDraft(
            id=app_id, name=customer.name, email=customer.email, phone=customer.phone
        )


def _batch_key(context: SyncContext, action: str, batch: list) -> str:
    parts = []
    for entry in batch:
        customer = entry[0] if isinstance(entry, tuple) else entry
        parts.append(f"{customer.id}:{customer.version}")
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]
    return f"cust-{action}-{digest}"
