// The Vulkan kernels' inner interface, for calibrate_vulkan, the tests and bench/bench_vulkan.
// Private to kernels/ (no Vk type here: those stay in runner.hpp and the .cpp files).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "calibrate.hpp"
#include "dot.hpp"
#include "probe.hpp"
#include "timing.hpp"

namespace benchr::kernels {

/// The block formats with a GEMV shader (shaders/gemv.comp, one build per format).
constexpr std::array<Format, 3> kVulkanGemvFormats{Format::q4_0, Format::q8_0, Format::q4_k};

/// One scenario on one device: what a run moves and computes, and each measured repetition's
/// seconds (GPU timestamps; the statistics are Timings'), or why it was not measured.
struct Measurement : Timings {
  std::string name;
  double bytes = 0, flops = 0;       ///< per run
  std::string skipped;               ///< non-empty: the reason there are no samples

  bool ok() const { return skipped.empty() && !seconds.empty() && fastest_s() > 0; }
};

/// Everything measured on one device.
struct DeviceRun {
  GpuInfo facts;                     ///< as probe/vulkan_loader.cpp describes it
  Measurement read;                  ///< streaming read of one large buffer
  std::vector<Measurement> gemv;     ///< one per kVulkanGemvFormats entry, in that order
  Measurement fma_f32, fma_f16;
};

/// Runs every scenario on every device probe_vulkan() lists (software devices only with options.include_software;
/// otherwise a note says why each was skipped). A failing scenario is a note naming it and the
/// failed call; the others still run. Never throws.
std::vector<DeviceRun> measure_vulkan(const CalibrationOptions& options, std::vector<std::string>& notes);

/// y = W·x on the first device (software devices included) with the GEMV shader for `f`:
/// `w` holds `rows` rows of `cols` weights as raw GGUF blocks, `x` holds `cols` floats.
/// Returns y (`rows` floats), or an empty vector with `error` set. Never throws. `staging`: keep
/// the device buffers unmapped, so data moves through staging copies as to a discrete GPU.
std::vector<float> gemv_vulkan(Format f, const std::vector<uint8_t>& w, int rows, int cols, const std::vector<float>& x,
                               std::string& error, bool staging = false);

}  // namespace benchr::kernels
