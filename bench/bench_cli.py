#!/usr/bin/env python3
"""How fast the tool itself answers: wall time of the main commands, median of 5 runs each.

The calibration is taken from the cache (run `benchr-advise calibrate` once first), so these are
the times a user waits for an answer, not for a measurement.
Usage: python3 bench/bench_cli.py [build/app/benchr-advise]
"""
import statistics, subprocess, time

from benchlib import exe

exe = exe()
COMMANDS = [
    ("advise --budget 100", ["--budget", "100"]),
    ("estimate 8B Q4_K_M", ["estimate", "--model", "llama-3.1-8b", "--quant", "Q4_K_M"]),
    ("plan --model llama-3.3-70b", ["plan", "--model", "llama-3.3-70b"]),
    ("plan --model deepseek-v3.1 --users 64", ["plan", "--model", "deepseek-v3.1", "--users", "64"]),
    ("plan --budget 100 (every model)", ["plan", "--budget", "100"]),
    ("models --json", ["models", "--json"]),
]
print(f"{'command':40} {'median ms':>10} {'min':>7} {'max':>7}")
for label, args in COMMANDS:
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([exe, *args], check=True, capture_output=True)
        times.append((time.perf_counter() - t0) * 1e3)
    print(f"{label:40} {statistics.median(times):10.1f} {min(times):7.1f} {max(times):7.1f}")
