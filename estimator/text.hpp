// Number formatting for the estimator's explanations (bottlenecks, assumptions, reasons).
// Private to estimator/.
#pragma once

#include <cstdio>
#include <string>

#include "types.hpp"

namespace benchr {

/// One number through a printf format; unless told, 3 significant digits, and no exponent for
/// the thousands (2910, not 2.91e+03).
inline std::string fixed(double x, const char* fmt = nullptr) {
  char buf[48];
  if (!fmt) fmt = x >= 1000 && x < 1e9 ? "%.0f" : "%.3g";
  std::snprintf(buf, sizeof buf, fmt, x);
  return buf;
}

/// A compute rate given in GFLOP/s, in GFLOP/s or TFLOP/s.
inline std::string flops(double gflops) {
  return gflops >= 1000 ? fixed(gflops / 1000) + " TFLOP/s" : fixed(gflops) + " GFLOP/s";
}

inline std::string gib(double bytes) { return fixed(bytes / kGiB, "%.1f GiB"); }

inline std::string money(double usd) { return fixed(usd, usd < 10 ? "$%.2f" : "$%.0f"); }

}  // namespace benchr
