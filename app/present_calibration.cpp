// `calibrate`: the rates measured on this machine, per device and GGUF block format.
#include <fmt/format.h>

#include "app.hpp"
#include "json.hpp"
#include "table.hpp"

namespace benchr {

using nlohmann::json;

std::string present_calibration(const Calibration& c, bool json_out) {
  if (json_out) return to_json(c).dump(2) + "\n";
  std::string s = fmt::format("Calibration of {} ({:.1f} s, kernels v{})\n", c.measured_at, c.duration_s,
                              c.kernel_version);
  for (const auto& d : c.devices) {
    if (d.isa == "vulkan") {
      s += fmt::format("{}: Vulkan compute shaders\n", d.device);
      s += fmt::format("  streaming read  {:6.1f} GB/s (spread {:.0f}%)\n", d.read_gbps, d.read_spread * 100);
      for (const auto& r : d.gemv)
        s += fmt::format("  {:<8} GEMV {:6.1f} GB/s ±{:.0f}%\n", r.format, r.weight_gbps, r.spread * 50);
      s += fmt::format("  FMA peak        {:.0f} GFLOP/s f32, {:.0f} f16\n", d.fma_gflops, d.fma_f16_gflops);
      continue;
    }
    s += fmt::format("{}: {} kernels, {} threads\n", d.device, d.isa, d.threads);
    s += fmt::format("  streaming read  {:6.1f} GB/s with 1 thread, {:6.1f} GB/s with {} (spread {:.0f}%)\n",
                     d.read_gbps_1t, d.read_gbps, d.threads, d.read_spread * 100);
    s += fmt::format("  {:<8} {:>22} {:>22} {:>22}\n", "format", "decode GEMV, 1 thread",
                     fmt::format("decode GEMV, {} thr.", d.threads), "prefill GEMM");
    for (const auto& g : d.gemm) {
      std::string one = "-", all = "-";
      for (const auto& r : d.gemv) {
        const std::string cell = fmt::format("{:.1f} GB/s ±{:.0f}%", r.weight_gbps, r.spread * 50);
        if (r.format == g.format && r.threads == 1) one = cell;
        if (r.format == g.format && r.threads == d.threads) all = cell;
      }
      s += fmt::format("  {:<8} {:>22} {:>22} {:>22}\n", g.format, one, all,
                       fmt::format("{:.0f} GFLOP/s", g.gflops));
    }
    for (const auto& t : d.tinyblas)
      s += fmt::format("  {:<8} tinyBLAS 4x4 tiles (a prompt's dense products) {:.0f} GFLOP/s ±{:.0f}%\n", t.format,
                       t.gflops, t.spread * 50);
    if (d.fma_gflops > 0) s += fmt::format("  f32 FMA peak    {:.0f} GFLOP/s with {} threads\n", d.fma_gflops, d.threads);
    if (d.attention_ns_hd128 > 0)
      s += fmt::format("  decode attention (f16 KV): {:.2f} ns per head per cached position at head_dim 64, "
                       "{:.2f} at 128\n", d.attention_ns_hd64, d.attention_ns_hd128);
  }
  for (const auto& n : c.notes) s += "  note: " + wrap(n, 8, 8);
  s += "GEMV: weight bytes streamed per second through the format's dot product (decode); GEMM:\n"
       "multiply-adds x 2 per second with the weights in cache (prefill). Q4_0 is timed as llama.cpp's\n"
       "repacked GEMV, which decodes every format llama.cpp repacks on x86 (Q4_0, Q4_K, IQ4_NL, MXFP4;\n"
       "Q2_K with AVX-512) and prefills their MoE experts one token at a time. Each figure is the\n"
       "fastest of its repetitions; ± is half their spread.\n";
  return s;
}

}  // namespace benchr
