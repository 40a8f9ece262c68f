// Number formatting for the estimator's explanations (bottlenecks, assumptions, reasons).
// Private to estimator/.
#pragma once

#include <cstdio>
#include <string>

#include "types.hpp"

namespace benchr {

/// One number through a printf format ("%.3g" unless told).
inline std::string fixed(double x, const char* fmt = "%.3g") {
  char buf[48];
  std::snprintf(buf, sizeof buf, fmt, x);
  return buf;
}

inline std::string gib(double bytes) { return fixed(bytes / kGiB, "%.1f GiB"); }

inline std::string money(double usd) { return fixed(usd, usd < 10 ? "$%.2f" : "$%.0f"); }

}  // namespace benchr
