"""Customers, both ways: the app's customer contacts ↔ Loc8 customers.

Each pass reads only what changed since its position (walked by `sync.paging`) and
saves links and the position after every page. Before creating anything it matches
(`domain.customer_matching`): an existing link, then email, then the exact normalised
name; an ambiguous match is reported and skipped, never guessed. A write whose outcome
the app did not report holds the Loc8 position, so the record is tried again and found
by lookup if the lost write made it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from chalicelib.domain.accounting import AppContact, AppContactDraft, WriteResult
from chalicelib.domain.app_profile import WriteFailure
from chalicelib.domain.customer_matching import (
    Loc8Matcher,
    app_fingerprint,
    is_customer,
    loc8_fingerprint,
    match_in_app,
    normalised_name,
    valid_email,
)
from chalicelib.domain.links import Link
from chalicelib.domain.loc8 import ExternalRef, Loc8Customer, Loc8CustomerDraft
from chalicelib.domain.loc8_errors import Loc8Conflict, Loc8ValidationFailed
from chalicelib.domain.names import name_from_app
from chalicelib.sync.framework import Direction, SyncContext
from chalicelib.sync.paging import walk_app_pages, walk_loc8_pages
from chalicelib.sync.writes import answers_for, outcome_unknown

DOMAIN = "customers"
APP_CURSOR = "customers#app"
LOC8_CURSOR = "customers#loc8"
# Loc8's own limits on a customer.
LOC8_NAME_MAX = 255
LOC8_PHONE_MAX = 50


@dataclass
class _Unlinked:
    """Loc8's unlinked customers, loaded once per pass and only if a contact needs them."""

    context: SyncContext
    _matcher: Loc8Matcher | None = None

    def matcher(self) -> Loc8Matcher:
        if self._matcher is None:
            # A page at a time, keeping only the unlinked customers' keys: a tenant with
            # 50,000 linked customers costs the pages' reads, not their memory.
            matcher = Loc8Matcher()
            for page in self.context.loc8.customer_pages(self.context.tenant_id):
                linked = self.context.links.by_loc8(
                    self.context.scope, DOMAIN, [c.id for c in page.items]
                )
                matcher.add(c for c in page.items if c.id not in linked)
            self._matcher = matcher
        return self._matcher


class CustomersSyncer:
    domain = DOMAIN
    app_positions = (APP_CURSOR,)

    def sync(self, context: SyncContext) -> None:
        self._app_to_loc8(context)
        self._loc8_to_app(context)

    # --- app → Loc8 -----------------------------------------------------------------

    def _app_to_loc8(self, context: SyncContext) -> None:
        unlinked = _Unlinked(context)
        walk_app_pages(
            context,
            APP_CURSOR,
            context.app.contact_pages,
            lambda contacts: self._take_contacts(context, contacts, unlinked),
        )

    def _take_contacts(
        self, context: SyncContext, contacts: list[AppContact], unlinked: _Unlinked
    ) -> None:
        links = context.links.by_app(context.scope, DOMAIN, [c.id for c in contacts])
        made: list[Link] = []
        for contact in contacts:
            link = links.get(contact.id)
            if link is None and not is_customer(contact):
                # A supplier only is not a customer to import; nothing to report. One
                # already a Loc8 customer (it became a supplier later) stays in step.
                continue
            new_link = self._take_contact(context, contact, link, unlinked)
            if new_link is not None:
                made.append(new_link)
        context.links.save(context.scope, made)

    def _take_contact(
        self, context: SyncContext, contact: AppContact, link: Link | None, unlinked: _Unlinked
    ) -> Link | None:
        counts = context.counts(DOMAIN, Direction.TO_LOC8)
        current = app_fingerprint(contact)
        if link is not None and link.app_fingerprint == current:
            counts.unchanged += 1
            return None
        try:
            if link is not None:
                return self._update_loc8(context, contact, link, current)
            if not contact.is_active:
                return None
            matcher = unlinked.matcher()
            customer_id, ambiguity = matcher.match(contact)
            if ambiguity:
                context.record_error(DOMAIN, Direction.TO_LOC8, contact.name, ambiguity)
                return None
            if customer_id is not None:
                matcher.claim(customer_id)
                customer = context.loc8.get_customer(context.tenant_id, customer_id)
                counts.unchanged += 1
                return self._link(context, customer, contact)
            created = context.loc8.create_customer(
                context.tenant_id,
                self._loc8_draft(context, contact, None),
                idempotency_key=f"{context.scope.key(DOMAIN)}:create:{contact.id}",
            )
            counts.created += 1
            return self._link(context, created, contact)
        except (Loc8ValidationFailed, Loc8Conflict) as refused:
            context.record_error(DOMAIN, Direction.TO_LOC8, contact.name, refused.message)
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
        updated = context.loc8.update_customer(
            context.tenant_id,
            customer.id,
            self._loc8_draft(context, contact, customer),
            version=customer.version,
            idempotency_key=f"{context.scope.key(DOMAIN)}:update:{contact.id}:{current}",
        )
        context.counts(DOMAIN, Direction.TO_LOC8).updated += 1
        return self._link(context, updated, contact)

    @staticmethod
    def _loc8_draft(
        context: SyncContext, contact: AppContact, existing: Loc8Customer | None
    ) -> Loc8CustomerDraft:
        app = context.integration.app
        base = existing.to_draft() if existing else Loc8CustomerDraft(name=contact.name)
        refs = [ref for ref in base.external_refs if ref.app != app]
        refs.append(ExternalRef(app=app, external_id=contact.id))
        name = name_from_app(
            contact.name,
            existing.name if existing else None,
            context.app.profile.contact_name_max_length,
        )
        try:
            return base.model_copy(
                update={
                    "name": name[:LOC8_NAME_MAX],
                    "email": valid_email(contact.email),
                    "phone": (contact.phone or None) and contact.phone[:LOC8_PHONE_MAX],
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
        walk_loc8_pages(
            context,
            LOC8_CURSOR,
            lambda since, cursor: context.loc8.customer_pages(
                context.tenant_id, updated_since=since, cursor=cursor
            ),
            lambda customers: self._push_customers(context, customers),
        )

    def _push_customers(self, context: SyncContext, customers: list[Loc8Customer]) -> bool:
        """Push a page of Loc8 customers; False if some write's outcome is unknown."""
        links = context.links.by_loc8(context.scope, DOMAIN, [c.id for c in customers])
        creates: list[Loc8Customer] = []
        updates: list[tuple[Loc8Customer, Link]] = []
        for customer in customers:
            link = links.get(customer.id)
            if link is not None and link.loc8_fingerprint == loc8_fingerprint(customer):
                context.counts(DOMAIN, Direction.TO_APP).unchanged += 1
            elif link is not None:
                updates.append((customer, link))
            else:
                creates.append(customer)
        # Each batch saves its links before the next call, so a deferral mid-page
        # keeps what was done and the continuation only repeats the rest.
        updates_known = self._push_updates(context, updates)
        creates_known = self._push_creates(context, creates)
        return updates_known and creates_known

    def _push_updates(self, context: SyncContext, updates: list[tuple[Loc8Customer, Link]]) -> bool:
        all_known = True
        size = context.app.profile.write_batch_size
        for start in range(0, len(updates), size):
            context.check_budget()
            pairs = updates[start : start + size]
            batch = [customer for customer, _link in pairs]
            drafts = [self._app_draft(context, customer, link.app_id) for customer, link in pairs]
            results = context.app.update_contacts(drafts, _batch_key("update", batch))
            made: list[Link] = []
            for customer, result in answers_for(batch, results):
                all_known &= not outcome_unknown(result)
                made += self._after_write(context, customer, result, created=False)
            context.links.save(context.scope, made)
        return all_known

    def _push_creates(self, context: SyncContext, creates: list[Loc8Customer]) -> bool:
        all_known = True
        profile = context.app.profile
        limit = profile.contact_name_max_length
        names = frozenset(normalised_name(c.name[:limit]) for c in creates)
        claimed: set[str] = set()
        for start in range(0, len(creates), profile.lookup_batch_size):
            context.check_budget()
            chunk = creates[start : start + profile.lookup_batch_size]
            drafts = {c.id: self._app_draft(context, c, None) for c in chunk}
            candidates = context.app.find_contacts(
                names=[drafts[c.id].name for c in chunk],
                emails=[c.email for c in chunk if c.email],
            )
            made: list[Link] = []
            to_create: list[Loc8Customer] = []
            for customer in chunk:
                existing, ambiguity = self._match_in_app(
                    context, customer, [c for c in candidates if c.id not in claimed], names
                )
                if ambiguity:
                    context.record_error(DOMAIN, Direction.TO_APP, customer.name, ambiguity)
                elif existing is not None:
                    claimed.add(existing.id)  # one contact is one customer
                    context.counts(DOMAIN, Direction.TO_APP).unchanged += 1
                    made.append(self._link(context, customer, existing))
                else:
                    to_create.append(customer)
            for at in range(0, len(to_create), profile.write_batch_size):
                batch = to_create[at : at + profile.write_batch_size]
                results = context.app.create_contacts(
                    [drafts[c.id] for c in batch], _batch_key("create", batch)
                )
                for customer, result in answers_for(batch, results):
                    all_known &= not outcome_unknown(result)
                    made += self._after_write(context, customer, result, created=True)
            context.links.save(context.scope, made)
        return all_known

    @staticmethod
    def _match_in_app(
        context: SyncContext,
        customer: Loc8Customer,
        candidates: list[AppContact],
        names: frozenset[str],
    ) -> tuple[AppContact | None, str | None]:
        ref = customer.external_ref(context.integration.app)
        limit = context.app.profile.contact_name_max_length
        # The app holds the name as cut to its limit: match what it can hold.
        as_held = customer.model_copy(update={"name": customer.name[:limit]})
        found, ambiguity = match_in_app(
            as_held,
            candidates,
            app_id=ref.external_id if ref else None,
            app_name=context.app_name,
            names_being_matched=names,
        )
        by_id = {c.id: c for c in candidates}
        return (by_id[found] if found else None), ambiguity

    def _after_write(
        self,
        context: SyncContext,
        customer: Loc8Customer,
        result: WriteResult[AppContact],
        *,
        created: bool,
    ) -> list[Link]:
        if not result.ok or result.record is None:
            message = "; ".join(result.errors) or "rejected without a reason"
            if result.reason is WriteFailure.NAME_TAKEN:
                message = (
                    f"The name is already used by another {context.app_name} contact; "
                    "rename one of them to sync this customer."
                )
            context.record_error(DOMAIN, Direction.TO_APP, customer.name, message)
            return []
        if created:
            context.counts(DOMAIN, Direction.TO_APP).created += 1
        else:
            context.counts(DOMAIN, Direction.TO_APP).updated += 1
        return [self._link(context, customer, result.record)]

    @staticmethod
    def _app_draft(
        context: SyncContext, customer: Loc8Customer, app_id: str | None
    ) -> AppContactDraft:
        profile = context.app.profile
        return AppContactDraft(
            id=app_id,
            name=customer.name[: profile.contact_name_max_length],
            email=customer.email,
            phone=customer.phone[: profile.phone_max_length] if customer.phone else None,
        )


def _batch_key(action: str, batch: Sequence[Loc8Customer]) -> str:
    parts = "|".join(f"{customer.id}:{customer.version}" for customer in batch)
    digest = hashlib.sha256(parts.encode()).hexdigest()[:40]
    return f"cust-{action}-{digest}"
