#!/usr/bin/env python3
"""How well can any prediction match llama.cpp on this VM? The reference's own reproducibility.

Issue #3/#6's local decode target is median |error| <= 5% with every row within +-15%, against
bench/validation/local-llamacpp.csv. bench/live_runs/run*.csv are full runs of
bench/check_local_live.py (2026-11-28: runs 1-6 in sessions 3-5, 7-9 in session 7; tables in
bench/local_live_2026-11-28.md): the same llama.cpp build (de3ff81), the same 25 shapes x quants
x depths, the validation's protocol (llama-bench -t 2 -n 128 -r 3) on this kind of 2-core VM;
only llama.cpp's measured tok/s are used here, not the predictions. This prints
  1. llama.cpp now against the validation csv, run by run: the error a *perfect* predictor of
     llama.cpp-now would show against the csv;
  2. a hindsight oracle, each row's geometric mean over the runs (one fitted number per row:
     better than any model can do), against each run;
  3. each row's spread (coefficient of variation) over the runs.
If (1) and (2) miss the target, the target is below this machine's noise floor.
Usage: python3 bench/check_noise_floor.py [path/to/validation]
"""
import csv, glob, math, os, statistics, sys

here = os.path.dirname(os.path.abspath(__file__))
val = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "validation")
key = lambda r: (r.get("model_shape") or r["model"], r["quant"], r["depth"])
csv_tg = {key(r): float(r["tg128_tps"]) for r in csv.DictReader(open(os.path.join(val, "local-llamacpp.csv")))}
runs = []
for path in sorted(glob.glob(os.path.join(here, "live_runs", "run*.csv"))):
    runs.append((os.path.basename(path), {key(r): float(r["tg_meas"]) for r in csv.DictReader(open(path))}))
rows = sorted(set.intersection(*(set(d) for _, d in runs)) & set(csv_tg))


def summary(ratios):
    err = [abs(x - 1) for x in ratios]
    return (f"median |error| {100 * statistics.median(err):4.1f}%  max {100 * max(err):3.0f}%  "
            f"within 15%: {sum(e <= 0.15 for e in err):2d}/{len(err)}  "
            f"{'meets' if statistics.median(err) <= 0.05 and max(err) <= 0.15 else 'MISSES'} the target")


print(f"{len(runs)} live runs x {len(rows)} rows (decode, tg128)\n")
print("1. llama.cpp now / validation csv (a perfect predictor of llama.cpp-now, judged against the csv)")
for name, d in runs:
    print(f"   {name}: {summary([d[k] / csv_tg[k] for k in rows])}")
oracle = {k: math.exp(statistics.mean(math.log(d[k]) for _, d in runs)) for k in rows}
print("\n2. hindsight oracle (each row's geometric mean over the runs) / each run")
for name, d in runs:
    print(f"   {name}: {summary([oracle[k] / d[k] for k in rows])}")
print("\n3. each row over the runs: tok/s, and coefficient of variation")
cvs = []
for k in rows:
    v = [d[k] for _, d in runs]
    cvs.append(statistics.pstdev(v) / statistics.mean(v))
    print(f"   {k[0]:>18} {k[1]:>6} d{k[2]:<4} " + " ".join(f"{x:6.2f}" for x in v) + f"   cv {100 * cvs[-1]:4.1f}%"
          + f"   csv {csv_tg[k]:6.2f}")
print(f"\n   median cv {100 * statistics.median(cvs):.1f}%, max {100 * max(cvs):.1f}%")
