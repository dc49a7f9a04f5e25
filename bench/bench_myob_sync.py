"""MYOB Business calls, pace and worker memory: importing customers, pushing invoices
(alone, and two workers on one API key at once), and a sync with nothing to do.

Each measurement is a fresh `bench.myob_probe` process (emulators as its children), so
the reported peak memory is the worker's alone. Calls are counted at the MYOB emulator
(`/_emulator/calls`, every request, a refused one too); API calls are those under
`/accountright`, token refreshes are counted beside them. In the single-worker
scenarios the pacer's waits move every clock instead of sleeping, so their durations
are emulated time; the two-worker push runs on the real clock (wall time).
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
# MYOB's per-key limit, and the pace the shared budget keeps under it.
PER_SECOND_LIMIT = 8
SHARED_PACE = 7
IMPORTED = 10_000
PUSHED = 2_000
MEMORY_SIZES = (5_000, 50_000)
# Invoices each of the two concurrent workers sends: enough for half a minute of calls.
CONCURRENT_EACH = 100
# Customers the import benchmark stamps per second of the emulator's clock: the pace of
# a bulk import. The emulator's own seeding stamps any number in one second, which the
# core's page walk reads twice (see `chalicelib/sync/paging.py`); that case is measured
# separately.
IMPORT_PACE = 100
# Fewest runs of the slow measurements (a 50,000-customer import takes minutes).
SLOW_RUNS = 3

# The one note the demo data gives with every domain on (the sync tests expect it): Loc8's
# CALLOUT is linked to MYOB's same-named item, whose number differs.
DEMO_CALLOUT_NOTE = "line_items/CALLOUT: Linked to the MYOB Business item of the same name"

Probe = dict[str, Any]


def probe(
    scenario: str,
    *,
    customers: int = 0,
    invoices: int = 0,
    per_second: int = 0,
    expected_note: str | None = None,
) -> Probe:
    output = subprocess.run(  # noqa: S603 - fixed argv
        [
            sys.executable,
            "-m",
            "bench.myob_probe",
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
    errors = [e for e in result["errors"] if not (expected_note and e.startswith(expected_note))]
    if errors or result["statuses"] != ["SUCCEEDED"]:
        raise RuntimeError(f"{scenario}: runs {result['statuses']} with errors {errors}")
    return result


def median(results: list[Probe], figure: Callable[[Probe], float]) -> float:
    return statistics.median(figure(r) for r in results)


def api_calls(phase: str) -> Callable[[Probe], float]:
    return lambda r: sum(
        n for endpoint, n in r[phase]["by_endpoint"].items() if " /accountright" in endpoint
    )


def token_calls(phase: str) -> Callable[[Probe], float]:
    return lambda r: r[phase]["calls"] - api_calls(phase)(r)


def invoice_posts(result: Probe) -> float:
    """POSTs of sales, whichever layout (item or service) each invoice took."""
    return sum(
        n
        for endpoint, n in result["activation"]["by_endpoint"].items()
        if endpoint.startswith("POST /accountright/{cf}/Sale/Invoice/")
    )


def main(runs: int) -> list[str]:
    slow_runs = min(runs, SLOW_RUNS)
    lines: list[str] = []
    imported = [
        probe("import", customers=IMPORTED, per_second=IMPORT_PACE) for _ in range(slow_runs)
    ]
    lines += [
        f"import {IMPORTED:,} customers ({IMPORT_PACE} stamped a second, {slow_runs} runs): MYOB "
        "API calls median "
        f"{median(imported, api_calls('activation')):.0f} (target <= 12; by operation "
        f"{imported[-1]['activation']['by_operation']}), deferrals median "
        f"{median(imported, lambda r: r['activation']['deferrals']):.0f} (a delivery lasts at "
        f"most 240 s of wall time), wall "
        f"{median(imported, lambda r: r['seconds']):.0f} s",
        "next scheduled sync (its window still holds the import's changes): API calls median "
        f"{median(imported, api_calls('first_quiet')):.0f} "
        f"({imported[-1]['first_quiet']['by_operation']})",
        "steady-state quiet sync of customers: API calls median "
        f"{median(imported, api_calls('quiet')):.0f} (target 1), of which 304 "
        f"{imported[-1]['quiet']['not_modified']}, token refreshes "
        f"{median(imported, token_calls('quiet')):.0f}",
    ]
    burst = probe("import", customers=IMPORTED)
    lines.append(
        f"import {IMPORTED:,} customers stamped in one second (the emulator's bulk seed; "
        f"1 run): API calls {api_calls('activation')(burst):.0f} "
        f"({burst['activation']['by_operation']}), deferrals {burst['activation']['deferrals']}"
    )

    pushed = [probe("push", invoices=PUSHED) for _ in range(slow_runs)]
    floor = PUSHED / PER_SECOND_LIMIT
    lines += [
        f"push {PUSHED:,} invoices, one worker ({slow_runs} runs): MYOB API calls median "
        f"{median(pushed, api_calls('activation')):.0f}, invoice POSTs median "
        f"{median(pushed, invoice_posts):.0f} "
        f"(one each); by operation {pushed[-1]['activation']['by_operation']}",
        "  emulated time median "
        f"{median(pushed, lambda r: r['activation']['emulated_seconds']):.0f} s "
        f"(the least MYOB's {PER_SECOND_LIMIT}/s allows for {PUSHED:,} calls: {floor:.0f} s; "
        f"the shared budget's {SHARED_PACE}/s: {PUSHED / SHARED_PACE:.0f} s), of which paced "
        f"waits {median(pushed, lambda r: r['activation']['paced_seconds']):.0f} s; busiest "
        "rolling second median "
        f"{median(pushed, lambda r: r['activation']['busiest_second']):.0f} calls; refused by "
        f"MYOB median {median(pushed, lambda r: r['refused_at_myob']):.0f}; deferrals median "
        f"{median(pushed, lambda r: r['activation']['deferrals']):.0f}; wall "
        f"{median(pushed, lambda r: r['seconds']):.0f} s",
    ]

    both = [probe("concurrent", invoices=CONCURRENT_EACH) for _ in range(slow_runs)]
    lines.append(
        f"two workers at once, one API key, {CONCURRENT_EACH} invoices each, real clock "
        f"({slow_runs} runs): calls at MYOB median {median(both, lambda r: r['calls']):.0f}, "
        f"refused (403) median {median(both, lambda r: r['refused_at_myob']):.0f}, busiest "
        f"rolling second median {median(both, lambda r: r['busiest_second']):.0f} (MYOB's "
        f"limit {PER_SECOND_LIMIT}), mean rate median "
        f"{median(both, lambda r: r['rate_per_second']):.2f}/s, deferrals median "
        f"{median(both, lambda r: r['deferrals']):.0f}, wall "
        f"{median(both, lambda r: r['seconds']):.0f} s; sales made per file "
        f"{both[-1]['sales_created']}"
    )

    every = [probe("all", expected_note=DEMO_CALLOUT_NOTE) for _ in range(runs)]
    lines.append(
        "steady-state quiet sync of every domain (5 enabled): API calls median "
        f"{median(every, api_calls('quiet')):.0f} (target <= 5: one read or one 304 each; "
        f"by endpoint {every[-1]['quiet']['by_endpoint']}; answered 304 "
        f"{every[-1]['quiet']['not_modified']})"
    )

    peaks: dict[int, float] = {}
    memory_runs = 1
    for size in MEMORY_SIZES:
        results = [
            probe("import", customers=size, per_second=IMPORT_PACE) for _ in range(memory_runs)
        ]
        peaks[size] = median(results, lambda r: r["peak_rss_mb"])
        lines.append(
            f"worker peak RSS importing {size:,} customers: {peaks[size]:.0f} MB "
            f"({memory_runs} run)"
        )
    small, large = MEMORY_SIZES
    lines.append(
        f"{large:,} vs {small:,} customers: {peaks[large] / peaks[small]:.2f}x (target <= 1.2x)"
    )
    return lines
