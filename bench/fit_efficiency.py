#!/usr/bin/env python3
"""Refit the per-backend efficiency constants of estimator/machine.cpp from published llama.cpp runs.

decode efficiency  = tg128 tok/s x weight bytes read per token / datasheet bandwidth
prefill efficiency = pp512 tok/s x 2 x params / datasheet dense FP16 FLOP/s

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
for r in csv.DictReader(open(os.path.join(root, "speeds.csv"))):
    h = hw.get(r["hardware"])
    if not h or not h["mem_bw_gbps"]:
        continue
    backend = "metal" if h["kind"] == "apple" else r["backend"]
    per_token_gb = float(r["model_file_gb"]) - EMBED * BPW[r["quant"]] / 8 / 1e9
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

show("decode efficiency (achieved / datasheet bandwidth)", decode)
show("prefill efficiency (achieved / datasheet FP16 FLOP/s)", prefill)
