"""Xero calls and worker memory for importing contacts, and for a sync with no changes.

Each measurement is a fresh `bench.sync_probe` process (emulators as its children), so
the reported peak memory is the worker's alone.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def probe(contacts: int = 0, invoices: int = 0) -> dict:
    output = subprocess.run(  # noqa: S603 - fixed argv
        [
            sys.executable,
            "-m",
            "bench.sync_probe",
            "--contacts",
            str(contacts),
            "--invoices",
            str(invoices),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main(runs: int) -> list[str]:
    lines: list[str] = []
    ten_k = [probe(contacts=10_000) for _ in range(runs)]
    lines.append(
        "import 10,000 contacts: Xero calls median "
        f"{statistics.median(r['import_xero_calls'] for r in ten_k):.0f} (target 10 + a constant), "
        f"wall {statistics.median(r['seconds'] for r in ten_k):.1f} s"
    )
    lines.append(
        "first quiet sync after it (re-reads the import's last open second): Xero calls median "
        f"{statistics.median(r['first_quiet_sync_xero_calls'] for r in ten_k):.0f}"
    )
    lines.append(
        "steady-state quiet sync: Xero calls median "
        f"{statistics.median(r['no_change_xero_calls'] for r in ten_k):.0f} "
        f"(target 1 per domain; by endpoint {ten_k[-1]['no_change_detail']})"
    )
    invoices = [probe(invoices=2_000) for _ in range(runs)]
    puts = statistics.median(
        r["import_detail"].get("PUT /api.xro/2.0/Invoices", 0) for r in invoices
    )
    lines.append(
        "push 2,000 invoices (with the demo tenant's customers and tax rates): "
        f"PUT /Invoices calls median {puts:.0f} (target 40 + a constant), all Xero calls median "
        f"{statistics.median(r['import_xero_calls'] for r in invoices):.0f}"
    )
    for size in (5_000, 50_000):
        results = [probe(contacts=size) for _ in range(max(1, runs // 2))]
        lines.append(
            f"worker peak RSS importing {size:,} contacts: median "
            f"{statistics.median(r['peak_rss_mb'] for r in results):.0f} MB "
            f"({len(results)} run(s))"
        )
    return lines
