#!/usr/bin/env python3
"""How `fit` scales with the number of tensors in a safetensors header (issue #21: the header parse
was quadratic, 10k tensors 0.5 s, 40k 15 s, 200k > 60 s, through nlohmann's callback parser).

Writes headers of 10k, 40k and 200k two-element F16 tensors (no config.json: fit reads the whole
header, then exits 2 on the missing shape, which is the work measured), times `fit` on each
(best of 3), and prints seconds and microseconds per tensor. A linear parse keeps the time per
tensor flat; a quadratic one multiplies it by 20 from 10k to 200k. Exits 1 when the time per
tensor at 200k is more than kMaxGrowth times that at 10k.

Usage: python3 bench/check_safetensors_scaling.py [--exe build/app/benchr-advise]
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

SIZES = (10_000, 40_000, 200_000)
# n log n (the tensors are sorted by offset; the header's keys live in a std::map) and cache
# misses may let the time per tensor grow a little: 200k against 10k measured x1.09 on this 2-core
# VM under load (80 -> 87 us per tensor, 2026-12-06); quadratic is x20. x4 leaves room for noise.
kMaxGrowth = 4.0
REPEATS = 3


def write_header(path, n):
    header, offset = {}, 0
    for i in range(n):
        header[f"model.layers.{i}.weight"] = {"dtype": "F16", "shape": [2], "data_offsets": [offset, offset + 4]}
        offset += 4
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"\0" * offset)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exe", default=os.path.join(root, "build", "app", "benchr-advise"))
    args = ap.parse_args()
    per_tensor = {}
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'tensors':>8} {'header MB':>10} {'fit s':>8} {'us/tensor':>10}")
        for n in SIZES:
            path = os.path.join(tmp, f"t{n}.safetensors")
            write_header(path, n)
            best = float("inf")
            for _ in range(REPEATS):
                start = time.perf_counter()
                r = subprocess.run([args.exe, "fit", path, "--no-calibrate"], capture_output=True, text=True)
                best = min(best, time.perf_counter() - start)
                if r.returncode != 2 or "no possible model" not in r.stderr:
                    print(f"unexpected answer for {n} tensors (exit {r.returncode}): {r.stderr[:200]}")
                    return 2
            per_tensor[n] = best / n
            print(f"{n:>8} {os.path.getsize(path) / 1e6:>10.1f} {best:>8.2f} {per_tensor[n] * 1e6:>10.2f}")
    growth = per_tensor[SIZES[-1]] / per_tensor[SIZES[0]]
    verdict = "linear" if growth <= kMaxGrowth else "NOT linear"
    print(f"time per tensor, {SIZES[-1]} against {SIZES[0]}: x{growth:.2f} (quadratic: x{SIZES[-1] / SIZES[0]:.0f}; "
          f"limit x{kMaxGrowth:g}): {verdict}")
    return 0 if growth <= kMaxGrowth else 1


if __name__ == "__main__":
    sys.exit(main())
