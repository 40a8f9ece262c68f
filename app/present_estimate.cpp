// `estimate`: memory, speed, cost and the command of one model and quant.
#include <fmt/format.h>

#include "app.hpp"
#include "json.hpp"
#include "table.hpp"

namespace benchr {

using nlohmann::json;

std::string present_estimate(const Estimate& e, const MonthlyCost& cost, const Machine& m,
                             const Workload& w, bool json_out) {
  if (json_out) {
    json j = to_json(e);
    j["cost"] = to_json(cost);
    j["workload"] = to_json(w);
    j["memory_setting"] = needs_raised_limit(e, m) ? json(m.devices[e.placement.device].raised_limit->setting) : json(nullptr);
    return j.dump(2) + "\n";
  }
  std::string s = wrap(fmt::format("{} at {} on {} ({}, {}; placement {})", e.model, e.quant, m.name, e.device_name,
                                   to_string(e.backend), to_string(e.placement.kind)), 0, 2);
  const MemoryNeed& n = e.memory;
  s += fmt::format("  fits        {} — needs {} of {} ({:.0f}% headroom); largest context {}{}\n",
                   e.fits ? "yes" : "NO", gib(n.total_bytes), gib(n.available_bytes),
                   e.headroom * 100, e.max_context, e.users > 1 ? " per user" : "");
  s += fmt::format("  memory      weights {}, KV cache {}, compute {}, overhead {}\n",
                   gib(n.weights_bytes), gib(n.kv_cache_bytes), gib(n.compute_bytes),
                   gib(n.overhead_bytes));
  if (n.repack_bytes > 0)
    s += fmt::format("              + CPU repack {} (peak while loading {})\n", gib(n.repack_bytes),
                     gib(n.peak_bytes));
  if (e.host_memory)
    s += "  host        " + wrap(fmt::format("{}: weights {}, KV cache {}, needs {} of {}; reads {} per token",
                                             e.host_name, gib(e.host_memory->weights_bytes),
                                             gib(e.host_memory->kv_cache_bytes), gib(e.host_memory->total_bytes),
                                             gib(e.host_memory->available_bytes), gib(e.host_bytes_per_token)),
                                 14, 14);
  if (e.users > 1)
    s += "  decode      " + wrap(fmt::format("{} tok/s per user, {} users: {} tok/s in all — {}", tps(e.decode_tps),
                                             e.users, tps(e.aggregate_tps), e.bottleneck),
                                 14, 14);
  else
    s += "  decode      " + wrap(fmt::format("{} tok/s{} — {}", tps(e.decode_tps), band_text(e.decode_tps_range),
                                             e.bottleneck),
                                 14, 14);
  if (e.prefill_tps > 0)
    s += fmt::format("  prefill     {} tok/s{}; first token after {:.1f} s for a {}-token prompt\n",
                     tps(e.prefill_tps), band_text(e.prefill_tps_range), e.time_to_first_token_s, w.prompt_tokens);
  else
    s += "  prefill     unknown: no compute figure for this device (busy hours count decode only)\n";
  s += raised_limit_line(e, m, 14);
  s += "  cost        " + wrap(fmt::format("for {} tokens, {}", tokens(w.tokens_per_month), cost_words(cost, 0)),
                               14, 14);
  s += "  run it      " + wrap(e.engine + ": " + e.launch, 14, 14);
  s += "  assumptions\n";
  for (const auto& a : e.assumptions) s += "    - " + wrap(a, 6, 6);
  return s;
}

}  // namespace benchr
