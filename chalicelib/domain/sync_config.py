"""What an admin chooses to sync, and the rules a config must pass before it is saved."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.domain.accounting import Account
from chalicelib.domain.errors import FieldProblem


class InvoiceStatus(StrEnum):
    DRAFT = "DRAFT"
    AUTHORISED = "AUTHORISED"


class SyncDomains(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invoices: bool = False
    line_items: bool = False
    tax_rates: bool = False
    customers: bool = False

    def enabled(self) -> list[str]:
        return [name for name, on in self.model_dump().items() if on]


class SyncConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sync: SyncDomains
    invoice_status: InvoiceStatus = InvoiceStatus.DRAFT
    default_account_code: str | None = Field(default=None, min_length=1, max_length=10)
    line_item_accounts: dict[str, str] = Field(default_factory=dict)

    @field_validator("line_item_accounts")
    @classmethod
    def _codes_are_plausible(cls, mapping: dict[str, str]) -> dict[str, str]:
        for line_item_id, code in mapping.items():
            if not line_item_id or not code or len(code) > 10:
                raise ValueError(f"line item {line_item_id!r} has an invalid account code")
        return mapping

    def account_for(self, line_item_id: str) -> str | None:
        return self.line_item_accounts.get(line_item_id, self.default_account_code)


def config_problems(
    config: SyncConfig, accounts: list[Account], line_item_ids: set[str], app_name: str
) -> list[FieldProblem]:
    """Every reason the config cannot be saved against this organisation, one per problem."""
    problems: list[FieldProblem] = []
    if not config.sync.enabled():
        problems.append(FieldProblem("sync", "Choose at least one kind of data to sync."))
    by_code = {account.code: account for account in accounts}

    def check_account(field: str, code: str) -> None:
        account = by_code.get(code)
        if account is None:
            problems.append(FieldProblem(field, f"Account {code} does not exist in {app_name}."))
        elif not account.is_active:
            problems.append(
                FieldProblem(field, f"Account {code} is {account.status.lower()} in {app_name}.")
            )
        elif not account.takes_sales:
            problems.append(
                FieldProblem(
                    field,
                    f"Account {code} ({account.name}) is a {account.account_class.lower()} "
                    "account; sales lines need a revenue account.",
                )
            )

    if config.default_account_code is not None:
        check_account("default_account_code", config.default_account_code)
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
