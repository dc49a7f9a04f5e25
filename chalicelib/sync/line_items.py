"""Line items ↔ the app's items, both ways on every run; the newer change wins a conflict.

Loc8's catalogue is pushed to the app; an item's sales account is written only as
`domain.line_item_accounts` decides: an explicit mapping moves it, otherwise an item
the app already has keeps its own and a new one takes the Loc8 line item's account
(when the app has it) or the default. The app's edits to code, name, description,
price and tax type come back to Loc8. Records are matched by item code before
anything is created, and links with fingerprints keep every write safe to repeat.
A write whose outcome the app did not report holds the Loc8 position, so the item
is tried again and, if the lost write made it, found by its code.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from decimal import Decimal

from chalicelib.domain.accounting import AppItem, WriteResult
from chalicelib.domain.line_item_accounts import account_to_send, sales_account_codes
from chalicelib.domain.line_item_matching import (
    app_item_fingerprint,
    item_fields,
    line_item_fields,
    line_item_fingerprint,
    loc8_is_newer,
)
from chalicelib.domain.links import Link, fingerprint
from chalicelib.domain.loc8 import Loc8LineItem, Loc8LineItemDraft
from chalicelib.domain.loc8_errors import Loc8Conflict, Loc8ValidationFailed
from chalicelib.domain.names import name_from_app
from chalicelib.sync.framework import Direction, SyncContext
from chalicelib.sync.paging import walk_loc8_pages
from chalicelib.sync.positions import later, load_position, next_since, save_position, since_of
from chalicelib.sync.tax_codes import TaxCodeResolver, tax_codes_of
from chalicelib.sync.writes import answers_for, outcome_unknown

DOMAIN = "line_items"
APP_CURSOR = "line_items#app"
LOC8_CURSOR = "line_items#loc8"
# The explicit mappings the Loc8 pass last started a full walk for.
MAPPINGS_CURSOR = "line_items#mappings"


class UnlinkedLineItems:
    """Loc8 line items no app item is linked to yet, found by code or else by a name
    only one of them has."""

    def __init__(self, line_items: list[Loc8LineItem]) -> None:
        self._by_code = {i.code.casefold(): i for i in line_items}
        names = Counter(i.name.casefold() for i in line_items)
        self._by_name = {i.name.casefold(): i for i in line_items if names[i.name.casefold()] == 1}

    def take_by_code(self, code: str) -> Loc8LineItem | None:
        return self._take(self._by_code.get(code.casefold()))

    def take_by_name(self, name: str) -> Loc8LineItem | None:
        return self._take(self._by_name.get(name.casefold()))

    def _take(self, line_item: Loc8LineItem | None) -> Loc8LineItem | None:
        if line_item is not None:
            self._by_code.pop(line_item.code.casefold(), None)
            self._by_name.pop(line_item.name.casefold(), None)
        return line_item


class LineItemsSyncer:
    domain = DOMAIN
    app_positions = (APP_CURSOR,)

    def sync(self, context: SyncContext) -> None:
        self._app_to_loc8(context)
        self._loc8_to_app(context)

    # --- app → Loc8 -----------------------------------------------------------------

    def _app_to_loc8(self, context: SyncContext) -> None:
        # The app lists its items in one answer, not in pages: one read, one position.
        position = load_position(context, APP_CURSOR)
        read_at = context.now()  # before the read, so a change landing meanwhile comes next time
        items: list[AppItem] = []
        for page in context.app.item_pages(since_of(position)):
            if page.read_at is not None and page.read_at < read_at:
                read_at = page.read_at  # the page shows the app as it was then
            items += [i for i in page.records if i.id and i.unit_price is not None]
        context.check_budget()
        links = context.links.by_app(context.scope, DOMAIN, [i.id for i in items if i.id])
        unlinked: UnlinkedLineItems | None = None
        tax_codes = tax_codes_of(context)
        made: list[Link] = []
        high_water = position.get("since")
        for item in items:
            high_water = later(high_water, item.updated_at)
            link = links.get(item.id or "")
            if link is not None and link.app_fingerprint == app_item_fingerprint(item):
                context.counts(DOMAIN, Direction.TO_LOC8).unchanged += 1
                continue
            if link is None and unlinked is None:
                unlinked = self._unlinked_loc8(context)
            try:
                new_link = self._take_item(
                    context, item, link, unlinked or UnlinkedLineItems([]), tax_codes
                )
            except (Loc8ValidationFailed, Loc8Conflict) as refused:
                context.record_error(DOMAIN, Direction.TO_LOC8, item.code, refused.message)
                continue
            if new_link is not None:
                made.append(new_link)
        context.links.save(context.scope, made)
        save_position(context, APP_CURSOR, {"since": next_since(high_water, read_at)})

    def _unlinked_loc8(self, context: SyncContext) -> UnlinkedLineItems:
        catalogue = list(context.loc8.iter_line_items(context.tenant_id))
        linked = context.links.by_loc8(context.scope, DOMAIN, [i.id for i in catalogue])
        return UnlinkedLineItems([i for i in catalogue if i.id not in linked])

    def _take_item(
        self,
        context: SyncContext,
        item: AppItem,
        link: Link | None,
        unlinked: UnlinkedLineItems,
        tax_codes: TaxCodeResolver,
    ) -> Link | None:
        counts = context.counts(DOMAIN, Direction.TO_LOC8)
        if link is None:
            existing = unlinked.take_by_code(item.code)
            if existing is None and (named := unlinked.take_by_name(item.name)) is not None:
                # The same item under another code (an app item without a code of its
                # own, say): link the two as they are rather than make a second copy on
                # either side; the next change on either side carries its fields over.
                context.record_note(
                    DOMAIN,
                    named.code,
                    f"Linked to the {context.app_name} item of the same name, whose code "
                    f"is {item.code}.",
                )
                counts.unchanged += 1
                return self._link(context, named, item)
            if existing is None:
                if not item.tax_type:
                    context.record_error(
                        DOMAIN,
                        Direction.TO_LOC8,
                        item.code,
                        f"The {context.app_name} item has no sales tax type.",
                    )
                    return None
                created = context.loc8.create_line_item(
                    context.tenant_id,
                    self._loc8_draft(item, None, context, tax_codes),
                    idempotency_key=f"{context.scope.key(DOMAIN)}:create:{item.id}",
                )
                counts.created += 1
                return self._link(context, created, item)
            # Same code on both sides: link them, keeping the newer version's fields.
            return self._reconcile(context, item, existing, None, tax_codes)
        current = context.loc8.get_line_item(context.tenant_id, link.loc8_id)
        return self._reconcile(context, item, current, link, tax_codes)

    def _reconcile(
        self,
        context: SyncContext,
        item: AppItem,
        line_item: Loc8LineItem,
        link: Link | None,
        tax_codes: TaxCodeResolver,
    ) -> Link:
        counts = context.counts(DOMAIN, Direction.TO_LOC8)
        name_max = context.app.profile.item_name_max_length
        # Loc8's tax type compared as the app rate it stands for: the two sides' codes differ.
        app_tax = tax_codes.app_code(line_item.tax_type_code) or line_item.tax_type_code
        in_app_terms = line_item.model_copy(update={"tax_type_code": app_tax})
        if item_fields(item) == line_item_fields(in_app_terms, name_max):
            counts.unchanged += 1
            return self._link(context, line_item, item)
        loc8_changed = link is None or link.loc8_fingerprint != self._expected_print(
            line_item, context
        )
        if loc8_changed and loc8_is_newer(line_item, item):
            if link is not None:
                context.record_conflict(
                    DOMAIN, item.code, "changed in both apps; kept Loc8's later change."
                )
            # No Loc8 fingerprint: the Loc8 pass sees a change and pushes Loc8's version.
            return self._link(context, line_item, item).model_copy(
                update={"loc8_fingerprint": None}
            )
        if loc8_changed and link is not None:
            context.record_conflict(
                DOMAIN, item.code, f"changed in both apps; kept {context.app_name}'s later change."
            )
        updated = context.loc8.update_line_item(
            context.tenant_id,
            line_item.id,
            self._loc8_draft(item, line_item, context, tax_codes),
            version=line_item.version,
            idempotency_key=f"{context.scope.key(DOMAIN)}:update:{item.id}:{self._app_print(item)}",
        )
        counts.updated += 1
        return self._link(context, updated, item)

    @staticmethod
    def _loc8_draft(
        item: AppItem,
        existing: Loc8LineItem | None,
        context: SyncContext,
        tax_codes: TaxCodeResolver,
    ) -> Loc8LineItemDraft:
        name_max = context.app.profile.item_name_max_length
        base = {
            "code": item.code,
            "name": name_from_app(item.name, existing.name if existing else None, name_max),
            "description": item.description,
            "unit_price": item.unit_price or Decimal(0),
            "tax_type_code": _loc8_tax_code(item, existing, tax_codes),
            "account_code": existing.account_code if existing else None,
        }
        return Loc8LineItemDraft.model_validate(base)

    # --- Loc8 → app -----------------------------------------------------------------

    def _loc8_to_app(self, context: SyncContext) -> None:
        self._restart_on_new_mappings(context)
        tax_codes = tax_codes_of(context)
        catalogue = AppCatalogue(context)
        walk_loc8_pages(
            context,
            LOC8_CURSOR,
            lambda since, cursor: context.loc8.line_item_pages(
                context.tenant_id, updated_since=since, cursor=cursor
            ),
            lambda line_items: self._push_page(context, line_items, tax_codes, catalogue),
        )

    @staticmethod
    def _restart_on_new_mappings(context: SyncContext) -> None:
        """A changed mapping applies to line items Loc8 has not changed since: the pass
        walks the whole catalogue once (unchanged items cost no write). The restart is
        recorded as it is made, so a run that defers mid-walk resumes, not restarts."""
        mappings = fingerprint(context.config.line_item_accounts)
        if context.cursor(MAPPINGS_CURSOR) == mappings:
            return
        save_position(context, LOC8_CURSOR, {})
        context.save_cursor(MAPPINGS_CURSOR, mappings)

    def _push_page(
        self,
        context: SyncContext,
        line_items: list[Loc8LineItem],
        tax_codes: TaxCodeResolver,
        catalogue: AppCatalogue,
    ) -> bool:
        """Push a page of Loc8 line items; False if some write's outcome is unknown."""
        profile = context.app.profile
        links = context.links.by_loc8(context.scope, DOMAIN, [i.id for i in line_items])
        to_write: list[tuple[Loc8LineItem, AppItem]] = []
        for line_item in line_items:
            link = links.get(line_item.id)
            if link is not None and link.loc8_fingerprint == self._expected_print(
                line_item, context
            ):
                context.counts(DOMAIN, Direction.TO_APP).unchanged += 1
                continue
            if len(line_item.code) > profile.item_code_max_length:
                # A cut code would be another item's code: it cannot be matched safely.
                context.record_error(
                    DOMAIN,
                    Direction.TO_APP,
                    line_item.code,
                    f"{context.app_name} allows item codes of up to "
                    f"{profile.item_code_max_length} characters; shorten this one to sync it.",
                )
                continue
            app_id = link.app_id if link else catalogue.id_for_code(line_item.code)
            tax_type = tax_codes.app_code(line_item.tax_type_code)
            account = self._account(line_item, app_id, context, catalogue)
            to_write.append(
                (line_item, self._app_item(line_item, app_id, tax_type, account, context))
            )
        all_known = True
        for start in range(0, len(to_write), profile.write_batch_size):
            batch = to_write[start : start + profile.write_batch_size]
            results = context.app.save_items([item for _, item in batch], _key(batch))
            made: list[Link] = []
            for (line_item, sent), result in answers_for(batch, results):
                all_known &= not outcome_unknown(result)
                made += self._after_write(context, line_item, sent, result)
            # Saved per batch, so a deferral mid-page keeps what was done.
            context.links.save(context.scope, made)
            context.check_budget()
        return all_known

    def _after_write(
        self,
        context: SyncContext,
        line_item: Loc8LineItem,
        sent: AppItem,
        result: WriteResult[AppItem],
    ) -> list[Link]:
        if not result.ok or result.record is None:
            message = "; ".join(result.errors) or "rejected without a reason"
            context.record_error(DOMAIN, Direction.TO_APP, line_item.code, message)
            return []
        counts = context.counts(DOMAIN, Direction.TO_APP)
        if sent.id:
            counts.updated += 1
        else:
            counts.created += 1
        return [self._link(context, line_item, result.record)]

    @staticmethod
    def _account(
        line_item: Loc8LineItem,
        app_id: str | None,
        context: SyncContext,
        catalogue: AppCatalogue,
    ) -> str | None:
        mapped = context.config.line_item_accounts.get(line_item.id)
        if mapped is not None:
            return mapped  # no read needed: the mapping decides
        # The app's items are read only for an existing item (to keep its account),
        # its accounts only for a new item whose Loc8 account may be used.
        wants_accounts = app_id is None and line_item.account_code is not None
        return account_to_send(
            mapped=None,
            app_item=catalogue.by_id(app_id) if app_id else None,
            loc8_account_code=line_item.account_code,
            sales_codes=catalogue.sales_codes() if wants_accounts else frozenset(),
            default=context.config.default_account_code,
        )

    @staticmethod
    def _app_item(
        line_item: Loc8LineItem,
        app_id: str | None,
        tax_type: str | None,
        account_code: str | None,
        context: SyncContext,
    ) -> AppItem:
        return AppItem(
            id=app_id,
            code=line_item.code,
            name=line_item.name[: context.app.profile.item_name_max_length],
            description=line_item.description,
            unit_price=line_item.unit_price,
            account_code=account_code,
            tax_type=tax_type,
        )

    # --- links ----------------------------------------------------------------------

    def _link(self, context: SyncContext, line_item: Loc8LineItem, item: AppItem) -> Link:
        return Link(
            domain=DOMAIN,
            loc8_id=line_item.id,
            app_id=item.id or "",
            loc8_fingerprint=self._loc8_print(
                line_item, context, self._mapping_carried(line_item, item, context)
            ),
            app_fingerprint=self._app_print(item),
            synced_at=context.now(),
        )

    @staticmethod
    def _app_print(item: AppItem) -> str:
        return app_item_fingerprint(item)

    @staticmethod
    def _mapping_carried(
        line_item: Loc8LineItem, item: AppItem, context: SyncContext
    ) -> str | None:
        """The explicit mapping as the app item carries it: an item linked by its code,
        still on another account, prints that account, so the next push moves it."""
        mapped = context.config.line_item_accounts.get(line_item.id)
        if mapped is None or item.account_code == mapped:
            return mapped
        return item.account_code

    @classmethod
    def _expected_print(cls, line_item: Loc8LineItem, context: SyncContext) -> str:
        """The print of a line item whose app item carries its explicit mapping, if any.

        Only an explicit mapping is pushed as such, so only it is part of the print:
        a new default moves no existing item and re-pushes nothing."""
        mapped = context.config.line_item_accounts.get(line_item.id)
        return cls._loc8_print(line_item, context, mapped)

    @staticmethod
    def _loc8_print(line_item: Loc8LineItem, context: SyncContext, account: str | None) -> str:
        return line_item_fingerprint(line_item, context.app.profile.item_name_max_length, account)


class AppCatalogue:
    """The app's items and sales accounts, each read at most once a run, when needed."""

    def __init__(self, context: SyncContext) -> None:
        self._context = context
        self._by_id: dict[str, AppItem] | None = None
        self._by_code: dict[str, AppItem] = {}
        self._sales_codes: frozenset[str] | None = None

    def id_for_code(self, code: str) -> str | None:
        self._load_items()
        match = self._by_code.get(code.casefold())
        return match.id if match else None

    def by_id(self, app_id: str) -> AppItem | None:
        return self._load_items().get(app_id)

    def sales_codes(self) -> frozenset[str]:
        if self._sales_codes is None:
            self._sales_codes = sales_account_codes(self._context.app.accounts())
        return self._sales_codes

    def _load_items(self) -> dict[str, AppItem]:
        if self._by_id is None:
            items = self._context.app.items()
            self._by_id = {item.id: item for item in items if item.id}
            self._by_code = {item.code.casefold(): item for item in items}
        return self._by_id


def _loc8_tax_code(item: AppItem, existing: Loc8LineItem | None, tax_codes: TaxCodeResolver) -> str:
    """The Loc8 tax type standing for the item's app rate; the one Loc8 has when that is
    the same rate (a matched type keeps its code); the app's code when Loc8 has none
    (Loc8 then refuses it and the run says why)."""
    if existing is not None and tax_codes.app_code(existing.tax_type_code) == item.tax_type:
        return existing.tax_type_code
    return (
        tax_codes.loc8_code(item.tax_type)
        or item.tax_type
        or (existing.tax_type_code if existing else "")
    )


def _key(batch: list[tuple[Loc8LineItem, AppItem]]) -> str:
    parts = "|".join(
        f"{line_item.id}:{line_item.version}:{item.account_code}" for line_item, item in batch
    )
    return f"items-{hashlib.sha256(parts.encode()).hexdigest()[:40]}"
