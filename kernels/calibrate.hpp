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
/// 14: the all-threads streaming read takes 1 MiB chunks from a shared counter (as the GEMV takes
/// rows) instead of one slice per thread, so on a machine of several NUMA nodes it reads remote
/// pages as llama.cpp's threads do; repetitions are time slices.
/// 15: a step with no quiet repetition is timed by its threads' CPU time, not the wall's.
/// 16: a repetition is timed from its first thread's start to its last thread's end, not across
/// the barriers around it, and a thread's late start counts as time it lost.
constexpr int kKernelVersion = 16;

struct CalibrationOptions {
  /// Wall time for the whole run. Every step is always measured: a repetition is cut to a time
  /// slice where a whole pass would not fit (a note names those steps), past the budget the rest
  /// run with the fewest repetitions (a note says when the run took longer), none is skipped.
  double budget_s = 3.0;
  int threads = 0;         ///< "all threads": 0 means one per physical core
  std::function<void(std::string_view)> progress;  ///< told each step's name; may be empty
  /// Vulkan: also measure software devices (lavapipe: Vulkan on the CPU). Off for users, whose
  /// models never go there; the tests turn it on to run the whole GPU path on any machine.
  bool include_software = false;
  /// CPU: only the streaming read (1 and all threads): the short check of whether a calibration
  /// taken on a busy machine holds on a quiet one (app/calibration.cpp).
  bool read_only = false;
};

/// Measures the CPU: streaming read bandwidth (1 and all threads, pinned, first-touched by the
/// reader), decode GEMV over a matrix far larger than the last-level cache for each block format
/// (1 and all threads), an in-cache GEMM per format for prefill, and decode attention over an f16
/// KV cache. Never throws for a slow
/// or odd machine: what could not be measured is a note in the result. Each figure is the fastest
/// of its quiet repetitions (after a warm-up; quiet: no thread lost its CPU to another task or the
/// hypervisor), with the spread of all of them; quality.contended_steps names the steps that had
/// no quiet repetition (their figure is the fastest of all timed by the threads' CPU time).
Calibration calibrate_cpu(const CpuInfo& cpu, const CalibrationOptions& options);

/// The kernel variants this build has ("generic", "avx2", "avx512") and whether this CPU can run
/// each; the last supported one is what calibrate_cpu uses.
std::vector<std::pair<std::string, bool>> cpu_kernel_variants();

/// Measures every Vulkan device (loader opened at run time) with compute shaders, GPU timestamps,
/// the fastest repetition after a warm-up, its spread: one DeviceCalibration per device measured,
/// named by the driver's deviceName, isa "vulkan", threads 0; read_gbps streams one large buffer
/// (read_gbps_1t = 0: no single-thread figure on a GPU); gemv holds Q4_0, Q8_0 and Q4_K (weight
/// bytes of the raw GGUF blocks / time, threads 0, f32 activations as llama.cpp's Vulkan mat-vec
/// shaders use); fma_gflops and fma_f16_gflops (0 without shaderFloat16) are peaks. gemm and
/// attention are not measured. A GPU takes at most min(options.budget_s, 2 s), a software device
/// options.budget_s (scenarios that start later run with two repetitions, with a note). Software devices are
/// skipped unless options.include_software. Never throws: no loader, driver or device, and each
/// failed scenario, is a note.
std::vector<DeviceCalibration> calibrate_vulkan(const CalibrationOptions& options, std::vector<std::string>& notes);

}  // namespace benchr
