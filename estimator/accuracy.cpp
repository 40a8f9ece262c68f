#include "estimator.hpp"

namespace benchr {
namespace {

// 80% bands: quantiles of measured / predicted over each class's rows in bench/corpus/ (and, where a
// backend of the class has runs of at least 4 devices and 20 rows, over that backend's rows), every
// row predicted by constants fitted without its device (leave one device out), as
// bench/check_accuracy.py prints them ("bands in the form estimator/accuracy.cpp holds them"). The
// tails left out (0-20%, each end on its own) and a margin beyond them (x1.00-x1.16 at both ends)
// are those whose held-out coverage -- each row against the band built from the other devices'
// rows alone -- comes closest to 80%: 77-81% for every row below (bench/accuracy_2026-12-07.txt,
// 923 runs; bench/NOTES.md). The margin is where a class's devices differ by more than one
// device's runs do. A band whose held-out coverage cannot be brought into 75-85%, or whose rows
// come from fewer than three devices, is {0, 0}: not calibrated, and the estimate says so instead
// of giving a range. Arm CPUs have their own band, wider above (x1.52) than x86 CPUs' (x1.27):
// an M2 Max's cores decode F16 and Q8_0 at 2-4 threads 1.7-3.3x faster than predicted even at
// the doubled rates of their 128-byte lines (cache_line_bytes; machine.cpp kCpuRateLineBytes):
// their one-row dot products cost per weight more than per byte. The APUs' prefill band
// is the widest (x0.62 to x1.86): three devices, most rows one chip (Strix Halo) whose prompt
// speed spans 15x over builds, drivers and ROCm libraries, the other two fitting the APU share
// when it is held out.
constexpr int kAnyBackend = -1;
struct Band {
  AccuracyClass cls;
  int backend;  ///< int(Backend), or kAnyBackend: the class's band for every backend without its own
  Range decode, prefill;
};
constexpr Band kBands[] = {
    {AccuracyClass::cpu, kAnyBackend, {0.72, 1.27}, {0.31, 1.52}},
    {AccuracyClass::cpu_arm, kAnyBackend, {0.70, 1.52}, {0.51, 1.36}},
    {AccuracyClass::apple, kAnyBackend, {0.79, 1.13}, {0.83, 1.18}},
    {AccuracyClass::apu, kAnyBackend, {0.78, 1.06}, {0.62, 1.86}},
    {AccuracyClass::gpu_dense, int(Backend::cuda), {0.81, 1.12}, {0.59, 1.31}},
    {AccuracyClass::gpu_dense, int(Backend::vulkan), {0.82, 1.20}, {0.78, 1.31}},
    {AccuracyClass::gpu_dense, kAnyBackend, {0.83, 1.16}, {0.58, 1.27}},
    {AccuracyClass::gpu_moe, int(Backend::cuda), {0.67, 1.33}, {0.85, 1.56}},
    {AccuracyClass::gpu_moe, kAnyBackend, {0.76, 1.28}, {0.72, 1.46}},
    // A CPU this tool calibrated: measured / predicted over bench/live_runs/run7-9.csv (tables in
    // bench/local_live_2026-11-28.md; 75 decode rows, llama-bench run between two calibrations on 2
    // Zen 4 cores; no constant there was fitted on those rows). No live prefill rows were kept: no
    // prefill band.
    {AccuracyClass::cpu_calibrated, kAnyBackend, {0.86, 1.09}, {0, 0}},
    // A discrete CUDA or ROCm GPU typed without its SM / CU count and clock: the same quantiles
    // of bench/check_accuracy.py's "units withheld" regime (every device typed as a user's
    // --catalog entry with memory, bandwidth and FP16 only, the constants refitted so), over its
    // CUDA and ROCm rows, tails and margins chosen as above (held-out coverage 79-81%,
    // bench/accuracy_2026-12-07.txt). Wider below than with units: the A100, H100 and A30 rows
    // decode at 0.5-0.8 of what their bandwidth says.
    {AccuracyClass::gpu_dense_no_units, int(Backend::cuda), {0.72, 1.24}, {0.54, 1.22}},
    {AccuracyClass::gpu_dense_no_units, int(Backend::rocm), {0.76, 1.17}, {0.59, 1.80}},
    {AccuracyClass::gpu_dense_no_units, kAnyBackend, {0.76, 1.23}, {0.53, 1.24}},
    {AccuracyClass::gpu_moe_no_units, int(Backend::cuda), {0.80, 1.16}, {0.65, 1.52}},
    {AccuracyClass::gpu_moe_no_units, kAnyBackend, {0.88, 1.23}, {0.75, 1.60}},
};

const Band* band_of(AccuracyClass c, Backend b) {
  for (const Band& row : kBands)
    if (row.cls == c && row.backend == static_cast<int>(b)) return &row;
  for (const Band& row : kBands)
    if (row.cls == c && row.backend == kAnyBackend) return &row;
  return nullptr;
}

}  // namespace

std::string_view to_string(AccuracyClass c) {
  switch (c) {
    case AccuracyClass::cpu: return "cpu";
    case AccuracyClass::cpu_arm: return "cpu-arm";
    case AccuracyClass::apple: return "apple";
    case AccuracyClass::apu: return "apu";
    case AccuracyClass::gpu_dense: return "gpu-dense";
    case AccuracyClass::gpu_moe: return "gpu-moe";
    case AccuracyClass::cpu_calibrated: return "cpu-calibrated";
    case AccuracyClass::gpu_dense_no_units: return "gpu-dense-no-units";
    case AccuracyClass::gpu_moe_no_units: return "gpu-moe-no-units";
  }
  return "gpu-dense";
}

AccuracyClass accuracy_class(const Device& d, const ModelSpec& m) {
  if (d.kind == DeviceKind::cpu)
    return d.measured ? AccuracyClass::cpu_calibrated : d.arm_repack ? AccuracyClass::cpu_arm : AccuracyClass::cpu;
  if (d.backend == Backend::metal) return AccuracyClass::apple;
  if (d.unified_memory) return AccuracyClass::apu;
  if (d.units_unknown) return m.is_moe() ? AccuracyClass::gpu_moe_no_units : AccuracyClass::gpu_dense_no_units;
  return m.is_moe() ? AccuracyClass::gpu_moe : AccuracyClass::gpu_dense;
}

Range band(double predicted, AccuracyClass c, Backend b, bool decode) {
  const Band* row = band_of(c, b);
  if (!row) return {};
  const Range& r = decode ? row->decode : row->prefill;
  if (predicted <= 0 || r.high <= 0) return {};
  return {predicted * r.low, predicted * r.high};
}

bool band_calibrated(AccuracyClass c, Backend b, bool decode) {
  const Band* row = band_of(c, b);
  return row && (decode ? row->decode : row->prefill).high > 0;
}

}  // namespace benchr
