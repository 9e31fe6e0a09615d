"""Start-up time: median of N runs of `opencircuit --help` and `opencircuit auth status`.

Budget (DESIGN §10): under 250 ms each. Runs the installed console script in a subprocess with
an empty temporary config/cache home, next to `python -c pass` as the floor.

    python bench/startup.py [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_MS = 250.0


def time_command(argv: list[str], env: dict[str, str], runs: int) -> list[float]:
    subprocess.run(argv, env=env, capture_output=True, check=False)  # warm the OS file cache
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(argv, env=env, capture_output=True, check=False)
        samples.append((time.perf_counter() - start) * 1000)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.decode()}")
    return samples


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    script = shutil.which("opencircuit") or str(Path(sys.executable).with_name("opencircuit"))
    home = Path(tempfile.mkdtemp(prefix="oc-bench-"))
    env = dict(os.environ)
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        env[name] = str(home / name.lower())
    env.pop("OPENCIRCUIT_CONFIG", None)

    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "opencircuit --help": [script, "--help"],
        "opencircuit auth status": [script, "auth", "status"],
    }
    print(f"median of {args.runs} runs, {os.cpu_count()} CPUs, python {sys.version.split()[0]}")
    failed = False
    for label, argv in cases.items():
        samples = time_command(argv, env, args.runs)
        median = statistics.median(samples)
        verdict = ""
        if label != "python -c pass":
            ok = median < BUDGET_MS
            failed |= not ok
            verdict = f"  budget {BUDGET_MS:.0f} ms: {'ok' if ok else 'OVER'}"
        print(
            f"{label:<26} median {median:7.1f} ms  min {min(samples):7.1f}  "
            f"max {max(samples):7.1f}{verdict}"
        )
    shutil.rmtree(home, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
