#!/usr/bin/env python3
"""Kernel speed against references, in one run on this machine.

1. Streaming read: `benchr-advise calibrate` (all threads) next to likwid-bench load_avx512 (or
   load_avx) on a 2 GB working set with the same thread count (Debian package likwid, when
   installed: apt-get install likwid). Target: >= 95% of likwid.
2. Decode GEMV per format: the calibration's all-thread rates next to the rate llama.cpp's decode
   implies on this kind of machine (bench/validation/local-llamacpp.csv: tg128 x bytes read per
   token, median over the rows of that quant). Target: at least llama.cpp's rate. Q4_0 and Q4_K_M
   rows come from llama.cpp's *repacked* 8-row kernels; the calibration's Q4_0 kernel is that
   kernel (llama.cpp's layout and instruction sequence), and the estimator decodes
   every repacked format (Q4_K too) at its rate; the Q4_K figure printed is the plain per-row dot
   product (what llama.cpp runs where it does not repack). Q3_K_M is a mix (Q3_K with Q4_K, Q5_K
   and Q6_K tensors), so its implied rate is above what Q3_K alone runs at.
The GEMV target applies to the single-format rows (Q4_0, Q8_0, Q6_K, F16); the mixes are printed.
Usage: python3 bench/check_kernels.py [--bin build/app/benchr-advise] [--validation DIR]
"""
import csv, json, os, re, shutil, statistics, subprocess

from benchlib import VALIDATION, Targets, binary, existing, parser, run_main

READ_TARGET = 0.95  # of likwid-bench's streaming read, same threads
GEMV_TARGET = 1.0   # of the rate llama.cpp's decode implies on this kind of machine
MIXES = ("Q4_K_M", "Q3_K_M")  # several block formats in one file: compared loosely, no target


def main():
    p = parser(__doc__)
    p.add_argument("--validation", default=VALIDATION, help="folder of local-llamacpp.csv (default bench/validation)")
    args = p.parse_args()
    exe = binary(args)
    validation = existing(os.path.join(args.validation, "local-llamacpp.csv"), "validation csv")
    targets = Targets()
    cal = json.loads(subprocess.run([exe, "calibrate", "--seconds", "6", "--json"], check=True,
                                    capture_output=True, text=True).stdout)
    dev = cal["devices"][0]
    threads = dev["threads"]
    print(f"{dev['device']}: {dev['isa']} kernels, {threads} threads, calibrated {cal['measured_at']}\n")

    print("streaming read, GB/s")
    print(f"  benchr-advise   1 thread {dev['read_gbps_1t']:6.1f}   {threads} threads {dev['read_gbps']:6.1f}")
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
                  f"{dev['read_gbps'] / ref[threads]:6.2f}   (target >= {READ_TARGET})\n")
            targets.at_least(f"streaming read / likwid {test}, {threads} threads", dev['read_gbps'] / ref[threads], READ_TARGET)
    else:
        print("  likwid-bench not available (apt-get install likwid): no reference, no target checked\n")

    implied, gemv, missing = {}, [], []
    for r in csv.DictReader(open(validation)):
        if r["depth"] == "0":
            implied.setdefault(r["quant"], []).append(float(r["implied_decode_GBps"]))
    print(f"decode GEMV, GB/s of weights ({threads} threads)   llama.cpp implied (median of rows)   ratio")
    for quant, fmt in (("Q4_0", "Q4_0"), ("Q8_0", "Q8_0"), ("Q4_K_M", "Q4_K"), ("Q6_K", "Q6_K"), ("F16", "F16"),
                       ("Q3_K_M", "Q3_K")):
        rate = next((g["weight_gbps"] for g in dev["gemv"] if g["format"] == fmt and g["threads"] == threads), None)
        llama = statistics.median(implied[quant]) if quant in implied else None
        if rate and llama:
            print(f"  {fmt:6} {rate:6.1f}        {quant:7} {llama:6.1f}                              {rate / llama:5.2f}")
            if quant not in MIXES:
                gemv.append((fmt, rate / llama))
        elif llama and quant not in MIXES:
            missing.append(fmt)
    print("\n(Q3_K_M and Q4_K_M mix formats, so their implied rate is the mix's; compare loosely.)\n")
    for fmt, ratio in gemv:
        targets.at_least(f"{fmt} GEMV / llama.cpp's implied rate", ratio, GEMV_TARGET)
    for fmt in missing:
        targets.check(f"{fmt} GEMV / llama.cpp's implied rate", f"not measured at {threads} threads", False,
                      f">= {GEMV_TARGET:g}")
    return targets.status()


if __name__ == "__main__":
    run_main(main)
