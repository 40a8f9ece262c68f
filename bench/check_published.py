#!/usr/bin/env python3
"""Accuracy check against published llama.cpp scoreboards (../shared/validation/published/).

Every hardware.csv row becomes a catalog [[hardware]] entry (datasheet figures only: these machines
are in no way special-cased), LLaMA-2 7B a [[model]]; `benchr-advise estimate --hardware ...
--backend ...` then predicts each speeds.csv row (tg128 and pp512, every layer on the GPU), and
the table prints predicted / measured. Rows whose hardware lacks a bandwidth (or FLOPS, for
prefill) are skipped and counted.
Usage: python3 bench/check_published.py [build/app/benchr-advise] [path/to/validation/published]
"""
import csv, os, re, statistics, sys

from benchlib import HERE as here, LLAMA_2, catalog_file, estimate, exe

exe = exe()
root = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "..", "shared", "validation", "published")

def slug(name):
    return "pub-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")

hw = {r["hardware"]: r for r in csv.DictReader(open(os.path.join(root, "hardware.csv")))}
toml = [LLAMA_2]
for name, h in hw.items():
    if not h["mem_bw_gbps"]:
        continue
    kind = h["kind"] if h["kind"] in ("gpu", "apple", "apu", "cpu") else "gpu"
    backend = {"apple": "metal"}.get(kind, "cuda")
    toml.append(f'''[[hardware]]
id = "{slug(name)}"
name = "{name}"
kind = "{kind}"
backend = "{backend}"
memory_gib = {float(h["mem_gb"] or 16)}
memory_bandwidth_gbps = {float(h["mem_bw_gbps"])}
fp16_tflops = {float(h["fp16_tflops"] or 0)}
tdp_w = {float(h["tdp_w"] or 0)}
price_usd = {float(h["price_usd"] or 0)}
source = "validation/published/hardware.csv"
''')
catalog = catalog_file(*toml)

tg_err, pp_err, skipped, lines = [], [], 0, []
for r in csv.DictReader(open(os.path.join(root, "speeds.csv"))):
    h = hw.get(r["hardware"])
    if not h or not h["mem_bw_gbps"]:
        skipped += 1
        continue
    e, err = estimate(exe, catalog, "--model", "llama-2-7b", "--quant", r["quant"], "--hardware", slug(r["hardware"]),
                      "--backend", r["backend"], "--context", "512", "--prompt-tokens", r["pp_tokens"])
    if e is None:
        print("failed:", r["hardware"], err)
        continue
    tg, pp = float(r["tg_tps"]), float(r["pp_tps"])
    tg_err.append(e["decode_tps"] / tg - 1)
    pp_ratio = e["prefill_tps"] / pp if e["prefill_tps"] > 0 else None
    if pp_ratio:
        pp_err.append(pp_ratio - 1)
    lines.append(f"{r['hardware'][:38]:38} {r['backend']:6} {r['quant']:5} {e['decode_tps']:7.1f} {tg:7.1f} "
                 f"{e['decode_tps'] / tg:5.2f}  {e['prefill_tps']:8.0f} {pp:8.0f} " + (f"{pp_ratio:5.2f}" if pp_ratio else "    -"))
os.unlink(catalog)
print(f"{'hardware':38} {'backend':6} {'quant':5} {'tg pred':>7} {'tg meas':>7} {'ratio':>5}  {'pp pred':>8} {'pp meas':>8} {'ratio':>5}")
print("\n".join(lines))
a = [abs(x) for x in tg_err]
p = [abs(x) for x in pp_err]
print(f"\ndecode: median |error| {100 * statistics.median(a):.1f}%, within 20%: {100 * sum(x <= 0.2 for x in a) / len(a):.0f}% of {len(a)} rows")
print(f"prefill: median |error| {100 * statistics.median(p):.1f}%, within 25%: {100 * sum(x <= 0.25 for x in p) / len(p):.0f}% of {len(p)} rows")
print(f"skipped (no datasheet bandwidth): {skipped} rows")
