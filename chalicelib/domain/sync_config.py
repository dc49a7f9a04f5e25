"""What an admin chooses to sync, and the rules a config must pass before it is saved.

The config itself holds no app's limits: `config_problems` checks it against the
profile of the integration's app (whether it has drafts, how long its account codes
may be) as well as against the organisation's chart of accounts.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chalicelib.domain.accounting import Account
from chalicelib.domain.app_profile import AppProfile
from chalicelib.domain.errors import FieldProblem

# Bounds a request, whatever the app: a code no app could hold is refused on parsing;
# the app's own (shorter) limit is checked against its profile in `config_problems`.
ACCOUNT_CODE_MAX_LENGTH = 64
TAX_CODE_MAX_LENGTH = 64


class InvoiceStatus(StrEnum):
    """The state invoices are created in, in the app."""

    DRAFT = "DRAFT"
    # The HTTP contract's name for approved (docs/openapi.yaml), kept so saved configs
    # and clients stay valid.
    APPROVED = "AUTHORISED"


class SyncDomains(BaseModel):
    # Strict: a switch sent as "yes" or 1 is refused and named, never guessed to be on.
    model_config = ConfigDict(extra="forbid", strict=True)

    invoices: bool = False
    line_items: bool = False
    tax_rates: bool = False
    customers: bool = False
    # Payments taken in Loc8 are sent to the app's invoices (with invoices only). Off
    # (also for configs saved before the switch existed), payments made in the app
    # still come back to Loc8 while invoices are on, as they always did.
    payments: bool = False

    def enabled(self) -> list[str]:
        return [name for name, on in self.model_dump().items() if on]


class SyncConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sync: SyncDomains
    # None: the app's default, draft where the app has drafts (`invoice_statuses`).
    invoice_status: InvoiceStatus | None = None
    default_account_code: str | None = Field(
        default=None, min_length=1, max_length=ACCOUNT_CODE_MAX_LENGTH
    )
    line_item_accounts: dict[str, str] = Field(default_factory=dict)
    # The app's account that receives payments taken in Loc8; required with payments.
    payment_account_code: str | None = Field(
        default=None, min_length=1, max_length=ACCOUNT_CODE_MAX_LENGTH
    )
    # Loc8 tax type code -> the app's tax rate code (None: no counterpart, leave it be);
    # a Loc8 type not named here is matched automatically (domain/tax_matching.py).
    tax_rate_mappings: dict[str, str | None] = Field(default_factory=dict, max_length=200)

    @field_validator("tax_rate_mappings")
    @classmethod
    def _tax_codes_are_plausible(cls, mapping: dict[str, str | None]) -> dict[str, str | None]:
        for loc8_code, app_code in mapping.items():
            if not loc8_code or len(loc8_code) > TAX_CODE_MAX_LENGTH:
                raise ValueError(f"tax type code {loc8_code[:TAX_CODE_MAX_LENGTH]!r} is invalid")
            if app_code is not None and not 0 < len(app_code) <= TAX_CODE_MAX_LENGTH:
                raise ValueError(f"tax type {loc8_code!r} has an invalid tax rate code")
        return mapping

    @model_validator(mode="before")
    @classmethod
    def _ignore_read_only_source(cls, data: Any) -> Any:
        # GET .../config says where the config came from; a client that sends it
        # back unchanged is saving the config, so the read-only field is dropped.
        if isinstance(data, dict) and "source" in data:
            return {key: value for key, value in data.items() if key != "source"}
        return data

    @field_validator("line_item_accounts")
    @classmethod
    def _codes_are_plausible(cls, mapping: dict[str, str]) -> dict[str, str]:
        for line_item_id, code in mapping.items():
            if not line_item_id or not code or len(code) > ACCOUNT_CODE_MAX_LENGTH:
                raise ValueError(f"line item {line_item_id!r} has an invalid account code")
        return mapping

    def account_for(self, line_item_id: str) -> str | None:
        return self.line_item_accounts.get(line_item_id, self.default_account_code)


def invoice_statuses(profile: AppProfile) -> list[InvoiceStatus]:
    """The statuses invoices can be created in, in the app; the first is the default."""
    if profile.has_draft_invoices:
        return [InvoiceStatus.DRAFT, InvoiceStatus.APPROVED]
    return [InvoiceStatus.APPROVED]


def with_app_defaults(config: SyncConfig, profile: AppProfile) -> SyncConfig:
    """The config with what it leaves out filled in as the app's defaults."""
    if config.invoice_status is None:
        return config.model_copy(update={"invoice_status": invoice_statuses(profile)[0]})
    return config


def config_problems(
    config: SyncConfig, accounts: list[Account], line_item_ids: set[str], profile: AppProfile
) -> list[FieldProblem]:
    """Every reason the config cannot be saved against this organisation, one per problem."""
    app_name = profile.name
    problems: list[FieldProblem] = []
    if not config.sync.enabled():
        problems.append(FieldProblem("sync", "Choose at least one kind of data to sync."))
    if config.invoice_status is InvoiceStatus.DRAFT and not profile.has_draft_invoices:
        problems.append(
            FieldProblem(
                "invoice_status",
                f"{app_name} has no draft invoices; choose approved "
                f"({InvoiceStatus.APPROVED.value}).",
            )
        )
    by_code = {account.code: account for account in accounts}
    code_limit = profile.account_code_max_length

    def check_account(field: str, code: str, for_payments: bool = False) -> None:
        account = by_code.get(code)
        if len(code) > code_limit:
            problems.append(
                FieldProblem(
                    field,
                    f"Account code {code} is longer than the {code_limit} characters "
                    f"{app_name} allows.",
                )
            )
        elif account is None:
            problems.append(FieldProblem(field, f"Account {code} does not exist in {app_name}."))
        elif not account.is_active:
            problems.append(
                FieldProblem(field, f"Account {code} is {account.status.lower()} in {app_name}.")
            )
        elif for_payments:
            if not account.accepts_payments:
                problems.append(
                    FieldProblem(
                        field,
                        f"Account {code} ({account.name}) cannot receive payments in "
                        f"{app_name}; choose a bank account or one that accepts payments.",
                    )
                )
        elif not account.takes_sales:
            problems.append(
                FieldProblem(
                    field,
                    f"Account {code} ({account.name}) is {_a(account.account_class.lower())} "
                    "account; sales lines need a revenue account.",
                )
            )

    if config.default_account_code is not None:
        check_account("default_account_code", config.default_account_code)
    if config.sync.payments and not config.sync.invoices:
        problems.append(
            FieldProblem(
                "sync.payments",
                "Payments are recorded on the invoices sent; turn on invoices as well.",
            )
        )
    if config.payment_account_code is not None:
        check_account("payment_account_code", config.payment_account_code, for_payments=True)
    elif config.sync.payments:
        problems.append(
            FieldProblem(
                "payment_account_code",
                f"Choose the {app_name} account that receives payments taken in Loc8.",
            )
        )
    for line_item_id, code in sorted(config.line_item_accounts.items()):
        field = f"line_item_accounts.{line_item_id}"
        if line_item_id not in line_item_ids:
            problems.append(FieldProblem(field, f"Loc8 has no line item {line_item_id}."))
            continue
        check_account(field, code)
    unmapped = sorted(line_item_ids - config.line_item_accounts.keys())
    if unmapped and config.default_account_code is None:
        problems.append(
            FieldProblem(
                "default_account_code",
                f"{len(unmapped)} line item(s) have no account; map them or set a default account.",
            )
        )
    return problems


def _a(word: str) -> str:
    """The word with its indefinite article ("an expense", "a liability")."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"
