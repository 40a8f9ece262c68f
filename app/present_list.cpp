// The catalog listings: `models`, `quants`, `hardware` and `prices`.
#include <fmt/format.h>

#include "app.hpp"
#include "json.hpp"
#include "table.hpp"

namespace benchr {

using nlohmann::json;

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
