// The JSON forms of the estimator's results (--json): one function per type, shared by every
// subcommand's presenter.
#include "json.hpp"
#include "table.hpp"

namespace benchr {

using nlohmann::json;

json usd_json(const std::optional<double>& usd) { return usd ? json(*usd) : json(nullptr); }

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
  j["model_quality"] = c.model_quality;
  j["retention"] = c.retention;
  j["thinking_off"] = c.thinking_off;
  j["eligible"] = c.eligible;
  j["why_not"] = c.why_not;
  return j;
}

/// An 80% band as [low, high], or null where the figure is unknown.
json range_json(const Range& r) { return r.high > 0 ? json::array({r.low, r.high}) : json(nullptr); }

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
                     {"gemv_dot_cap_gbps", d.gemv_dot_cap_gbps},
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
                                 {"kv_reread_bytes", p.kv_reread_bytes},
                                 {"dot_bytes", p.dot_bytes},
                                 {"routed_bytes", p.routed_bytes},
                                 {"unpack_weights", p.unpack_weights},
                                 {"unpack_s", p.unpack_s},
                                 {"overhead_s", p.overhead_s},
                                 {"compute_s", p.compute_s},
                                 {"total_s", p.decode_s()}}},
                     {"prefill", {{"s_per_token", p.prefill_s},
                                  {"routed_experts_s", p.prefill_routed_s},
                                  {"dot_path_s", p.prefill_dot_s},
                                  {"tokens_per_expert", p.tokens_per_expert},
                                  {"expert_read_s", p.prefill_expert_read_s},
                                  {"expert_read_share", p.expert_read_share},
                                  {"expert_tile_tokens", p.expert_tile_tokens},
                                  {"expert_tile_fill", p.expert_tile_fill},
                                  {"attention_scores_s", p.prefill_attention_scores_s},
                                  {"attention_s", p.prefill_attention_s},
                                  {"attention_share", p.attention_share}}}});
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
          {"decode_tps", e.decode_tps > 0 ? json(e.decode_tps) : json(nullptr)},  // unknown (no read rate), never 0
          {"users", e.users},
          {"aggregate_tps", e.decode_tps > 0 ? json(e.aggregate_tps) : json(nullptr)},
          {"prefill_tps", e.prefill_tps > 0 ? json(e.prefill_tps) : json(nullptr)},  // unknown, never 0
          {"accuracy_class", to_string(e.accuracy_class)},
          {"decode_tps_range", range_json(e.decode_tps_range)},
          {"prefill_tps_range", range_json(e.prefill_tps_range)},
          {"decode_tps_range_note", band_note(e, true).empty() ? json(nullptr) : json(band_note(e, true))},
          {"prefill_tps_range_note", band_note(e, false).empty() ? json(nullptr) : json(band_note(e, false))},
          {"time_to_first_token_s", e.prefill_tps > 0 ? json(e.time_to_first_token_s) : json(nullptr)},
          {"bottleneck", e.bottleneck},
          {"breakdown", {{"pools", pools}, {"comm_s", e.comm_s}, {"prefill_comm_s_per_token", e.prefill_comm_s}}},
          {"engine", to_string(e.engine)},
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
          {"depth_tokens", w.depth_tokens},     {"ubatch_tokens", w.ubatch_tokens},
          {"tokens_per_month", w.tokens_per_month},
          {"input_share", w.input_share},       {"input_tokens", w.input_tokens()},
          {"output_tokens", w.output_tokens()}, {"min_decode_tps", w.min_decode_tps},
          {"users", w.users},                   {"kv_cache_type", to_string(w.kv_type)},
          {"flash_attention", w.flash_attention},
          {"hours_per_day", w.hours_per_day ? json(*w.hours_per_day) : json(nullptr)}};
}

json option_json(const PlanOption& o) {
  json j = candidate_json(o.candidate);
  j["hardware_id"] = o.hardware_id;
  j["name"] = o.name;
  j["label"] = o.label;
  j["count"] = o.count;
  j["nodes"] = o.nodes;
  j["how"] = to_string(o.how);
  j["rental"] = o.rental_id;
  j["monthly_usd"] = usd_json(o.monthly_usd);
  j["meets"] = o.meets;
  j["why_not"] = o.why_not;
  j["breakeven_tokens_per_month"] = o.breakeven_tokens_per_month ? json(*o.breakeven_tokens_per_month) : json(nullptr);
  return j;
}

}  // namespace benchr
