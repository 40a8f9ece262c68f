#!/usr/bin/env python3
"""Refit the per-backend constants of estimator/machine.cpp from published llama.cpp runs.

decode: seconds per token = bytes read per token / (datasheet bandwidth x efficiency)
                            + layers x per-layer overhead (kernel launches and syncs a token costs
                              whatever its size; the runs are all LLaMA-2 7B, 32 layers)
        the two constants per backend minimise the median |relative error| (grid search).
prefill efficiency = pp512 tok/s x 2 x params / datasheet dense FP16 FLOP/s (median)

Data: ../shared/validation/published/{speeds,hardware}.csv (LLaMA-2 7B, every layer on the GPU).
Bytes per token = file size minus the token-embedding matrix (gathered, one row per token).
Prints per backend and quant: n, median, min, max; the constants use the per-backend median.
Usage: python3 bench/fit_efficiency.py [path/to/validation/published]
"""
import csv, os, statistics, sys
from collections import defaultdict

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "validation", "published")
hw = {r["hardware"]: r for r in csv.DictReader(open(os.path.join(root, "hardware.csv")))}
BPW = {"Q4_0": 4.5, "Q8_0": 8.5, "F16": 16.0}
EMBED = 32000 * 4096  # LLaMA-2 7B token_embd elements

decode, prefill = defaultdict(list), defaultdict(list)
rows = []  # (backend, GB read per token, datasheet GB/s, measured tg tok/s)
for r in csv.DictReader(open(os.path.join(root, "speeds.csv"))):
    h = hw.get(r["hardware"])
    if not h or not h["mem_bw_gbps"]:
        continue
    backend = "metal" if h["kind"] == "apple" else r["backend"]
    per_token_gb = float(r["model_file_gb"]) - EMBED * BPW[r["quant"]] / 8 / 1e9
    rows.append((backend, per_token_gb, float(h["mem_bw_gbps"]), float(r["tg_tps"])))
    decode[backend, r["quant"]].append(float(r["tg_tps"]) * per_token_gb / float(h["mem_bw_gbps"]))
    if h["fp16_tflops"]:
        flops = 2 * float(r["params_b"]) * 1e9 * float(r["pp_tps"])
        prefill[backend, r["quant"]].append(flops / (float(h["fp16_tflops"]) * 1e12))

def show(title, table):
    print(f"{title}\n{'backend':8} {'quant':5} {'n':>3} {'median':>7} {'min':>5} {'max':>5}")
    per_backend = defaultdict(list)
    for (b, q), v in sorted(table.items()):
        per_backend[b] += v
        print(f"{b:8} {q:5} {len(v):3} {statistics.median(v):7.3f} {min(v):5.2f} {max(v):5.2f}")
    for b, v in sorted(per_backend.items()):
        print(f"{b:8} {'all':5} {len(v):3} {statistics.median(v):7.3f}   <- constant")
    print()

show("decode efficiency (achieved / datasheet bandwidth), one constant", decode)

# Two constants: efficiency and a per-layer overhead, fitted on the same rows.
LAYERS = 32
print("decode, two constants: seconds/token = GB / (GB/s x efficiency) + 32 layers x overhead")
print(f"{'backend':8} {'n':>3} {'efficiency':>10} {'us/layer':>9} {'median|err|':>12} {'within 20%':>11}")
all_err = []
for b in sorted({r[0] for r in rows}):
    rs = [r for r in rows if r[0] == b]
    best = None
    for e in [x / 200 for x in range(80, 201)]:
        for us in range(0, 400, 2):
            errs = [abs(1 / (gb / (bw * e) + LAYERS * us * 1e-6) / tg - 1) for _, gb, bw, tg in rs]
            m = statistics.median(errs)
            if best is None or m < best[0]:
                best = (m, e, us, errs)
    all_err += best[3]
    print(f"{b:8} {len(rs):3} {best[1]:10.3f} {best[2]:9d} {100 * best[0]:11.1f}% "
          f"{100 * sum(x <= 0.2 for x in best[3]) / len(rs):10.0f}%")
print(f"{'all':8} {len(all_err):3} {'':10} {'':9} {100 * statistics.median(all_err):11.1f}% "
      f"{100 * sum(x <= 0.2 for x in all_err) / len(all_err):10.0f}%\n")
show("prefill efficiency (achieved / datasheet FP16 FLOP/s)", prefill)
