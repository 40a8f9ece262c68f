#!/usr/bin/env python3
"""How fast the tool itself answers, and how much memory it takes: median wall time and the
largest maximum RSS of each command over REPEATS runs, each also as a ratio to `benchr-advise
models` measured in the same run, so a busy shared machine compares like with like.

The calibration is taken from the cache (run `benchr-advise calibrate` once first, or let the
first advice do it), so these are the times a user waits for an answer, not for a measurement;
one unmeasured `--budget 100` first also writes the device cache (app/device_cache.cpp).

Goals (issue #20), stated as ratios to `models` and checked on them; exit 1 when one is missed:
  warm advise  <= 20 ms and <= 20 MiB,  plan --budget 100 <= 0.3 s
on the machine they were set on (this project's 2-core VM), where `models` takes
MODELS_MS_AT_GOAL and MODELS_MIB_AT_GOAL, so the ratios are 20 / MODELS_MS_AT_GOAL and so on.
Usage: python3 bench/bench_cli.py [build/app/benchr-advise]
"""
import os, statistics, subprocess, sys, tempfile, time

from benchlib import exe

# `models` on the project's 2-core VM (Debian 12, g++ 12 Release) with the embedded catalog
# read from its build-time binary form (catalog/snapshot.cpp), median of REPEATS: 2026-12-06.
MODELS_MS_AT_GOAL = 16.0
MODELS_MIB_AT_GOAL = 7.0
REPEATS = 7

exe = exe()
REFERENCE = ("models", ["models"])
COMMANDS = [
    ("advise --budget 100", ["--budget", "100"]),
    ("estimate 8B Q4_K_M", ["estimate", "--model", "llama-3.1-8b", "--quant", "Q4_K_M"]),
    ("plan --model llama-3.3-70b", ["plan", "--model", "llama-3.3-70b"]),
    ("plan --model deepseek-v3.1 --users 64", ["plan", "--model", "deepseek-v3.1", "--users", "64"]),
    ("plan --budget 100", ["plan", "--budget", "100"]),
    ("models --json", ["models", "--json"]),
]
# label: (goal ms, goal MiB or None); each checked as a ratio to `models` measured now.
GOALS = {"advise --budget 100": (20.0, 20.0), "plan --budget 100": (300.0, None)}


def run_once(args):
    """Wall seconds of one run of the binary with `args`."""
    t0 = time.perf_counter()
    out = subprocess.run([exe, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        sys.exit(f"bench_cli: {' '.join(args)} failed: {out.stderr.decode(errors='replace').strip()}")
    return wall


def max_rss_mib(args):
    """Maximum RSS of one run, through GNU time (Debian's `time`): a child forked from Python
    inherits Python's high-water mark (~15 MiB) in its own ru_maxrss, exec or not."""
    with tempfile.NamedTemporaryFile("r") as f:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f.name, exe, *args], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        return int(f.read().split()[-1]) / 1024


def measure(args):
    """Median and fastest wall ms of REPEATS runs, and the maximum RSS in MiB."""
    walls = [run_once(args) for _ in range(REPEATS)]
    return statistics.median(walls) * 1e3, min(walls) * 1e3, max_rss_mib(args)


if not os.access("/usr/bin/time", os.X_OK):
    sys.exit("bench_cli: needs /usr/bin/time for the maximum RSS (apt-get install time)")
run_once(["--budget", "100"])  # warm: calibration and device list cached
ref_ms, _, ref_mib = measure(REFERENCE[1])
print(f"reference `models`: {ref_ms:.1f} ms, {ref_mib:.1f} MiB max RSS (median of {REPEATS}); "
      f"the goals were set where it took {MODELS_MS_AT_GOAL:g} ms, {MODELS_MIB_AT_GOAL:g} MiB")
print(f"{'command':40} {'median ms':>10} {'min':>7} {'x models':>9} {'MiB':>6} {'x models':>9}  goal")
missed = []
for label, args in COMMANDS:
    ms, fastest, mib = measure(args)
    goal = ""
    if label in GOALS:
        goal_ms, goal_mib = GOALS[label]
        ratio_ms = goal_ms / MODELS_MS_AT_GOAL
        ok = ms / ref_ms <= ratio_ms
        goal = f"time <= {ratio_ms:.2f} x models ({goal_ms:g} ms): {'ok' if ok else 'MISSED'}"
        if not ok: missed.append(f"{label}: {ms / ref_ms:.2f} x models > {ratio_ms:.2f}")
        if goal_mib is not None:
            ratio_mib = goal_mib / MODELS_MIB_AT_GOAL
            ok = mib / ref_mib <= ratio_mib
            goal += f"; RSS <= {ratio_mib:.2f} x models ({goal_mib:g} MiB): {'ok' if ok else 'MISSED'}"
            if not ok: missed.append(f"{label}: RSS {mib / ref_mib:.2f} x models > {ratio_mib:.2f}")
    print(f"{label:40} {ms:10.1f} {fastest:7.1f} {ms / ref_ms:9.2f} {mib:6.1f} {mib / ref_mib:9.2f}  {goal}")
if missed:
    print("missed: " + "; ".join(missed))
    sys.exit(1)
print("every goal met")
