// Vulkan calibration: streaming read, GEMV per GGUF block format and the FMA peak on every
// Vulkan device, each a small Benchmark descriptor run by vk::Gpu.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "runner.hpp"
#include "vulkan_kernels.hpp"

namespace benchr {
namespace kernels {
namespace {

// SPIR-V compiled by glslc at build time (kernels/CMakeLists.txt), as uint32_t words.
constexpr uint32_t kReadSpirv[] = {
#include "read.inc"
};
constexpr uint32_t kFmaF32Spirv[] = {
#include "fma_f32.inc"
};
constexpr uint32_t kFmaF16Spirv[] = {
#include "fma_f16.inc"
};
constexpr uint32_t kGemvQ4_0Spirv[] = {
#include "gemv_q4_0.inc"
};
constexpr uint32_t kGemvQ8_0Spirv[] = {
#include "gemv_q8_0.inc"
};
constexpr uint32_t kGemvQ4_KSpirv[] = {
#include "gemv_q4_k.inc"
};

std::span<const uint32_t> gemv_spirv(Format f) {
  switch (f) {
    case Format::q4_0: return kGemvQ4_0Spirv;
    case Format::q8_0: return kGemvQ8_0Spirv;
    case Format::q4_k: return kGemvQ4_KSpirv;
    default: return {};
  }
}

constexpr uint32_t kGemvWorkgroupRows = 65535;  // the guaranteed maxComputeWorkGroupCount[0]
constexpr std::size_t kPadBytes = 16;           // gemv.comp may read one word past the last block
constexpr int kGemvCols = 4096;                 // a row as long as a 7-8B model's hidden size
constexpr uint32_t kFmaIterations = 1024;
constexpr double kGpuBudgetS = 2.0;
// Past the budget a scenario still runs: two repetitions are the fewest with a spread.
constexpr int kMinRepetitions = 2;
constexpr uint32_t kFmaInvocationsPerGroup = 256;  // local_size_x of fma.comp and read.comp

/// How large and how often, by device class. A real GPU: a read buffer of up to 1 GiB (a quarter
/// of VRAM at most, within one allocation and one storage binding), far beyond any L2 (H100: 50
/// MB) and ~0.3 ms per pass at 3 TB/s; GEMV matrices of 256 MiB. A software device (lavapipe on
/// a few cores): a few MiB, so a CI machine with 2 cores calibrates it in well under a second.
struct Plan {
  std::size_t read_bytes, gemv_bytes;
  int warmups, repetitions;
  uint32_t fma_groups_probe;
  double fma_target_s;
};

Plan plan_for(const GpuInfo& d) {
  if (d.kind == GpuKind::cpu) return {16u << 20, 4u << 20, 1, 5, 4, 0.02};
  double limit = std::min({d.max_allocation_bytes, d.max_storage_range_bytes, d.device_local_bytes / 4}) - 64;
  // Integrated GPUs share host RAM: filled page by page on the host (see fill), so smaller.
  const double cap = d.kind == GpuKind::integrated ? double(256u << 20) : double(1u << 30);
  const auto read = std::size_t(std::max(double(16u << 20), std::min(cap, limit))) & ~std::size_t(0xFFFF);
  return {read, std::min<std::size_t>(read, 256u << 20), 3, 20, 1024, 0.002};
}

/// Fills buf[0, bytes) with random blocks of `f` (valid scales, see fill_weights). Host-visible
/// memory (lavapipe, integrated GPUs: host RAM) gets distinct bytes on every page, as the CPU
/// kernels do, since this VM merges identical pages; VRAM gets one 16 MiB tile copied on the
/// device, as VRAM is never deduplicated and a host-filled 1 GiB would cost seconds.
void fill(vk::Gpu& gpu, vk::Buffer& buf, Format f, std::size_t bytes, uint64_t seed) {
  const std::size_t block = info(f).block_bytes;
  const std::size_t tile = std::min(bytes, ((16u << 20) / block) * block);
  std::vector<uint8_t> host(tile);
  if (!buf.mapped) {
    fill_weights(f, host.data(), tile, seed);
    gpu.upload(buf, 0, host.data(), tile);
    gpu.replicate(buf, tile, bytes);
    return;
  }
  for (std::size_t off = 0; off < bytes; off += tile) {
    const std::size_t n = std::min(tile, bytes - off);
    fill_weights(f, host.data(), n, seed + off);
    gpu.upload(buf, off, host.data(), n);
  }
}

std::vector<float> normal_floats(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0, 1);
  std::vector<float> x(static_cast<std::size_t>(n));
  for (auto& v : x) v = normal(rng);
  return x;
}

vk::Benchmark gemv_benchmark(Format f, const vk::Buffer& w, const vk::Buffer& x, const vk::Buffer& y, int rows, int cols) {
  const FormatInfo& fi = info(f);
  const double row_bytes = double(cols / fi.block_elements) * fi.block_bytes;
  vk::Benchmark b;
  b.name = std::string(fi.name) + " GEMV";
  b.spirv = gemv_spirv(f);
  b.buffers = {&w, &x, &y};
  b.push = {uint32_t(rows), uint32_t(cols / fi.block_elements)};
  b.groups_x = std::min<uint32_t>(uint32_t(rows), kGemvWorkgroupRows);
  b.groups_y = (uint32_t(rows) + b.groups_x - 1) / b.groups_x;
  b.bytes = row_bytes * rows;
  b.flops = 2.0 * rows * cols;
  return b;
}

using Clock = std::chrono::steady_clock;

DeviceRun measure_device(const vk::Loader& loader, VkPhysicalDevice pd, const GpuInfo& facts,
                         const CalibrationOptions& options, std::vector<std::string>& notes) {
  // One GPU calibrates in at most kGpuBudgetS, so a first advice waits little. A software device
  // gets the caller's whole budget (the tests run lavapipe on loaded 2-core machines); scenarios
  // that start after it run shorter.
  const double budget_s = facts.kind == GpuKind::cpu ? options.budget_s : std::min(options.budget_s, kGpuBudgetS);
  const auto deadline = Clock::now() + std::chrono::duration<double>(budget_s);
  const Plan plan = plan_for(facts);
  DeviceRun run;
  run.facts = facts;
  run.read.name = "read";
  for (Format f : kVulkanGemvFormats) {
    Measurement m;
    m.name = std::string(info(f).name) + " GEMV";
    run.gemv.push_back(m);
  }
  run.fma_f32.name = "FMA f32";
  run.fma_f16.name = "FMA f16";

  auto skip_all = [&](const std::string& why) {
    for (Measurement* m : {&run.read, &run.fma_f32, &run.fma_f16}) m->skipped = why;
    for (auto& m : run.gemv) m.skipped = why;
  };
  std::unique_ptr<vk::Gpu> gpu;
  try {
    gpu = std::make_unique<vk::Gpu>(loader, pd, facts.fp16);
  } catch (const std::exception& e) {
    notes.push_back("Vulkan " + facts.name + ": " + e.what() + ": not measured");
    skip_all(e.what());
    return run;
  }

  // One scenario: never skipped for time -- once the budget is spent the rest run with the
  // fewest repetitions that still give a fastest and a spread (no warm-up beyond one) and a note
  // says so; a failure is a note naming it, and the next scenario still runs.
  int warmups = plan.warmups, repetitions = plan.repetitions;
  auto scenario = [&](Measurement& m, const std::function<void()>& body) {
    if (Clock::now() > deadline && repetitions > kMinRepetitions) {
      warmups = 1, repetitions = kMinRepetitions;
      notes.push_back("Vulkan " + facts.name + ": time budget (" + std::to_string(budget_s).substr(0, 4) + " s) spent: " +
                      m.name + " and later measured with " + std::to_string(kMinRepetitions) + " repetitions");
    }
    if (options.progress) options.progress("Vulkan " + facts.name + ": " + m.name);
    try {
      body();
    } catch (const std::exception& e) {
      m.seconds.clear();
      m.skipped = e.what();
      notes.push_back("Vulkan " + facts.name + ": " + m.name + ": " + e.what());
    }
  };

  try {
    vk::Buffer big = gpu->buffer(plan.read_bytes + kPadBytes, true);
    vk::Buffer sink = gpu->buffer(256, true);

    scenario(run.read, [&] {
      fill(*gpu, big, Format::q8_0, plan.read_bytes, 1);
      vk::Benchmark b;
      b.name = run.read.name;
      b.spirv = kReadSpirv;
      b.buffers = {&big, &sink};
      const uint32_t words = uint32_t(plan.read_bytes / 16);
      // Four 16-byte words per invocation: enough invocations to fill any GPU, few enough loop
      // trips that loop overhead stays small.
      b.groups_x = std::clamp<uint32_t>(words / (kFmaInvocationsPerGroup * 4), 1, 65535);
      b.push = {words, 0x9E3779B9u};
      b.bytes = double(words) * 16;
      run.read.bytes = b.bytes;
      run.read.seconds = gpu->run(b, warmups, repetitions);
    });

    for (std::size_t i = 0; i < kVulkanGemvFormats.size(); ++i) {
      const Format f = kVulkanGemvFormats[i];
      scenario(run.gemv[i], [&] {
        const FormatInfo& fi = info(f);
        const std::size_t row_bytes = std::size_t(kGemvCols / fi.block_elements) * fi.block_bytes;
        const int rows = int(plan.gemv_bytes / row_bytes);
        fill(*gpu, big, f, std::size_t(rows) * row_bytes, 100 + i);
        const auto xs = normal_floats(kGemvCols, 7);
        vk::Buffer x = gpu->buffer(xs.size() * 4, true), y = gpu->buffer(std::size_t(rows) * 4, true);
        gpu->upload(x, 0, xs.data(), xs.size() * 4);
        const vk::Benchmark b = gemv_benchmark(f, big, x, y, rows, kGemvCols);
        run.gemv[i].bytes = b.bytes, run.gemv[i].flops = b.flops;
        run.gemv[i].seconds = gpu->run(b, warmups, repetitions);
      });
    }

    auto fma = [&](Measurement& m, std::span<const uint32_t> spirv) {
      vk::Benchmark b;
      b.name = m.name;
      b.spirv = spirv;
      b.buffers = {&sink};
      b.push = {kFmaIterations, 0xBF800000u};  // never = -1.0f: every chain stays positive
      const double flops_per_group = double(kFmaInvocationsPerGroup) * kFmaIterations * 8 * 4 * 2;
      // Sized by a probe run so one repetition lasts about plan.fma_target_s on any device.
      b.groups_x = plan.fma_groups_probe;
      const double probe = std::max(gpu->run(b, 1, 1).front(), 1e-6);
      b.groups_x = uint32_t(std::clamp(std::lround(b.groups_x * plan.fma_target_s / probe), 1L, 65535L));
      b.flops = flops_per_group * b.groups_x;
      m.flops = b.flops;
      m.seconds = gpu->run(b, warmups, repetitions);
    };
    scenario(run.fma_f32, [&] { fma(run.fma_f32, kFmaF32Spirv); });
    if (facts.fp16)
      scenario(run.fma_f16, [&] { fma(run.fma_f16, kFmaF16Spirv); });
    else
      run.fma_f16.skipped = "the device lacks shaderFloat16";
  } catch (const std::exception& e) {  // the shared buffers could not be made
    notes.push_back("Vulkan " + facts.name + ": " + e.what() + ": not measured");
    skip_all(e.what());
  }
  return run;
}

}  // namespace

std::vector<DeviceRun> measure_vulkan(const CalibrationOptions& options, std::vector<std::string>& notes) {
  try {
    vk::Loader loader;
    const auto devices = loader.physical_devices();
    if (devices.empty()) notes.push_back("Vulkan: no device reported by any driver: no GPU measured");
    std::vector<DeviceRun> out;
    for (VkPhysicalDevice pd : devices) {
      const GpuInfo facts = vk::describe(loader, pd);
      if (facts.kind == GpuKind::cpu && !options.include_software) {
        notes.push_back("Vulkan " + facts.name + ": a software device (runs on the CPU): not calibrated");
        continue;
      }
      out.push_back(measure_device(loader, pd, facts, options, notes));
    }
    return out;
  } catch (const std::exception& e) {
    notes.push_back(std::string("Vulkan: ") + e.what() + ": no GPU measured");
    return {};
  }
}

std::vector<float> gemv_vulkan(Format f, const std::vector<uint8_t>& w, int rows, int cols, const std::vector<float>& x,
                               std::string& error, bool staging) {
  try {
    const FormatInfo& fi = info(f);
    if (gemv_spirv(f).empty()) throw std::invalid_argument(std::string("no Vulkan GEMV shader for ") + std::string(fi.name));
    if (rows <= 0 || cols <= 0 || cols % fi.block_elements || x.size() != std::size_t(cols) ||
        w.size() != std::size_t(rows) * (cols / fi.block_elements) * fi.block_bytes)
      throw std::invalid_argument("GEMV operands do not match rows x cols");
    vk::Loader loader;
    const auto devices = loader.physical_devices();
    if (devices.empty()) throw vk::Error("no Vulkan device");
    vk::Gpu gpu(loader, devices.front(), false);
    vk::Buffer wb = gpu.buffer(w.size() + kPadBytes, true, !staging), xb = gpu.buffer(x.size() * 4, true, !staging),
               yb = gpu.buffer(std::size_t(rows) * 4, true, !staging);
    gpu.upload(wb, 0, w.data(), w.size());
    gpu.upload(xb, 0, x.data(), x.size() * 4);
    gpu.run(gemv_benchmark(f, wb, xb, yb, rows, cols), 1, 0);
    std::vector<float> y(static_cast<std::size_t>(rows));
    gpu.download(yb, y.data(), y.size() * 4);
    return y;
  } catch (const std::exception& e) {
    error = e.what();
    return {};
  }
}

}  // namespace kernels

std::vector<DeviceCalibration> calibrate_vulkan(const CalibrationOptions& options, std::vector<std::string>& notes) {
  std::vector<DeviceCalibration> out;
  for (const kernels::DeviceRun& run : kernels::measure_vulkan(options, notes)) {
    if (!run.read.ok()) continue;  // the read figure is what the estimator needs first
    DeviceCalibration d;
    d.device = run.facts.name;
    d.isa = "vulkan";
    d.threads = 0;
    d.read_gbps = run.read.bytes / run.read.fastest_s() / 1e9;
    d.read_gbps_1t = 0;  // no single-thread figure on a GPU
    d.read_spread = run.read.spread();
    for (const auto& m : run.gemv)
      if (m.ok())
        d.gemv.push_back({m.name.substr(0, m.name.find(' ')), 0, m.bytes / m.fastest_s() / 1e9,
                          m.flops / m.fastest_s() / 1e9, m.spread()});
    if (run.fma_f32.ok()) d.fma_gflops = run.fma_f32.flops / run.fma_f32.fastest_s() / 1e9;
    if (run.fma_f16.ok()) d.fma_f16_gflops = run.fma_f16.flops / run.fma_f16.fastest_s() / 1e9;
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace benchr
