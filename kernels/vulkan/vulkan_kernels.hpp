// The Vulkan kernels' inner interface, for calibrate_vulkan, the tests and bench/bench_vulkan.
// Private to kernels/ (no Vk type here: those stay in runner.hpp and the .cpp files).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "calibrate.hpp"
#include "dot.hpp"
#include "timing.hpp"

namespace benchr::kernels {

/// The block formats with a GEMV shader (shaders/gemv.comp, one build per format).
constexpr std::array<Format, 3> kVulkanGemvFormats{Format::q4_0, Format::q8_0, Format::q4_k};

/// A Vulkan physical device as its driver describes it.
struct DeviceFacts {
  std::string name;                  ///< deviceName, as probe/vulkan.cpp's GpuInfo::name
  std::string type;                  ///< "discrete", "integrated", "virtual", "cpu", "other"
  bool software = false;             ///< type "cpu": Mesa's lavapipe and the like
  uint32_t vendor_id = 0, device_id = 0;
  double device_local_bytes = 0;     ///< sum of the device-local heaps
  double max_allocation_bytes = 0;   ///< maxMemoryAllocationSize (Vulkan 1.1)
  double max_storage_range_bytes = 0;  ///< maxStorageBufferRange: the most one shader binding sees
  bool fp16 = false;                 ///< shaderFloat16
  bool compute_queue = false;
  uint32_t timestamp_bits = 0;       ///< of the compute queue; 0: no GPU timestamps there
};

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
  DeviceFacts facts;
  Measurement read;                  ///< streaming read of one large buffer
  std::vector<Measurement> gemv;     ///< one per kVulkanGemvFormats entry, in that order
  Measurement fma_f32, fma_f16;
};

/// Every Vulkan device the loader reports; an empty list and a note when there is no loader,
/// driver or device. Never throws.
std::vector<DeviceFacts> vulkan_devices(std::vector<std::string>& notes);

/// Runs every scenario on every device (software devices only with options.include_software;
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
