#!/usr/bin/env python3
"""bench/check_accuracy.py's build era: a run without a date is dated by its llama.cpp build number,
and the decode fit takes today's per-layer overhead from 2025+ builds while older builds pay a
fitted extra (--build-era). A backend whose rows have no MoE layer (or no older build) is still
fitted (its empty column once made the system singular and the fold kept the shipped constants).
On synthetic rows with a known efficiency and known overheads per era, fit_decode
recovers today's overhead (and the blend it replaces does not). Exits 1 on a failure (ctest:
bench_build_era)."""
from checks import ca, check, finish


run = lambda **kw: dict({"date": "", "build": "", "source_id": "X"}, **kw)
check("a dated run is dated by its date", ca.current(run(date="2025-03", build="b1000")), "2025-03 -> 2025+")
check("an undated build 6413 is a 2025+ build", ca.current(run(build="233d773d0 (6413)")), "(6413)")
check("an undated b4011 is older", not ca.current(run(build="b4011")), "b4011")
check("a build count below 1000 is no llama.cpp build number", ca.build_number(run(build="463b6a9 (1)")) is None,
      ca.build_number(run(build="463b6a9 (1)")))
check("an undated run of a 2025 scoreboard is current", ca.current(run(source_id="L15021")), "L15021")

# Six Vulkan devices (200-1000 GB/s), a 32-layer model of 4 GB and of 2 GB: today's builds stream at
# 0.85 of the datasheet and pay 40 us a layer; builds before 2025 pay 150 us.
E, O_NOW, O_OLD, LAYERS = 0.85, 40e-6, 150e-6, 32


def row(device, bw, gb, current):
    o = O_NOW if current else O_OLD
    tg = 1 / (gb / (bw * E) + LAYERS * o)
    pool = {"concurrent": False, "backend": "vulkan", "decode_efficiency": 0.8, "datasheet_gbps": bw,
            "gemv_cap_gbps": 0, "layer_overhead_s": 100e-6, "llama_cpp": True, "layers": LAYERS, "moe_layers": 0,
            "moe_layer_extra_s": 0.0,
            "decode": {"weight_s": gb / (bw * 0.8), "compute_s": 0, "kv_s": 0, "weight_bytes": gb * 1e9, "kv_bytes": 0,
                       "kv_reread_bytes": 0, "overhead_s": LAYERS * 100e-6, "routed_bytes": 0}}
    return {"e": {"breakdown": {"comm_s": 0, "pools": [pool]}}, "tg": tg, "current": current, "device": device,
            "backend": "vulkan", "intel": False, "units": False, "gdn_share": 0, "g0": 0}


rows = [row(f"d{i}", bw, gb, cur) for i, bw in enumerate((200, 360, 500, 640, 800, 1000))
        for gb in (4, 2) for cur in ((True, False) if i % 2 else (i < 3,))]
c0 = {("e", "vulkan"): 0.8, ("o", "vulkan"): 100e-6, ("m", "vulkan"): 0.0}
ca.BUILD_ERA = True  # --build-era
c = ca.fit_decode(rows, c0, dict(c0))
check("today's per-layer overhead is what 2025+ builds pay (40 us)", abs(c[("o", "vulkan")] - O_NOW) < 2e-6,
      f"{c[('o', 'vulkan')] * 1e6:.1f} us")
check("older builds pay 110 us more", abs(c[("d", "vulkan")] - (O_OLD - O_NOW)) < 3e-6, f"{c[('d', 'vulkan')] * 1e6:.1f} us")
check("the efficiency is fitted on every build (0.85)", abs(c[("e", "vulkan")] - E) < 0.01, f"{c[('e', 'vulkan')]:.3f}")
check("every row is predicted", all(abs(ca.decode_pred(x, c) / x["tg"] - 1) < 0.01 for x in rows), "within 1%")
ca.BUILD_ERA = False  # the default
blend = ca.fit_decode(rows, c0, dict(c0))
worst = max(abs(ca.decode_pred(x, blend) / x["tg"] - 1) for x in rows)
check("one overhead for every build (the default) misses some rows by over 10%", worst > 0.10, f"{100 * worst:.0f}%")
# With rows of one era on a single device, no extra is fitted.
ca.BUILD_ERA = True
one = [x for x in rows if x["current"] or x["device"] == "d1"]
c1 = ca.fit_decode(one, c0, dict(c0))
check("no era extra where older builds ran on one device", c1[("d", "vulkan")] == 0, f"{c1[('d', 'vulkan')] * 1e6:.1f} us")

finish()
