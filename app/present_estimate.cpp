// `estimate`: memory, speed, cost and the command of one model and quant.
#include <fmt/format.h>

#include "app.hpp"
#include "json.hpp"
#include "table.hpp"

namespace benchr {

using nlohmann::json;

std::string present_estimate(const Estimate& e, const MonthlyCost& cost, const Machine& m,
                             const Workload& w, const Output& out) {
  if (out.json) {
    json j = to_json(e);
    j["cost"] = to_json(cost);
    j["workload"] = to_json(w);
    j["memory_setting"] =
        needs_raised_limit(e, m) ? json(m.devices[e.placement.device].raised_limit->setting) : json(nullptr);
    return guarded_dump(j);
  }
  // The answer first (speed, fit, cost, the command), then where the memory goes, then with
  // --verbose every assumption behind the figures.
  constexpr std::size_t kCol = 14;
  const auto row = [&](std::string_view label, const std::string& text) { return field(label, text, kCol, out.width); };
  std::string s = heading(fmt::format("{} at {} on {} ({}, {}; placement {})", e.model, e.quant, m.name,
                                     e.device_name, to_string(e.backend), to_string(e.placement.kind)),
                         out.width, out.color);
  if (e.users > 1)
    s += row("decode", fmt::format("{} tok/s per user, {} users: {} tok/s in all — {}", tps(e.decode_tps), e.users,
                                   tps(e.aggregate_tps), e.bottleneck));
  else
    s += row("decode", fmt::format("{} tok/s{} — {}", tps(e.decode_tps), band_text(e, true), e.bottleneck));
  if (e.prefill_tps > 0)
    s += row("prefill", fmt::format("{} tok/s{}; first token after {} s for a {}-token prompt", tps(e.prefill_tps),
                                    band_text(e, false), seconds(e.time_to_first_token_s), w.prompt_tokens));
  else
    s += row("prefill", "unknown: no compute figure for this device (busy hours count decode only)");
  const MemoryNeed& n = e.memory;
  s += row("fits", fmt::format("{} — needs {} of {} ({}% headroom); largest context {}{}",
                               paint(e.fits ? "yes" : "NO", e.fits ? Paint::good : Paint::bad, out.color),
                               gib(n.total_bytes), gib(n.available_bytes), signed_figure(e.headroom * 100, 0), e.max_context,
                               e.users > 1 ? " per user" : ""));
  s += raised_limit_line(e, m, kCol, out.width);
  s += row("cost", fmt::format("for {} tokens, {}", tokens(w.tokens_per_month), cost_words(cost, 0)));
  s += command_field("run it", engine_label(e), e.launch, kCol, out.width);
  s += row("memory", fmt::format("weights {}, KV cache {}, compute {}, overhead {}", gib(n.weights_bytes),
                                 gib(n.kv_cache_bytes), gib(n.compute_bytes), gib(n.overhead_bytes)));
  if (n.repack_bytes > 0)
    s += row("", fmt::format("+ CPU repack {} (peak while loading {})", gib(n.repack_bytes), gib(n.peak_bytes)));
  if (e.host_memory)
    s += row("host", fmt::format("{}: weights {}, KV cache {}, needs {} of {}; reads {} per token", e.host_name,
                                 gib(e.host_memory->weights_bytes), gib(e.host_memory->kv_cache_bytes),
                                 gib(e.host_memory->total_bytes), gib(e.host_memory->available_bytes),
                                 gib(e.host_bytes_per_token)));
  if (!out.verbose) {
    s += row("assumptions", fmt::format("{} behind these figures: -v lists them", e.assumptions.size()));
  } else {
    s += "  assumptions\n";
    for (const auto& a : e.assumptions) s += "    - " + wrap(a, 6, 6, out.width);
  }
  return s;
}

}  // namespace benchr
