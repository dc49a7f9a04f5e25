"""RULES.md stays true: every test an Accounting API rule names exists in its file."""

from __future__ import annotations

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
RULES = REPO_ROOT / "localdev" / "quickbooks" / "RULES.md"
TESTS = Path(__file__).resolve().parent
# The abbreviations the section's introduction defines.
FILES = {
    "gate": "test_quickbooks_accounting_gate.py",
    "writes": "test_quickbooks_accounting_writes.py",
    "query": "test_quickbooks_accounting_query.py",
    "cdc": "test_quickbooks_accounting_cdc.py",
    "batch": "test_quickbooks_accounting_batch.py",
    "limits": "test_quickbooks_accounting_limits.py",
    "requestid": "test_quickbooks_accounting_requestid.py",
    "spec": "test_quickbooks_accounting_spec.py",
    "seed": "test_quickbooks_accounting_seed.py",
    "locales": "test_quickbooks_accounting_locales.py",
    "pq": "test_quickbooks_python_quickbooks.py",
}


def _accounting_rows() -> list[str]:
    section = RULES.read_text(encoding="utf-8").split("## Accounting API", 1)[1]
    return [line for line in section.splitlines() if re.match(r"\| A\d+b? \|", line)]


def test_every_test_a_rule_names_is_defined_in_the_file_its_abbreviation_names() -> None:
    missing = []
    rows = _accounting_rows()
    for row in rows:
        test_cell = row.rstrip(" |").rsplit(" | ", 1)[1]
        for part in test_cell.split(";"):
            abbreviation, _, names = part.strip().partition(":")
            if abbreviation.strip() not in FILES:
                continue
            source = (TESTS / FILES[abbreviation.strip()]).read_text(encoding="utf-8")
            for name in re.findall(r"`(test_[A-Za-z0-9_]+)`", names):
                if f"def {name}(" not in source:
                    missing.append(f"{row.split('|')[1].strip()}: {name}")

    assert len(rows) >= 30
    assert missing == []


def test_every_rule_row_has_a_source_a_behaviour_and_a_test() -> None:
    for row in _accounting_rows():
        cells = [cell.strip() for cell in row.strip().strip("|").split(" | ")]
        assert len(cells) == 5, row[:80]
        assert all(cells[1:]), row[:80]
