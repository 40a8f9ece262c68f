#!/usr/bin/env python3
"""Decode on Apple silicon, MLX and llama.cpp, from bench/published_mlx.csv.

Each row with a chip, model and quant the catalog knows becomes `benchr-advise estimate --hardware
ID` (datasheet bandwidth and the Metal constants fitted by bench/check_accuracy.py) at the row's
prompt length as depth. Rows whose model (Gemma 4, MiniMax), quant (unstated bits,
MLX 6-bit, MLX MXFP4) or chip the catalog lacks are named and skipped. Short rows (prompt up to
4096 tokens) make the medians; longer ones are printed apart.

Each row also prints the fixed cost per layer it implies once its bytes are streamed at the
datasheet bandwidth x the engine's decode efficiency: (1/measured - bytes/bandwidth) / layers.
The medians of the short rows, per engine, are what estimator/speed.cpp uses for MLX; a
grid fit of both the efficiency and the per-layer cost of the MLX rows is printed beside it.
Targets: each engine's short rows median |error| <= 10% (MEDIAN_ERROR_TARGET), and at least 80%
of the MLX short rows within 20% (MLX_WITHIN_20_TARGET).
Usage: python3 bench/check_mlx.py [--bin build/app/benchr-advise]
"""
import csv, os, statistics, tomllib

from benchlib import HERE as here, Targets, binary, catalog_file, catalog_models, estimate, parser, run_main

# These rows are in-sample (MLX's per-layer cost is the median they imply): they should do at least
# as well as the corpus out of sample, 9.4% median leaving one source out (README "How accurate,
# out of sample"); README's bench/ table quotes 83% of the MLX rows within 20%.
MEDIAN_ERROR_TARGET = 0.10
MLX_WITHIN_20_TARGET = 0.80
SHORT = 4096

# Chip -> catalog entry. Bandwidth is what matters; where a tier has two bandwidths the row's GPU
# cores or memory size decides (M3 Max: 30-core 300 GB/s with 36/96 GB, 40-core 400 GB/s with
# 48/64/128 GB; M4 Max: 32-core 410 GB/s with 36 GB, 40-core 546 GB/s otherwise; Apple's specs).
def chip(name, cores, mem):
    n = name.lower()
    for tier in ("ultra", "max", "pro"):
        if tier in n:
            break
    else:
        tier = ""
    gen = next((g for g in ("m1", "m2", "m3", "m4", "m5") if g in n), None)
    if tier == "max" and gen == "m3":
        return "apple-m3-max-30gpu-36gb" if cores == "30" or mem in ("36", "96") else "apple-m3-max-40gpu-128gb"
    if tier == "max" and gen == "m4":
        if not cores and not mem:
            return None
        return "apple-m4-max-32gpu-36gb" if cores == "32" or mem == "36" else "apple-m4-max-128gb"
    return {("m1", "pro"): "apple-m1-pro-16gpu-32gb", ("m1", "max"): "apple-m1-max-32gpu-64gb",
            ("m1", "ultra"): "apple-m1-ultra-64gpu-128gb", ("m2", "pro"): "apple-m2-pro-16gpu-32gb",
            ("m2", "max"): "apple-m2-max-30gpu-32gb", ("m2", "ultra"): "apple-m2-ultra-76gpu-192gb",
            ("m3", "pro"): "apple-m3-pro-18gpu-36gb", ("m3", "ultra"): "apple-m3-ultra-512gb",
            ("m4", ""): "apple-m4-16gb", ("m4", "pro"): "apple-m4-pro-64gb",
            ("m5", "max"): "apple-m5-max-40gpu-128gb"}.get((gen, tier))

# Published name (lower case, first match wins) -> catalog model. Same-shape stand-ins: Llama 3 70B
# for 3.1 70B, Qwen2.5-Coder-14B and the 1M-context Qwen2.5-7B for their base models,
# Phi-4-reasoning-plus for Phi-4-reasoning, Qwen3.6-35B-A3B for Qwen3.5's (same config), Qwen3-Coder-Next for
# Qwen3-Next 80B-A3B (same dimensions).
MODELS = [("distill-llama-70b", "deepseek-r1-distill-llama-70b"), ("distill-qwen-32b", "deepseek-r1-distill-qwen-32b"),
          ("distill-qwen-14b", "deepseek-r1-distill-qwen-14b"), ("distill-qwen-7b", "deepseek-r1-distill-qwen-7b"),
          ("llama-3.3-70b", "llama-3.3-70b"), ("llama-3-70b", "llama-3.1-70b"), ("llama-3.1-8b", "llama-3.1-8b"),
          ("qwen2.5-7b", "qwen2.5-7b"), ("qwen2.5-coder-14b", "qwen2.5-14b"), ("phi-4-reasoning", "phi-4-reasoning"),
          ("phi-4", "phi-4"), ("gemma-3-12b", "gemma-3-12b"), ("qwen3-4b", "qwen3-4b"), ("qwen3-8b", "qwen3-8b"),
          ("qwen3-30b-a3b", "qwen3-30b-a3b"), ("mistral-7b", "mistral-7b"), ("gpt-oss-20b", "gpt-oss-20b"),
          ("gpt-oss-120b", "gpt-oss-120b"), ("deepseek-r1 (671b", "deepseek-r1"), ("qwen3.5-35b-a3b", "qwen3.5-35b-a3b"),
          ("qwen3.6-35b-a3b", "qwen3.5-35b-a3b"), ("qwen3.5-122b-a10b", "qwen3.5-122b-a10b"), ("qwen3.5-9b", "qwen3.5-9b"),
          ("qwen3.5-4b", "qwen3.5-4b"), ("qwen3-coder-next", "qwen3-next-80b-a3b")]

def model(name):
    n = name.lower()
    if "inferred" in n:
        return None
    return next((mid for key, mid in MODELS if key in n), None)

def quant(engine, q):
    if engine == "mlx":
        return {"MLX 4-bit": "MLX-4bit", "MLX 8-bit": "MLX-8bit"}.get(q.split(" (")[0])
    for name in ("Q4_K_M", "Q8_0", "Q4_0"):
        if q.startswith(name) or q.startswith("UD-" + name):  # Unsloth's dynamic mixes: near their base type
            return name
    return "MXFP4" if q.startswith("MXFP4 GGUF") else None

# The efficiency each engine's bytes are divided by, for the implied per-layer cost: Metal's
# (estimator/machine.cpp, kDecodeEfficiencyMetal) for both.
EFFICIENCY = 0.945
def main():
    exe = binary(parser(__doc__).parse_args())
    targets = Targets()
    layers = catalog_models()
    with open(os.path.join(here, "..", "data", "hardware.toml"), "rb") as f:
        bandwidth = {h["id"]: h["memory_bandwidth_gbps"] for h in tomllib.load(f)["hardware"]}
    catalog = catalog_file("")

    rows, implied, fit_rows, sources = [], {"mlx": [], "llama.cpp": []}, [], {"mlx": set(), "llama.cpp": set()}
    print(f"{'engine':<9} {'model':<29} {'quant':<8} {'hardware':<26} {'depth':>5} {'pred':>6} {'meas':>6} {'ratio':>5} "
          f"{'us/layer':>8}")
    for r in csv.DictReader(open(os.path.join(here, "published_mlx.csv"))):
        eng, mid, hw = r["engine"], model(r["model"]), chip(r["chip"], r["gpu_cores"], r["memory_gb"])
        q = quant(eng, r["quant"])
        if not (mid and hw and q):
            print(f"skipped: {eng} {r['chip']} {r['model']} {r['quant']}")
            continue
        depth = int(r["prompt_tokens"] or 0)
        e, err = estimate(exe, catalog, "--model", mid, "--quant", q, "--hardware", hw, "--context", str(max(depth, 512) + 512),
                          "--depth", str(depth), "--no-calibrate")
        if e is None:
            print(f"error: {mid} {q} {hw}: {err}")
            continue
        meas = float(r["decode_tps"])
        bytes_per_token = e["bytes_per_token"]
        cost = (1 / meas - bytes_per_token / (bandwidth[hw] * 1e9 * EFFICIENCY)) / layers[mid]["layers"] * 1e6
        short = depth <= SHORT
        if short:
            rows.append((eng, e["decode_tps"] / meas))
            implied[eng].append(cost)
            sources[eng].add(r["source"].split("/tree/")[0].split("/blob/")[0])
            if eng == "mlx":
                fit_rows.append((meas, bytes_per_token / (bandwidth[hw] * 1e9), layers[mid]["layers"]))
        print(f"{eng:<9} {mid:<29} {q:<8} {hw:<26} {depth:>5} {e['decode_tps']:>6.1f} {meas:>6.1f} {e['decode_tps'] / meas:>5.2f} "
              f"{cost:>8.0f}{'' if short else '  (long prompt)'}{'' if e['fits'] else '  (does not fit)'}")
    os.unlink(catalog)

    print()
    summaries = {}
    for eng in ("mlx", "llama.cpp"):
        ratios = [x for g, x in rows if g == eng]
        if ratios:
            errs = [abs(x - 1) for x in ratios]
            print(f"{eng:<9} short rows n={len(ratios):>2} ({len(sources[eng])} sources)  median |error| {statistics.median(errs) * 100:5.1f}%  "
                  f"within 20%: {sum(e <= 0.2 for e in errs) / len(errs) * 100:.0f}%  median ratio {statistics.median(ratios):.2f}  "
                  f"implied per-layer cost median {statistics.median(implied[eng]):.0f} us")
            summaries[eng] = (statistics.median(errs), sum(e <= 0.2 for e in errs) / len(errs))

    # Both MLX constants at once, as bench/check_accuracy.py fits each backend's: the efficiency and
    # per-layer cost that minimise the median |relative error| of the short MLX rows (grid search).
    def median_error(eff, us):
        return statistics.median(abs(1 / (t / eff + n * us * 1e-6) / meas - 1) for meas, t, n in fit_rows)
    if fit_rows:
        err, eff, us = min((median_error(eff / 1000, us), eff / 1000, us) for eff in range(500, 1001, 5) for us in range(0, 301, 2))
        print(f"mlx fit of both: efficiency {eff:.3f}, {us} us a layer: median |error| {err * 100:.1f}%")
    print()
    for eng in ("mlx", "llama.cpp"):
        if eng not in summaries:
            targets.check(f"{eng} short rows", "none predicted", False, ">= 1")
            continue
        targets.at_most(f"{eng} short rows, median |error|", 100 * summaries[eng][0], 100 * MEDIAN_ERROR_TARGET, "%")
    if "mlx" in summaries:
        targets.at_least("mlx short rows within 20%", 100 * summaries["mlx"][1], 100 * MLX_WITHIN_20_TARGET, "%")
    return targets.status()


if __name__ == "__main__":
    run_main(main)
