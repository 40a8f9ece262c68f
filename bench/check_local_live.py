#!/usr/bin/env python3
"""Accuracy check in one run: llama.cpp measured now on this machine against benchr-advise's prediction.

bench/check_local.py compares with bench/validation/local-llamacpp.csv, measured on another day
when this kind of VM read 34.5 GB/s; its bandwidth moves (30 to 63 GB/s within minutes), so that
comparison mixes two machine states. This check measures both sides back to back, row by row:
`benchr-advise calibrate`, then llama-bench on the same shape and quant (`-t 2 -p 512 -n 128 -r 3`,
the validation protocol, local-notes.md), then `estimate` on that fresh calibration, then a second
calibration. A row whose two reads differ by more than 15% ran on a moving machine and is marked.

Models are the validation shapes (local-models.toml) with random weights: bench/synth_gguf.py writes
the F16 file, llama-quantize makes each quant (speed does not depend on weight values). llama.cpp is
the release the validation used, built from node-llama-cpp's bundle (local-notes.md):
  npm install node-llama-cpp@3.22.1 --ignore-scripts
  git clone node_modules/node-llama-cpp/llama/gitRelease.bundle llama.cpp && cd llama.cpp
  cmake -B build -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF -DBUILD_SHARED_LIBS=OFF
  cmake --build build -j2 --target llama-bench llama-quantize          # ~15 min on 2 cores
Usage: python3 bench/check_local_live.py --llama DIR_WITH_BINARIES --models DIR [--only MODEL[:QUANT],...]
       [--bin build/app/benchr-advise] [--validation bench/validation] [--no-prefill]
Target: decode median |error| <= 10% over the rows whose read held (DECODE_TARGET).
Needs ~35 GB of disk at the peak (the 8B's F16 and its quants); F16 files no row needs are removed.
Results and what they showed (this VM's bimodal bandwidth): bench/local_live_2026-11-28.md.
"""
import csv, json, os, statistics, subprocess, sys

from benchlib import HERE as here, VALIDATION, Targets, binary, existing, parser, run_main

# The full runs with the current kernels gave 8.1-9.2% (bench/local_live_2026-11-28.md, README).
DECODE_TARGET = 0.10


def main():
    p = parser(__doc__)
    p.add_argument("--llama", required=True, help="directory with llama-bench and llama-quantize")
    p.add_argument("--models", required=True, help="directory for the synthetic GGUF files")
    p.add_argument("--only", default="", help="comma-separated MODEL or MODEL:QUANT[:DEPTH] rows")
    p.add_argument("--validation", default=VALIDATION, help="folder of local-llamacpp.csv (default bench/validation)")
    p.add_argument("--no-prefill", action="store_true", help="decode only (-p 0): about half the time")
    p.add_argument("--out", default="", help="also write the rows as CSV here")
    a = p.parse_args()
    exe = binary(a)
    targets = Targets()
    shapes = os.path.join(here, "..", "tests", "catalog", "data", "local-models.toml")

    def run(cmd, **kw):
        return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout

    def wanted(r):
        if not a.only:
            return True
        for w in a.only.split(","):
            p = w.split(":")
            if p[0] == r["model_shape"] and (len(p) < 2 or p[1] == r["quant"]) and (len(p) < 3 or p[2] == r["depth"]):
                return True
        return False

    rows = [r for r in csv.DictReader(open(existing(os.path.join(a.validation, "local-llamacpp.csv"), "validation csv"))) if wanted(r)]
    os.makedirs(a.models, exist_ok=True)

    def gguf(model, quant):
        """The model file, made on first use: synthetic F16, then llama-quantize (2 threads)."""
        path = os.path.join(a.models, f"{model}-{quant}.gguf")
        if os.path.exists(path):
            return path
        f16 = os.path.join(a.models, f"{model}-F16.gguf")
        if not os.path.exists(f16):
            print(f"writing {f16}", file=sys.stderr)
            run([sys.executable, os.path.join(here, "synth_gguf.py"), shapes, model, f16])
        if quant != "F16":
            print(f"quantizing {model} to {quant}", file=sys.stderr)
            run([os.path.join(a.llama, "llama-quantize"), f16, path + ".tmp", quant, "2"])
            os.replace(path + ".tmp", path)
        return path

    def drop_f16_unless_needed(model):
        if not any(r["model_shape"] == model and r["quant"] == "F16" for r in rows):
            f16 = os.path.join(a.models, f"{model}-F16.gguf")
            if os.path.exists(f16):
                os.remove(f16)

    def calibrate():
        c = json.loads(run([exe, "calibrate", "--json"]))
        return next(d for d in c["devices"] if "read_gbps" in d)["read_gbps"]

    def bench(path, depth):
        out = json.loads(run([os.path.join(a.llama, "llama-bench"), "-m", path, "-t", "2", "-r", "3", "-o", "json",
                              "-n", "128", "-p", "0" if a.no_prefill else "512", "-d", str(depth)]))
        tg = next(x["avg_ts"] for x in out if x["n_gen"] > 0)
        pp = next((x["avg_ts"] for x in out if x["n_prompt"] > 0), float("nan"))
        return tg, pp

    def estimate(model, quant, depth):
        return json.loads(run([exe, "--catalog", shapes, "estimate", "--model", model, "--quant", quant,
                               "--context", "4096", "--depth", str(depth), "--prompt-tokens", "512", "--json"]))

    # Quantize everything first, so the timed part runs on a quiet machine.
    for i, r in enumerate(rows):
        gguf(r["model_shape"], r["quant"])
        if all(x["model_shape"] != r["model_shape"] for x in rows[i + 1:]):
            drop_f16_unless_needed(r["model_shape"])

    out, tg_err, pp_err, steady = [], [], [], []
    read_after = calibrate()
    for r in rows:
        read_before = read_after
        tg, pp = bench(gguf(r["model_shape"], r["quant"]), int(r["depth"]))
        e = estimate(r["model_shape"], r["quant"], int(r["depth"]))  # on the calibration just taken
        read_after = calibrate()
        moved = abs(read_after / read_before - 1) > 0.15
        res = dict(model=r["model_shape"], quant=r["quant"], depth=r["depth"], read_before=read_before,
                   read_after=read_after, tg_meas=tg, tg_pred=e["decode_tps"], pp_meas=pp, pp_pred=e["prefill_tps"],
                   tg_csv=float(r["tg128_tps"]), pp_csv=float(r["pp512_tps"]))
        out.append(res)
        tg_err.append(abs(res["tg_pred"] / tg - 1))
        if not moved:
            steady.append(tg_err[-1])
        if pp == pp:
            pp_err.append(abs(res["pp_pred"] / pp - 1))
        print(f"{r['model_shape']:>18} {r['quant']:>6} d{r['depth']:<4}  read {read_before:5.1f}->{read_after:5.1f}"
              f"  tg {tg:6.2f} pred {res['tg_pred']:6.2f} x{res['tg_pred'] / tg:.2f} (csv {res['tg_csv']:.2f})"
              f"  pp {pp:6.1f} pred {res['pp_pred']:6.1f} x{res['pp_pred'] / pp:.2f}" + ("  MOVED" if moved else ""),
              flush=True)

    def summary(name, errs):
        if errs:
            within = sum(e <= 0.15 for e in errs)
            print(f"{name}: median |error| {100 * statistics.median(errs):.1f}%, max {100 * max(errs):.0f}%, "
                  f"{within}/{len(errs)} within 15%")

    print()
    summary("decode, all rows", tg_err)
    summary("decode, rows whose read held within 15%", steady)
    summary("prefill", pp_err)
    now_vs_csv = [x["tg_meas"] / x["tg_csv"] for x in out]
    print(f"llama.cpp now / validation csv, decode: median {statistics.median(now_vs_csv):.2f}, "
          f"range {min(now_vs_csv):.2f}-{max(now_vs_csv):.2f}")
    if a.out:
        with open(a.out, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(out[0]))
            w.writeheader()
            w.writerows(out)
    print()
    if steady:
        targets.at_most("decode median |error|, rows whose read held", 100 * statistics.median(steady), 100 * DECODE_TARGET, "%")
    else:
        targets.check("decode rows whose read held", "none", False, ">= 1")
    return targets.status()


if __name__ == "__main__":
    run_main(main)
