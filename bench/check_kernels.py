#!/usr/bin/env python3
"""Kernel speed against references, in one run on this machine.

1. Streaming read: `benchr-advise calibrate` (all threads) next to likwid-bench load_avx512 (or
   load_avx) on a 2 GB working set with the same thread count (Debian package likwid; installed
   here only for this check). Target: >= 95% of likwid.
2. Decode GEMV per format: the calibration's all-thread rates next to the rate llama.cpp's decode
   implies on this kind of machine (bench/validation/local-llamacpp.csv: tg128 x bytes read per
   token, median over the rows of that quant). Target: at least llama.cpp's rate. Q4_0 and Q4_K_M
   rows come from llama.cpp's *repacked* 8-row kernels; the calibration's Q4_0 kernel is that
   kernel (llama.cpp's layout and instruction sequence, kernels v12), and the estimator decodes
   every repacked format (Q4_K too) at its rate; the Q4_K figure printed is the plain per-row dot
   product (what llama.cpp runs where it does not repack). Q3_K_M is a mix (Q3_K with Q4_K, Q5_K
   and Q6_K tensors), so its implied rate is above what Q3_K alone runs at.
Usage: python3 bench/check_kernels.py [build/app/benchr-advise] [path/to/validation]
"""
import csv, json, os, re, shutil, statistics, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
exe = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "build", "app", "benchr-advise")
val = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "validation")

cal = json.loads(subprocess.run([exe, "calibrate", "--seconds", "6", "--json"], check=True,
                                capture_output=True, text=True).stdout)
dev = cal["devices"][0]
threads = dev["threads"]
print(f"{dev['device']}: {dev['isa']} kernels, {threads} threads, calibrated {cal['measured_at']}\n")

print("streaming read, GB/s")
print(f"  benchr-advise   1 thread {dev['read_gbps_1t']:6.1f}   {threads} threads {dev['read_gbps']:6.1f}")
if not shutil.which("likwid-bench"):
    subprocess.run(["apt-get", "install", "-y", "-qq", "likwid"], capture_output=True)
if shutil.which("likwid-bench"):
    flags = open("/proc/cpuinfo").read()
    test = "load_avx512" if " avx512f" in flags else "load_avx"
    ref = {}
    for t in (1, threads):
        out = subprocess.run(["likwid-bench", "-t", test, "-w", f"S0:2GB:{t}"], capture_output=True, text=True).stdout
        m = re.search(r"MByte/s:\s+([\d.]+)", out)
        ref[t] = float(m.group(1)) / 1000 if m else None
    if ref[threads]:
        print(f"  likwid {test:11} 1 thread {ref[1]:6.1f}   {threads} threads {ref[threads]:6.1f}")
        print(f"  ratio           1 thread {dev['read_gbps_1t'] / ref[1]:6.2f}   {threads} threads "
              f"{dev['read_gbps'] / ref[threads]:6.2f}   (target >= 0.95)\n")
else:
    print("  likwid-bench not available: no reference\n")

implied = {}
for r in csv.DictReader(open(os.path.join(val, "local-llamacpp.csv"))):
    if r["depth"] == "0":
        implied.setdefault(r["quant"], []).append(float(r["implied_decode_GBps"]))
print(f"decode GEMV, GB/s of weights ({threads} threads)   llama.cpp implied (median of rows)   ratio")
for quant, fmt in (("Q4_0", "Q4_0"), ("Q8_0", "Q8_0"), ("Q4_K_M", "Q4_K"), ("Q6_K", "Q6_K"), ("F16", "F16"),
                   ("Q3_K_M", "Q3_K")):
    rate = next((g["weight_gbps"] for g in dev["gemv"] if g["format"] == fmt and g["threads"] == threads), None)
    llama = statistics.median(implied[quant]) if quant in implied else None
    if rate and llama:
        print(f"  {fmt:6} {rate:6.1f}        {quant:7} {llama:6.1f}                              {rate / llama:5.2f}")
print("\n(Q3_K_M and Q4_K_M mix formats, so their implied rate is the mix's; compare loosely.)")
