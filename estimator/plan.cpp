#include <algorithm>

#include "estimator.hpp"
#include "text.hpp"

namespace benchr {
namespace {

/// `count` of a catalog machine: a GPU is repeated (layers split over the copies), price and
/// power multiply; anything else is one machine.
Machine machines_of(const HardwareSpec& hw, int count) {
  Machine m = machine_from_hardware(hw);
  if (count > 1) {
    const Device one = m.devices.front();
    m.devices.assign(count, one);
    m.name = std::to_string(count) + " x " + hw.name;
    if (m.price_usd.known()) m.price_usd.value *= count;  // power: per device, summed by the plan
  }
  return m;
}

/// The placement on `count` GPUs: one device, or the layers split over all of them.
std::optional<Placement> placement_for(int count) {
  if (count == 1) return std::nullopt;  // the estimator chooses
  Placement p;
  p.kind = PlacementKind::layer_split;
  p.gpu_count = count;
  return p;
}

/// The best quant on this option: the highest quality that meets the target, else the fastest
/// that fits (to show how far it is).
PlanOption evaluate(const Catalog& c, const ModelSpec& m, const std::vector<const QuantSpec*>& quants,
                    const HardwareSpec& hw, int count, const Workload& w, const Budget& b, const Rental* rental) {
  PlanOption o;
  o.hardware_id = hw.id;
  o.name = count > 1 ? std::to_string(count) + " x " + hw.name : hw.name;
  o.count = count;
  o.how = rental ? "rent" : "buy";
  if (rental) o.rental_id = rental->id;
  const Machine machine = machines_of(hw, count);
  bool have = false;
  for (const QuantSpec* q : quants) {
    if (!q->applies_to(m.id) || !runs_on(*q, machine)) continue;
    Candidate cand;
    cand.estimate = estimate(m, *q, machine, w, placement_for(count));
    Budget owned = b;
    if (rental) owned.amortize_months = 0;  // nothing bought
    cand.cost = monthly_cost(cand.estimate, machine, w, c.electricity, owned);
    cand.cost.electricity_usd *= count;  // every GPU draws its power while the token passes
    if (rental) {
      // Billed for the hours the workload keeps the instance busy (start it on demand); an
      // always-on instance costs 730 h x the rate.
      cand.cost.hardware_usd = std::min(cand.cost.busy_hours, kHoursPerMonth) * rental->usd_per_hour;
      cand.cost.electricity_usd = 0;  // in the rate
    }
    cand.cost.total_usd = cand.cost.electricity_usd + cand.cost.hardware_usd;
    cand.quality = m.quality * q->quality_retention;
    const auto& e = cand.estimate;
    if (!e.fits) cand.why_not = "needs " + fixed(e.memory.total_bytes / kGiB, "%.0f") + " GiB per device of " +
                                fixed(e.memory.available_bytes / kGiB, "%.0f");
    else if (e.decode_tps < w.min_decode_tps) cand.why_not = "too slow: " + fixed(e.decode_tps, "%.1f") + " tok/s";
    else if (!cand.cost.can_serve) cand.why_not = "cannot serve the volume";
    else if (cand.cost.total_usd > b.usd_per_month) cand.why_not = "over budget";
    cand.eligible = cand.why_not.empty();
    const auto better = [&](const Candidate& x, const Candidate& y) {
      if (x.eligible != y.eligible) return x.eligible;
      if (x.eligible) return x.quality > y.quality || (x.quality == y.quality && x.cost.total_usd < y.cost.total_usd);
      if (x.estimate.fits != y.estimate.fits) return x.estimate.fits;
      return x.estimate.decode_tps > y.estimate.decode_tps;
    };
    if (!have || better(cand, o.candidate)) o.candidate = cand, have = true;
  }
  if (!have) {
    o.why_not = "no quant of this model runs on its backends";
    return o;
  }
  o.monthly_usd = o.candidate.cost.total_usd;
  o.meets = o.candidate.eligible;
  o.why_not = o.candidate.why_not;
  return o;
}

}  // namespace

Plan plan(const Catalog& c, const ModelSpec& m, const std::vector<const QuantSpec*>& quants, const Workload& w,
          const Budget& b, double max_price_usd) {
  Plan p;
  for (const auto& hw : c.hardware) {
    // A purchase needs a price: machines the catalog has none for are left out (counted).
    if (hw.price_usd <= 0) {
      ++p.unpriced;
      continue;
    }
    for (int count : {1, 2, 4, 8}) {
      if (count > 1 && hw.kind != "gpu") break;
      if (max_price_usd >= 0 && hw.price_usd * count > max_price_usd) break;
      p.options.push_back(evaluate(c, m, quants, hw, count, w, b, nullptr));
      if (p.options.back().candidate.estimate.fits) break;  // more of the same adds no speed
    }
  }
  for (const auto& r : c.rentals) {
    const HardwareSpec* hw = c.find_hardware(r.hardware);
    if (hw) p.options.push_back(evaluate(c, m, quants, *hw, r.gpus, w, b, &r));
  }
  // As-good APIs: hosts of this model, and closed models of at least its quality.
  for (const auto& o : c.apis) {
    const double quality = o.model.empty() ? o.quality : (c.find_model(o.model) ? c.find_model(o.model)->quality : 0);
    if (o.model == m.id || (o.model.empty() && quality >= m.quality)) p.apis.push_back({&o, api_cost_usd(o, w), quality});
  }
  std::sort(p.apis.begin(), p.apis.end(), [](const ApiCost& x, const ApiCost& y) { return x.usd < y.usd; });

  // Break-even: buying costs a fixed amortisation plus electricity per token; the API a price
  // per token. They cost the same at fixed / (api per token - electricity per token).
  if (!p.apis.empty() && w.tokens_per_month > 0) {
    const double api_per_token = p.apis.front().usd / w.tokens_per_month;
    for (auto& o : p.options) {
      if (o.how != "buy" || !o.candidate.estimate.fits) continue;
      const double power_per_token = o.candidate.cost.electricity_usd / w.tokens_per_month;
      if (api_per_token > power_per_token && o.candidate.cost.hardware_usd > 0)
        o.breakeven_tokens_per_month = o.candidate.cost.hardware_usd / (api_per_token - power_per_token);
    }
  }
  std::stable_sort(p.options.begin(), p.options.end(), [](const PlanOption& x, const PlanOption& y) {
    if (x.meets != y.meets) return x.meets;
    if (x.meets) return x.monthly_usd < y.monthly_usd;
    return x.candidate.estimate.decode_tps > y.candidate.estimate.decode_tps;
  });
  for (std::size_t i = 0; i < p.options.size(); ++i) {
    if (!p.options[i].meets) continue;
    if (!p.cheapest) p.cheapest = i;
    if (!p.fastest || p.options[i].candidate.estimate.decode_tps > p.options[*p.fastest].candidate.estimate.decode_tps)
      p.fastest = i;
  }
  return p;
}

}  // namespace benchr
