// Vulkan kernel speed on every device (software ones too, with a warning): streaming read next to
// the catalog's datasheet bandwidth (data/hardware.toml memory_bandwidth_gbps, matched by PCI ids,
// else by name), GEMV weight GB/s per block format, FMA peaks. Each figure is avg ± stdev over the
// measured repetitions (GPU timestamps, after warm-up), with the fastest, which is what
// calibrate_vulkan keeps. Usage: bench_vulkan [budget seconds per device, default 10]
#include <cctype>
#include <cmath>
#include <random>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "catalog.hpp"
#include "vulkan_kernels.hpp"

using namespace benchr;
using namespace benchr::kernels;

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const HardwareSpec* datasheet(const Catalog& c, const GpuInfo& d) {
  for (const auto& h : c.hardware)
    if (h.pci_vendor_id && h.pci_vendor_id == int(d.vendor_id) && h.pci_device_id == int(d.device_id)) return &h;
  for (const auto& h : c.hardware)
    if (h.kind != HardwareKind::cpu && lower(h.name) == lower(d.name)) return &h;
  return nullptr;
}

/// avg ± stdev of per-repetition rates (units per second / 1e9), and the fastest.
void print_rate(const Measurement& m, double units, const char* unit, double datasheet_gbps = 0) {
  std::printf("  %-10s", m.name.c_str());
  if (!m.ok()) {
    std::printf(" skipped: %s\n", m.skipped.c_str());
    return;
  }
  double sum = 0, sum2 = 0, best = 0;
  for (double s : m.seconds) {
    const double r = units / s / 1e9;
    sum += r, sum2 += r * r, best = std::max(best, r);
  }
  const double n = double(m.seconds.size()), avg = sum / n;
  const double stdev = n > 1 ? std::sqrt(std::max(0.0, (sum2 - n * avg * avg) / (n - 1))) : 0;
  std::printf(" %10.2f ± %-8.2f %-8s fastest %10.2f  (%zu reps, %.3f ms each)", avg, stdev, unit, best,
              m.seconds.size(), 1e3 * m.mean_s());
  if (datasheet_gbps > 0) std::printf("  = %.0f%% of datasheet %.0f GB/s", 100 * best / datasheet_gbps, datasheet_gbps);
  std::printf("\n");
}

// A float GEMV's rounding is ~1e-6 of sum |w x|; a mis-decoded nibble or scale is far above this
// (tests/kernels/test_vulkan.cpp's bound).
constexpr double kGemvRelativeTolerance = 1e-3;

/// The GEMV shaders against the float64 reference of the dequantized blocks on the first device
/// (as tests/kernels/test_vulkan.cpp does on lavapipe): the largest error / sum |w x| over rows.
/// False when the shader failed or erred beyond kGemvRelativeTolerance.
bool check_gemv(Format f, int rows, int cols) {
  const FormatInfo& fi = info(f);
  const auto w = random_weights(f, rows, cols, 11);
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0, 1);
  std::vector<float> x(static_cast<std::size_t>(cols));
  for (auto& v : x) v = normal(rng);
  std::string error;
  const auto y = gemv_vulkan(f, w, rows, cols, x, error);
  std::printf("  %s GEMV %d x %d on the first device: ", std::string(fi.name).c_str(), rows, cols);
  if (y.empty()) {
    std::printf("failed: %s\n", error.c_str());
    return false;
  }
  const std::size_t row_bytes = std::size_t(cols / fi.block_elements) * fi.block_bytes;
  double worst = 0;
  for (int r = 0; r < rows; ++r) {
    const auto wd = dequantize_row(f, w.data() + r * row_bytes, cols);
    double ref = 0, mag = 0;
    for (int i = 0; i < cols; ++i) ref += wd[i] * x[i], mag += std::abs(wd[i] * x[i]);
    worst = std::max(worst, std::abs(y[r] - ref) / mag);
  }
  const bool ok = worst < kGemvRelativeTolerance;
  std::printf("max relative error %.2e (tolerance %.0e): %s\n", worst, kGemvRelativeTolerance, ok ? "ok" : "WRONG");
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
#ifndef NDEBUG
  std::printf("warning: debug build: these figures say nothing about release speed\n");
#endif
#if defined(__SANITIZE_ADDRESS__)
  std::printf("warning: sanitizer build: host-side overheads are inflated\n");
#endif
  CalibrationOptions options;
  options.include_software = true;
  options.budget_s = argc > 1 ? std::atof(argv[1]) : 10;
  options.progress = [](std::string_view step) { std::fprintf(stderr, "bench_vulkan: %.*s\n", int(step.size()), step.data()); };

  Catalog catalog;
  try {
    catalog = load_catalog(embedded_catalog());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_vulkan: catalog not loaded (%s): no datasheet figures\n", e.what());
  }

  std::vector<std::string> notes;
  const auto runs = measure_vulkan(options, notes);
  for (const auto& run : runs) {
    const GpuInfo& d = run.facts;
    const HardwareSpec* spec = datasheet(catalog, d);
    std::printf("\n%s  [%s, PCI %04x:%04x]  device-local %.1f GiB  catalog: %s\n", d.name.c_str(), std::string(to_string(d.kind)).c_str(),
                d.vendor_id, d.device_id, d.device_local_bytes / (1024.0 * 1024 * 1024),
                spec ? (spec->id + " (" + spec->name + ")").c_str() : "no entry");
    if (d.kind == GpuKind::cpu)
      std::printf("warning: a software device (Vulkan on the CPU, e.g. lavapipe): these are CPU figures, never "
                  "a GPU's\n");
    std::printf("  read buffer %.0f MiB, GEMV matrices %.0f MiB (4096 columns)\n", run.read.bytes / (1 << 20),
                run.gemv.empty() ? 0.0 : run.gemv.front().bytes / (1 << 20));
    print_rate(run.read, run.read.bytes, "GB/s", spec ? spec->memory_bandwidth_gbps : 0);
    for (const auto& m : run.gemv) print_rate(m, m.bytes, "GB/s", spec ? spec->memory_bandwidth_gbps : 0);
    print_rate(run.fma_f32, run.fma_f32.flops, "GFLOP/s");
    print_rate(run.fma_f16, run.fma_f16.flops, "GFLOP/s");
  }
  if (runs.empty()) std::printf("no Vulkan device measured\n");
  bool correct = !runs.empty();
  if (!runs.empty()) {
    std::printf("\ncorrectness against a float64 CPU reference:\n");
    correct &= check_gemv(Format::q4_0, 37, 512);
    correct &= check_gemv(Format::q8_0, 37, 512);
    correct &= check_gemv(Format::q4_k, 3, 1024);
    correct &= check_gemv(Format::q4_k, 70001, 256);
  }
  for (const auto& n : notes) std::fprintf(stderr, "note: %s\n", n.c_str());
  return correct ? 0 : 1;  // 1: no device measured, or a GEMV outside the tolerance
}
