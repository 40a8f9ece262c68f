#include "estimator.hpp"

namespace benchr {
namespace {

// 80% bands: percentiles of measured / predicted over each class's rows in bench/corpus/, every
// row predicted by constants fitted without its device (leave one device out), as
// bench/check_accuracy.py prints them ("bands in the form estimator/accuracy.cpp holds them").
// The tail left out at each end (10% down to 1%) is the one whose held-out coverage (each device's
// rows against a band built without it) comes closest to 80%; where one device holds most of a
// class's rows (Strix Halo among the APUs) even 1% tails cover 62-71%, and the band is wide:
// APU prefill rows of one chip span 15x over llama.cpp builds and drivers.
struct Band {
  Range decode, prefill;
};
constexpr Band kBands[] = {
    /* cpu */ {{0.70, 2.54}, {0.34, 1.28}},
    /* apple */ {{0.62, 1.10}, {0.68, 1.61}},
    /* apu */ {{0.25, 1.11}, {0.05, 1.91}},
    /* gpu_dense */ {{0.77, 1.13}, {0.47, 1.21}},
    /* gpu_moe */ {{0.69, 1.11}, {0.56, 1.59}},
    // A CPU this tool calibrated: measured / predicted over bench/live_runs/run7-9.csv (tables in
    // bench/local_live_2026-11-28.md; 75 decode rows, llama-bench run
    // between two calibrations on 2 Zen 4 cores; no constant there was fitted on those rows). No
    // live prefill rows were kept: no prefill band.
    /* cpu_calibrated */ {{0.86, 1.09}, {0, 0}},
};

}  // namespace

std::string_view to_string(AccuracyClass c) {
  switch (c) {
    case AccuracyClass::cpu: return "cpu";
    case AccuracyClass::apple: return "apple";
    case AccuracyClass::apu: return "apu";
    case AccuracyClass::gpu_dense: return "gpu-dense";
    case AccuracyClass::gpu_moe: return "gpu-moe";
    case AccuracyClass::cpu_calibrated: return "cpu-calibrated";
  }
  return "gpu-dense";
}

AccuracyClass accuracy_class(const Device& d, const ModelSpec& m) {
  if (d.kind == DeviceKind::cpu) return d.measured ? AccuracyClass::cpu_calibrated : AccuracyClass::cpu;
  if (d.backend == Backend::metal) return AccuracyClass::apple;
  if (d.unified_memory) return AccuracyClass::apu;
  return m.is_moe() ? AccuracyClass::gpu_moe : AccuracyClass::gpu_dense;
}

Range band(double predicted, AccuracyClass c, bool decode) {
  const Band& b = kBands[static_cast<int>(c)];
  const Range& r = decode ? b.decode : b.prefill;
  if (predicted <= 0 || r.high <= 0) return {};
  return {predicted * r.low, predicted * r.high};
}

}  // namespace benchr
