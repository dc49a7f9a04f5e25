"""In-memory stand-ins for the ports; tests assert on their state."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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

    def granted_organisations(self, tokens: TokenSet) -> list[Organisation]:
        self._maybe_fail("granted_organisations")
        return list(self.organisations)

    def disconnect_organisation(self, tokens: TokenSet, organisation: Organisation) -> None:
        self._maybe_fail("disconnect_organisation")
        self.disconnected.append(organisation.id)

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


@dataclass
class FakeAccountingSettings:
    accounts_list: list = field(default_factory=au_accounts)
    tax_rates_list: list = field(default_factory=au_tax_rates)
    items_list: list = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def accounts(self) -> list:
        self.calls.append("accounts")
        return list(self.accounts_list)

    def tax_rates(self) -> list:
        self.calls.append("tax_rates")
        return list(self.tax_rates_list)

    def items(self, modified_since=None) -> list:
        self.calls.append("items")
        return list(self.items_list)

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
    """Loc8 core for the sync's tests: line items and tax types per tenant."""

    line_items: dict[str, list] = field(default_factory=dict)
    tax_type_store: dict[str, dict] = field(default_factory=dict)
    failures: dict[str, Exception] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def _called(self, operation: str) -> None:
        self.calls.append(operation)
        failure = self.failures.pop(operation, None)
        if failure is not None:
            raise failure

    def iter_line_items(self, tenant_id: str, *, updated_since=None):
        yield from self.line_items.get(tenant_id, [])

    def line_item_pages(self, tenant_id: str, *, updated_since=None, cursor=None, limit=None):
        from chalicelib.domain.loc8 import Page

        yield Page(items=list(self.line_items.get(tenant_id, [])), next_cursor=None)

    def invoice_pages(self, tenant_id: str, *, updated_since=None, cursor=None, limit=None):
        from chalicelib.domain.loc8 import Page

        yield Page(items=[], next_cursor=None)

    def customer_pages(self, tenant_id: str, *, updated_since=None, cursor=None, limit=None):
        from chalicelib.domain.loc8 import Page

        yield Page(items=[], next_cursor=None)

    def tax_types(self, tenant_id: str) -> list:
        self._called("tax_types")
        return sorted(self.tax_type_store.get(tenant_id, {}).values(), key=lambda t: t.code)

    def replace_tax_types(self, tenant_id: str, drafts, *, idempotency_key=None) -> list:
        from datetime import UTC, datetime

        from chalicelib.domain.loc8 import Loc8TaxType

        self._called("replace_tax_types")
        store = self.tax_type_store.setdefault(tenant_id, {})
        now = datetime(2026, 11, 25, tzinfo=UTC)
        wanted = {draft.code: draft for draft in drafts}
        for code, existing in list(store.items()):
            if code not in wanted and existing.active:
                store[code] = existing.model_copy(
                    update={"active": False, "version": existing.version + 1}
                )
        for code, draft in wanted.items():
            existing = store.get(code)
            store[code] = Loc8TaxType(
                id=existing.id if existing else f"tt_{code}",
                version=existing.version + 1 if existing else 1,
                updated_at=now,
                code=code,
                name=draft.name,
                rate=draft.rate,
                active=True,
            )
        return self.tax_types(tenant_id)

    def active_tax_types(self, tenant_id: str) -> dict[str, tuple[str, str]]:
        return {
            t.code: (t.name, format(t.rate.normalize(), "f"))
            for t in self.tax_type_store.get(tenant_id, {}).values()
            if t.active
        }


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
