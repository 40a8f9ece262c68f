// `calibrate`: the rates measured on this machine, per device and GGUF block format.
#include <fmt/format.h>

#include "app.hpp"
#include "json.hpp"
#include "table.hpp"

namespace benchr {

using nlohmann::json;

std::string present_calibration(const Calibration& c, const Output& out) {
  if (out.json) return guarded_dump(to_json(c));
  std::string s = heading(fmt::format("Calibration of {} ({:.1f} s, kernels v{})", c.measured_at, c.duration_s,
                                     c.kernel_version),
                         out.width, out.color);
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
    s += field("streaming read", fmt::format("{:.1f} GB/s with 1 thread, {:.1f} GB/s with {} (spread {:.0f}%)",
                                             d.read_gbps_1t, d.read_gbps, d.threads, d.read_spread * 100),
               18, out.width);
    std::vector<std::vector<std::string>> rows;
    for (const auto& g : d.gemm) {
      std::string one = "-", all = "-";
      for (const auto& r : d.gemv) {
        const std::string cell = fmt::format("{:.1f} GB/s ±{:.0f}%", r.weight_gbps, r.spread * 50);
        if (r.format == g.format && r.threads == 1) one = cell;
        if (r.format == g.format && r.threads == d.threads) all = cell;
      }
      rows.push_back({g.format, one, all, fmt::format("{:.0f} GFLOP/s", g.gflops)});
    }
    if (!rows.empty())
      s += table({{"format"},
                  {"decode GEMV, 1 thread", true, 2},
                  {fmt::format("decode GEMV, {} thr.", d.threads), true},
                  {"prefill GEMM", true, 1}},
                 rows, out.width, 2);
    for (const auto& t : d.tinyblas)
      s += field(t.format, fmt::format("tinyBLAS 4x4 tiles (a prompt's dense products) {:.0f} GFLOP/s ±{:.0f}%",
                                       t.gflops, t.spread * 50),
                 11, out.width);
    if (d.fma_gflops > 0)
      s += fmt::format("  f32 FMA peak    {:.0f} GFLOP/s with {} threads\n", d.fma_gflops, d.threads);
    if (d.attention_ns_hd128 > 0)
      s += field("decode attention", fmt::format("(f16 KV): {:.2f} ns per head per cached position at head_dim 64, "
                                                 "{:.2f} at 128", d.attention_ns_hd64, d.attention_ns_hd128),
                 18, out.width);
  }
  for (const auto& n : merge_notes(c.notes)) s += "  note: " + wrap(n, 8, 8, out.width);
  s += wrap("GEMV: weight bytes streamed per second through the format's dot product (decode); GEMM: "
            "multiply-adds x 2 per second with the weights in cache (prefill). Q4_0 is timed as llama.cpp's "
            "repacked GEMV, which decodes every format llama.cpp repacks on x86 (Q4_0, Q4_K, IQ4_NL, MXFP4; "
            "Q2_K with AVX-512) and prefills their MoE experts one token at a time. Each figure is the "
            "fastest of its repetitions; ± is half their spread.",
            0, 0, out.width);
  return s;
}

}  // namespace benchr
