#!/usr/bin/env python3
"""CPU-only llama.cpp decode on catalog-style CPU machines, from bench/published_cpu.csv.

Each row becomes a catalog [[hardware]] entry of kind cpu with the row's datasheet memory
bandwidth (channels x MT/s x 8 B) and `benchr-advise estimate --hardware` predicts tg from it:
bandwidth x the CPU decode efficiency (estimator/machine.cpp) / bytes per token. The table prints
predicted / measured; the median over the rows that measure a CPU's memory (all its cores, one
socket) gives the efficiency those rows imply. Rows left out of the median say why.
Target: that median predicted / measured within 10% of 1 (MEDIAN_RATIO_BAND).
Usage: python3 bench/check_cpu.py [--bin build/app/benchr-advise]
"""
import csv, os, re, statistics

from benchlib import HERE as here, LLAMA_2, Targets, binary, catalog_file, estimate, parser, run_main

CPU_DECODE_EFFICIENCY = 0.655  # estimator/machine.cpp kDecodeEfficiencyCpu, as the predictions use it
# The CPU efficiency is fitted on the whole corpus (check_accuracy.py), these rows among them: a
# median over the rows that measure a CPU's memory further than this from 1 means the fit and
# these rows have parted, and the constant needs a look.
MEDIAN_RATIO_BAND = 0.10

MODELS = [("llama-2-7b", "llama-2-7b"), ("mistral-7b", "mistral-7b"), ("qwen2.5-3b", "qwen2.5-3b"),
          ("phi-4", "phi-4"), ("qwen2 1.5b", "qwen2.5-1.5b"), ("qwen2 7b", "deepseek-r1-distill-qwen-7b"),
          ("llama 8b (deepseek", "deepseek-r1-distill-llama-8b"), ("qwen2 14b", "deepseek-r1-distill-qwen-14b"),
          ("qwen2 32b", "deepseek-r1-distill-qwen-32b"), ("llama-3.1-8b", "llama-3.1-8b"),
          ("llama-3.2-3b", "llama-3.2-3b"), ("llama 70b", "llama-3.3-70b")]
# Rows that do not measure what a user of the machine gets with llama.cpp's defaults on all cores.
EXCLUDE = {
    "258V": "4 or 8 threads of a 4P+4E laptop part: core-bound, not memory-bound (helper's note)",
    "7950X": "decode at 4 threads (ik_llama.cpp PR comparison)",
    "5975WX": "decode at 8 threads (ik_llama.cpp PR comparison)",
    "9R14": "two sockets, 96 threads, no --numa: remote memory, not the summed datasheet",
    "M2 Max": "Apple's CPU cluster cannot draw the SoC's 400 GB/s",
    "w9-3475X": "8 of 36 cores, clock capped at 2.2 GHz, unmerged PR",
    "7702": "64 threads on a 1.8 GB model: per-token thread synchronisation, not bandwidth",
}

def model_id(text):
    t = text.lower()
    for key, mid in MODELS:
        if key in t:
            return mid
    return None

def main():
    exe = binary(parser(__doc__).parse_args())
    targets = Targets()
    toml, rows = [LLAMA_2], []
    for i, r in enumerate(csv.DictReader(open(os.path.join(here, "published_cpu.csv")))):
        if not r["datasheet_gbps"] or not r["tg_tps"]:
            continue
        hw = f"cpu-row-{i}"
        toml.append(f'''[[hardware]]
    id = "{hw}"
    name = "{r['cpu']}"
    kind = "cpu"
    backend = "cpu"
    memory_gib = 512
    memory_bandwidth_gbps = {float(r['datasheet_gbps'])}
    fp16_tflops = 0
    tdp_w = 0
    price_usd = 0
    source = "bench/published_cpu.csv"
    ''')
        rows.append((hw, r))
    catalog = catalog_file(*toml)

    ratios = []
    print(f"{'cpu':30} {'model':30} {'quant':7} {'GB/s':>6} {'pred':>6} {'meas':>6} {'ratio':>6}")
    for hw, r in rows:
        mid = model_id(r["model"])
        if not mid or r["quant"] not in ("Q4_0", "Q4_K_M", "Q6_K", "Q8_0"):
            print(f"skipped: {r['cpu']} {r['model']} {r['quant']}")
            continue
        e, err = estimate(exe, catalog, "--model", mid, "--quant", r["quant"], "--hardware", hw, "--context", "512",
                          "--no-calibrate")
        if e is None:
            print(f"error: {mid} {r['quant']} {r['cpu']}: {err}")
            continue
        meas = float(r["tg_tps"])
        ratio = e["decode_tps"] / meas
        why = next((v for k, v in EXCLUDE.items() if k in r["cpu"]), "")
        if not why:
            ratios.append(ratio)
        print(f"{r['cpu'][:30]:30} {mid[:30]:30} {r['quant']:7} {float(r['datasheet_gbps']):6.0f} {e['decode_tps']:6.1f} "
              f"{meas:6.1f} {ratio:6.2f}{'  (left out: ' + why + ')' if why else ''}")
    os.unlink(catalog)
    if ratios:
        m = statistics.median(ratios)
        errs = [abs(x - 1) for x in ratios]
        print(f"\nrows in the median: {len(ratios)}; predicted / measured median {m:.2f}, median |error| "
              f"{100 * statistics.median(errs):.1f}%, max {100 * max(errs):.0f}%")
        print(f"efficiency these rows imply: {CPU_DECODE_EFFICIENCY} / {m:.2f} = {CPU_DECODE_EFFICIENCY / m:.3f}\n")
        targets.check("median predicted / measured", f"{m:.2f}", abs(m - 1) <= MEDIAN_RATIO_BAND,
                      f"1 +- {MEDIAN_RATIO_BAND:g}")
    else:
        targets.check("rows in the median", "none", False, ">= 1")
    return targets.status()


if __name__ == "__main__":
    run_main(main)
