// `probe` and the machine block of `advise`: what the machine is, each figure with its source.
#include <fmt/format.h>

#include "app.hpp"
#include "json.hpp"
#include "table.hpp"

namespace benchr {

using nlohmann::json;

std::string machine_lines(const Machine& m, const Output& out) {
  std::string s;
  const CpuInfo& c = m.cpu;
  // A label, the value wrapped at column 12, and with --verbose its source: at the right of the
  // value's last line when it fits, else on lines of its own.
  constexpr std::size_t kValueCol = 12;
  auto row = [&](std::string_view label, const std::string& value, const std::string& source) {
    std::string text = fmt::format("  {:<9} ", label) + wrap(value, kValueCol, kValueCol, out.width);
    if (out.verbose && !source.empty()) {
      const std::string tag = "[" + source + "]";
      const std::size_t last = text.rfind('\n', text.size() - 2);
      const std::size_t used = columns(text.substr(last == std::string::npos ? 0 : last + 1)) - 1;
      if (used + 1 + columns(tag) <= out.width) {
        text.pop_back();
        text += std::string(out.width - used - columns(tag), ' ') + tag + "\n";
      } else {
        text += std::string(kValueCol, ' ') + wrap(tag, kValueCol, kValueCol + 1, out.width);
      }
    }
    s += text;
  };
  if (!c.model.empty() || c.cores.known()) {
    // A catalog machine knows its memory, not its core count or SIMD level: those rows are left out.
    row("CPU", c.packages.known() ? fmt::format("{} ({} package{})", c.model.empty() ? "unknown" : c.model,
                                                c.packages.value, c.packages.value == 1 ? "" : "s")
                                  : c.model,
        c.packages.source);
    if (c.cores.known())
      row("cores", fmt::format("{} physical / {} logical CPUs", c.cores.value, c.logical_cpus.value),
          c.cores.source);
    if (c.simd.known()) row("SIMD", std::string(to_string(c.simd.value)), c.simd.source);
    if (out.verbose && (c.l3_bytes.known() || c.l2_bytes.known()))
      row("caches", fmt::format("L1d {:.0f} KiB, L2 {:.0f} KiB, L3 {:.0f} MiB per instance",
                                c.l1d_bytes.value / 1024, c.l2_bytes.value / 1024, c.l3_bytes.value / kMiB),
          c.l3_bytes.source);
    if (out.verbose && !c.numa_node_bytes.empty()) {
      double total = 0;
      for (double b : c.numa_node_bytes) total += b;
      row("NUMA", fmt::format("{} node{}, {} in all", c.numa_node_bytes.size(),
                              c.numa_node_bytes.size() == 1 ? "" : "s", gib(total)),
          "hwloc");
    }
    row("RAM", fmt::format("{} total", gib(c.ram_total_bytes.value)), c.ram_total_bytes.source);
    row("usable", fmt::format("{} planned for a model", gib(c.ram_available_bytes.value)),
        c.ram_available_bytes.source);
  }
  bool gpu = false;
  for (std::size_t i = 0; i < m.devices.size();) {
    const Device& d = m.devices[i];
    // A row of identical GPUs (a server's 8 or 16) is shown once, with its count.
    std::size_t same = 1;
    while (i + same < m.devices.size() && m.devices[i + same].name == d.name &&
           m.devices[i + same].details == d.details && m.devices[i + same].memory_bytes.value == d.memory_bytes.value)
      ++same;
    i += same;
    const std::string kind = d.kind == DeviceKind::cpu ? "device" : d.software ? "soft GPU" : "GPU";
    if (d.kind == DeviceKind::gpu) gpu = true;
    row(kind, fmt::format("{}{} ({} backend), {} for a model{}", same > 1 ? std::to_string(same) + " x " : "", d.name,
                          to_string(d.backend), gib(d.memory_bytes.value), same > 1 ? " each" : ""),
        d.memory_bytes.source);
    if (out.verbose && !d.details.empty())
      s += std::string(kValueCol, ' ') + wrap(d.details, kValueCol, kValueCol, out.width);
    if (d.read_gbps.known())
      row("", fmt::format("decode read {:.3g} GB/s", d.read_gbps.value), d.read_gbps.source);
    else if (!d.software)
      row("", "decode bandwidth unknown: not in the catalog, and GPU kernels are not yet measured", "");
    if (d.compute_gflops.known())
      row("", d.compute_gflops.value >= 1000 ? fmt::format("prefill {:.3g} TFLOP/s", d.compute_gflops.value / 1000)
                                              : fmt::format("prefill {:.3g} GFLOP/s", d.compute_gflops.value),
          d.compute_gflops.source);
  }
  if (!gpu) row("GPUs", "none", "");
  for (const auto& n : merge_notes(m.notes)) s += "  note: " + wrap(n, 8, 8, out.width);
  return s;
}

std::string present_machine(const Machine& m, const Output& out) {
  if (out.json) return guarded_dump(to_json(m));
  // probe is asked for what the machine is: every figure with its source.
  Output full = out;
  full.verbose = true;
  return wrap(m.name, 0, 2, out.width) + machine_lines(m, full);
}

}  // namespace benchr
