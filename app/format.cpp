#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include "app.hpp"
#include "json.hpp"

namespace benchr {
namespace {

using nlohmann::json;

std::string gib(double bytes) { return fmt::format("{:.1f} GiB", bytes / kGiB); }
std::string money(double usd) {
  return usd < 10 ? fmt::format("${:.2f}", usd) : fmt::format("${:.0f}", usd);
}
/// A monthly figure that may be unknown: "unknown", never $0.
std::string money(const std::optional<double>& usd) { return usd ? money(*usd) : "unknown"; }
json usd_json(const std::optional<double>& usd) { return usd ? json(*usd) : json(nullptr); }

/// What a month costs, in words: the total, then its parts and what each is for.
std::string cost_words(const MonthlyCost& c, int amortize_months) {
  std::string s = fmt::format("{}: electricity {} for {:.0f} h busy and {:.0f} h idle of {:.0f} h up",
                              c.total_usd ? money(*c.total_usd) + "/month" : "not known",
                              c.electricity_usd ? money(*c.electricity_usd) : "unknown (no power figure)",
                              c.busy_hours, std::max(0.0, c.up_hours - c.busy_hours), c.up_hours);
  if (c.owned) return s + ", hardware owned";
  if (!c.hardware_usd) return s + ", hardware price unknown (none in the catalog)";
  return s + fmt::format(", hardware {} amortised{}", money(*c.hardware_usd),
                         amortize_months > 0 ? fmt::format(" over {} months", amortize_months) : "");
}

std::string tokens(double n) {
  return n >= 1e9 ? fmt::format("{:.3g}B", n / 1e9)
         : n >= 1e6 ? fmt::format("{:.3g}M", n / 1e6)
                    : fmt::format("{:.3g}k", n / 1e3);
}
std::string tps(double x) { return x >= 100 ? fmt::format("{:.0f}", x) : fmt::format("{:.1f}", x); }
/// `text` broken at spaces into lines of at most kWidth columns; lines after the first start
/// with `indent` spaces.
constexpr std::size_t kWidth = 100;
std::string wrap(const std::string& text, std::size_t first_col, std::size_t indent) {
  std::string out, line;
  std::size_t col = first_col;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(pos, end - pos);
    if (!line.empty() && col + line.size() + 1 + word.size() > kWidth) {
      out += line + "\n" + std::string(indent, ' ');
      line.clear();
      col = indent;
    }
    line += (line.empty() ? "" : " ") + word;
    pos = end + 1;
  }
  return out + line + "\n";
}

/// " (80% range 33-43)": where 80% of published runs of its class fell, out of sample.
std::string band_text(const Range& r) {
  return r.high > 0 ? fmt::format(" (80%: {}-{})", tps(r.low), tps(r.high)) : std::string();
}

std::string cut(std::string s, std::size_t n) {
  if (s.size() > n) s = s.substr(0, n - 1) + "~";
  return s;
}

/// When the estimate needs more GPU memory than the device's default limit: the setting that
/// raises it (the estimate was planned at the raised value), else nothing.
std::string raised_limit_line(const Estimate& e, const Machine& m, std::size_t col) {
  if (!needs_raised_limit(e, m)) return "";
  const Device& d = m.devices[e.placement.device];
  return fmt::format("  {:<{}}", "setting", col - 2) + wrap(fmt::format("needs {}, over what the GPU's default limit of {} holds: `{}`",
                                           gib(e.memory.total_bytes),
                                           gib(d.raised_limit->default_bytes), d.raised_limit->setting),
                               col, col);
}

// Prices older than this are flagged as possibly stale (the catalog issue's rule).
constexpr int kStaleDays = 180;

/// Today's date, YYYY-MM-DD, UTC.
std::string today() {
  const std::time_t t = std::time(nullptr);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
  return buf;
}

json memory_json(const MemoryNeed& n) {
  return {{"weights_bytes", n.weights_bytes},   {"repack_bytes", n.repack_bytes},
          {"kv_cache_bytes", n.kv_cache_bytes}, {"compute_bytes", n.compute_bytes},
          {"overhead_bytes", n.overhead_bytes}, {"total_bytes", n.total_bytes},
          {"peak_bytes", n.peak_bytes},         {"available_bytes", n.available_bytes}};
}

json api_json(const ApiCost& a) {
  return {{"id", a.offer->id},
          {"name", a.offer->name},
          {"model", a.offer->model},
          {"provider", a.offer->provider},
          {"usd_per_mtok_input", a.offer->usd_per_mtok_input},
          {"usd_per_mtok_output", a.offer->usd_per_mtok_output},
          {"monthly_usd", a.usd},
          {"quality", a.quality},
          {"source", a.offer->source},
          {"as_of", a.offer->as_of}};
}

json candidate_json(const Candidate& c) {
  json j = to_json(c.estimate);
  j["cost"] = to_json(c.cost);
  j["quality"] = c.quality;
  j["eligible"] = c.eligible;
  j["why_not"] = c.why_not;
  return j;
}

/// The runners-up: the best other quant of up to `n` other eligible models, then the best
/// candidate of up to `n` models of higher quality that lost, each with why.
std::vector<const Candidate*> runners_up(const Advice& a, std::size_t n) {
  std::vector<const Candidate*> out;
  if (!a.recommended) {
    std::set<std::string> seen;
    for (const auto& c : a.ranked)
      if (out.size() < 2 * n && seen.insert(c.estimate.model).second) out.push_back(&c);
    return out;
  }
  const Candidate& best = a.ranked[*a.recommended];
  std::set<std::string> seen{best.estimate.model};
  std::size_t eligible = 0, better = 0;
  for (const auto& c : a.ranked) {
    if (c.eligible && eligible < n && seen.insert(c.estimate.model).second) {
      out.push_back(&c);
      ++eligible;
    }
  }
  // For each model that could have beaten the pick but lost: of its quants still better than the
  // pick, the smallest (the one that came closest to fitting and to the speed floor).
  std::map<std::string, const Candidate*> smallest;
  for (const auto& c : a.ranked) {
    if (c.eligible || c.quality <= best.quality || seen.count(c.estimate.model)) continue;
    auto& s = smallest[c.estimate.model];
    if (!s || c.estimate.memory.total_bytes < s->estimate.memory.total_bytes) s = &c;
  }
  std::vector<const Candidate*> lost;
  for (const auto& [model, c] : smallest) lost.push_back(c);
  std::sort(lost.begin(), lost.end(), [](auto* x, auto* y) { return x->quality < y->quality; });
  for (auto* c : lost)
    if (better++ < n) out.push_back(c);
  return out;
}

std::string machine_lines(const Machine& m) {
  std::string s;
  const CpuInfo& c = m.cpu;
  auto row = [&](std::string_view label, const std::string& value, const std::string& source) {
    const std::string head = fmt::format("  {:<9} {}", label, value);
    if (head.size() > kWidth) {  // a long name: the value wrapped, the source on lines of its own
      s += fmt::format("  {:<9} ", label) + wrap(value, 12, 12);
      if (!source.empty()) s += std::string(12, ' ') + wrap("[" + source + "]", 12, 13);
    } else if (source.empty()) s += head + "\n";
    else if (head.size() + 3 + source.size() <= kWidth) s += fmt::format("{:<{}} [{}]\n", head, kWidth - source.size() - 3, source);
    else s += head + "\n" + std::string(12, ' ') + wrap("[" + source + "]", 12, 13);
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
    if (c.l3_bytes.known() || c.l2_bytes.known())
      row("caches", fmt::format("L1d {:.0f} KiB, L2 {:.0f} KiB, L3 {:.0f} MiB per instance",
                                c.l1d_bytes.value / 1024, c.l2_bytes.value / 1024, c.l3_bytes.value / kMiB),
          c.l3_bytes.source);
    if (!c.numa_node_bytes.empty()) {
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
    if (!d.details.empty()) s += std::string(12, ' ') + wrap(d.details, 12, 12);
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
  for (const auto& n : m.notes) s += "  note: " + wrap(n, 8, 8);
  return s;
}

}  // namespace

namespace {
/// An 80% band as [low, high], or null where the figure is unknown.
json range_json(const Range& r) { return r.high > 0 ? json::array({r.low, r.high}) : json(nullptr); }
}  // namespace

json to_json(const Estimate& e) {
  json pools = json::array();
  for (const auto& p : e.pools) {
    const Device& d = p.device;
    pools.push_back({{"device", d.name},
                     {"backend", to_string(d.backend)},
                     {"concurrent", p.concurrent},
                     {"read_gbps", d.read_gbps.value},
                     {"decode_efficiency", d.decode_efficiency},
                     {"datasheet_gbps", d.datasheet_gbps},
                     {"gemv_cap_gbps", d.gemv_cap_gbps},
                     {"compute_gflops", d.compute_gflops.value},
                     {"datasheet_gflops", d.datasheet_gflops},
                     {"gemm_cap_gflops", d.gemm_cap_gflops},
                     {"prefill_efficiency", d.prefill_efficiency},
                     {"layer_overhead_s", d.layer_overhead_s.value},
                     {"moe_layer_extra_s", p.moe_layer_extra_s},
                     {"llama_cpp", p.llama_cpp},
                     {"layers", p.layers},
                     {"moe_layers", p.moe_layers},
                     {"decode", {{"weight_bytes", p.weight_bytes},
                                 {"weight_s", p.weight_s},
                                 {"kv_bytes", p.kv_bytes},
                                 {"kv_s", p.kv_s},
                                 {"overhead_s", p.overhead_s},
                                 {"compute_s", p.compute_s},
                                 {"total_s", p.decode_s()}}},
                     {"prefill", {{"s_per_token", p.prefill_s},
                                  {"routed_experts_s", p.prefill_routed_s},
                                  {"tokens_per_expert", p.tokens_per_expert},
                                  {"moe_gemm_half_tokens", p.moe_half_tokens}}}});
  }
  return {{"model", e.model},
          {"quant", e.quant},
          {"hardware", e.hardware},
          {"backend", to_string(e.backend)},
          {"device", e.device_name},
          {"placement", to_string(e.placement.kind)},
          {"gpu_layers", e.placement.gpu_layers},
          {"gpus", e.placement.gpus()},
          {"nodes", e.placement.nodes},
          {"host", e.host_name},
          {"host_memory", e.host_memory ? memory_json(*e.host_memory) : json(nullptr)},
          {"host_bytes_per_token", e.host_bytes_per_token},
          {"fits", e.fits},
          {"headroom", e.headroom},
          {"memory", memory_json(e.memory)},
          {"max_context", e.max_context},
          {"bytes_per_token", e.bytes_per_token},
          {"decode_tps", e.decode_tps},
          {"users", e.users},
          {"aggregate_tps", e.aggregate_tps},
          {"prefill_tps", e.prefill_tps > 0 ? json(e.prefill_tps) : json(nullptr)},  // unknown, never 0
          {"accuracy_class", to_string(e.accuracy_class)},
          {"decode_tps_range", range_json(e.decode_tps_range)},
          {"prefill_tps_range", range_json(e.prefill_tps_range)},
          {"time_to_first_token_s", e.prefill_tps > 0 ? json(e.time_to_first_token_s) : json(nullptr)},
          {"bottleneck", e.bottleneck},
          {"breakdown", {{"pools", pools}, {"comm_s", e.comm_s}, {"prefill_comm_s_per_token", e.prefill_comm_s}}},
          {"engine", e.engine},
          {"launch", e.launch},
          {"assumptions", e.assumptions}};
}

json to_json(const MonthlyCost& c) {
  return {{"busy_hours", std::isfinite(c.busy_hours) ? json(c.busy_hours) : json(nullptr)},
          {"utilisation", std::isfinite(c.utilisation) ? json(c.utilisation) : json(nullptr)},
          {"up_hours", c.up_hours},
          {"can_serve", c.can_serve},
          {"owned", c.owned},
          {"electricity_usd", usd_json(c.electricity_usd)},
          {"hardware_usd", usd_json(c.hardware_usd)},
          {"total_usd", usd_json(c.total_usd)}};
}

json to_json(const Workload& w) {
  return {{"context_tokens", w.context_tokens}, {"prompt_tokens", w.prompt_tokens},
          {"depth_tokens", w.depth_tokens},     {"tokens_per_month", w.tokens_per_month},
          {"input_share", w.input_share},       {"input_tokens", w.input_tokens()},
          {"output_tokens", w.output_tokens()}, {"min_decode_tps", w.min_decode_tps},
          {"users", w.users},                   {"kv_cache_type", to_string(w.kv_type)},
          {"hours_per_day", w.hours_per_day ? json(*w.hours_per_day) : json(nullptr)}};
}

std::string present_machine(const Machine& m, bool json_out) {
  if (json_out) return to_json(m).dump(2) + "\n";
  return fmt::format("{}\n", m.name) + machine_lines(m);
}

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

namespace {
/// The top pick for each use (TopPicks), as (label, index into Advice::ranked).
std::vector<std::pair<std::string, std::size_t>> top_pick_list(const Advice& a) {
  std::vector<std::pair<std::string, std::size_t>> out;
  if (a.picks.fastest_good) out.push_back({"fastest good", *a.picks.fastest_good});
  if (a.picks.best_quality) out.push_back({"best quality", *a.picks.best_quality});
  if (a.picks.longest_context) out.push_back({"longest context", *a.picks.longest_context});
  return out;
}

/// One line each: model, quant, decode speed, quality (and for the longest context, the context)
/// and the command; a pick that is the recommendation says so instead of repeating it.
std::string top_picks_lines(const Advice& a) {
  std::string s = fmt::format("\nTop picks by use (fastest good: within {:g} quality points of the pick)\n",
                              2 * kQualityTiePoints);
  for (const auto& [label, i] : top_pick_list(a)) {
    const Candidate& c = a.ranked[i];
    const Estimate& e = c.estimate;
    const std::string what = fmt::format("{} {}, {} tok/s, quality {:.1f}{}", e.model, e.quant, tps(e.decode_tps),
                                         c.quality,
                                         label == "longest context" ? fmt::format(", {} tokens", e.max_context) : "");
    s += fmt::format("  {:<16}", label) +
         wrap(i == a.recommended ? what + ": the recommendation" : what + ": " + e.launch, 18, 18);
  }
  return s;
}
}  // namespace

std::string present_advice(const Advice& a, const Machine& m, const Workload& w, const Budget& b,
                           const Catalog& c, bool json_out) {
  const Candidate* best = a.recommended ? &a.ranked[*a.recommended] : nullptr;
  const auto others = runners_up(a, 4);
  if (json_out) {
    json j;
    j["machine"] = to_json(m);
    j["workload"] = to_json(w);
    j["budget"] = {{"usd_per_month", b.usd_per_month}, {"amortize_months", b.amortize_months}};
    j["electricity"] = {{"usd_per_kwh", c.electricity.usd_per_kwh}, {"source", c.electricity.source},
                        {"as_of", c.electricity.as_of}};
    j["quality_scale"] = c.quality_scale;
    j["recommended"] = best ? candidate_json(*best) : json(nullptr);
    if (best)
      j["recommended"]["memory_setting"] = needs_raised_limit(best->estimate, m)
                                               ? json(m.devices[best->estimate.placement.device].raised_limit->setting)
                                               : json(nullptr);
    json apis = json::array();
    for (const auto& api : a.apis) apis.push_back(api_json(api));
    j["apis"] = apis;
    auto index = [&](const std::optional<std::size_t>& i) {
      return i ? api_json(a.apis[*i]) : json(nullptr);
    };
    j["api_same_model"] = index(a.same_model_api);
    j["api_comparable"] = index(a.comparable_api);
    j["api_best_in_budget"] = index(a.best_api);
    j["verdict"] = {{"decision", to_string(a.verdict)}, {"reason", a.verdict_reason}};
    json ru = json::array();
    for (const auto* r : others) ru.push_back(candidate_json(*r));
    j["runners_up"] = ru;
    json picks = json::object();
    for (const char* use : {"fastest_good", "best_quality", "longest_context"}) picks[use] = nullptr;
    for (const auto& [label, i] : top_pick_list(a)) {
      std::string key = label;
      std::replace(key.begin(), key.end(), ' ', '_');
      picks[key] = candidate_json(a.ranked[i]);
    }
    j["top_picks"] = picks;
    j["candidates_considered"] = a.ranked.size();
    return j.dump(2) + "\n";
  }

  std::string s;
  s += m.hardware_id.empty() ? wrap(fmt::format("Machine: {}", m.name), 0, 2)
                             : wrap(fmt::format("Machine: {} (catalog hardware '{}')", m.name, m.hardware_id), 0, 2);
  s += machine_lines(m);
  s += fmt::format("\nWorkload (--context, --tokens-per-month, --input-share, --min-tps, "
                   "--kwh-price, --budget)\n");
  s += fmt::format("  {} tokens/month, {:.0f}% input ({} in, {} out); context {} tokens, KV {}\n",
                   tokens(w.tokens_per_month), w.input_share * 100, tokens(w.input_tokens()),
                   tokens(w.output_tokens()), w.context_tokens, to_string(w.kv_type));
  s += fmt::format("  at least {:g} tok/s decode; electricity ${:.3g}/kWh; budget {}/month\n",
                   w.min_decode_tps, c.electricity.usd_per_kwh, money(b.usd_per_month));

  if (best) {
    const Estimate& e = best->estimate;
    const ModelSpec* model = c.find_model(e.model);
    const QuantSpec* quant = c.find_quant(e.quant);
    s += fmt::format("\nRecommended here: {} at {}  ({} {}, {})\n", model->name, quant->id, e.model,
                     e.quant, model->license_name);
    s += fmt::format("  fits      {} of {} available ({:.0f}% headroom); up to {} tokens of "
                     "context\n",
                     gib(e.memory.total_bytes), gib(e.memory.available_bytes), e.headroom * 100,
                     e.max_context);
    if (e.prefill_tps > 0)
      s += "  speed     " + wrap(fmt::format("decode {} tok/s{}, prefill {} tok/s (first token {:.2g} s for {} tokens)",
                                             tps(e.decode_tps), band_text(e.decode_tps_range), tps(e.prefill_tps),
                                             e.time_to_first_token_s, w.prompt_tokens),
                                 12, 12);
    else
      s += "  speed     " + wrap(fmt::format("decode {} tok/s{}; prefill and first token unknown (no compute figure)",
                                             tps(e.decode_tps), band_text(e.decode_tps_range)),
                                 12, 12);
    s += "            " + wrap("limit: " + e.bottleneck, 12, 12);
    s += raised_limit_line(e, m, 12);
    s += "  cost      " + wrap(cost_words(best->cost, b.amortize_months), 12, 12);
    // Owned hardware is never ruled out by the budget: its running cost is set against it here.
    if (b.owned && best->cost.total_usd)
      s += "  budget    " + wrap(fmt::format("running it costs {}/month, {} the {}/month budget", money(best->cost.total_usd),
                                             *best->cost.total_usd <= b.usd_per_month ? "within" : "OVER",
                                             money(b.usd_per_month)),
                                 12, 12);
    s += "  run it    " + wrap(e.engine + ": " + e.launch, 12, 12);
    s += fmt::format("  quality   {:.1f} = {:.0f} × {:.3g} retained at {}\n", best->quality,
                     model->quality, quant->quality_retention, quant->id);
    s += "  why       " + wrap(fmt::format("the best quality at >= {:g} tok/s; models within {:g} quality points "
                                           "and quants within {:g}% retention ({:g}% from {:g}B parameters) are a "
                                           "tie, won by the faster",
                                           w.min_decode_tps, kQualityTiePoints, kRetentionTie * 100,
                                           kRetentionTieLarge * 100, kSmallModelParamsB),
                               12, 12);
    s += top_picks_lines(a);
  } else {
    s += "\nNothing in the catalog meets the constraints on this machine (see below).\n";
  }

  s += fmt::format("\nAPI alternatives for the same {} tokens/month\n", tokens(w.tokens_per_month));
  std::vector<std::pair<std::string, std::size_t>> shown;
  if (a.same_model_api) shown.push_back({"same model", *a.same_model_api});
  if (a.comparable_api) shown.push_back({"as good, cheapest", *a.comparable_api});
  if (a.best_api) shown.push_back({"best in budget", *a.best_api});
  for (std::size_t i = 0; i < a.apis.size(); ++i)
    if (a.apis[i].offer->model.empty()) shown.push_back({"frontier, closed", i});
  std::set<std::size_t> printed;
  for (const auto& [label, i] : shown) {
    if (!printed.insert(i).second) continue;
    const ApiCost& api = a.apis[i];
    const auto age = days_between(api.offer->as_of, today());
    s += fmt::format("  {:<18} {:<38} {:>8}/month  quality {:<3.0f}{}\n", label, cut(api.offer->name, 38),
                     money(api.usd), api.quality, age && *age > kStaleDays ? " price stale?" : "");
  }
  const std::string verdict = fmt::format("Verdict ({}): ", to_string(a.verdict));
  s += "\n" + verdict + wrap(a.verdict_reason, verdict.size(), 2);

  if (!others.empty()) {
    s += fmt::format("\n{:<22} {:<8} {:>9} {:>7} {:>9} {:>7}  {}\n", "Runners-up", "quant", "needs",
                     "tok/s", "$/month", "quality", "why it lost");
    for (const auto* r : others) {
      const Estimate& e = r->estimate;
      std::string why = !r->eligible        ? r->why_not
                        : best && quality_tie(*r, *best) ? fmt::format("as good, slower ({} tok/s)", tps(e.decode_tps))
                                                     : fmt::format("lower quality ({:.1f})", r->quality);
      s += fmt::format("{:<22} {:<8} {:>9} {:>7} {:>9} {:>7.1f}  {}\n", cut(e.model, 22),
                       cut(e.quant, 8), gib(e.memory.total_bytes), tps(e.decode_tps),
                       money(r->cost.total_usd), r->quality, cut(why, 30));
    }
  }
  s += "\n'estimate' marks figures not measured on this machine; `estimate --json` lists each assumption.\n";
  return s;
}

namespace {
json option_json(const PlanOption& o) {
  json j = candidate_json(o.candidate);
  j["hardware_id"] = o.hardware_id;
  j["name"] = o.name;
  j["label"] = o.label;
  j["count"] = o.count;
  j["nodes"] = o.nodes;
  j["how"] = o.how;
  j["rental"] = o.rental_id;
  j["monthly_usd"] = usd_json(o.monthly_usd);
  j["meets"] = o.meets;
  j["why_not"] = o.why_not;
  j["breakeven_tokens_per_month"] = o.breakeven_tokens_per_month ? json(*o.breakeven_tokens_per_month) : json(nullptr);
  return j;
}
}  // namespace

namespace {
std::string_view to_string(PlanVerdict::Kind k) {
  switch (k) {
    case PlanVerdict::Kind::buy: return "buy";
    case PlanVerdict::Kind::rent: return "rent";
    case PlanVerdict::Kind::own: return "own";
    case PlanVerdict::Kind::api: return "api";
    case PlanVerdict::Kind::none: return "none";
  }
  return "none";
}

/// The plan's verdict in one line: what to do, what it costs a month, what the alternative costs,
/// and the volume at which buying breaks even with the API.
std::string verdict_line(const Plan& p) {
  const PlanVerdict& v = p.verdict;
  const ApiCost* api = v.api ? &p.apis[*v.api] : nullptr;
  const PlanOption* buy = v.purchase ? &p.options[*v.purchase] : nullptr;
  const std::string breakeven =
      buy && buy->breakeven_tokens_per_month
          ? fmt::format("; buying {} breaks even with the API at {} tokens/month", buy->label,
                        tokens(*buy->breakeven_tokens_per_month))
          : "";
  const std::string api_text = api ? fmt::format("; {} costs {}/month", api->offer->name, money(api->usd)) : "";
  switch (v.kind) {
    case PlanVerdict::Kind::buy:
    case PlanVerdict::Kind::rent:
    case PlanVerdict::Kind::own: {
      const PlanOption& o = p.options[*v.option];
      return fmt::format("{} {}: {} at {} tok/s for {}/month{}{}",
                         v.kind == PlanVerdict::Kind::own ? "run it on" : std::string(to_string(v.kind)), o.label,
                         o.candidate.estimate.quant, tps(o.candidate.estimate.decode_tps), money(o.monthly_usd),
                         api_text, breakeven);
    }
    case PlanVerdict::Kind::api:
      return fmt::format("use the API: {} at {}/month{}{}", api->offer->name, money(api->usd),
                         p.cheapest ? fmt::format(", against {}/month for {} {}", money(p.options[*p.cheapest].monthly_usd),
                                                  p.options[*p.cheapest].how, p.options[*p.cheapest].label)
                                    : std::string(", as no machine shown meets the target"),
                         breakeven);
    case PlanVerdict::Kind::none: break;
  }
  return "nothing shown meets the target, and no API is as good as the model";
}
}  // namespace

std::string present_plan(const Plan& p, const ModelSpec& m, const Workload& w, const Budget& b, bool json_out) {
  if (json_out) {
    json j;
    j["model"] = m.id;
    j["workload"] = to_json(w);
    j["budget"] = {{"usd_per_month", b.usd_per_month}, {"amortize_months", b.amortize_months}};
    json options = json::array();
    for (const auto& o : p.options) options.push_back(option_json(o));
    j["options"] = options;
    j["cheapest"] = p.cheapest ? option_json(p.options[*p.cheapest]) : json(nullptr);
    j["fastest"] = p.fastest ? option_json(p.options[*p.fastest]) : json(nullptr);
    json apis = json::array();
    for (const auto& a : p.apis) apis.push_back(api_json(a));
    j["apis"] = apis;
    j["unpriced_machines"] = p.unpriced;
    j["verdict"] = {{"decision", to_string(p.verdict.kind)},
                    {"option", p.verdict.option ? option_json(p.options[*p.verdict.option]) : json(nullptr)},
                    {"api", p.verdict.api ? api_json(p.apis[*p.verdict.api]) : json(nullptr)},
                    {"reason", verdict_line(p)}};
    return j.dump(2) + "\n";
  }
  std::string s = wrap(fmt::format("Plan for {} ({}): {} tokens/month, {:.0f}% input, at least {:g} tok/s, "
                                   "context {}; budget {}/month; purchases over {} months",
                                   m.name, m.id, tokens(w.tokens_per_month), w.input_share * 100, w.min_decode_tps,
                                   w.context_tokens, money(b.usd_per_month), b.amortize_months),
                       0, 2);
  if (w.users > 1)
    s += wrap(fmt::format("{} users at once: tok/s is each user's, with every user's KV cache in memory", w.users), 0, 2);
  s += fmt::format("\n{:<34} {:<8} {:<9} {:>6} {:>8} {:>10}  {}\n", "option", "how", "quant", "tok/s", "$/month",
                   "break-even", "meets the target?");
  int shown_ok = 0, shown_no = 0;
  for (const auto& o : p.options) {
    if (o.meets ? shown_ok++ >= 12 : shown_no++ >= 6) continue;
    const auto& e = o.candidate.estimate;
    const std::string be = o.breakeven_tokens_per_month ? tokens(*o.breakeven_tokens_per_month) : "-";
    s += fmt::format("{:<34} {:<8} {:<9} {:>6} {:>8} {:>10}  {}\n", cut(o.label, 34), o.how, cut(e.quant, 9),
                     e.decode_tps > 0 ? tps(e.decode_tps) : "-", money(o.monthly_usd), be,
                     cut(o.meets ? "yes" : o.why_not, 18));
  }
  const auto pick = [&](const char* label, const PlanOption& o) {
    const auto& e = o.candidate.estimate;
    std::string line = wrap(fmt::format("{} {} {} at {}, {} tok/s{}, {}/month", label, o.how, o.name, e.quant,
                                        tps(e.decode_tps),
                                        e.users > 1 ? fmt::format(" each ({} in all)", tps(e.aggregate_tps)) : "",
                                        money(o.monthly_usd)),
                            0, 2);
    return line + "  " + wrap(e.engine + ": " + e.launch, 2, 4);
  };
  if (p.cheapest) s += "\n" + pick("Cheapest that meets the target:", p.options[*p.cheapest]);
  else s += "\nNothing in the catalog meets the target within the budget.\n";
  if (p.fastest && p.fastest != p.cheapest) s += pick("Fastest that meets it:", p.options[*p.fastest]);
  s += "\nAPIs as good as the model, same volume\n";
  for (std::size_t i = 0; i < p.apis.size() && i < 4; ++i)
    s += fmt::format("  {:<44} {:>9}/month  quality {:.0f}\n", cut(p.apis[i].offer->name, 44), money(p.apis[i].usd),
                     p.apis[i].quality);
  s += "\n" + wrap("Verdict: " + verdict_line(p), 0, 2);
  s += "\nbreak-even: the monthly volume at which buying costs as much as the cheapest API above.\n";
  if (!p.buy_only) s += wrap(w.hours_per_day
                ? fmt::format("Rentals are billed for {:g} h a day up ({:.0f} h/month, --hours-per-day), idle or not.",
                              *w.hours_per_day, *w.hours_per_day * kHoursPerMonth / 24)
            : w.users > 1
                ? fmt::format("Rentals are billed always on, 730 h/month, for {} users (--hours-per-day to change).",
                              w.users)
                : fmt::format("Rentals are billed for one user's working day, 8 h x 5 days ({:.0f} h/month), or the "
                              "busy hours if more (--hours-per-day, --always-on to change).",
                              kOneUserHoursPerMonth),
            0, 0);
  if (p.unpriced > 0)
    s += fmt::format("{} catalog machines have no purchase price and are not in the list.\n", p.unpriced);
  if (!p.host_name.empty())
    s += wrap(fmt::format("A graphics card is priced with the computer it goes into: {} at {} (--host ID for "
                          "another, --have-host if you have one).",
                          p.host_name, p.host_price_usd > 0 ? money(p.host_price_usd) : "an unknown price"),
              0, 0);
  if (p.buy_only) s += "Purchases only (--buy or --max-price): no rentals shown.\n";
  return s;
}

namespace {
std::string_view to_string(CompareVerdict::Reason r) {
  switch (r) {
    case CompareVerdict::Reason::none_meets: return "none_meets";
    case CompareVerdict::Reason::only_one_meets: return "only_one_meets";
    case CompareVerdict::Reason::cheaper: return "cheaper";
    case CompareVerdict::Reason::faster: return "faster";
  }
  return "none_meets";
}

/// The comparison's verdict in one line: the better buy, on what ground, against the runner-up
/// and the API.
std::string compare_verdict_line(const Comparison& c, const Workload& w) {
  const CompareVerdict& v = c.verdict;
  const auto name = [&](std::size_t i) { return fmt::format("{} ({})", char('A' + i), c.options[i].label); };
  const auto what = [&](std::size_t i) {
    const auto& o = c.options[i];
    return fmt::format("{} at {} tok/s for {}/month", o.candidate.estimate.quant, tps(o.candidate.estimate.decode_tps),
                       money(o.monthly_usd));
  };
  std::string api_text;
  if (c.api) {
    api_text = fmt::format("; {} by API costs {}/month", c.api->offer->name, money(c.api->usd));
    if (v.better && c.options[*v.better].monthly_usd && c.api->usd < *c.options[*v.better].monthly_usd) {
      const auto& be = c.options[*v.better].breakeven_tokens_per_month;
      api_text += be ? fmt::format(", cheaper below {} tokens/month", tokens(*be)) : ", cheaper at any volume";
    }
  }
  switch (v.reason) {
    case CompareVerdict::Reason::none_meets:
      return fmt::format("none of them runs {} at {:g} tok/s and serves the volume (`plan --model {}` finds what "
                         "does){}",
                         c.model->id, w.min_decode_tps, c.model->id, api_text);
    case CompareVerdict::Reason::only_one_meets: {
      std::string rest;
      for (std::size_t i = 0; i < c.options.size(); ++i)
        if (i != *v.better) rest += fmt::format("; {}: {}", name(i), c.options[i].why_not);
      return fmt::format("{} is the better buy, the only one that meets the target: {}{}{}", name(*v.better),
                         what(*v.better), rest, api_text);
    }
    case CompareVerdict::Reason::cheaper:
      return fmt::format("{} is the better buy, cheaper: {}, against {} on {}{}", name(*v.better), what(*v.better),
                         what(*v.runner_up), name(*v.runner_up), api_text);
    case CompareVerdict::Reason::faster:
      return fmt::format("{} is the better buy, faster at a cost within {:.0f}%: {}, against {} on {}{}",
                         name(*v.better), kCostTieShare * 100, what(*v.better), what(*v.runner_up),
                         name(*v.runner_up), api_text);
  }
  return "";
}
}  // namespace

std::string present_comparison(const Comparison& c, const std::vector<CompareMachine>& machines, const Workload& w,
                               const Budget& b, bool json_out) {
  if (json_out) {
    json j;
    j["model"] = c.model->id;
    j["workload"] = to_json(w);
    j["amortize_months"] = b.amortize_months;
    json ms = json::array();
    for (std::size_t i = 0; i < c.options.size(); ++i) {
      json o = option_json(c.options[i]);
      o["id"] = c.options[i].label;
      o["machine"] = machines[i].machine.name;
      o["owned"] = machines[i].owned;
      o["price_usd"] = usd_json(c.price_usd[i]);
      o["price_source"] = c.price_usd[i] ? json(machines[i].machine.price_usd.source) : json(nullptr);
      ms.push_back(o);
    }
    j["machines"] = ms;
    j["api"] = c.api ? api_json(*c.api) : json(nullptr);
    const auto id = [&](const std::optional<std::size_t>& i) { return i ? json(c.options[*i].label) : json(nullptr); };
    j["verdict"] = {{"better", id(c.verdict.better)},
                    {"runner_up", id(c.verdict.runner_up)},
                    {"reason", to_string(c.verdict.reason)},
                    {"text", compare_verdict_line(c, w)}};
    return j.dump(2) + "\n";
  }
  std::string s = wrap(fmt::format("Compare for {} ({}): {} tokens/month, {:.0f}% input, at least {:g} tok/s, "
                                   "context {}; purchases over {} months",
                                   c.model->name, c.model->id, tokens(w.tokens_per_month), w.input_share * 100,
                                   w.min_decode_tps, w.context_tokens, b.amortize_months),
                       0, 2);
  for (std::size_t i = 0; i < c.options.size(); ++i) {
    const Machine& m = machines[i].machine;
    const std::string price = machines[i].owned ? "owned" : machines[i].price_detail;
    s += fmt::format("  {}  ", char('A' + i)) + wrap(fmt::format("{}: {}; {}", c.options[i].label, m.name, price), 5, 5);
  }
  // A label column, then one column per machine, all within kWidth.
  constexpr std::size_t kLabel = 16;
  const std::size_t col = std::min<std::size_t>(28, (kWidth - kLabel) / c.options.size());
  const auto row = [&](std::string_view label, const auto& cell) {
    std::string line = fmt::format("{:<{}}", label, kLabel);
    for (std::size_t i = 0; i < c.options.size(); ++i)
      line += fmt::format("{:<{}}", cut(cell(c.options[i], i), col - 1), col);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line + "\n";
  };
  s += "\n" + row("", [](const PlanOption&, std::size_t i) { return std::string(1, char('A' + i)); });
  s += row("fits", [](const PlanOption& o, std::size_t) {
    const auto& e = o.candidate.estimate;
    return fmt::format("{}, {:.1f} of {:.1f} GiB", e.fits ? "yes" : "NO", e.memory.total_bytes / kGiB,
                       e.memory.available_bytes / kGiB);
  });
  s += row("placement", [](const PlanOption& o, std::size_t) {
    const auto& e = o.candidate.estimate;
    return e.placement.kind == PlacementKind::partial_offload
               ? fmt::format("{} layers on GPU", e.placement.gpu_layers)
               : std::string(to_string(e.placement.kind));
  });
  s += row("quant", [](const PlanOption& o, std::size_t) {
    return fmt::format("{} ({})", o.candidate.estimate.quant, o.candidate.estimate.engine);
  });
  s += row("decode tok/s", [](const PlanOption& o, std::size_t) {
    const auto& e = o.candidate.estimate;
    return e.decode_tps > 0 ? tps(e.decode_tps) +
                                  (e.decode_tps_range.high > 0
                                       ? fmt::format(" ({}-{})", tps(e.decode_tps_range.low), tps(e.decode_tps_range.high))
                                       : "")
                            : std::string("-");
  });
  s += row("prefill tok/s", [](const PlanOption& o, std::size_t) {
    const auto& e = o.candidate.estimate;
    return e.prefill_tps > 0 ? tps(e.prefill_tps) + (e.prefill_tps_range.high > 0
                                                         ? fmt::format(" ({}-{})", tps(e.prefill_tps_range.low),
                                                                       tps(e.prefill_tps_range.high))
                                                         : "")
                             : std::string("unknown");
  });
  s += row("max context", [](const PlanOption& o, std::size_t) {
    return o.candidate.estimate.fits ? std::to_string(o.candidate.estimate.max_context) : std::string("-");
  });
  s += row("price", [&](const PlanOption&, std::size_t i) {
    return machines[i].owned ? std::string("owned") : money(c.price_usd[i]);
  });
  s += row("$/month", [](const PlanOption& o, std::size_t) { return money(o.monthly_usd); });
  s += row("break-even", [](const PlanOption& o, std::size_t) {
    return o.breakeven_tokens_per_month ? tokens(*o.breakeven_tokens_per_month) + " tok/month" : std::string("-");
  });
  s += row("meets target", [](const PlanOption& o, std::size_t) { return o.meets ? std::string("yes") : o.why_not; });
  s += "\n";
  if (c.api)
    s += wrap(fmt::format("API as good as the model, cheapest: {}, {}/month for the same volume", c.api->offer->name,
                          money(c.api->usd)),
              0, 2);
  else
    s += "No API in the catalog is as good as the model: no break-even.\n";
  s += wrap("Verdict: " + compare_verdict_line(c, w), 0, 2);
  s += "\nRun it\n";
  for (std::size_t i = 0; i < c.options.size(); ++i) {
    const auto& e = c.options[i].candidate.estimate;
    s += fmt::format("  {}  ", char('A' + i)) + wrap(e.engine + ": " + e.launch, 5, 7);
  }
  s += "\n" + wrap(fmt::format("decode and prefill in parentheses: where 80% of published runs of the class fell "
                               "(out of sample); $/month: electricity for the hours up, plus the price over {} "
                               "months; break-even: the volume at which buying costs as much as the API.",
                               b.amortize_months),
                   0, 0);
  return s;
}

std::string present_models_plan(const ModelsPlan& p, const Workload& w, const Budget& b, double min_quality,
                                bool json_out) {
  const auto best = [](const Plan& x) -> const PlanOption& { return x.options[*x.cheapest]; };
  if (json_out) {
    json j;
    j["workload"] = to_json(w);
    j["budget"] = {{"usd_per_month", b.usd_per_month}, {"amortize_months", b.amortize_months}};
    j["min_quality"] = min_quality >= 0 ? json(min_quality) : json(nullptr);
    json local = json::array();
    for (const auto& x : p.plans) local.push_back(option_json(best(x)));
    j["local"] = local;
    json apis = json::array();
    for (const auto& a : p.apis) apis.push_back(api_json(a));
    j["apis"] = apis;
    j["models_considered"] = p.models_considered;
    return j.dump(2) + "\n";
  }
  std::string s = wrap(fmt::format("{} for {}/month: {} tokens/month, {:.0f}% input, at least {:g} tok/s{}, context {}",
                                   min_quality >= 0 ? fmt::format("Cheapest way to quality >= {:g}", min_quality)
                                                    : std::string("Best quality"),
                                   money(b.usd_per_month), tokens(w.tokens_per_month), w.input_share * 100,
                                   w.min_decode_tps, w.users > 1 ? fmt::format(" for each of {} users", w.users) : "",
                                   w.context_tokens),
                       0, 2);
  s += fmt::format("\n{:<22} {:>7} {:<9} {:<30} {:>6} {:>8}\n", "model", "quality", "quant", "how", "tok/s", "$/month");
  for (std::size_t i = 0; i < p.plans.size() && i < 12; ++i) {
    const PlanOption& o = best(p.plans[i]);
    s += fmt::format("{:<22} {:>7.1f} {:<9} {:<30} {:>6} {:>8}\n", cut(p.plans[i].model->id, 22), o.candidate.quality,
                     cut(o.candidate.estimate.quant, 9), cut(o.how + " " + o.label, 30),
                     tps(o.candidate.estimate.decode_tps), money(o.monthly_usd));
  }
  if (p.plans.empty()) s += fmt::format("  (no model of the {} considered meets the target locally)\n", p.models_considered);
  s += "\nAPIs within the budget, same volume\n";
  for (std::size_t i = 0; i < p.apis.size() && i < 5; ++i)
    s += fmt::format("  {:<44} {:>9}/month  quality {:.0f}\n", cut(p.apis[i].offer->name, 44), money(p.apis[i].usd),
                     p.apis[i].quality);
  if (p.apis.empty()) s += "  (none)\n";
  const PlanOption* local = p.plans.empty() ? nullptr : &best(p.plans.front());
  const ApiCost* api = p.apis.empty() ? nullptr : &p.apis.front();
  if (min_quality < 0 && (local || api)) {
    const bool api_wins = api && (!local || api->quality > local->candidate.quality ||
                                  (api->quality == local->candidate.quality && api->usd < local->monthly_usd));
    s += "\n" + (api_wins ? wrap(fmt::format("Best the budget buys: {} by API (quality {:.0f}, {}/month)",
                                               api->offer->name, api->quality, money(api->usd)),
                                   0, 2)
                            : wrap(fmt::format("Best the budget buys: {} at {} ({} {}, quality {:.1f}, {}/month)",
                                               p.plans.front().model->name, local->candidate.estimate.quant, local->how,
                                               local->name, local->candidate.quality, money(local->monthly_usd)),
                                   0, 2) +
                                  "  " + wrap(local->candidate.estimate.engine + ": " + local->candidate.estimate.launch, 2, 4));
  }
  s += "\nLocal quality is the model's x the quant's retention; `plan --model ID` shows every option for one model.\n";
  return s;
}

std::string present_fit(const ModelFile& file, const Estimate& e, const MonthlyCost& cost, const Machine& m,
                        const Workload& w, bool json_out) {
  const ModelSpec& s = file.spec;
  if (json_out) {
    json j = to_json(e);
    j["cost"] = to_json(cost);
    j["workload"] = to_json(w);
    j["file"] = {{"path", file.path},
                 {"files", file.files},
                 {"format", file.format},
                 {"version", file.version},
                 {"architecture", file.architecture},
                 {"name", file.name},
                 {"tensors", file.tensors.size()},
                 {"weight_bytes", file.weight_bytes},
                 {"bytes_by_type", file.bytes_by_type},
                 {"params", s.params_b * 1e9},
                 {"layers", s.layers},
                 {"hidden", s.hidden},
                 {"heads", s.heads},
                 {"kv_heads", s.kv_heads},
                 {"head_dim", s.head_dim},
                 {"experts", s.experts},
                 {"experts_active", s.experts_active},
                 {"context_max", s.context_max},
                 {"notes", file.notes}};
    return j.dump(2) + "\n";
  }
  std::string out = wrap(fmt::format("{} ({} v{}, {}, {} file{}): {:.3g}B parameters in {} tensors, {}", file.path,
                                     file.format, file.version, file.architecture, file.files.size(),
                                     file.files.size() == 1 ? "" : "s", s.params_b, file.tensors.size(),
                                     gib(double(file.weight_bytes))),
                         0, 2);
  std::string types;
  for (const auto& [type, bytes] : file.bytes_by_type) types += fmt::format("{}{} {}", types.empty() ? "" : ", ", type, gib(double(bytes)));
  out += "  by type     " + wrap(types, 14, 14);
  out += fmt::format("  shape       {} layers, hidden {}, {} heads / {} KV heads x {}{}; context up to {}\n", s.layers,
                     s.hidden, s.heads, s.kv_heads, s.head_dim,
                     s.experts ? fmt::format(", {} experts ({} active)", s.experts, s.experts_active) : "",
                     s.context_max);
  // Which of the file's tensors go where, in llama.cpp's names, for the placement chosen.
  const int L = s.layers;
  std::string where;
  switch (e.placement.kind) {
    case PlacementKind::cpu_only:
      where = fmt::format("all {} tensors on {}", file.tensors.size(), e.device_name);
      break;
    case PlacementKind::all_gpu:
      // llama.cpp keeps the input embedding in host RAM (a token gathers one row of it).
      where = fmt::format("every tensor on {}, but token_embd.weight in host RAM", e.device_name);
      break;
    case PlacementKind::partial_offload:
      where = fmt::format("blk.0-{} on {}; blk.{}-{}, output.weight and token_embd.weight on {}",
                          e.placement.gpu_layers - 1, e.device_name, e.placement.gpu_layers, L - 1, e.host_name);
      break;
    case PlacementKind::experts_on_cpu:
      where = fmt::format("ffn_*_exps (routed experts) of every block and token_embd.weight on {}; the rest on {}",
                          e.host_name, e.device_name);
      break;
    case PlacementKind::layer_split: {
      const int n = e.placement.gpu_count;
      for (int i = 0; i < n; ++i)
        where += fmt::format("{}blk.{}-{} on GPU {}", i ? "; " : "", i * L / n, (i + 1) * L / n - 1, i);
      where += " (token_embd in host RAM, output on the last)";
      break;
    }
    case PlacementKind::tensor_parallel:
      where = fmt::format("every tensor sharded over {} GPUs", e.placement.gpus());
      break;
  }
  out += "  tensors     " + wrap(where, 14, 14);
  for (const auto& n : file.notes) out += "  note: " + wrap(n, 8, 8);
  return out + present_estimate(e, cost, m, w, false);
}

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

std::optional<int> days_between(const std::string& from, const std::string& to) {
  auto days = [](const std::string& d) -> std::optional<int> {
    int y = 0, m = 0, day = 1;
    if (std::sscanf(d.c_str(), "%d-%d-%d", &y, &m, &day) < 2 || m < 1 || m > 12 || day < 1 || day > 31)
      return std::nullopt;
    // Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
  };
  const auto a = days(from), b = days(to);
  if (!a || !b) return std::nullopt;
  return *b - *a;
}

namespace {
std::string staleness(const std::string& as_of, const std::string& today) {
  const auto d = days_between(as_of, today);
  return d && *d > kStaleDays ? "stale?" : "";
}
}  // namespace

std::string present_list(const Catalog& c, std::string_view what, const ListFilter& f, bool json_out) {
  json j = json::array();
  std::string s;
  if (what == "models") {
    s += fmt::format("{:<28} {:>8} {:>7} {:>6} {:>8} {:>7}  {}\n", "id", "params", "active", "layers",
                     "context", "quality", "license");
    for (const auto& m : c.models) {
      if (!f.family.empty() && m.id.rfind(f.family, 0) != 0) continue;
      if (f.max_params_b >= 0 && m.params_b > f.max_params_b) continue;
      if (!f.license.empty() && m.license != f.license) continue;
      const double active = m.is_moe() ? computed_active_params(m) : computed_params(m) - m.vision_params_b * 1e9;
      s += fmt::format("{:<28} {:>7.3g}B {:>6.3g}B {:>6} {:>8} {:>7.1f}  {}\n", cut(m.id, 28), m.params_b,
                       active / 1e9, m.layers, m.context_max, m.quality, m.license);
      j.push_back({{"id", m.id}, {"name", m.name}, {"params_b", m.params_b},
                   {"computed_params_b", computed_params(m) / 1e9},
                   {"active_params_b", active / 1e9}, {"layers", m.layers}, {"hidden", m.hidden},
                   {"heads", m.heads}, {"kv_heads", m.kv_heads}, {"head_dim", m.head_dim},
                   {"context_max", m.context_max}, {"experts", m.experts},
                   {"experts_active", m.experts_active}, {"license", m.license},
                   {"license_name", m.license_name}, {"released", m.released},
                   {"quality", m.quality}, {"quality_source", m.quality_source}, {"source", m.source}});
    }
    if (!c.quality_scale.empty()) s += "quality: " + wrap(c.quality_scale, 9, 2);
  } else if (what == "quants") {
    s += fmt::format("{:<10} {:<11} {:<8} {:>7}  {}\n", "id", "format", "block", "retain", "bits per weight by role");
    for (const auto& q : c.quants) {
      std::string roles;
      json jr;
      for (std::size_t r = 0; r < kRoles; ++r) {
        double bits = 0;
        for (const auto& share : q.roles[r]) bits += share.fraction * share.format->bits_per_weight();
        jr[std::string(to_string(static_cast<Role>(r)))] = bits;
        if (static_cast<Role>(r) != Role::other)
          roles += fmt::format("{}{:.3g}", roles.empty() ? "" : " ", bits);
      }
      s += fmt::format("{:<10} {:<11} {:<8} {:>7.3f}  {}\n", q.id, q.format, q.block_format->name,
                       q.quality_retention, roles);
      json backends = json::array();
      for (auto b : q.backends) backends.push_back(to_string(b));
      j.push_back({{"id", q.id}, {"name", q.name}, {"format", q.format},
                   {"block_format", q.block_format->name}, {"bits_per_weight", jr}, {"backends", backends},
                   {"quality_retention", q.quality_retention}, {"source", q.source}});
    }
    s += "roles: embedding output attn_qk attn_v attn_o ffn_up ffn_down\n";
  } else if (what == "hardware") {
    s += fmt::format("{:<26} {:<5} {:<6} {:>6} {:>6} {:>7} {:>5} {:>7} {}\n", "id", "kind", "backend",
                     "GiB", "GB/s", "TFLOPS", "W", "USD", "price");
    for (const auto& h : c.hardware) {
      if (!f.kind.empty() && h.kind != f.kind) continue;
      if (f.max_price >= 0 && (h.price_usd <= 0 || h.price_usd > f.max_price)) continue;
      const std::string price = h.price_usd > 0 ? fmt::format("{} {}", h.price_condition, h.price_as_of) : "";
      s += fmt::format("{:<26} {:<5} {:<6} {:>6.4g} {:>6.4g} {:>7.4g} {:>5.0f} {:>7.0f} {}\n", cut(h.id, 26),
                       h.kind, to_string(h.backend), h.memory_gib, h.memory_bandwidth_gbps, h.fp16_tflops,
                       h.tdp_w, h.price_usd, cut(price, 24));
      json backends = json::array();
      for (auto b : h.backends) backends.push_back(to_string(b));
      j.push_back({{"id", h.id}, {"name", h.name}, {"kind", h.kind}, {"backend", to_string(h.backend)},
                   {"backends", backends}, {"memory_gib", h.memory_gib},
                   {"memory_bandwidth_gbps", h.memory_bandwidth_gbps}, {"fp16_tflops", h.fp16_tflops},
                   {"tdp_w", h.tdp_w}, {"price_usd", h.price_usd}, {"price_condition", h.price_condition},
                   {"price_as_of", h.price_as_of}, {"unified_memory", h.unified_memory},
                   {"gpu_memory_fraction", h.gpu_memory_fraction}, {"source", h.source}, {"as_of", h.as_of}});
    }
  } else {
    s += fmt::format("{:<40} {:<12} {:>8} {:>8} {:>8}  {}\n", "id", "provider", "$/M in", "cached",
                     "$/M out", "as of");
    for (const auto& a : c.apis) {
      const std::string stale = staleness(a.as_of, today());
      s += fmt::format("{:<40} {:<12} {:>8.3f} {:>8} {:>8.3f}  {} {}\n", cut(a.id, 40), cut(a.provider, 12),
                       a.usd_per_mtok_input,
                       a.usd_per_mtok_cached_input > 0 ? fmt::format("{:.3f}", a.usd_per_mtok_cached_input) : "-",
                       a.usd_per_mtok_output, a.as_of, stale);
      j.push_back({{"id", a.id}, {"model", a.model}, {"name", a.name}, {"provider", a.provider},
                   {"usd_per_mtok_input", a.usd_per_mtok_input},
                   {"usd_per_mtok_cached_input", a.usd_per_mtok_cached_input},
                   {"usd_per_mtok_output", a.usd_per_mtok_output}, {"quality", a.quality},
                   {"source", a.source}, {"as_of", a.as_of}, {"possibly_stale", !stale.empty()}});
    }
    s += fmt::format("\n{:<40} {:<12} {:>5} {:>8}  {}\n", "GPU rental", "provider", "GPUs", "$/hour", "as of");
    for (const auto& r : c.rentals) {
      const std::string stale = staleness(r.as_of, today());
      s += fmt::format("{:<40} {:<12} {:>5} {:>8.2f}  {} {}\n", cut(r.id, 40), cut(r.provider, 12), r.gpus,
                       r.usd_per_hour, r.as_of, stale);
      j.push_back({{"rental", r.id}, {"hardware", r.hardware}, {"provider", r.provider}, {"gpus", r.gpus},
                   {"usd_per_hour", r.usd_per_hour}, {"condition", r.condition}, {"source", r.source},
                   {"as_of", r.as_of}, {"possibly_stale", !stale.empty()}});
    }
    s += "electricity: " + wrap(fmt::format("${}/kWh ({}, {})", c.electricity.usd_per_kwh,
                                             c.electricity.source, c.electricity.as_of), 13, 2);
    s += "stale?: priced more than 180 days before today; check the provider's page.\n";
  }
  return json_out ? j.dump(2) + "\n" : s;
}

}  // namespace benchr
