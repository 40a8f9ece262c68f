#!/usr/bin/env python3
"""bench/check_accuracy.py's 80% bands (calibrate_band): on residuals drawn with a known spread
between devices and within them, the band's held-out coverage lands in 75-85% and its edges near
the distribution's 10th and 90th percentiles; a class whose rows one biased device dominates gets
a margin beyond the other devices' quantiles; one on fewer than three devices gets no band.
Exits 1 on a failure (ctest: bench_bands)."""
import math, random

from checks import ca, check, finish


def draw(devices, rows_each, between, within, seed):
    """log(measured / predicted): a bias per device (sd `between`) plus noise per row (sd `within`)."""
    rng = random.Random(seed)
    r, device = {}, {}
    for d in range(devices):
        bias = rng.gauss(0, between)
        for _ in range(rows_each):
            i = len(r)
            r[i], device[i] = bias + rng.gauss(0, within), f"dev{d}"
    return r, device


# 30 devices x 8 rows, sd 0.15 between devices and 0.10 within: log residuals of sd 0.18, so the
# 10th-90th percentiles sit at exp(-+1.2816 x 0.180) = x0.79 .. x1.26.
r, device = draw(30, 8, 0.15, 0.10, seed=1)
lo, hi, cov, lt, ht, ndev, margin = ca.calibrate_band(list(r), r, device)
check("held-out coverage of a band calibrated on 30 devices is 75-85%", 0.75 <= cov <= 0.85, f"{100 * cov:.0f}%")
sd = math.hypot(0.15, 0.10)
check("its low edge is near the 10th percentile (x0.79)", abs(math.log(lo) + 1.2816 * sd) < 0.08, f"x{lo:.2f}")
check("its high edge is near the 90th percentile (x1.26)", abs(math.log(hi) - 1.2816 * sd) < 0.08, f"x{hi:.2f}")

# One device with most of the rows and a bias of its own (as Strix Halo among the APUs): the
# other devices' residuals, even at their extremes, miss its rows, so the band reaches 80% held-out
# coverage only with a margin beyond their quantiles, and it is wider than the plain 10th-90th
# percentiles of all rows.
r2, device2 = draw(6, 5, 0.10, 0.08, seed=2)
for k in range(60):
    r2[1000 + k], device2[1000 + k] = 0.35 + random.Random(k).gauss(0, 0.25), "big"
lo2, hi2, cov2, lt2, ht2, _, m2 = ca.calibrate_band(list(r2), r2, device2)
check("with one dominant, biased device the held-out coverage is 75-85%", 0.75 <= cov2 <= 0.85, f"{100 * cov2:.0f}%")
check("by a margin beyond the other devices' quantiles", m2 > 0, f"x{math.exp(m2):.2f}")
plain = sorted(r2.values())
check("and wider than the 10th-90th percentiles", math.log(hi2 / lo2) > ca.quantile(plain, 0.9) - ca.quantile(plain, 0.1),
      f"x{lo2:.2f}..x{hi2:.2f} against x{math.exp(ca.quantile(plain, 0.1)):.2f}..x{math.exp(ca.quantile(plain, 0.9)):.2f}")

# Two devices: a band held out from one is the other chip's spread alone; none is given.
r3, device3 = draw(2, 20, 0.2, 0.1, seed=3)
lo3, hi3, cov3, *_ = ca.calibrate_band(list(r3), r3, device3)
check("two devices give no band", lo3 == hi3 == 0 and cov3 is None, f"{lo3}, {hi3}, {cov3}")

finish()
