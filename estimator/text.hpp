// Number formatting for the estimator's explanations (bottlenecks, assumptions, reasons).
// Private to estimator/.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

#include "types.hpp"

namespace benchr {

/// One number through a printf format; unless told, 3 significant digits, and no exponent for
/// the thousands (2910, not 2.91e+03). NaN and infinity are "unknown" (the app's output guard's
/// rule, app/guard.hpp), -0 is 0, and from 1e15 up the figure keeps 3 significant digits whatever
/// the format (a figure that large comes from an absurd input; hundreds of digits would hide it).
inline std::string fixed(double x, const char* fmt = nullptr) {
  if (!std::isfinite(x)) return "unknown";
  x += 0.0;
  char buf[48];
  if (!fmt || std::fabs(x) >= 1e15) fmt = x >= 1000 && x < 1e9 ? "%.0f" : "%.3g";
  std::snprintf(buf, sizeof buf, fmt, x);
  return buf;
}

/// A speed in tok/s: 0 is the estimator's "no rate known" (unknown); below 0.1, two significant
/// digits (never "0.0" for a rate that is not 0).
inline std::string tps_text(double x) { return !(x > 0) ? "unknown" : fixed(x, x >= 0.1 ? "%.1f" : "%.2g"); }

/// A compute rate given in GFLOP/s, in GFLOP/s or TFLOP/s.
inline std::string flops(double gflops) {
  return gflops >= 1000 ? fixed(gflops / 1000) + " TFLOP/s" : fixed(gflops) + " GFLOP/s";
}

inline std::string gib(double bytes) { return fixed(bytes / kGiB, "%.1f GiB"); }

inline std::string money(double usd) { return fixed(usd, usd < 10 ? "$%.2f" : "$%.0f"); }

}  // namespace benchr
