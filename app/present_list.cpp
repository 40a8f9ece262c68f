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

std::string present_list(const Catalog& c, std::string_view what, const ListFilter& f, const Output& out) {
  json j = json::array();
  std::string s;
  std::vector<std::vector<std::string>> rows;
  if (what == "models") {
    for (const auto& m : c.models) {
      if (!f.family.empty() && m.id.rfind(f.family, 0) != 0) continue;
      if (f.max_params_b >= 0 && m.params_b > f.max_params_b) continue;
      if (!f.license.empty() && m.license != f.license) continue;
      const double active = m.is_moe() ? computed_active_params(m) : computed_params(m) - m.vision_params_b * 1e9;
      rows.push_back({m.id, fmt::format("{:.3g}B", m.params_b), fmt::format("{:.3g}B", active / 1e9),
                      std::to_string(m.layers), std::to_string(m.context_max), fmt::format("{:.1f}", m.quality),
                      m.license});
      j.push_back({{"id", m.id}, {"name", m.name}, {"params_b", m.params_b},
                   {"computed_params_b", computed_params(m) / 1e9},
                   {"active_params_b", active / 1e9}, {"layers", m.layers}, {"hidden", m.hidden},
                   {"heads", m.heads}, {"kv_heads", m.kv_heads}, {"head_dim", m.head_dim},
                   {"context_max", m.context_max}, {"experts", m.experts},
                   {"experts_active", m.experts_active}, {"license", m.license},
                   {"license_name", m.license_name}, {"released", m.released},
                   {"quality", m.quality}, {"quality_source", m.quality_source}, {"source", m.source}});
    }
    s += table({{"id"}, {"params", true}, {"active", true, 3}, {"layers", true, 2}, {"context", true},
                {"quality", true}, {"license", false, 1}},
               rows, out.width);
    if (!c.quality_scale.empty()) s += "quality: " + wrap(c.quality_scale, 9, 2, out.width);
  } else if (what == "quants") {
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
      rows.push_back({q.id, std::string(to_string(q.format)), std::string(q.block_format->name), fmt::format("{:.3f}", q.quality_retention),
                      roles});
      json backends = json::array();
      for (auto b : q.backends) backends.push_back(to_string(b));
      j.push_back({{"id", q.id}, {"name", q.name}, {"format", to_string(q.format)},
                   {"block_format", q.block_format->name}, {"bits_per_weight", jr}, {"backends", backends},
                   {"quality_retention", q.quality_retention}, {"source", q.source}});
    }
    s += table({{"id"}, {"format"}, {"block", false, 1}, {"retain", true}, {"bits per weight by role", false, 0, true}},
               rows, out.width);
    s += "roles: embedding output attn_qk attn_v attn_o ffn_up ffn_down\n";
  } else if (what == "hardware") {
    for (const auto& h : c.hardware) {
      if (!f.kind.empty() && h.kind != parse_hardware_kind(f.kind, "--kind")) continue;
      if (f.max_price >= 0 && (h.price_usd <= 0 || h.price_usd > f.max_price)) continue;
      const std::string price = h.price_usd > 0 ? fmt::format("{} {}", h.price_condition, h.price_as_of) : "";
      rows.push_back({h.id, std::string(to_string(h.kind)), std::string(to_string(h.backend)), fmt::format("{:.4g}", h.memory_gib),
                      fmt::format("{:.4g}", h.memory_bandwidth_gbps), fmt::format("{:.4g}", h.fp16_tflops),
                      fmt::format("{:.0f}", h.tdp_w), fmt::format("{:.0f}", h.price_usd), price});
      json backends = json::array();
      for (auto b : h.backends) backends.push_back(to_string(b));
      j.push_back({{"id", h.id}, {"name", h.name}, {"kind", to_string(h.kind)}, {"backend", to_string(h.backend)},
                   {"backends", backends}, {"memory_gib", h.memory_gib},
                   {"memory_bandwidth_gbps", h.memory_bandwidth_gbps}, {"fp16_tflops", h.fp16_tflops},
                   {"tdp_w", h.tdp_w}, {"price_usd", h.price_usd}, {"price_condition", h.price_condition},
                   {"price_as_of", h.price_as_of}, {"unified_memory", h.unified_memory},
                   {"gpu_memory_fraction", h.gpu_memory_fraction}, {"source", h.source}, {"as_of", h.as_of}});
    }
    s += table({{"id"}, {"kind"}, {"backend", false, 3}, {"GiB", true}, {"GB/s", true}, {"TFLOPS", true, 2},
                {"W", true, 4}, {"USD", true}, {"price", false, 1, true}},
               rows, out.width);
  } else {
    for (const auto& a : c.apis) {
      const std::string stale = staleness(a.as_of, today());
      rows.push_back({a.id, a.provider, fmt::format("{:.3f}", a.usd_per_mtok_input),
                      a.usd_per_mtok_cached_input > 0 ? fmt::format("{:.3f}", a.usd_per_mtok_cached_input) : "-",
                      fmt::format("{:.3f}", a.usd_per_mtok_output),
                      fmt::format("{} {}", a.as_of, paint(stale, Paint::warn, out.color))});
      j.push_back({{"id", a.id}, {"model", a.model}, {"name", a.name}, {"provider", a.provider},
                   {"usd_per_mtok_input", a.usd_per_mtok_input},
                   {"usd_per_mtok_cached_input", a.usd_per_mtok_cached_input},
                   {"usd_per_mtok_output", a.usd_per_mtok_output}, {"quality", a.quality},
                   {"source", a.source}, {"as_of", a.as_of}, {"possibly_stale", !stale.empty()}});
    }
    s += table({{"id"}, {"provider", false, 1}, {"$/M in", true}, {"cached", true, 2}, {"$/M out", true},
                {"as of", false, 0, true}},
               rows, out.width);
    rows.clear();
    for (const auto& r : c.rentals) {
      const std::string stale = staleness(r.as_of, today());
      rows.push_back({r.id, r.provider, std::to_string(r.gpus), fmt::format("{:.2f}", r.usd_per_hour),
                      fmt::format("{} {}", r.as_of, paint(stale, Paint::warn, out.color))});
      j.push_back({{"rental", r.id}, {"hardware", r.hardware}, {"provider", r.provider}, {"gpus", r.gpus},
                   {"usd_per_hour", r.usd_per_hour}, {"condition", r.condition}, {"source", r.source},
                   {"as_of", r.as_of}, {"possibly_stale", !stale.empty()}});
    }
    s += '\n';
    s += table({{"GPU rental"}, {"provider", false, 1}, {"GPUs", true}, {"$/hour", true}, {"as of", false, 0, true}},
               rows, out.width);
    s += "electricity: " + wrap(fmt::format("${}/kWh ({}, {})", c.electricity.usd_per_kwh,
                                             c.electricity.source, c.electricity.as_of), 13, 2, out.width);
    s += wrap(fmt::format("stale?: priced more than {} days before today; check the provider's page.", kStaleDays), 0,
              0, out.width);
  }
  return out.json ? guarded_dump(j) : s;
}

}  // namespace benchr
