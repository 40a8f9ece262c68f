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
/// " (thinking off)" for a hybrid run with its thinking off, else nothing.
std::string mode_note(const Candidate& c) { return c.thinking_off ? " (thinking off)" : ""; }

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
std::string top_picks_lines(const Advice& a, const Output& out) {
  std::string s(1, '\n');
  s += heading(
      fmt::format("Top picks by use (fastest good: within {:g} quality points of the pick)", 2 * kQualityTiePoints),
      out.width, out.color);
  for (const auto& [label, i] : top_pick_list(a)) {
    const Candidate& c = a.ranked[i];
    const Estimate& e = c.estimate;
    const bool longest = label == "longest context";
    const std::string what = fmt::format("{}{} {}, {} tok/s, quality {:.1f}{}", e.model, mode_note(c), e.quant,
                                         tps(e.decode_tps), c.quality,
                                         longest ? fmt::format(", {} tokens", e.max_context) : "");
    // The longest-context pick is worth having for its context, so its command allocates it even
    // when it is the recommendation (whose command allocates --context).
    if (longest && !a.picks.longest_context_launch.empty() && a.picks.longest_context_launch != e.launch)
      s += command_field(label, i == a.recommended ? what + ": the recommendation, with all that context" : what,
                         a.picks.longest_context_launch, 18, out.width);
    else
      s += i == a.recommended ? field(label, what + ": the recommendation", 18, out.width)
                              : command_field(label, what, e.launch, 18, out.width);
  }
  return s;
}

/// The recommendation: what, how fast, what it costs, the command; then fit, quality and why.
std::string recommendation_lines(const Candidate& best, const Machine& m, const Workload& w, const Budget& b,
                                 const Catalog& c, const Output& out) {
  constexpr std::size_t kCol = 12;
  const auto row = [&](std::string_view label, const std::string& text) { return field(label, text, kCol, out.width); };
  const Estimate& e = best.estimate;
  const ModelSpec* model = c.find_model(e.model);
  const QuantSpec* quant = c.find_quant(e.quant);
  std::string s = heading(fmt::format("Recommended here: {} at {}{}  ({} {}, {})", model->name, quant->id,
                                     best.thinking_off ? " with thinking off" : "", e.model, e.quant,
                                     model->license_name),
                         out.width, out.color);
  if (e.prefill_tps > 0)
    s += row("speed", fmt::format("decode {} tok/s{}, prefill {} tok/s (first token {} s for {} tokens)",
                                  tps(e.decode_tps), band_text(e, true), tps(e.prefill_tps),
                                  seconds(e.time_to_first_token_s), w.prompt_tokens));
  else
    s += row("speed", fmt::format("decode {} tok/s{}; prefill and first token unknown (no compute figure)",
                                  tps(e.decode_tps), band_text(e, true)));
  s += row("", "limit: " + e.bottleneck);
  s += row("cost", cost_words(best.cost, b.amortize_months));
  // Owned hardware is never ruled out by the budget: its running cost is set against it here.
  if (b.owned && best.cost.total_usd) {
    const bool within = *best.cost.total_usd <= b.usd_per_month;
    s += row("budget", fmt::format("running it costs {}/month, {} the {}/month budget", money(best.cost.total_usd),
                                   within ? "within" : paint("OVER", Paint::bad, out.color), money(b.usd_per_month)));
  }
  s += command_field("run it", engine_label(e), e.launch, kCol, out.width);
  s += raised_limit_line(e, m, kCol, out.width);
  s += row("fits", fmt::format("{} of {} available ({}% headroom); up to {} tokens of context",
                               gib(e.memory.total_bytes), gib(e.memory.available_bytes), signed_figure(e.headroom * 100, 0),
                               e.max_context));
  s += row("quality", fmt::format("{:.1f} = {:.0f}{} × {:.3g} retained at {} by a {:.3g}B model", best.quality,
                                  best.model_quality, best.thinking_off ? " with thinking off" : "", best.retention,
                                  quant->id, model->params_b));
  if (best.thinking_off)
    s += row("", fmt::format("with thinking ({:.0f}) it would need {:g} tok/s, the floor of a thinking model", model->quality,
                             decode_floor(*model, w)));
  if (out.verbose)
    s += row("why", fmt::format("the best quality at >= {:g} tok/s; models within {:g} quality points and quants "
                              "within {:g}% retention ({:g}% from {:g}B parameters) are a tie, won by the faster",
                              w.min_decode_tps, kQualityTiePoints, kRetentionTie * 100, kRetentionTieLarge * 100,
                              kSmallModelParamsB));
  return s;
}
}  // namespace

std::string present_advice(const Advice& a, const Machine& m, const Workload& w, const Budget& b,
                           const Catalog& c, const Output& out) {
  const Candidate* best = a.recommended ? &a.ranked[*a.recommended] : nullptr;
  const auto others = runners_up(a, 4);
  if (out.json) {
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
    j["api_much_better"] = index(a.much_better_api);
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
    if (!a.picks.longest_context_launch.empty()) picks["longest_context"]["launch"] = a.picks.longest_context_launch;
    j["top_picks"] = picks;
    j["candidates_considered"] = a.ranked.size();
    return guarded_dump(j);
  }

  // The answer first: the recommendation and the verdict; then the other choices; then the machine
  // and workload it was worked out for (with -v, every figure's source).
  std::string s;
  if (best) s += recommendation_lines(*best, m, w, b, c, out);
  else
    s += paint("Nothing in the catalog meets the constraints on this machine (see below).", Paint::bad, out.color) +
         "\n";
  const std::string verdict = fmt::format("Verdict ({}):", to_string(a.verdict));
  s += '\n';
  s += paint(verdict, a.verdict == Verdict::run_local ? Paint::good : Paint::warn, out.color) + " " +
       wrap(a.verdict_reason, verdict.size() + 1, 2, out.width);
  if (best) s += top_picks_lines(a, out);

  s += '\n';
  s += heading(fmt::format("API alternatives for the same {} tokens/month", tokens(w.tokens_per_month)), out.width,
               out.color);
  std::vector<std::pair<std::string, std::size_t>> shown;
  if (a.same_model_api) shown.push_back({"same model", *a.same_model_api});
  if (a.comparable_api) shown.push_back({"as good, cheapest", *a.comparable_api});
  if (a.best_api) shown.push_back({"best in budget", *a.best_api});
  // Closed models: only those no other closed model beats on both quality and cost (a price and
  // quality ladder, not the whole price list); --json lists every offer.
  const auto dominated = [&](const ApiCost& x) {
    return std::any_of(a.apis.begin(), a.apis.end(), [&](const ApiCost& y) {
      return y.offer->model.empty() && y.quality >= x.quality && y.usd <= x.usd &&
             (y.quality > x.quality || y.usd < x.usd);
    });
  };
  for (std::size_t i = 0; i < a.apis.size(); ++i)
    if (a.apis[i].offer->model.empty() && !dominated(a.apis[i])) shown.push_back({"closed", i});
  std::set<std::size_t> printed;
  std::vector<std::vector<std::string>> api_rows;
  for (const auto& [label, i] : shown) {
    if (!printed.insert(i).second) continue;
    const ApiCost& api = a.apis[i];
    const auto age = days_between(api.offer->as_of, today());
    api_rows.push_back({label, api.offer->name, money(api.usd) + "/month", fmt::format("{:.0f}", api.quality),
                        age && *age > kStaleDays ? paint("price stale?", Paint::warn, out.color) : ""});
  }
  s += table({{"", false, 0, false}, {"API", false, 0, true}, {"cost", true}, {"quality", true}, {"", false, 1}},
             api_rows, out.width, 2);

  if (!others.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto* r : others) {
      const Estimate& e = r->estimate;
      std::string why = !r->eligible ? r->why_not
                        : best && quality_tie(*r, *best) ? fmt::format("as good, slower ({} tok/s)", tps(e.decode_tps))
                                                         : fmt::format("lower quality ({:.1f})", r->quality);
      rows.push_back({e.model + mode_note(*r), e.quant, gib(e.memory.total_bytes), tps(e.decode_tps), money(r->cost.total_usd),
                      fmt::format("{:.1f}", r->quality), why});
    }
    s += '\n';
    s += paint("Runners-up", Paint::heading, out.color) + "\n";
    s += table({{"model"}, {"quant"}, {"needs", true, 2}, {"tok/s", true}, {"$/month", true, 1}, {"quality", true, 3},
                {"why it lost", false, 0, true}},
               rows, out.width, 2);
  }

  s += '\n';
  s += heading(m.hardware_id.empty() ? "Machine: " + m.name
                                     : fmt::format("Machine: {} (catalog hardware '{}')", m.name, m.hardware_id),
               out.width, out.color);
  s += machine_lines(m, out);
  s += '\n';
  s += heading("Workload (--context, --tokens-per-month, --input-share, --min-tps, --kwh-price, --budget)", out.width,
               out.color);
  s += field("", fmt::format("{} tokens/month, {:.0f}% input ({} in, {} out); context {} tokens, KV {}",
                             tokens(w.tokens_per_month), w.input_share * 100, tokens(w.input_tokens()),
                             tokens(w.output_tokens()), w.context_tokens, to_string(w.kv_type)),
             2, out.width);
  s += field("", fmt::format("at least {:g} tok/s decode; electricity ${:.3g}/kWh; budget {}/month", w.min_decode_tps,
                             c.electricity.usd_per_kwh, money(b.usd_per_month)),
             2, out.width);
  s += '\n';
  s += wrap(std::string("'estimate' marks figures not measured on this machine") +
                (out.verbose ? "" : "; -v shows each figure's source") + "; `estimate --json` lists each assumption.",
            0, 0, out.width);
  return s;
}

}  // namespace benchr
