"""`make bench`: runs every benchmark the project has, one after another (they would skew
each other if run together on a 2-core machine), then repeats their summary lines.

A benchmark is any `services/<name>/bench.py` or `gateway/bench/run.py`; each prints its own
table and at least one line of the form `<name>-bench: key=value ...`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def benchmarks() -> list[Path]:
    found = sorted(ROOT.glob("services/*/bench.py"))
    gateway = ROOT / "gateway" / "bench" / "run.py"
    return found + ([gateway] if gateway.exists() else [])


def main() -> int:
    summaries, failed = [], []
    for script in benchmarks():
        name = script.relative_to(ROOT)
        print(f"\n=== {name} ===", flush=True)
        proc = subprocess.run([sys.executable, str(script)], cwd=ROOT, text=True,
                              capture_output=True)
        print(proc.stdout, end="")
        if proc.returncode != 0:
            print(proc.stderr[-4000:], file=sys.stderr)
            failed.append(str(name))
        summaries += [line for line in proc.stdout.splitlines() if "-bench:" in line]
    print("\n=== summary ===")
    print("\n".join(summaries))
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
