"""The ports the services depend on; adapters implement them, tests pass fakes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from chalicelib.domain.accounting import (
    Account,
    AppContact,
    AppContactDraft,
    AppInvoice,
    AppItem,
    AppPage,
    AppPayment,
    AppPaymentDraft,
    RateBudget,
    TaxRate,
    WriteResult,
)
from chalicelib.domain.app_profile import AppProfile
from chalicelib.domain.call_budget import CallRate
from chalicelib.domain.integration import Integration, Organisation
from chalicelib.domain.links import Link, LinkScope
from chalicelib.domain.loc8 import (
    ExternalRef,
    Loc8Customer,
    Loc8CustomerDraft,
    Loc8Invoice,
    Loc8InvoiceStatus,
    Loc8LineItem,
    Loc8LineItemDraft,
    Loc8PaymentDraft,
    Loc8TaxType,
    Loc8TaxTypeChange,
    Loc8TaxTypeDraft,
    Page,
    RecordedPayment,
)
from chalicelib.domain.oauth_state import OAuthState
from chalicelib.domain.parked_grant import ParkedGrant
from chalicelib.domain.sync_run import SyncJob, SyncRun
from chalicelib.domain.tokens import TokenSet


class Clock(Protocol):
    def now(self) -> datetime: ...


class IntegrationRepo(Protocol):
    def add(self, integration: Integration) -> None:
        """Store a new integration; `AlreadyConnected` if the tenant has one of that app."""

    def get(self, tenant_id: str, integration_id: str) -> Integration:
        """The tenant's integration; `NotFound` for a missing id or another tenant's."""

    def list(self, tenant_id: str, include_disconnected: bool = False) -> list[Integration]: ...

    def active_pages(
        self, page_size: int = 100
    ) -> Iterator[list[tuple[Integration, datetime | None]]]:
        """Every ACTIVE integration of every tenant, a page at a time, each with the
        time its job slot is held until (None when it has none)."""

    def save(self, integration: Integration) -> None:
        """Write changes if nobody saved since it was read, else `ConcurrentUpdate`.

        Moving to DISCONNECTED also frees the tenant's slot for that app.
        """

    def last_configured(self, tenant_id: str, app: str, organisation_id: str) -> Integration | None:
        """The tenant's last disconnected integration of this app and organisation that
        had a saved config; never another tenant's."""


class OAuthStateStore(Protocol):
    def remember(self, state: OAuthState) -> None: ...

    def claim(self, state: OAuthState) -> bool:
        """Mark the state used; False if it was unknown or already used."""

    def release(self, state: OAuthState) -> None:
        """Undo a claim after a failure the user may retry (the app never used the code)."""

    def park(self, grant: ParkedGrant) -> None:
        """Keep a granted consent until its initiator finishes it."""

    def take_parked(self, key: str, now: datetime) -> ParkedGrant | None:
        """Claim the parked grant; None if unknown, expired or already taken."""

    def return_parked(self, key: str) -> None:
        """Undo a take after a failure the user may retry (the app never used the code)."""

    def discard_parked(self, key: str) -> None: ...


class TokenVault(Protocol):
    def put(
        self, tenant_id: str, integration_id: str, tokens: TokenSet, *, create: bool = True
    ) -> bool:
        """Store the set; False if `create` is off and the secret no longer exists."""

    def get(self, tenant_id: str, integration_id: str) -> TokenSet | None: ...

    def delete(self, tenant_id: str, integration_id: str) -> None: ...


class AccountingAuth(Protocol):
    """The OAuth side of one accounting app.

    One login at the app may stand behind several integrations (a bookkeeper who
    connected two Loc8 businesses), and apps differ in what their revocation takes
    away; each app's adapter knows its own rule. Whatever the app, giving up one
    integration's access never removes another integration's access.
    """

    def authorization_url(self, state: str, code_challenge: str) -> str: ...

    def exchange_code(self, code: str, code_verifier: str) -> TokenSet: ...

    def refresh(self, tokens: TokenSet) -> TokenSet: ...

    def revoke(self, tokens: TokenSet) -> None:
        """Give up tokens this service will not use again: invalidate them at the app
        as far as that removes no access another integration relies on, else leave
        them to lapse. Tokens the app no longer accepts count as done."""

    def organisation_named_in(self, callback: Mapping[str, str]) -> str | None:
        """The organisation the app's consent callback names, for an app that binds one
        organisation per consent and says which in the redirect; None when it names none.
        Only an id: `granted_organisations` checks the tokens really reach it."""

    def granted_organisations(
        self, tokens: TokenSet, named_organisation: str | None = None
    ) -> list[Organisation]:
        """The organisations this consent granted; `named_organisation` is what the
        callback named (see `organisation_named_in`)."""

    def disconnect(self, tokens: TokenSet, organisation: Organisation | None) -> None:
        """Remove this integration's access: its own organisation's connection (if it
        has one; already removed at the app counts as done), then its tokens as
        `revoke` does. Removing this integration never removes another integration's
        access, even one that shares the same login at the app.

        `AccessRevoked` if the tokens no longer work; `ProviderError` if the app could
        not be asked, so the caller can change nothing and let the user retry.
        """


class AccountingAuthRegistry(Protocol):
    def auth_for(self, app: str) -> AccountingAuth: ...


class Leases(Protocol):
    def acquire(self, name: str, owner: str, ttl: timedelta, now: datetime) -> bool:
        """Take the named lease if it is free, expired, or already ours."""

    def release(self, name: str, owner: str) -> None:
        """Give the lease back if we still hold it."""


class SharedCallBudget(Protocol):
    """Call rates every Lambda of the service shares (an app's per-key limit)."""

    def take(self, name: str, calls: int, rate: CallRate) -> float:
        """Take `calls` from the budget named `name`: 0.0 when taken, else the seconds
        until the same take could be granted (nothing is taken)."""


class SyncRuns(Protocol):
    def queue(self, run: SyncRun, slot_ttl: timedelta) -> tuple[SyncRun, bool]:
        """Record the run unless the integration already has one queued or running;
        a run whose worker missed its promise to show it is alive is taken over."""

    def get(self, integration_id: str, run_id: str) -> SyncRun: ...

    def save(self, run: SyncRun) -> None:
        """Write the run; `RunTakenOver` if a later run took it over."""

    def list(
        self, integration_id: str, limit: int, cursor: str | None
    ) -> tuple[list[SyncRun], str | None]: ...

    def release_slot(self, integration_id: str, run_id: str) -> None: ...

    def extend_slot(
        self,
        integration_id: str,
        run_id: str,
        until: datetime,
        alive_until: datetime | None = None,
    ) -> bool:
        """Keep the slot for the run until `until`, its worker promising to show it is
        alive again by `alive_until` (default `until`); False if another run holds it."""

    def busy_integrations(self, integration_ids: list[str], now: datetime) -> set[str]:
        """Which of these integrations have a run queued or running."""


class JobQueue(Protocol):
    def send(self, job: SyncJob, delay_seconds: int = 0) -> None: ...

    def send_batch(self, jobs: Sequence[SyncJob]) -> list[SyncJob]:
        """Send up to ten jobs; returns those the queue did not accept."""


class AppDataCache(Protocol):
    def get(self, integration_id: str, name: str, now: datetime) -> Any | None: ...

    def put(
        self, integration_id: str, name: str, document: Any, now: datetime, ttl: timedelta
    ) -> None: ...


class AccountingSettings(Protocol):
    """An organisation's settings data in the accounting app."""

    def accounts(self) -> list[Account]: ...

    def tax_rates(self) -> list[TaxRate]: ...


class AccountingApp(AccountingSettings, Protocol):
    """An organisation's records in the accounting app, normalised across apps.

    Page readers yield the oldest change first from `start_page`; writers take at most
    `profile.write_batch_size` records and answer each separately, in order, so one bad
    record never hides the others; a refusal carries a typed `WriteResult.reason`.
    Statuses and account classes come in the domain's enums, whatever the app calls them.
    """

    @property
    def profile(self) -> AppProfile:
        """The app's limits and rules (batch sizes, name lengths, drafts, removal...)."""

    def rate_budget(self) -> RateBudget:
        """Calls left before the app's nearest rate limit, as of the last call."""

    def expect_changes_since(self, since: datetime | None) -> None:
        """The run is about to read the app's changes since `since` (the earliest start
        of its passes; None when some pass starts from the beginning). An app that
        answers several kinds of records, and its settings, in one call may read them
        together at its first call; others ignore it."""

    def contact_pages(
        self, modified_since: datetime | None, start_page: int = 1
    ) -> Iterator[AppPage[AppContact]]: ...

    def find_contacts(self, *, names: list[str], emails: list[str]) -> list[AppContact]:
        """Active contacts with any of these names or emails (one request)."""

    def create_contacts(
        self, drafts: list[AppContactDraft], idempotency_key: str
    ) -> list[WriteResult[AppContact]]: ...

    def update_contacts(
        self, drafts: list[AppContactDraft], idempotency_key: str
    ) -> list[WriteResult[AppContact]]: ...

    def items(self, modified_since: datetime | None = None) -> list[AppItem]: ...

    def item_pages(self, modified_since: datetime | None) -> Iterator[AppPage[AppItem]]:
        """Items changed since, a page at a time (an app that answers every item at
        once gives one last page); pages say when they were read if that was earlier."""

    def save_items(
        self, items: list[AppItem], idempotency_key: str
    ) -> list[WriteResult[AppItem]]: ...

    def invoice_pages(
        self, modified_since: datetime | None, start_page: int = 1
    ) -> Iterator[AppPage[AppInvoice]]: ...

    def find_invoices(self, numbers: list[str]) -> list[AppInvoice]: ...

    def get_invoices(self, ids: list[str]) -> list[AppInvoice]:
        """The invoices with these app ids, line items (with their ids) and payments
        included."""

    def create_invoices(
        self, invoices: list[AppInvoice], idempotency_key: str
    ) -> list[WriteResult[AppInvoice]]: ...

    def update_invoices(
        self, invoices: list[AppInvoice], idempotency_key: str
    ) -> list[WriteResult[AppInvoice]]: ...

    def payment_pages(
        self, modified_since: datetime | None, start_page: int = 1
    ) -> Iterator[AppPage[AppPayment]]: ...

    def create_payments(
        self, payments: list[AppPaymentDraft], idempotency_key: str
    ) -> list[WriteResult[AppPayment]]:
        """Record each payment on its (approved) invoice, into its account."""


class AccountingApps(Protocol):
    def app_for(self, integration: Integration) -> AccountingApp: ...


class Loc8Api(Protocol):
    """A tenant's data in Loc8 core (docs/loc8-core-api.yaml).

    The `*_pages` methods are lazy generators: each page is fetched when the caller
    asks for it, so a job can stop after any page and keep `page.next_cursor` to
    resume. Pass `updated_since` to start a pass, or `cursor` to resume one; records
    come oldest change first and a pass sees every record at least once. The `iter_*`
    methods stream the records of every page, one page in memory at a time.

    Errors (`chalicelib.domain.loc8_errors`): `Loc8NotFound`, `Loc8VersionConflict`
    (with `current_version`), `Loc8Conflict`, `Loc8ValidationFailed` (with field
    problems), `Loc8Unavailable` (after retries; with `retry_after_seconds`),
    `Loc8AuthFailed`, `Loc8Rejected`. Writes accept an `idempotency_key`: the same key
    and request a second time (e.g. a re-delivered job) is not applied twice.
    """

    def customer_pages(
        self,
        tenant_id: str,
        *,
        updated_since: datetime | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Iterator[Page[Loc8Customer]]: ...

    def iter_customers(
        self, tenant_id: str, *, updated_since: datetime | None = None
    ) -> Iterator[Loc8Customer]: ...

    def get_customer(self, tenant_id: str, customer_id: str) -> Loc8Customer: ...

    def create_customer(
        self, tenant_id: str, draft: Loc8CustomerDraft, *, idempotency_key: str | None = None
    ) -> Loc8Customer: ...

    def update_customer(
        self,
        tenant_id: str,
        customer_id: str,
        draft: Loc8CustomerDraft,
        *,
        version: int,
        idempotency_key: str | None = None,
    ) -> Loc8Customer:
        """Replace the customer's fields; `Loc8VersionConflict` if `version` is stale."""

    def line_item_pages(
        self,
        tenant_id: str,
        *,
        updated_since: datetime | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Iterator[Page[Loc8LineItem]]: ...

    def iter_line_items(
        self, tenant_id: str, *, updated_since: datetime | None = None
    ) -> Iterator[Loc8LineItem]: ...

    def get_line_item(self, tenant_id: str, line_item_id: str) -> Loc8LineItem: ...

    def create_line_item(
        self, tenant_id: str, draft: Loc8LineItemDraft, *, idempotency_key: str | None = None
    ) -> Loc8LineItem: ...

    def update_line_item(
        self,
        tenant_id: str,
        line_item_id: str,
        draft: Loc8LineItemDraft,
        *,
        version: int,
        idempotency_key: str | None = None,
    ) -> Loc8LineItem: ...

    def tax_types(self, tenant_id: str) -> list[Loc8TaxType]:
        """Every tax type, active and inactive, ordered by code."""

    def create_tax_type(
        self, tenant_id: str, draft: Loc8TaxTypeDraft, *, idempotency_key: str | None = None
    ) -> Loc8TaxType:
        """Add an active tax type; its code must be free in the tenant (ignoring case)."""

    def update_tax_type(
        self,
        tenant_id: str,
        tax_type_id: str,
        change: Loc8TaxTypeChange,
        *,
        idempotency_key: str | None = None,
    ) -> Loc8TaxType:
        """Change a tax type's name or rate in place; id, code and active never change,
        so nothing that refers to it loses its tax type."""

    def invoice_pages(
        self,
        tenant_id: str,
        *,
        updated_since: datetime | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Iterator[Page[Loc8Invoice]]: ...

    def iter_invoices(
        self, tenant_id: str, *, updated_since: datetime | None = None
    ) -> Iterator[Loc8Invoice]: ...

    def get_invoice(self, tenant_id: str, invoice_id: str) -> Loc8Invoice: ...

    def record_invoice_external_ref(
        self,
        tenant_id: str,
        invoice_id: str,
        ref: ExternalRef,
        *,
        idempotency_key: str | None = None,
    ) -> Loc8Invoice:
        """Where the invoice lives in `ref.app`; replaces that app's earlier reference."""

    def record_payment(
        self,
        tenant_id: str,
        invoice_id: str,
        payment: Loc8PaymentDraft,
        *,
        idempotency_key: str | None = None,
    ) -> RecordedPayment:
        """Record once per (app, external_id); the same payment again returns the first,
        not newly recorded."""

    def set_invoice_status(
        self,
        tenant_id: str,
        invoice_id: str,
        status: Literal[Loc8InvoiceStatus.PAID, Loc8InvoiceStatus.VOIDED],
        *,
        version: int,
        idempotency_key: str | None = None,
    ) -> Loc8Invoice: ...


class Cursors(Protocol):
    """Named positions and fingerprints a sync keeps per integration."""

    def get(self, integration_id: str, name: str) -> str | None: ...

    def put(self, integration_id: str, name: str, value: str) -> None: ...

    def delete(self, integration_id: str, name: str) -> None: ...


class Links(Protocol):
    def by_loc8(
        self, scope: LinkScope, domain: str, loc8_ids: Iterable[str]
    ) -> dict[str, Link]: ...

    def by_app(self, scope: LinkScope, domain: str, app_ids: Iterable[str]) -> dict[str, Link]: ...

    def save(self, scope: LinkScope, links: Iterable[Link]) -> None: ...
