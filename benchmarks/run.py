"""Run every benchmark and print one table: figure, baseline, ratio (measured in the same run).

    python benchmarks/run.py            # all of them
    python benchmarks/run.py import     # only benchmarks/bench_import.py

Each benchmarks/bench_NAME.py exposes ``run() -> list[dict]`` with keys
name, figure, baseline, unit (and optionally ratio, note). Ratios are figure / baseline:
for times, lower is better and 1.0 means "as fast as the baseline".
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def machine() -> str:
    return f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"


def main(argv: list[str]) -> int:
    names = argv or sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    rows = []
    for name in names:
        module = importlib.import_module(f"bench_{name}")
        print(f"running {name} ...", file=sys.stderr, flush=True)
        for row in module.run():
            ratio = row.get("ratio")
            if ratio is None and row.get("baseline"):
                ratio = row["figure"] / row["baseline"]
            rows.append((row["name"], row["figure"], row["baseline"], ratio, row.get("unit", ""), row.get("note", "")))
    print(f"machine: {machine()}")
    width = max([len("benchmark")] + [len(r[0]) for r in rows])
    header = f"{'benchmark':<{width}} {'figure':>12} {'baseline':>12} {'ratio':>7}  unit"
    print(header)
    print("-" * len(header))
    for name, figure, baseline, ratio, unit, note in rows:
        ratio_s = f"{ratio:.2f}" if ratio is not None else "-"
        base_s = f"{baseline:.4g}" if baseline is not None else "-"
        print(f"{name:<{width}} {figure:>12.4g} {base_s:>12} {ratio_s:>7}  {unit}{'  ' + note if note else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
