// `compare`: two or three machines side by side for one model, and the better buy.
#include <fmt/format.h>

#include <algorithm>

#include "app.hpp"
#include "json.hpp"
#include "table.hpp"

namespace benchr {

using nlohmann::json;

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
    return fmt::format("{}{} at {} tok/s for {}/month", o.candidate.estimate.quant,
                       o.candidate.thinking_off ? " (thinking off)" : "", tps(o.candidate.estimate.decode_tps),
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
      // Others may meet it only with the model's thinking off: counted only when none runs it as scored.
      std::string rest;
      bool others_off = false;
      for (std::size_t i = 0; i < c.options.size(); ++i) {
        if (i == *v.better) continue;
        const PlanOption& o = c.options[i];
        others_off = others_off || o.meets;
        rest += fmt::format("; {}: {}", name(i),
                            o.meets ? fmt::format("only with its thinking off, {} at {} tok/s for {}/month",
                                                  o.candidate.estimate.quant, tps(o.candidate.estimate.decode_tps),
                                                  money(o.monthly_usd))
                                    : o.why_not);
      }
      return fmt::format("{} is the better buy, the only one that meets the target{}: {}{}{}", name(*v.better),
                         others_off ? " with the model's thinking on" : "", what(*v.better), rest, api_text);
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
                               const Budget& b, const Output& out) {
  if (out.json) {
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
    return guarded_dump(j);
  }
  std::string s = heading(fmt::format("Compare for {} ({}): {} tokens/month, {:.0f}% input, at least {:g} tok/s, "
                                   "context {}; purchases over {} months",
                                   c.model->name, c.model->id, tokens(w.tokens_per_month), w.input_share * 100,
                                   w.min_decode_tps, w.context_tokens, b.amortize_months),
                       out.width, out.color);
  for (std::size_t i = 0; i < c.options.size(); ++i) {
    const Machine& m = machines[i].machine;
    const std::string price = machines[i].owned ? "owned" : machines[i].price_detail;
    s += fmt::format("  {}  ", char('A' + i)) +
         wrap(fmt::format("{}: {}; {}", c.options[i].label, m.name, price), 5, 5, out.width);
  }
  s += '\n';
  s += paint("Verdict:", c.verdict.better ? Paint::good : Paint::bad, out.color) + " " +
       wrap(compare_verdict_line(c, w), 9, 2, out.width);
  // A label column, then one column per machine sharing the width, each cell wrapped in its column.
  std::vector<std::vector<std::string>> rows;
  const auto row = [&](std::string_view label, const auto& cell) {
    std::vector<std::string> r{std::string(label)};
    for (std::size_t i = 0; i < c.options.size(); ++i) r.push_back(cell(c.options[i], i));
    rows.push_back(std::move(r));
  };
  row("fits", [](const PlanOption& o, std::size_t) {
    const auto& e = o.candidate.estimate;
    return fmt::format("{}, {:.1f} of {:.1f} GiB", e.fits ? "yes" : "NO", e.memory.total_bytes / kGiB,
                       e.memory.available_bytes / kGiB);
  });
  row("placement", [](const PlanOption& o, std::size_t) {
    const auto& e = o.candidate.estimate;
    return e.placement.kind == PlacementKind::partial_offload
               ? fmt::format("{} layers on GPU", e.placement.gpu_layers)
               : std::string(to_string(e.placement.kind));
  });
  row("quant", [](const PlanOption& o, std::size_t) {
    return fmt::format("{} ({}){}", o.candidate.estimate.quant, to_string(o.candidate.estimate.engine),
                       o.candidate.thinking_off ? ", thinking off" : "");
  });
  row("decode tok/s", [](const PlanOption& o, std::size_t) {
    const auto& e = o.candidate.estimate;
    return e.decode_tps > 0
               ? tps(e.decode_tps) + (e.decode_tps_range.high > 0 ? fmt::format(" ({}-{})", tps(e.decode_tps_range.low),
                                                                                tps(e.decode_tps_range.high))
                                                                  : "")
               : std::string("-");
  });
  row("prefill tok/s", [](const PlanOption& o, std::size_t) {
    const auto& e = o.candidate.estimate;
    return e.prefill_tps > 0 ? tps(e.prefill_tps) + (e.prefill_tps_range.high > 0
                                                         ? fmt::format(" ({}-{})", tps(e.prefill_tps_range.low),
                                                                       tps(e.prefill_tps_range.high))
                                                         : "")
                             : std::string("unknown");
  });
  row("max context", [](const PlanOption& o, std::size_t) {
    return o.candidate.estimate.fits ? std::to_string(o.candidate.estimate.max_context) : std::string("-");
  });
  row("price", [&](const PlanOption&, std::size_t i) {
    return machines[i].owned ? std::string("owned") : money(c.price_usd[i]);
  });
  row("$/month", [](const PlanOption& o, std::size_t) { return money(o.monthly_usd); });
  row("break-even", [](const PlanOption& o, std::size_t) {
    return o.breakeven_tokens_per_month ? tokens(*o.breakeven_tokens_per_month) + " tok/month" : std::string("-");
  });
  row("meets target", [](const PlanOption& o, std::size_t) { return o.meets ? std::string("yes") : o.why_not; });
  std::vector<Column> cols{{""}};
  for (std::size_t i = 0; i < c.options.size(); ++i) cols.push_back({std::string(1, char('A' + i)), false, 0, true});
  s += '\n';
  s += table(cols, rows, out.width);
  s += "\n";
  if (c.api)
    s += wrap(fmt::format("API as good as the model, cheapest: {}, {}/month for the same volume", c.api->offer->name,
                          money(c.api->usd)),
              0, 2, out.width);
  else
    s += "No API in the catalog is as good as the model: no break-even.\n";
  s += '\n';
  s += heading("Run it", out.width, out.color);
  for (std::size_t i = 0; i < c.options.size(); ++i) {
    const auto& e = c.options[i].candidate.estimate;
    s += command_field(std::string(1, char('A' + i)), engine_label(e), e.launch, 5, out.width);
  }
  s += '\n';
  s += wrap(fmt::format("decode and prefill in parentheses: where 80% of published runs of the class fell "
                        "(out of sample); $/month: electricity for the hours up, plus the price over {} "
                        "months; break-even: the volume at which buying costs as much as the API.",
                        b.amortize_months),
            0, 0, out.width);
  return s;
}

}  // namespace benchr
