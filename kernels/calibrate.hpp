// The kernels adapter: short microbenchmarks that measure what decoding and prefill really get
// from this machine's CPU, per GGUF block format.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "types.hpp"

namespace benchr {

/// Bumped whenever a kernel changes what it measures: older cached calibrations are ignored.
constexpr int kKernelVersion = 6;

struct CalibrationOptions {
  double budget_s = 3.0;   ///< wall time for the whole run; steps that would overrun are skipped
  int threads = 0;         ///< "all threads": 0 means one per physical core
  std::function<void(std::string_view)> progress;  ///< told each step's name; may be empty
};

/// Measures the CPU: streaming read bandwidth (1 and all threads, pinned, first-touched by the
/// reader), decode GEMV over a matrix far larger than the last-level cache for each block format
/// (1 and all threads), an in-cache GEMM per format for prefill, and decode attention over an f16
/// KV cache. Never throws for a slow
/// or odd machine: what could not be measured is a note in the result. Each figure is the fastest
/// of its repetitions (after a warm-up), with the spread of all of them.
Calibration calibrate_cpu(const CpuInfo& cpu, const CalibrationOptions& options);

/// The kernel variants this build has ("generic", "avx2", "avx512") and whether this CPU can run
/// each; the last supported one is what calibrate_cpu uses.
std::vector<std::pair<std::string, bool>> cpu_kernel_variants();

}  // namespace benchr
