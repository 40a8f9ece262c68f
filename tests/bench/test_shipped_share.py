#!/usr/bin/env python3
"""bench/check_accuracy.py's folds must not depend on the constants the binary ships: an APU's
predicted prompt time under fitted constants c, and attention's share of it (which decides the
rows that fit kGpuAttentionShare), come out the same whether the binary applied an APU share of
0.49 or 0.60, while the binary's own times differ; so does an MoE's under fitted experts' loads
and tile width, whatever share and width the binary applied. On synthetic rows as two binaries
would print them (session 16: the rows were chosen on the binary's times, and a 0.60 binary moved
every fold's APU figures). Exits 1 on a failure (ctest: bench_shipped_share)."""
from checks import ca, check, finish

DS, EFF, ATT = 59.4e3, 0.369, 0.45  # datasheet GFLOP/s, Vulkan's prefill efficiency, attention's share


def row(shipped, gflop_per_token, att_gflop, key="vulkan", fitted_key=True):
    """One prompt row of an APU as a binary shipping `shipped` prints it: the weight products at
    datasheet x efficiency x the share, attention at kGpuAttentionShare of the rate before it."""
    rate = DS * EFF * shipped
    weights_s, att_s = gflop_per_token / rate, att_gflop / (DS * EFF * ATT)
    pool = {"concurrent": False, "backend": "vulkan", "_key": key if fitted_key else "vulkan-x",
            "compute_gflops": rate, "datasheet_gflops": DS, "prefill_efficiency": EFF * shipped, "gemm_cap_gflops": 0,
            "prefill": {"s_per_token": weights_s + att_s, "routed_experts_s": 0, "expert_read_s": 0,
                        "attention_scores_s": 0, "attention_s": att_s, "attention_share": ATT, "tokens_per_expert": 0}}
    return {"ep": {"prefill_tps": 1 / (weights_s + att_s), "breakdown": {"prefill_comm_s_per_token": 0, "pools": [pool]}},
            "backend": "vulkan", "apu": True, "pp": 500.0}


c = {("p", "vulkan"): 0.40, "apu": 0.55, "kr": None, "att": 0.30}
ca.A0 = ATT
got = {}
for shipped in (0.49, 0.60):
    ca.c0_apu = shipped
    x, bare = row(shipped, 16.0, 6.0), row(shipped, 16.0, 6.0, fitted_key=False)
    binary_frac = x["ep"]["breakdown"]["pools"][0]["prefill"]["attention_s"] * x["ep"]["prefill_tps"]
    got[shipped] = (ca.prefill_pred(x, c), ca.att_frac(x, c), binary_frac, ca.prefill_pred(bare, c))

(p49, f49, b49, k49), (p60, f60, b60, k60) = got[0.49], got[0.60]
check("the binaries' own attention shares differ (the case is one that moved rows)", abs(b49 - b60) > 0.02,
      f"{b49:.3f} vs {b60:.3f}")
check("the prompt rate under fitted constants is the same under either binary", abs(p49 / p60 - 1) < 1e-9,
      f"{p49:.2f} vs {p60:.2f} tok/s")
check("attention's share of it, which picks the attention rows, is the same", abs(f49 - f60) < 1e-9,
      f"{f49:.4f} vs {f60:.4f}")
check("and is taken under the fitted constants, not the binary's", abs(f49 - b49) > 0.02 and abs(f49 - b60) > 0.02,
      f"{f49:.3f}")
check("a pool whose key has no fitted efficiency follows the fitted APU share", abs(k49 / k60 - 1) < 1e-9,
      f"{k49:.2f} vs {k60:.2f} tok/s")
# An MoE row on a discrete GPU as two binaries print it: one shipping the experts' loads at 0.18 of
# the bandwidth and tiles of 32 tokens, one 0.29 and 48. Its 32 tokens an expert cost 1x and
# 1.5x their arithmetic. Under fitted constants (a share 0.30, tiles of 64) both give one rate.
def moe_row(share, tile, tpe=32.0, arith_s=2e-4, load_bytes=4e-4):
    routed = arith_s * ca.padding(tpe, tile)
    read = load_bytes / share
    pool = {"concurrent": False, "backend": "cuda", "_key": "cuda", "compute_gflops": 1e5, "datasheet_gflops": 1e5 / 0.6,
            "prefill_efficiency": 0.6, "gemm_cap_gflops": 0,
            "prefill": {"s_per_token": 1e-4 + routed + read, "routed_experts_s": routed + read, "expert_read_s": read,
                        "attention_scores_s": 0, "attention_s": 0, "attention_share": 1, "tokens_per_expert": tpe,
                        "expert_read_share": share, "expert_tile_tokens": tile}}
    return {"ep": {"prefill_tps": 1 / pool["prefill"]["s_per_token"],
                   "breakdown": {"prefill_comm_s_per_token": 0, "pools": [pool]}},
            "backend": "cuda", "apu": False, "pp": 500.0}


fitted = {("p", "cuda"): 0.6, "apu": 1.0, "kr": 0.30, "tile": 64}
rates = {}
for share, tile in ((0.18, 32), (0.29, 48)):
    ca.R0, ca.T0, ca.c0_apu = share, tile, 1.0
    x = moe_row(share, tile)
    rates[share] = (ca.prefill_pred(x, fitted), x["ep"]["prefill_tps"])
(a, a_bin), (b, b_bin) = rates[0.18], rates[0.29]
check("the two binaries' own MoE prompt rates differ", abs(a_bin / b_bin - 1) > 0.05, f"{a_bin:.0f} vs {b_bin:.0f} tok/s")
check("the MoE prompt rate under fitted loads' share and tile width is the same under either", abs(a / b - 1) < 1e-9,
      f"{a:.1f} vs {b:.1f} tok/s")
check("and is the fitted one: 32 tokens in one tile of 64 (2x), loads at 0.30",
      abs(1 / a - (1e-4 + 2e-4 * 2 + 4e-4 / 0.30)) < 1e-12, f"{a:.1f} tok/s")
finish()
