#include <algorithm>
#include <cmath>

#include "estimator.hpp"
#include "text.hpp"

namespace benchr {
namespace {

/// Why a candidate cannot be recommended (first_unmet, in full); empty when it can.
std::string why_not(const Candidate& c, const ModelSpec& m, const Workload& w, const Budget& b) {
  const auto& e = c.estimate;
  switch (first_unmet(c, m, w, b)) {
    case Unmet::none: return {};
    case Unmet::context:
      return "context " + std::to_string(w.context_tokens) + " > model max " + std::to_string(m.context_max);
    case Unmet::memory:
      // A placement that splits the model (layers or experts in RAM) may fit on the GPU and not in
      // the host's RAM: name the pool it fills the more.
      if (e.host_memory && e.host_memory->available_bytes > 0 && e.memory.available_bytes > 0 &&
          e.host_memory->total_bytes / e.host_memory->available_bytes > e.memory.total_bytes / e.memory.available_bytes)
        return "needs " + fixed(e.host_memory->total_bytes / kGiB, "%.1f") + " GiB of RAM of " +
               fixed(e.host_memory->available_bytes / kGiB, "%.1f") + " beside " +
               fixed(e.memory.total_bytes / kGiB, "%.1f") + " GiB on the GPU";
      return "needs " + fixed(e.memory.total_bytes / kGiB, "%.1f") + " GiB of " +
             fixed(e.memory.available_bytes / kGiB, "%.1f");
    case Unmet::speed:
      return e.decode_tps > 0 ? "too slow: " + tps_text(e.decode_tps) + " < " +
                                    fixed(decode_floor(m, w, c.thinking_off), "%g") + " tok/s" +
                                    (m.thinks && !c.thinking_off ? " (thinking)" : "")
                              : "decode speed unknown (no read bandwidth)";
    case Unmet::volume:
      return "busy " + fixed(c.cost.busy_hours, "%.0f") + " h in " + fixed(c.cost.up_hours, "%.0f") + " h up a month";
    case Unmet::budget:
      return "over budget: " + std::string(c.cost.total_usd ? "" : "at least ") + money(c.cost.at_least_usd()) +
             "/month";
  }
  return {};
}

}  // namespace

Candidate with_thinking_off(const Candidate& c, const ModelSpec& m, const QuantSpec& q, const Workload& w) {
  Candidate off = c;
  off.thinking_off = true;
  off.model_quality = m.quality_no_thinking.value_or(m.quality);
  off.quality = off.model_quality * off.retention;
  off.estimate.launch = launch_command(m, q, off.estimate, w, true);
  off.why_not.clear();
  off.eligible = false;
  return off;
}

bool quality_tie(const Candidate& a, const Candidate& b) {
  const bool large = std::min(a.params_b, b.params_b) >= kSmallModelParamsB;
  return std::abs(a.model_quality - b.model_quality) <= kQualityTiePoints &&
         std::abs(a.retention - b.retention) <= (large ? kRetentionTieLarge : kRetentionTie);
}

void rank_candidates(std::vector<Candidate>& c) {
  std::stable_sort(c.begin(), c.end(), [](const Candidate& x, const Candidate& y) {
    if (x.eligible != y.eligible) return x.eligible;
    if (x.quality != y.quality) return x.quality > y.quality;
    return x.estimate.decode_tps > y.estimate.decode_tps;
  });
  const auto eligible_end = std::partition_point(c.begin(), c.end(), [](const Candidate& x) { return x.eligible; });
  for (auto tier = c.begin(); tier != eligible_end;) {
    const Candidate anchor = *tier;  // the best quality left
    const auto tier_end =
        std::stable_partition(tier, eligible_end, [&](const Candidate& x) { return quality_tie(x, anchor); });
    std::stable_sort(tier, tier_end, [](const Candidate& x, const Candidate& y) {
      if (x.estimate.decode_tps != y.estimate.decode_tps) return x.estimate.decode_tps > y.estimate.decode_tps;
      return x.estimate.max_context > y.estimate.max_context;
    });
    // The rest keep their quality order (stable_partition), so the next anchor is their best.
    tier = tier_end;
  }
  // Then the best of those a notch below the first (within the fastest-good band) that decode
  // kMuchFasterFactor times as fast goes first.
  if (c.begin() == eligible_end) return;
  const Candidate& top = c.front();
  const auto faster = std::find_if(c.begin() + 1, eligible_end, [&](const Candidate& x) {
    return top.quality - x.quality <= 2 * kQualityTiePoints &&
           x.estimate.decode_tps >= kMuchFasterFactor * top.estimate.decode_tps;
  });
  if (faster != eligible_end) std::rotate(c.begin(), faster, faster + 1);
}

TopPicks top_picks(const std::vector<Candidate>& ranked, std::optional<std::size_t> recommended) {
  TopPicks t;
  if (!recommended) return t;
  const Candidate& pick = ranked[*recommended];
  // Each rule keeps the first candidate (in ranked order) that beats the one kept so far, so ties
  // go to the better-ranked candidate.
  const auto keep = [&](std::optional<std::size_t>& slot, std::size_t i, auto better) {
    if (!slot || better(ranked[i], ranked[*slot])) slot = i;
  };
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    const Candidate& x = ranked[i];
    if (!x.eligible) continue;
    // Best quality: the highest model quality x retention, the faster on equal quality.
    keep(t.best_quality, i, [](const Candidate& a, const Candidate& b) {
      return a.quality != b.quality ? a.quality > b.quality : a.estimate.decode_tps > b.estimate.decode_tps;
    });
    // Fastest good: within twice the tie band of the pick, so a model a notch below the pick's
    // tier (a user would still call it as good for most work) competes on speed alone.
    if (std::abs(x.quality - pick.quality) <= 2 * kQualityTiePoints)
      keep(t.fastest_good, i, [](const Candidate& a, const Candidate& b) {
        return a.estimate.decode_tps > b.estimate.decode_tps;
      });
  }
  // Longest context: among the best quality's tier (the candidates the ranking treats as equally
  // good), the most context that fits; a lower quant or a smaller KV cache buys more of it.
  const Candidate& best = ranked[*t.best_quality];
  for (std::size_t i = 0; i < ranked.size(); ++i)
    if (ranked[i].eligible && quality_tie(ranked[i], best))
      keep(t.longest_context, i, [](const Candidate& a, const Candidate& b) {
        return a.estimate.max_context != b.estimate.max_context ? a.estimate.max_context > b.estimate.max_context
                                                                : a.estimate.decode_tps > b.estimate.decode_tps;
      });
  return t;
}

Advice advise(const Catalog& c, const Machine& machine, const Workload& w, const Budget& b) {
  Advice a;
  for (const auto& m : c.models) {
    for (const auto& q : c.quants) {
      if (!offered(m, q) || !runs_on(q, m, machine)) continue;
      Candidate cand;
      cand.estimate = estimate(m, q, machine, w);
      cand.cost = monthly_cost(cand.estimate, machine, w, c.electricity, b);
      cand.retention = quality_retention(q, m);
      cand.model_quality = m.quality;
      cand.quality = m.quality * cand.retention;
      cand.params_b = m.params_b;
      // A hybrid also runs with its thinking off, at its non-thinking quality and the plain floor:
      // the same weights and speed, so a machine too slow for its thinking can still run it.
      std::optional<Candidate> off;
      if (m.quality_no_thinking) off = with_thinking_off(cand, m, q, w);
      for (Candidate* x : {&cand, off ? &*off : nullptr}) {
        if (!x) continue;
        x->why_not = why_not(*x, m, w, b);
        x->eligible = x->why_not.empty();
        a.ranked.push_back(std::move(*x));
      }
    }
  }
  rank_candidates(a.ranked);
  if (!a.ranked.empty() && a.ranked.front().eligible) a.recommended = 0;
  a.picks = top_picks(a.ranked, a.recommended);
  if (a.picks.longest_context) {
    const Candidate& lc = a.ranked[*a.picks.longest_context];
    const ModelSpec* m = c.find_model(lc.estimate.model);
    const QuantSpec* q = c.find_quant(lc.estimate.quant);
    if (m && q) {
      // Whole 1024-token steps below the most that fits (llama.cpp pads the context it allocates
      // up to a multiple of 256), never below the context asked for.
      Workload long_w = w;
      long_w.context_tokens = std::max(w.context_tokens, lc.estimate.max_context / 1024 * 1024);
      a.picks.longest_context_launch = launch_command(*m, *q, lc.estimate, long_w, lc.thinking_off);
    }
  }

  for (const auto& o : c.apis) {
    const ModelSpec* m = o.model.empty() ? nullptr : c.find_model(o.model);
    if (!o.model.empty() && !m) continue;  // the loader rejects these; a filtered catalog may not
    a.apis.push_back({&o, api_cost_usd(o, w), m ? m->quality : o.quality});
  }
  std::stable_sort(a.apis.begin(), a.apis.end(), [](const ApiCost& x, const ApiCost& y) {
    return x.quality != y.quality ? x.quality > y.quality : x.usd < y.usd;
  });

  const Candidate* local = a.recommended ? &a.ranked[*a.recommended] : nullptr;
  auto cheaper = [&](std::optional<std::size_t>& slot, std::size_t i) {
    if (!slot || a.apis[i].usd < a.apis[*slot].usd) slot = i;
  };
  for (std::size_t i = 0; i < a.apis.size(); ++i) {
    const ApiCost& api = a.apis[i];
    if (local && api.offer->model == local->estimate.model) cheaper(a.same_model_api, i);
    if (local && api.quality >= local->quality) cheaper(a.comparable_api, i);
    if (api.usd <= b.usd_per_month && !a.best_api) a.best_api = i;  // sorted by quality
    if (local && api.quality >= kMuchBetterQuality * local->quality && api.usd <= b.usd_per_month &&
        api.usd <= local->cost.at_least_usd() + kSmallExtraShare * b.usd_per_month)
      cheaper(a.much_better_api, i);
  }

  const ApiCost* comparable = a.comparable_api ? &a.apis[*a.comparable_api] : nullptr;
  const ApiCost* best = a.best_api ? &a.apis[*a.best_api] : nullptr;
  const std::string better = best && local && best->quality > local->quality
                                 ? "; for higher quality, " + best->offer->name + " costs " + money(best->usd) + "/month"
                                 : "";
  const std::optional<double> local_usd = local ? local->cost.total_usd : std::nullopt;
  const std::string local_cost =
      !local ? ""
      : local_usd ? money(*local_usd) + "/month"
                  : std::string("a cost not known (") +
                        (local->cost.hardware_usd ? "no power figure" : "no purchase price in the catalog") + ")";
  // Unknown local cost: the machine is still the answer to the question asked; the API's price
  // stands beside it.
  if (local && a.much_better_api) {
    const ApiCost& api = a.apis[*a.much_better_api];
    a.verdict = Verdict::use_api;
    a.verdict_reason = "use " + api.offer->name + ": " + money(api.usd) + "/month for quality " +
                       fixed(api.quality, "%.0f") + ", " + fixed(api.quality / local->quality, "%.1f") + "x the " +
                       fixed(local->quality, "%.1f") + " of " + local->estimate.model + " " + local->estimate.quant +
                       ", the best this machine runs (" + tps_text(local->estimate.decode_tps) + " tok/s for " +
                       local_cost + "); run that here only if the data must stay on this machine";
  } else if (local && (!comparable || !local_usd || *local_usd <= comparable->usd)) {
    a.verdict = Verdict::run_local;
    a.verdict_reason = "run " + local->estimate.model + " " + local->estimate.quant + " here: " +
                       tps_text(local->estimate.decode_tps) + " tok/s for " + local_cost;
    if (comparable) a.verdict_reason += "; the same quality by API costs " + money(comparable->usd);
    a.verdict_reason += better;
  } else if (local) {
    a.verdict = Verdict::use_api;
    a.verdict_reason = "use " + comparable->offer->name + ": " + money(comparable->usd) +
                       "/month for the quality of " + local->estimate.model + " " + local->estimate.quant +
                       ", which costs " + local_cost + " to run here" + better;
  } else {
    // A purchase whose amortised price alone is over the budget rules out every model: say that,
    // not only that none fits.
    std::string why = "no model meets the constraints on this machine";
    const auto priced = std::find_if(a.ranked.begin(), a.ranked.end(),
                                     [](const Candidate& c) { return c.cost.hardware_usd && *c.cost.hardware_usd > 0; });
    if (!b.owned && priced != a.ranked.end() && *priced->cost.hardware_usd > b.usd_per_month)
      why = "buying this machine alone costs " + money(*priced->cost.hardware_usd) + "/month over " +
            std::to_string(b.amortize_months) + " months, above the " + money(b.usd_per_month) +
            "/month budget (--amortize-months, --budget; --owned if you have it)";
    if (best) {
      a.verdict = Verdict::use_api;
      a.verdict_reason = "use " + best->offer->name + ": " + money(best->usd) + "/month; " + why;
    } else {
      a.verdict = Verdict::neither;
      a.verdict_reason = why + ", and no API fits " + money(b.usd_per_month) + "/month";
    }
  }
  return a;
}

}  // namespace benchr
