// `advise` (the default subcommand): the recommendation, top picks, API alternatives, verdict and
// runners-up.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "app.hpp"
#include "json.hpp"
#include "table.hpp"

namespace benchr {

using nlohmann::json;

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

}  // namespace benchr
