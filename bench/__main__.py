"""`python -m bench [name ...]`: run the benchmarks and print medians of several runs.

Each `bench/bench_<name>.py` module exposes `main(runs: int) -> list[str]`, returning
the lines to print (already medians of `runs` repetitions).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    folder = Path(__file__).parent
    return sorted(
        info.name.removeprefix("bench_")
        for info in pkgutil.iter_modules([str(folder)])
        if info.name.startswith("bench_")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default all: {available()})")
    parser.add_argument("--runs", type=int, default=5, help="repetitions; medians are reported")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(available()))
    if unknown:
        print(
            f"Unknown benchmark(s): {', '.join(unknown)}; choose from {available()}",
            file=sys.stderr,
        )
        return 2
    for name in args.names or available():
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"== {name} ({args.runs} runs, medians)", flush=True)
        for line in module.main(args.runs):
            print(f"   {line}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
