"""In-memory stand-ins for the ports; tests assert on their state."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

from chalicelib.domain.errors import AccessRevoked, ProviderRejected, ProviderUnavailable
from chalicelib.domain.integration import Organisation
from chalicelib.domain.oauth_state import pkce_challenge
from chalicelib.domain.tokens import TokenSet


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@dataclass
class FakeAccountingAuth:
    """An app's OAuth side that checks PKCE and remembers what was done to it."""

    clock: FakeClock
    organisations: list[Organisation] = field(
        default_factory=lambda: [Organisation(id="org-1", name="Demo Plumbing Ltd")]
    )
    failures: dict[str, Exception] = field(default_factory=dict)
    challenges: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    live_refresh_tokens: set[str] = field(default_factory=set)
    revoked: list[str] = field(default_factory=list)
    disconnected: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def _maybe_fail(self, operation: str) -> None:
        self.calls.append(operation)
        failure = self.failures.pop(operation, None)
        if failure is not None:
            raise failure

    def authorization_url(self, state: str, code_challenge: str) -> str:
        self.challenges[state] = code_challenge
        query = urlencode({"state": state, "code_challenge": code_challenge})
        return f"https://login.app.test/authorize?{query}"

    def approve(self, authorize_url: str) -> tuple[str, str]:
        """What the consent page does on Allow: a code bound to the URL's challenge."""
        state = parse_qs(urlsplit(authorize_url).query)["state"][0]
        code = secrets.token_hex(8)
        self.codes[code] = self.challenges[state]
        return code, state

    def exchange_code(self, code: str, code_verifier: str) -> TokenSet:
        self._maybe_fail("exchange_code")
        challenge = self.codes.pop(code, None)
        if challenge is None or challenge != pkce_challenge(code_verifier):
            raise ProviderRejected("The authorisation code was not accepted.")
        return self._issue()

    def refresh(self, tokens: TokenSet) -> TokenSet:
        self._maybe_fail("refresh")
        assert tokens.refresh_token is not None
        if tokens.refresh_token.get_secret_value() not in self.live_refresh_tokens:
            raise AccessRevoked("revoked")
        self.live_refresh_tokens.discard(tokens.refresh_token.get_secret_value())
        return self._issue()

    def revoke(self, tokens: TokenSet) -> None:
        self._maybe_fail("revoke")
        if tokens.refresh_token is not None:
            self.revoked.append(tokens.refresh_token.get_secret_value())
            self.live_refresh_tokens.discard(tokens.refresh_token.get_secret_value())

    def organisation_named_in(self, callback: Mapping[str, str]) -> str | None:
        return callback.get("organisationId")

    def granted_organisations(
        self, tokens: TokenSet, named_organisation: str | None = None
    ) -> list[Organisation]:
        self._maybe_fail("granted_organisations")
        if named_organisation is not None:
            return [org for org in self.organisations if org.id == named_organisation]
        return list(self.organisations)

    def disconnect_organisation(self, tokens: TokenSet, organisation: Organisation) -> None:
        self._maybe_fail("disconnect_organisation")
        self.disconnected.append(organisation.id)

    def disconnect(self, tokens: TokenSet, organisation: Organisation | None) -> None:
        """An app whose revocation takes only this grant's tokens: remove the
        organisation, then revoke."""
        if organisation is not None:
            self.disconnect_organisation(tokens, organisation)
        self.revoke(tokens)

    def _issue(self) -> TokenSet:
        refresh = f"refresh-{secrets.token_hex(8)}"
        self.live_refresh_tokens.add(refresh)
        return TokenSet(
            access_token=f"access-{secrets.token_hex(8)}",
            refresh_token=refresh,
            expires_at=self.clock.now() + timedelta(minutes=30),
            scopes=["offline_access"],
        )


@dataclass
class FakeRegistry:
    auth: FakeAccountingAuth
    settings: FakeAccountingSettings | None = None

    def auth_for(self, app: str) -> FakeAccountingAuth:
        from chalicelib.domain.apps import available_app

        available_app(app)
        return self.auth

    def app_for(self, integration) -> FakeAccountingSettings:
        integration.ensure_configurable()
        if self.settings is None:
            self.settings = FakeAccountingSettings()
        return self.settings


class AnyAppRegistry:
    """Gives one OAuth side for any catalogue key, offered yet or not, for the services
    that only ask a registry for `auth_for(app)`."""

    def __init__(self, auth) -> None:
        self._auth = auth

    def auth_for(self, _app: str):
        return self._auth


def unavailable() -> ProviderUnavailable:
    return ProviderUnavailable("The app did not answer in time; try again.")


def au_accounts() -> list:
    from chalicelib.domain.accounting import Account

    return [
        Account(
            code="200",
            name="Sales",
            type="REVENUE",
            account_class="REVENUE",
            status="ACTIVE",
            tax_type="OUTPUT",
        ),
        Account(
            code="260",
            name="Other Revenue",
            type="REVENUE",
            account_class="REVENUE",
            status="ACTIVE",
            tax_type="OUTPUT",
        ),
        Account(
            code="210",
            name="Old Sales",
            type="REVENUE",
            account_class="REVENUE",
            status="ARCHIVED",
            tax_type="OUTPUT",
        ),
        Account(
            code="090",
            name="Business Bank Account",
            type="BANK",
            account_class="ASSET",
            status="ACTIVE",
            accepts_payments=True,
            is_bank=True,
        ),
        Account(
            code="091",
            name="Old Savings Account",
            type="BANK",
            account_class="ASSET",
            status="ARCHIVED",
            accepts_payments=True,
        ),
        Account(
            code="400",
            name="Advertising",
            type="EXPENSE",
            account_class="EXPENSE",
            status="ACTIVE",
            tax_type="INPUT",
        ),
    ]


def au_tax_rates() -> list:
    from decimal import Decimal

    from chalicelib.domain.accounting import TaxRate

    return [
        TaxRate(code="OUTPUT", name="GST on Income", rate=Decimal("10.0000"), status="ACTIVE"),
        TaxRate(code="EXEMPTOUTPUT", name="GST Free Income", rate=Decimal("0"), status="ACTIVE"),
    ]


def fake_profile():
    """Fake Books' limits (unlike any real app's, so a rule hard-wired to one app shows up
    in a test), under the catalogue key the tests' integrations are connected to."""
    import dataclasses

    from tests.support.fake_app import FAKE_BOOKS_PROFILE

    return dataclasses.replace(FAKE_BOOKS_PROFILE, key="xero")


@dataclass
class FakeAccountingSettings:
    accounts_list: list = field(default_factory=au_accounts)
    tax_rates_list: list = field(default_factory=au_tax_rates)
    items_list: list = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    calls_left: int | None = None

    @property
    def profile(self):
        return fake_profile()

    def rate_budget(self):
        from chalicelib.domain.accounting import RateBudget

        return RateBudget(calls_left=self.calls_left, refill_seconds=30)

    def accounts(self) -> list:
        self.calls.append("accounts")
        return list(self.accounts_list)

    def tax_rates(self) -> list:
        self.calls.append("tax_rates")
        return list(self.tax_rates_list)

    def items(self, modified_since=None) -> list:
        self.calls.append("items")
        return list(self.items_list)

    def expect_changes_since(self, since=None) -> None:
        self.calls.append("expect_changes_since")

    def item_pages(self, modified_since=None):
        from chalicelib.domain.accounting import AppPage

        yield AppPage(records=self.items(modified_since), page=1, last=True)

    def save_items(self, items, idempotency_key: str) -> list:
        from chalicelib.domain.accounting import WriteResult

        self.calls.append("save_items")
        saved = []
        for item in items:
            stored = item.model_copy(update={"id": item.id or f"item-{item.code}"})
            self.items_list = [i for i in self.items_list if i.id != stored.id] + [stored]
            saved.append(WriteResult(ok=True, record=stored))
        return saved

    def invoice_pages(self, modified_since, start_page: int = 1):
        from chalicelib.domain.accounting import AppPage

        self.calls.append("invoices")
        yield AppPage(records=[], page=start_page, last=True)

    def payment_pages(self, modified_since, start_page: int = 1):
        from chalicelib.domain.accounting import AppPage

        self.calls.append("payments")
        yield AppPage(records=[], page=start_page, last=True)

    def contact_pages(self, modified_since, start_page: int = 1):
        from chalicelib.domain.accounting import AppPage

        self.calls.append("contacts")
        yield AppPage(records=[], page=start_page, last=True)


@dataclass
class FakeLoc8:
    """Loc8 core for the sync's tests, per tenant in memory. Every call of the Loc8 API
    is recorded by name in `calls` (reads included), so a test can assert a run's cost."""

    line_items: dict[str, list] = field(default_factory=dict)
    tax_type_store: dict[str, dict] = field(default_factory=dict)
    customers: dict[str, list] = field(default_factory=dict)
    invoices: dict[str, list] = field(default_factory=dict)
    failures: dict[str, Exception] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    now: datetime = datetime(2026, 11, 25, tzinfo=UTC)

    def _called(self, operation: str) -> None:
        self.calls.append(operation)
        failure = self.failures.pop(operation, None)
        if failure is not None:
            raise failure

    @staticmethod
    def _find(records: list, record_id: str):
        from chalicelib.domain.loc8_errors import Loc8NotFound

        for record in records:
            if record.id == record_id:
                return record
        raise Loc8NotFound(f"{record_id} does not exist.")

    @staticmethod
    def _replace(records: list, record) -> None:
        records[:] = [record if r.id == record.id else r for r in records]

    def _since(self, records: list, updated_since):
        return [r for r in records if updated_since is None or r.updated_at >= updated_since]

    # --- customers -----------------------------------------------------------------------

    def customer_pages(self, tenant_id: str, *, updated_since=None, cursor=None, limit=None):
        from chalicelib.domain.loc8 import Page

        self._called("customer_pages")
        yield Page(items=self._since(self.customers.get(tenant_id, []), updated_since))

    def iter_customers(self, tenant_id: str, *, updated_since=None):
        self._called("iter_customers")
        yield from self._since(self.customers.get(tenant_id, []), updated_since)

    def get_customer(self, tenant_id: str, customer_id: str):
        self._called("get_customer")
        return self._find(self.customers.get(tenant_id, []), customer_id)

    def create_customer(self, tenant_id: str, draft, *, idempotency_key=None):
        from chalicelib.domain.loc8 import Loc8Customer

        self._called("create_customer")
        records = self.customers.setdefault(tenant_id, [])
        created = Loc8Customer(
            id=f"cus_{len(records) + 1}", version=1, updated_at=self.now, **draft.model_dump()
        )
        records.append(created)
        return created

    def update_customer(self, tenant_id, customer_id, draft, *, version, idempotency_key=None):
        self._called("update_customer")
        return self._update(self.customers.get(tenant_id, []), customer_id, draft, version)

    def _update(self, records: list, record_id: str, draft, version: int):
        from chalicelib.domain.loc8_errors import Loc8VersionConflict

        current = self._find(records, record_id)
        if current.version != version:
            raise Loc8VersionConflict("Changed since it was read.", current.version)
        updated = current.model_copy(
            update={**draft.model_dump(), "version": version + 1, "updated_at": self.now}
        )
        self._replace(records, updated)
        return updated

    # --- line items ----------------------------------------------------------------------

    def line_item_pages(self, tenant_id: str, *, updated_since=None, cursor=None, limit=None):
        from chalicelib.domain.loc8 import Page

        self._called("line_item_pages")
        yield Page(items=self._since(self.line_items.get(tenant_id, []), updated_since))

    def iter_line_items(self, tenant_id: str, *, updated_since=None):
        self._called("iter_line_items")
        yield from self._since(self.line_items.get(tenant_id, []), updated_since)

    def get_line_item(self, tenant_id: str, line_item_id: str):
        self._called("get_line_item")
        return self._find(self.line_items.get(tenant_id, []), line_item_id)

    def create_line_item(self, tenant_id: str, draft, *, idempotency_key=None):
        from chalicelib.domain.loc8 import Loc8LineItem

        self._called("create_line_item")
        records = self.line_items.setdefault(tenant_id, [])
        created = Loc8LineItem(
            id=f"li_{len(records) + 1}", version=1, updated_at=self.now, **draft.model_dump()
        )
        records.append(created)
        return created

    def update_line_item(self, tenant_id, line_item_id, draft, *, version, idempotency_key=None):
        self._called("update_line_item")
        return self._update(self.line_items.get(tenant_id, []), line_item_id, draft, version)

    # --- tax types -----------------------------------------------------------------------

    def tax_types(self, tenant_id: str) -> list:
        self._called("tax_types")
        return self._tax_types(tenant_id)

    def _tax_types(self, tenant_id: str) -> list:
        return sorted(self.tax_type_store.get(tenant_id, {}).values(), key=lambda t: t.code)

    def create_tax_type(self, tenant_id: str, draft, *, idempotency_key=None):
        from chalicelib.domain.loc8 import Loc8TaxType
        from chalicelib.domain.loc8_errors import Loc8ValidationFailed

        self._called("create_tax_type")
        store = self.tax_type_store.setdefault(tenant_id, {})
        if any(code.casefold() == draft.code.casefold() for code in store):
            raise Loc8ValidationFailed("Check these fields: code.", [])
        store[draft.code] = Loc8TaxType(
            id=f"tt_{draft.code}",
            version=1,
            updated_at=self.now,
            code=draft.code,
            name=draft.name,
            rate=draft.rate,
            active=True,
        )
        return store[draft.code]

    def update_tax_type(self, tenant_id: str, tax_type_id: str, change, *, idempotency_key=None):
        self._called("update_tax_type")
        store = self.tax_type_store.get(tenant_id, {})
        current = self._find(list(store.values()), tax_type_id)
        # Name and rate only: id, code and active stay as they are.
        sent = {
            name: getattr(change, name)
            for name in ("name", "rate")
            if getattr(change, name) is not None
        }
        updated = current.model_copy(update=sent)
        if (updated.name, updated.rate) != (current.name, current.rate):
            updated = updated.model_copy(
                update={"version": current.version + 1, "updated_at": self.now}
            )
        store[current.code] = updated
        return updated

    def add_tax_type(self, tenant_id: str, code: str, name: str, rate: str, active: bool = True):
        """A tax type Loc8 already has (not a call of the API)."""
        from chalicelib.domain.loc8 import Loc8TaxType

        self.tax_type_store.setdefault(tenant_id, {})[code] = Loc8TaxType(
            id=f"tt_{code}",
            version=1,
            updated_at=self.now,
            code=code,
            name=name,
            rate=Decimal(rate),
            active=active,
        )

    def active_tax_types(self, tenant_id: str) -> dict[str, tuple[str, str]]:
        return {
            t.code: (t.name, format(t.rate.normalize(), "f"))
            for t in self.tax_type_store.get(tenant_id, {}).values()
            if t.active
        }

    # --- invoices ------------------------------------------------------------------------

    def invoice_pages(self, tenant_id: str, *, updated_since=None, cursor=None, limit=None):
        from chalicelib.domain.loc8 import Page

        self._called("invoice_pages")
        yield Page(items=self._since(self.invoices.get(tenant_id, []), updated_since))

    def iter_invoices(self, tenant_id: str, *, updated_since=None):
        self._called("iter_invoices")
        yield from self._since(self.invoices.get(tenant_id, []), updated_since)

    def get_invoice(self, tenant_id: str, invoice_id: str):
        self._called("get_invoice")
        return self._find(self.invoices.get(tenant_id, []), invoice_id)

    def _change_invoice(self, tenant_id: str, invoice_id: str, **changes):
        records = self.invoices.get(tenant_id, [])
        current = self._find(records, invoice_id)
        updated = current.model_copy(
            update={**changes, "version": current.version + 1, "updated_at": self.now}
        )
        self._replace(records, updated)
        return updated

    def record_invoice_external_ref(self, tenant_id, invoice_id, ref, *, idempotency_key=None):
        self._called("record_invoice_external_ref")
        current = self._find(self.invoices.get(tenant_id, []), invoice_id)
        refs = [r for r in current.external_refs if r.app != ref.app] + [ref]
        return self._change_invoice(tenant_id, invoice_id, external_refs=refs)

    def record_payment(self, tenant_id, invoice_id, payment, *, idempotency_key=None):
        from chalicelib.domain.loc8 import Loc8Payment, RecordedPayment

        self._called("record_payment")
        current = self._find(self.invoices.get(tenant_id, []), invoice_id)
        for recorded in current.payments:
            if (recorded.app, recorded.external_id) == (payment.app, payment.external_id):
                return RecordedPayment(payment=recorded, newly_recorded=False)
        recorded = Loc8Payment(
            id=f"pay_{payment.external_id}",
            invoice_id=invoice_id,
            recorded_at=self.now,
            **payment.model_dump(),
        )
        self._change_invoice(
            tenant_id,
            invoice_id,
            payments=[*current.payments, recorded],
            amount_paid=current.amount_paid + recorded.amount,
            amount_due=current.amount_due - recorded.amount,
        )
        return RecordedPayment(payment=recorded, newly_recorded=True)

    def set_invoice_status(self, tenant_id, invoice_id, status, *, version, idempotency_key=None):
        from chalicelib.domain.loc8_errors import Loc8VersionConflict

        self._called("set_invoice_status")
        current = self._find(self.invoices.get(tenant_id, []), invoice_id)
        if current.version != version:
            raise Loc8VersionConflict("Changed since it was read.", current.version)
        return self._change_invoice(tenant_id, invoice_id, status=status)


def loc8_line_item(item_id: str, code: str, name: str, price: str = "100.00"):
    from datetime import UTC, datetime
    from decimal import Decimal

    from chalicelib.domain.loc8 import Loc8LineItem

    return Loc8LineItem(
        id=item_id,
        version=1,
        updated_at=datetime(2026, 11, 1, tzinfo=UTC),
        code=code,
        name=name,
        unit_price=Decimal(price),
        tax_type_code="GST",
    )


@dataclass
class DelayRecordingQueue:
    """The real SQS queue, but delays are recorded and not waited for, so tests run fast."""

    real: object
    delays: list[tuple[str, int]] = field(default_factory=list)

    def send(self, job, delay_seconds: int = 0) -> None:
        self.delays.append((job.run_id, delay_seconds))
        self.real.send(job, delay_seconds=0)

    def send_batch(self, jobs) -> list:
        return self.real.send_batch(jobs)


@dataclass
class MemoryCursors:
    """The cursor store in a dict; `writes` counts every put, to see positions saved."""

    values: dict[tuple[str, str], str] = field(default_factory=dict)
    writes: int = 0

    def get(self, integration_id: str, name: str) -> str | None:
        return self.values.get((integration_id, name))

    def put(self, integration_id: str, name: str, value: str) -> None:
        self.writes += 1
        self.values[(integration_id, name)] = value

    def delete(self, integration_id: str, name: str) -> None:
        self.values.pop((integration_id, name), None)
