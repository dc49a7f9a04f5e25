"""QuickBooks Online calls and worker memory: importing customers, pushing invoices, and
a sync with nothing to do.

Each measurement is a fresh `bench.quickbooks_probe` process (emulators as its children),
so the reported peak memory is the worker's alone. Calls are counted at the emulator
(`/_emulator/calls`); the probe also names the provider operation behind each, which is
what a line ends with when a figure misses its target.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Customers the import benchmark stamps per second of the emulator's clock: the pace of
# a bulk import. The emulator's own seeding stamps any number in one second, which the
# core's page walk reads twice (see `sync/paging.py`); that case is measured separately.
IMPORT_PACE = 100
# The one note both demo books give with every domain on (the service test asserts it):
# QuickBooks' "Call-out fee" item (no SKU) is Loc8's CALLOUT by name, and is linked to it.
DEMO_NAME_CLASH = "line_items/CALLOUT: Linked to the QuickBooks Online item of the same name"

Probe = dict[str, Any]


def probe(
    scenario: str,
    *,
    customers: int = 0,
    invoices: int = 0,
    per_second: int = 0,
    expected_error: str | None = None,
) -> Probe:
    output = subprocess.run(  # noqa: S603 - fixed argv
        [
            sys.executable,
            "-m",
            "bench.quickbooks_probe",
            "--scenario",
            scenario,
            "--customers",
            str(customers),
            "--invoices",
            str(invoices),
            "--per-second",
            str(per_second),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: Probe = json.loads(output.strip().splitlines()[-1])
    # A figure is never of a sync that failed or dropped records unnoticed.
    errors = [e for e in result["errors"] if not (expected_error and e.startswith(expected_error))]
    failed = [s for s in result["statuses"] if s not in ("SUCCEEDED", "PARTIAL")]
    if failed or errors or (not expected_error and result["statuses"] != ["SUCCEEDED"]):
        raise RuntimeError(f"{scenario}: runs {result['statuses']} with errors {errors}")
    return result


def median(results: list[Probe], figure: Callable[[Probe], float]) -> float:
    return statistics.median(figure(r) for r in results)


def _calls(phase: str) -> Callable[[Probe], float]:
    return lambda r: r[phase]["calls"]


def _operation(phase: str, name: str) -> Callable[[Probe], float]:
    return lambda r: r[phase]["by_operation"].get(name, 0)


def main(runs: int) -> list[str]:
    lines: list[str] = []
    paced = [probe("import", customers=10_000, per_second=IMPORT_PACE) for _ in range(runs)]
    lines += [
        f"import 10,000 customers ({IMPORT_PACE} stamped a second): QuickBooks calls median "
        f"{median(paced, _calls('activation')):.0f} (target <= 12; by operation "
        f"{paced[-1]['activation']['by_operation']}), continuations median "
        f"{median(paced, lambda r: r['activation']['deferrals']):.0f} (a delivery lasts at "
        f"most 240 s; each further job asks the change feed once), wall "
        f"{median(paced, lambda r: r['seconds']):.0f} s",
        "next scheduled sync (its window still holds the import's changes): calls median "
        f"{median(paced, _calls('first_quiet')):.0f} "
        f"({paced[-1]['first_quiet']['by_operation']})",
        "steady-state quiet sync of customers: calls median "
        f"{median(paced, _calls('quiet')):.0f} (target 1; {paced[-1]['quiet']['by_endpoint']})",
    ]
    burst = probe("import", customers=10_000)
    lines.append(
        "import 10,000 customers stamped in one second (the emulator's bulk seed; 1 run): "
        f"calls {burst['activation']['calls']} ({burst['activation']['by_operation']})"
    )

    pushed = [probe("push", invoices=2_000) for _ in range(runs)]
    lines += [
        "push 2,000 invoices (with tax rates and the demo tenant's customers): all "
        f"QuickBooks calls median {median(pushed, _calls('activation')):.0f} (target <= 70), "
        "invoice batches median "
        f"{median(pushed, _operation('activation', 'batch_invoice')):.0f} (fewest possible 67), "
        f"deferrals median {median(pushed, lambda r: r['activation']['deferrals']):.0f}; "
        f"by operation {pushed[-1]['activation']['by_operation']}",
    ]

    every = [probe("all", expected_error=DEMO_NAME_CLASH) for _ in range(runs)]
    lines.append(
        "steady-state quiet sync of every domain: calls median "
        f"{median(every, _calls('quiet')):.0f} (target 1; by operation "
        f"{every[-1]['quiet']['by_operation']})"
    )

    peaks: dict[int, float] = {}
    memory_runs = max(1, runs // 2)
    for size in (5_000, 50_000):
        results = [
            probe("import", customers=size, per_second=IMPORT_PACE) for _ in range(memory_runs)
        ]
        peaks[size] = median(results, lambda r: r["peak_rss_mb"])
        lines.append(
            f"worker peak RSS importing {size:,} customers: median {peaks[size]:.0f} MB "
            f"({memory_runs} run(s))"
        )
    lines.append(f"50,000 vs 5,000 customers: {peaks[50_000] / peaks[5_000]:.2f}x (target <= 1.2x)")
    return lines
