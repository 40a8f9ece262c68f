#!/usr/bin/env python3
"""How a quant's quality loss scales with model size: kRetentionSizeExponent, out of sample.

The loss of a quant is ln(PPL(quant) / PPL(F16)). llama.cpp's k-quants pull request measured the
same quants on two sizes of one family, so the exponent a in loss(P) ~ P^-a is fitted from them
(the median over the quants), and each quant's 13B loss is predicted from its 7B loss with the
exponent fitted on the other quants only (leave one quant out). Prints the errors beside those of
no size scaling (a = 0); exits 1 when the fitted exponent is not the one estimator/estimator.hpp
uses, or the out-of-sample predictions are no better than no scaling.

Source: ggml-org/llama.cpp pull request #1684 "k-quants" (ikawrakow, 2023-06), its description's
table: LLaMA (v1) 7B and 13B, Wikitext-2 perplexity (as also copied into llama.cpp's quantize
README of the time). Parameters: LLaMA 7B 6.74B, 13B 13.02B (LLaMA paper, Touvron et al. 2023).

Usage: python3 bench/check_retention_scaling.py
"""
import math
import statistics
import sys

F16 = {"7B": 5.9066, "13B": 5.2543}
PPL = {  # quant: (7B, 13B)
    "Q2_K": (6.7764, 5.8545),
    "Q3_K_M": (6.1503, 5.4498),
    "Q4_K_S": (6.0215, 5.3404),
    "Q5_K_S": (5.9419, 5.2785),
    "Q6_K": (5.9110, 5.2568),
}
PARAMS = {"7B": 6.74, "13B": 13.02}
USED = 0.363  # estimator/estimator.hpp kRetentionSizeExponent


def loss(q, size):
    return math.log(PPL[q][0 if size == "7B" else 1] / F16[size])


def exponent(q):
    return math.log(loss(q, "7B") / loss(q, "13B")) / math.log(PARAMS["13B"] / PARAMS["7B"])


def main():
    fitted = statistics.median(exponent(q) for q in PPL)
    print(f"exponent per quant: " + ", ".join(f"{q} {exponent(q):.3f}" for q in PPL))
    print(f"median (the constant): {fitted:.3f}; estimator uses {USED}")
    print(f"\n{'quant':<8} {'a (others)':>10} {'13B loss':>9} {'predicted':>9} {'error':>7} {'a=0 error':>9}"
          f" {'retention':>9} {'predicted':>9}")
    errs, errs0 = [], []
    for q in PPL:
        a = statistics.median(exponent(o) for o in PPL if o != q)
        pred = loss(q, "7B") * (PARAMS["7B"] / PARAMS["13B"]) ** a
        meas = loss(q, "13B")
        e, e0 = pred / meas - 1, loss(q, "7B") / meas - 1
        errs.append(abs(e)), errs0.append(abs(e0))
        print(f"{q:<8} {a:>10.3f} {meas:>9.5f} {pred:>9.5f} {e:>+7.1%} {e0:>+9.1%} {math.exp(-meas):>9.4f}"
              f" {math.exp(-pred):>9.4f}")
    print(f"\nout of sample: median |error| {statistics.median(errs):.1%} (no size scaling: "
          f"{statistics.median(errs0):.1%}); worst {max(errs):.1%} ({max(errs0):.1%})")
    failed = []
    if abs(fitted - USED) > 0.0005:
        failed.append(f"fitted exponent {fitted:.4f} != kRetentionSizeExponent {USED}")
    if statistics.median(errs) >= statistics.median(errs0):
        failed.append("size scaling predicts no better than none")
    for f in failed:
        print("FAILED: " + f)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
