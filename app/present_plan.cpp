// `plan`: with --model, the machines to buy or rent for it, cheapest first, and a verdict;
// without, the best model a budget buys (or the cheapest way to a quality).
#include <fmt/format.h>

#include "app.hpp"
#include "json.hpp"
#include "table.hpp"

namespace benchr {

using nlohmann::json;

namespace {
/// The quant an option runs, and " thinking off" where it runs a hybrid model with its thinking off.
std::string quant_of(const PlanOption& o) {
  return o.candidate.estimate.quant + (o.candidate.thinking_off ? " thinking off" : "");
}

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
                         quant_of(o), tps(o.candidate.estimate.decode_tps), money(o.monthly_usd),
                         api_text, breakeven);
    }
    case PlanVerdict::Kind::api:
      return fmt::format("use the API: {} at {}/month{}{}", api->offer->name, money(api->usd),
                         p.cheapest
                             ? fmt::format(", against {}/month for {} {}", money(p.options[*p.cheapest].monthly_usd),
                                           to_string(p.options[*p.cheapest].how), p.options[*p.cheapest].label)
                             : std::string(", as no machine shown meets the target"),
                         breakeven);
    case PlanVerdict::Kind::none: break;
  }
  return "nothing shown meets the target, and no API is as good as the model";
}
}  // namespace

std::string present_plan(const Plan& p, const ModelSpec& m, const Workload& w, const Budget& b, const Output& out) {
  if (out.json) {
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
    return guarded_dump(j);
  }
  // The answer first: the verdict and the cheapest (and fastest) way that meets the target, with
  // its command; then the options it was chosen from and the APIs.
  std::string s = heading(fmt::format("Plan for {} ({}): {} tokens/month, {:.0f}% input, at least {:g} tok/s, "
                                      "context {}; budget {}/month; purchases over {} months",
                                      m.name, m.id, tokens(w.tokens_per_month), w.input_share * 100, w.min_decode_tps,
                                      w.context_tokens, money(b.usd_per_month), b.amortize_months),
                          out.width, out.color);
  if (w.users > 1)
    s += wrap(fmt::format("{} users at once: tok/s is each user's, with every user's KV cache in memory", w.users), 0,
              2, out.width);
  const bool does = p.verdict.kind != PlanVerdict::Kind::none;
  s += '\n';
  s += paint("Verdict:", does ? Paint::good : Paint::bad, out.color) + " " + wrap(verdict_line(p), 9, 2, out.width);
  const auto pick = [&](const char* label, const PlanOption& o) {
    const auto& e = o.candidate.estimate;
    std::string line = wrap(fmt::format("{} {} {} at {}, {} tok/s{}, {}/month", label, to_string(o.how), o.name, quant_of(o),
                                        tps(e.decode_tps),
                                        e.users > 1 ? fmt::format(" each ({} in all)", tps(e.aggregate_tps)) : "",
                                        money(o.monthly_usd)),
                            0, 2, out.width);
    return line + command_field("", std::string(to_string(e.engine)), e.launch, 2, out.width);
  };
  if (p.cheapest) s += pick("Cheapest that meets the target:", p.options[*p.cheapest]);
  else s += "Nothing in the catalog meets the target within the budget.\n";
  if (p.fastest && p.fastest != p.cheapest) s += pick("Fastest that meets it:", p.options[*p.fastest]);

  std::vector<std::vector<std::string>> rows;
  int shown_ok = 0, shown_no = 0;
  for (const auto& o : p.options) {
    if (o.meets ? shown_ok++ >= 12 : shown_no++ >= 6) continue;
    const auto& e = o.candidate.estimate;
    rows.push_back({o.label, std::string(to_string(o.how)), quant_of(o), e.decode_tps > 0 ? tps(e.decode_tps) : "-", money(o.monthly_usd),
                    o.breakeven_tokens_per_month ? tokens(*o.breakeven_tokens_per_month) : "-",
                    o.meets ? "yes" : o.why_not});
  }
  s += '\n';
  s += heading("Options", out.width, out.color);
  // Long labels (a --fleet file's path) leave less room: break-even goes first, then how, then $/month.
  s += table({{"option", false, 0, true}, {"how", false, 2}, {"quant"}, {"tok/s", true}, {"$/month", true, 1},
              {"break-even", true, 3}, {"meets the target?", false, 0, true}},
             rows, out.width, 2);
  s += '\n';
  s += heading("APIs as good as the model, same volume", out.width, out.color);
  std::vector<std::vector<std::string>> api_rows;
  for (std::size_t i = 0; i < p.apis.size() && i < 4; ++i)
    api_rows.push_back({p.apis[i].offer->name, money(p.apis[i].usd) + "/month",
                        fmt::format("{:.0f}", p.apis[i].quality)});
  s += table({{"API", false, 0, true}, {"cost", true}, {"quality", true}}, api_rows, out.width, 2);
  s += '\n';
  s += wrap("break-even: the monthly volume at which buying costs as much as the cheapest API above.", 0, 0, out.width);
  if (!p.buy_only) s += wrap(w.hours_per_day
                ? fmt::format("Rentals are billed for {:g} h a day up ({:.0f} h/month, --hours-per-day), idle or not.",
                              *w.hours_per_day, *w.hours_per_day * kHoursPerMonth / 24)
            : w.users > 1
                ? fmt::format("Rentals are billed always on, {:.0f} h/month, for {} users (--hours-per-day to change).",
                              kHoursPerMonth, w.users)
                : fmt::format("Rentals are billed for one user's working day, 8 h x 5 days ({:.0f} h/month), or the "
                              "busy hours if more (--hours-per-day, --always-on to change).",
                              kOneUserHoursPerMonth),
            0, 0, out.width);
  if (p.unpriced > 0)
    s += wrap(fmt::format("{} catalog machines have no purchase price and are not in the list.", p.unpriced), 0, 0,
              out.width);
  if (!p.host_name.empty())
    s += wrap(fmt::format("A graphics card is priced with the computer it goes into: {} at {} (--host ID for "
                          "another, --have-host if you have one).",
                          p.host_name, p.host_price_usd > 0 ? money(p.host_price_usd) : "an unknown price"),
              0, 0, out.width);
  if (p.buy_only) s += "Purchases only (--buy or --max-price): no rentals shown.\n";
  return s;
}

std::string present_models_plan(const ModelsPlan& p, const Workload& w, const Budget& b, double min_quality,
                                const Output& out) {
  const auto best = [](const Plan& x) -> const PlanOption& { return x.options[*x.cheapest]; };
  if (out.json) {
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
    return guarded_dump(j);
  }
  std::string s =
      heading(fmt::format("{} for {}/month: {} tokens/month, {:.0f}% input, at least {:g} tok/s{}, context {}",
                          min_quality >= 0 ? fmt::format("Cheapest way to quality >= {:g}", min_quality)
                                           : std::string("Best quality"),
                          money(b.usd_per_month), tokens(w.tokens_per_month), w.input_share * 100, w.min_decode_tps,
                          w.users > 1 ? fmt::format(" for each of {} users", w.users) : "", w.context_tokens),
              out.width, out.color);
  std::string rest;
  std::vector<std::vector<std::string>> rows;
  bool any_off = false;  // a row marked '*': run with its thinking off (said below the table)
  for (std::size_t i = 0; i < p.plans.size() && i < 12; ++i) {
    const PlanOption& o = best(p.plans[i]);
    any_off = any_off || o.candidate.thinking_off;
    rows.push_back({p.plans[i].model->id + (o.candidate.thinking_off ? "*" : ""),
                    fmt::format("{:.1f}", o.candidate.quality), o.candidate.estimate.quant,
                    std::string(to_string(o.how)) + " " + o.label, tps(o.candidate.estimate.decode_tps), money(o.monthly_usd)});
  }
  rest += '\n';
  rest += heading("Local", out.width, out.color);
  if (p.plans.empty())
    rest += fmt::format("  (no model of the {} considered meets the target locally)\n", p.models_considered);
  else
    rest +=
        table({{"model"}, {"quality", true}, {"quant"}, {"how", false, 0, true}, {"tok/s", true}, {"$/month", true}},
              rows, out.width, 2);
  if (any_off)
    rest += "  " + wrap("* with its thinking off: the model's non-thinking quality, the plain speed floor, and a "
                        "command that turns thinking off (`plan --model ID` shows it)",
                        2, 2, out.width);
  rest += '\n';
  rest += heading("APIs within the budget, same volume", out.width, out.color);
  std::vector<std::vector<std::string>> api_rows;
  for (std::size_t i = 0; i < p.apis.size() && i < 5; ++i)
    api_rows.push_back(
        {p.apis[i].offer->name, money(p.apis[i].usd) + "/month", fmt::format("{:.0f}", p.apis[i].quality)});
  if (p.apis.empty()) rest += "  (none)\n";
  else rest += table({{"API", false, 0, true}, {"cost", true}, {"quality", true}}, api_rows, out.width, 2);
  const PlanOption* local = p.plans.empty() ? nullptr : &best(p.plans.front());
  const ApiCost* api = p.apis.empty() ? nullptr : &p.apis.front();
  if (min_quality < 0 && (local || api)) {
    const bool api_wins = api && (!local || api->quality > local->candidate.quality ||
                                  (api->quality == local->candidate.quality && api->usd < local->monthly_usd));
    // The answer first: what the budget buys, then the tables it was chosen from.
    s += '\n';
    s += (api_wins
              ? wrap(fmt::format("Best the budget buys: {} by API (quality {:.0f}, {}/month)", api->offer->name,
                                 api->quality, money(api->usd)),
                     0, 2, out.width)
              : wrap(fmt::format("Best the budget buys: {} at {} ({} {}, quality {:.1f}, {}/month)",
                                 p.plans.front().model->name, local->candidate.estimate.quant, to_string(local->how), local->name,
                                 local->candidate.quality, money(local->monthly_usd)),
                     0, 2, out.width) +
                    command_field("", std::string(to_string(local->candidate.estimate.engine)), local->candidate.estimate.launch, 2,
                                  out.width));
  }
  s += rest;
  s += '\n';
  s += wrap(
      "Local quality is the model's x the quant's retention; `plan --model ID` shows every option for "
      "one model.",
      0, 0, out.width);
  return s;
}

}  // namespace benchr
