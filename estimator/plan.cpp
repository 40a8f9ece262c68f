#include <algorithm>
#include <cmath>
#include <limits>

#include "estimator.hpp"
#include "text.hpp"

namespace benchr {
namespace {

// A datacenter GPU server holds 8 GPUs (HGX/DGX boards, 8-GPU MI300X platforms; the catalog's 8x
// rentals); beyond that a model spans several of them.
constexpr int kGpusPerServer = 8;

/// The largest power of two <= n that divides the attention heads (vLLM's tensor-parallel size
/// must divide them).
int tensor_parallel_size(const ModelSpec& m, int n) {
  int tp = 1;
  while (tp * 2 <= n && m.heads % (tp * 2) == 0) tp *= 2;
  return tp;
}

/// The placement on `count` GPUs in `nodes` machines for the quant's engine: one GPU (the
/// estimator chooses), llama.cpp's layer split (over RPC between machines), or vLLM's tensor
/// parallel inside a machine with the machines as pipeline stages.
std::optional<Placement> placement_for(const ModelSpec& m, const QuantSpec& q, int count, int nodes) {
  if (count == 1) return std::nullopt;
  Placement p;
  if (engine_of(q) == Engine::vllm) {
    p.kind = PlacementKind::tensor_parallel;
    p.gpu_count = tensor_parallel_size(m, count / nodes);
    p.nodes = count / p.gpu_count;
  } else {
    p.kind = PlacementKind::layer_split;
    p.gpu_count = count;
    p.nodes = nodes;
  }
  return p;
}

/// How the hardware of an option is paid for.
struct Purchase {
  PlanHow how = PlanHow::buy;
  const Rental* rental = nullptr;
  int instances = 1;               ///< rentals: instances of it
};

/// The best quant on this machine: the first that meets the target as rank_candidates orders them,
/// else the fastest that fits (to show how far it is). With `thinking_off`, a hybrid model that no
/// quant runs as scored (its thinking on) within the target is tried with its thinking off, as
/// advise tries it (its non-thinking quality, the plain floor); the option then says so.
PlanOption evaluate(const Catalog& c, const ModelSpec& m, const std::vector<const QuantSpec*>& quants,
                    const Machine& machine, const std::string& hardware_id, int count, int nodes, const Workload& w,
                    const Budget& b, const Purchase& how, bool thinking_off) {
  PlanOption o;
  o.hardware_id = hardware_id;
  o.name = machine.name;
  o.count = count;
  o.nodes = nodes;
  o.how = how.how;
  if (how.rental) o.rental_id = how.rental->id;
  const int copies = how.rental ? how.instances : count;
  o.label = (copies > 1 ? std::to_string(copies) + " x " : "") + (how.rental ? how.rental->id : hardware_id);
  if (o.label.empty()) o.label = machine.name;
  // A plan prices every option against the budget: --owned says that the machine advise runs on
  // is owned, not the hardware a plan buys, rents or joins.
  Budget priced = b;
  priced.owned = false;
  std::vector<Candidate> tried, off_tried;
  for (const QuantSpec* q : quants) {
    if (!offered(m, *q) || !runs_on(*q, m, machine)) continue;
    const auto placement = placement_for(m, *q, count, nodes);
    // Machines joined without a GPU server's fabric (owned ones, Macs, APUs) run llama.cpp's RPC
    // backend: vLLM's tensor parallel needs the GPUs of a server.
    if (nodes > 1 && engine_of(*q) != Engine::llama_cpp &&
        (how.how == PlanHow::own || machine.devices.front().unified_memory))
      continue;
    Candidate cand;
    cand.estimate = estimate(m, *q, machine, w, placement);
    Budget paid = b;
    paid.owned = how.rental || how.how == PlanHow::own;  // nothing bought
    cand.cost = monthly_cost(cand.estimate, machine, w, c.electricity, paid);
    if (how.rental) {
      // Billed for every hour the instances are up, idle or not (hours_up: the working day of one
      // user, always on for several, or as given).
      cand.cost.hardware_usd = cand.cost.up_hours * how.rental->usd_per_hour * how.instances;
      cand.cost.electricity_usd = 0;  // in the rate
      cand.cost.total_usd = *cand.cost.hardware_usd;
    }
    cand.retention = quality_retention(*q, m);
    cand.model_quality = m.quality;
    cand.quality = m.quality * cand.retention;
    cand.params_b = m.params_b;
    cand.eligible = first_unmet(cand, m, w, priced) == Unmet::none;
    if (thinking_off && m.quality_no_thinking) {
      Candidate off = with_thinking_off(cand, m, *q, w);
      off.eligible = first_unmet(off, m, w, priced) == Unmet::none;
      off_tried.push_back(std::move(off));
    }
    tried.push_back(std::move(cand));
  }
  if (tried.empty()) {
    o.why_not = "no quant of this model runs on its backends";
    return o;
  }
  // The quants that meet the target ranked as advice ranks them (quality ties go to the faster);
  // with none, the one that comes closest: fits, then fastest (the first in that rank of the
  // closest ones, as a stable sort would put it first).
  rank_candidates(tried);
  if (!tried.front().eligible && !off_tried.empty()) {
    rank_candidates(off_tried);
    if (off_tried.front().eligible) tried = std::move(off_tried);
  }
  std::size_t pick = 0;
  if (!tried.front().eligible) {
    const auto closer = [](const Candidate& x, const Candidate& y) {
      if (x.estimate.fits != y.estimate.fits) return x.estimate.fits;
      return x.estimate.decode_tps > y.estimate.decode_tps;
    };
    for (std::size_t i = 1; i < tried.size(); ++i)
      if (closer(tried[i], tried[pick])) pick = i;
  }
  o.candidate = std::move(tried[pick]);
  // Why it misses the target, for the one option shown (formatting it for every quant tried took
  // a tenth of `plan --budget 100`).
  const Estimate& e = o.candidate.estimate;
  switch (first_unmet(o.candidate, m, w, priced)) {
    case Unmet::none: break;
    case Unmet::context:
      o.candidate.why_not = "context " + std::to_string(w.context_tokens) + " > model max " + std::to_string(m.context_max);
      break;
    case Unmet::memory:
      o.candidate.why_not = "needs " + fixed(e.memory.total_bytes / kGiB, "%.0f") + " GiB per device of " +
                            fixed(e.memory.available_bytes / kGiB, "%.0f");
      break;
    case Unmet::speed: o.candidate.why_not = "too slow: " + fixed(e.decode_tps, "%.1f") + " tok/s"; break;
    case Unmet::volume: o.candidate.why_not = "cannot serve the volume"; break;
    case Unmet::budget: o.candidate.why_not = "over budget"; break;
  }
  o.monthly_usd = o.candidate.cost.total_usd;
  o.meets = o.candidate.eligible;
  o.why_not = o.candidate.why_not;
  return o;
}

/// (devices, machines) to try for one catalog entry: a GPU 1, 2, 4, 8 times in one machine, then
/// 2 and 4 machines of 8 for datacenter GPUs (those with NVLink or Infinity Fabric between them);
/// a unified-memory machine (Mac, Strix Halo, DGX Spark) 1, 2 or 4 times, joined by llama.cpp RPC.
std::vector<std::pair<int, int>> counts_for(const HardwareSpec& hw) {
  if (hw.kind == HardwareKind::apple || hw.kind == HardwareKind::apu) return {{1, 1}, {2, 2}, {4, 4}};
  if (hw.kind != HardwareKind::gpu) return {{1, 1}};
  std::vector<std::pair<int, int>> counts{{1, 1}, {2, 1}, {4, 1}, {8, 1}};
  if (hw.link.rfind("nvlink", 0) == 0 || hw.link.rfind("infinity", 0) == 0)
    counts.insert(counts.end(), {{16, 2}, {32, 4}});
  return counts;
}

/// An owned machine's main device for joining a fleet: its largest GPU a model may go on, else
/// its CPU.
Device main_device(const Machine& m) {
  const Device* best = nullptr;
  for (const auto& d : m.devices)
    if (d.kind == DeviceKind::gpu && !d.software && d.read_gbps.value > 0 &&
        (!best || d.memory_bytes.value > best->memory_bytes.value))
      best = &d;
  return best ? *best : m.devices.front();
}

void add_fleet(Plan& p, const Catalog& c, const ModelSpec& m, const std::vector<const QuantSpec*>& quants,
               const Workload& w, const Budget& b, const std::vector<Machine>& fleet) {
  for (const auto& machine : fleet)
    p.options.push_back(evaluate(c, m, quants, machine, machine.hardware_id, 1, 1, w, b, {PlanHow::own}, true));
  if (fleet.size() < 2) return;
  // All of them joined by llama.cpp's RPC backend: each machine's main device holds a share of
  // the layers in proportion to its memory.
  Machine joined;
  joined.name = std::to_string(fleet.size()) + " machines over RPC";
  for (const auto& machine : fleet) joined.devices.push_back(main_device(machine));
  joined.cpu = fleet.front().cpu;
  const int n = int(fleet.size());
  p.options.push_back(evaluate(c, m, quants, joined, "", n, n, w, b, {PlanHow::own}, true));
}

}  // namespace

std::vector<ApiCost> as_good_apis(const Catalog& c, const ModelSpec& m, const Workload& w) {
  std::vector<ApiCost> apis;
  for (const auto& o : c.apis) {
    const double quality = o.model.empty() ? o.quality : (c.find_model(o.model) ? c.find_model(o.model)->quality : 0);
    if (o.model == m.id || (o.model.empty() && quality >= m.quality)) apis.push_back({&o, api_cost_usd(o, w), quality});
  }
  std::sort(apis.begin(), apis.end(), [](const ApiCost& x, const ApiCost& y) { return x.usd < y.usd; });
  return apis;
}

std::optional<double> breakeven_tokens_per_month(const MonthlyCost& cost, const ApiCost& api, const Workload& w) {
  // Buying costs a fixed amortisation plus electricity per token; the API a price per token. They
  // cost the same at fixed / (API per token - electricity per token).
  if (w.tokens_per_month <= 0 || !cost.electricity_usd || !cost.hardware_usd || !(*cost.hardware_usd > 0))
    return std::nullopt;
  const double api_per_token = api.usd / w.tokens_per_month;
  const double power_per_token = *cost.electricity_usd / w.tokens_per_month;
  if (api_per_token <= power_per_token) return std::nullopt;
  return *cost.hardware_usd / (api_per_token - power_per_token);
}

Comparison compare(const Catalog& c, const ModelSpec& m, const std::vector<const QuantSpec*>& quants,
                   const std::vector<CompareMachine>& machines, const Workload& w, const Budget& b) {
  Comparison out;
  out.model = &m;
  const std::vector<ApiCost> apis = as_good_apis(c, m, w);
  if (!apis.empty()) out.api = apis.front();
  // The budget is what a comparison is asked to inform, not a filter of it.
  Budget unlimited = b;
  unlimited.usd_per_month = std::numeric_limits<double>::infinity();
  for (const auto& cm : machines) {
    // One machine as a whole (its GPUs and its host): the estimator chooses the placement.
    PlanOption o = evaluate(c, m, quants, cm.machine, cm.machine.hardware_id, 1, 1, w, unlimited,
                            {cm.owned ? PlanHow::own : PlanHow::buy}, true);
    o.label = cm.id;
    if (out.api && o.candidate.estimate.fits)
      o.breakeven_tokens_per_month = breakeven_tokens_per_month(o.candidate.cost, *out.api, w);
    out.price_usd.push_back(!cm.owned && cm.machine.price_usd.known() ? std::optional(cm.machine.price_usd.value)
                                                                      : std::nullopt);
    out.options.push_back(std::move(o));
  }

  // The verdict: the cheapest of those that meet the target; costs within kCostTieShare of the
  // cheapest are a tie, won by the faster decode. An unknown cost never beats a known one; when
  // every cost is unknown, the fastest wins.
  // Those that run the model as scored (its thinking on) are compared first; machines that meet
  // the target only with its thinking off, a lower quality, count only when none does.
  std::vector<std::size_t> meets;
  for (const bool off : {false, true}) {
    for (std::size_t i = 0; i < out.options.size(); ++i)
      if (out.options[i].meets && out.options[i].candidate.thinking_off == off) meets.push_back(i);
    if (!meets.empty()) break;
  }
  CompareVerdict& v = out.verdict;
  if (meets.empty()) return out;
  const auto usd = [&](std::size_t i) { return out.options[i].monthly_usd; };
  const auto tps = [&](std::size_t i) { return out.options[i].candidate.estimate.decode_tps; };
  std::optional<double> cheapest;
  for (auto i : meets)
    if (usd(i) && (!cheapest || *usd(i) < *cheapest)) cheapest = usd(i);
  const auto in_tie = [&](std::size_t i) {
    return cheapest ? usd(i) && *usd(i) <= *cheapest * (1 + kCostTieShare) : true;
  };
  // Winner first: in the tie before out of it, then the faster, then the cheaper.
  std::stable_sort(meets.begin(), meets.end(), [&](std::size_t x, std::size_t y) {
    if (in_tie(x) != in_tie(y)) return in_tie(x);
    if (in_tie(x)) return tps(x) > tps(y);
    return usd(x).value_or(std::numeric_limits<double>::infinity()) < usd(y).value_or(std::numeric_limits<double>::infinity());
  });
  v.better = meets.front();
  if (meets.size() > 1) v.runner_up = meets[1];
  v.reason = meets.size() == 1                      ? CompareVerdict::Reason::only_one_meets
             : in_tie(meets[1])                     ? CompareVerdict::Reason::faster
                                                    : CompareVerdict::Reason::cheaper;
  return out;
}

namespace {

/// One machine a plan may put the model on, before any model is known: a catalog machine bought
/// (`count` of it over `nodes` machines, the card's host priced in) or a rental's instances.
/// Offers of one catalog entry or rental form a `group`, in growing size: a plan stops a group
/// at the first offer the model fits (more of the same adds little speed).
struct Offer {
  Machine machine;
  std::string hardware_id;
  int count = 1, nodes = 1;
  Purchase how;
  std::size_t group = 0;
  /// A lower bound of the option's monthly cost, known before estimating: the amortised price of
  /// a purchase (as monthly_cost computes it; the electricity only adds), or a rental billed for
  /// the fewest hours it can be up (hours_up with no busy hours). Empty when the price is
  /// unknown. It grows along a group (more GPUs, more instances).
  std::optional<double> least_usd;
};

/// Every offer of the catalog for `scope` (not a fleet), in the order plan() lists them: the
/// catalog's machines, then its rentals. `unpriced` counts the machines left out for want of a
/// purchase price. The same for every model, so plan_models builds them once.
std::vector<Offer> offers(const Catalog& c, const Workload& w, const Budget& b, const PlanScope& scope, int& unpriced) {
  std::vector<Offer> out;
  std::size_t group = 0;
  for (const auto& hw : c.hardware) {
    // A purchase needs a price: machines the catalog has none for are left out (counted).
    const bool used = scope.used && hw.used_price_usd > 0;
    const double price = used ? hw.used_price_usd : hw.price_usd;
    if (price <= 0) {
      ++unpriced;
      continue;
    }
    HardwareSpec priced = hw;
    priced.price_usd = price;
    // A graphics card is not a computer: the host it goes into is bought with it (once per
    // machine) unless the buyer has one; a host with no catalog price leaves the total unknown.
    const bool card = hw.kind == HardwareKind::gpu && !scope.host_owned && !scope.host_name.empty();
    ++group;
    for (const auto& [count, nodes] : counts_for(hw)) {
      const double total = price * count + (card ? scope.host_price_usd * nodes : 0);
      if (scope.max_price_usd >= 0 && total > scope.max_price_usd) break;
      Offer o{machine_from_hardware(priced, count), hw.id, count, nodes, {used ? PlanHow::buy_used : PlanHow::buy}, group, {}};
      if (card && scope.host_price_usd > 0)
        o.machine.price_usd = {total, o.machine.price_usd.source + " + host " + scope.host_name + " x " +
                                          std::to_string(nodes)};
      else if (card)
        o.machine.price_usd = {};
      // evaluate() prices a purchase as not owned, whatever the budget says.
      if (b.amortize_months <= 0) o.least_usd = 0;
      else if (o.machine.price_usd.known()) o.least_usd = o.machine.price_usd.value / b.amortize_months;
      out.push_back(std::move(o));
    }
  }
  for (const auto& r : c.rentals) {
    const HardwareSpec* hw = c.find_hardware(r.hardware);
    // A rental has no purchase price: a buyer's plan (--buy, --max-price) shows none.
    if (!hw || scope.buy_only || scope.max_price_usd >= 0) continue;
    ++group;
    // More instances of the rental until the model fits: single GPUs up to a server of 8, then
    // servers in a row (datacenter GPUs only).
    for (int instances = 1; instances * r.gpus <= 4 * kGpusPerServer; instances *= 2) {
      const int count = instances * r.gpus;
      const int nodes = std::max(1, count / kGpusPerServer);
      if (nodes > 1 && counts_for(*hw).back().first < count) break;
      Offer o{machine_from_hardware(*hw, count), hw->id, count, nodes, {PlanHow::rent, &r, instances}, group, {}};
      o.machine.name = (instances > 1 ? std::to_string(instances) + " x " : "") +
                       (r.gpus > 1 ? std::to_string(r.gpus) + " x " : "") + hw->name + " (" + r.provider + ")";
      o.least_usd = hours_up(w, 0) * r.usd_per_hour * instances;
      out.push_back(std::move(o));
    }
  }
  return out;
}

PlanOption evaluate(const Catalog& c, const ModelSpec& m, const std::vector<const QuantSpec*>& quants,
                    const Offer& o, const Workload& w, const Budget& b, bool thinking_off) {
  return evaluate(c, m, quants, o.machine, o.hardware_id, o.count, o.nodes, w, b, o.how, thinking_off);
}

}  // namespace

Plan plan(const Catalog& c, const ModelSpec& m, const std::vector<const QuantSpec*>& quants, const Workload& w,
          const Budget& b, const PlanScope& scope) {
  Plan p;
  p.model = &m;
  if (scope.fleet.empty() && !scope.host_owned) p.host_name = scope.host_name, p.host_price_usd = scope.host_price_usd;
  p.buy_only = scope.buy_only || scope.max_price_usd >= 0;
  if (!scope.fleet.empty()) {
    add_fleet(p, c, m, quants, w, b, scope.fleet);
  } else {
    const std::vector<Offer> all = offers(c, w, b, scope, p.unpriced);
    std::size_t fitted = 0;  // the group of the last offer the model fits
    for (const Offer& o : all) {
      if (o.group == fitted) continue;
      p.options.push_back(evaluate(c, m, quants, o, w, b, true));
      if (p.options.back().candidate.estimate.fits) fitted = o.group;
    }
  }
  p.apis = as_good_apis(c, m, w);
  if (!p.apis.empty())
    for (auto& o : p.options)
      if (bought(o.how) && o.candidate.estimate.fits)
        o.breakeven_tokens_per_month = breakeven_tokens_per_month(o.candidate.cost, p.apis.front(), w);
  // Those that meet the target with the model as scored (its thinking on) first, cheapest first;
  // then those that meet it only with its thinking off (a lower quality), cheapest first.
  std::stable_sort(p.options.begin(), p.options.end(), [](const PlanOption& x, const PlanOption& y) {
    if (x.meets != y.meets) return x.meets;
    if (x.meets && x.candidate.thinking_off != y.candidate.thinking_off) return !x.candidate.thinking_off;
    if (x.meets) {
      if (x.monthly_usd.has_value() != y.monthly_usd.has_value()) return x.monthly_usd.has_value();  // unknown last
      return x.monthly_usd.value_or(0) < y.monthly_usd.value_or(0);
    }
    return x.candidate.estimate.decode_tps > y.candidate.estimate.decode_tps;
  });
  for (std::size_t i = 0; i < p.options.size(); ++i) {
    if (!p.options[i].meets) continue;
    if (!p.cheapest) p.cheapest = i;
    if (!p.fastest || p.options[i].candidate.estimate.decode_tps > p.options[*p.fastest].candidate.estimate.decode_tps)
      p.fastest = i;
    if (!p.verdict.purchase && bought(p.options[i].how)) p.verdict.purchase = i;
  }
  // The verdict: the cheapest that meets the target, an API as good as the model included.
  // Options are sorted cheapest first with unknown costs last, so the cheapest is the first.
  PlanVerdict& v = p.verdict;
  if (!p.apis.empty()) v.api = 0;
  const PlanOption* local = p.cheapest ? &p.options[*p.cheapest] : nullptr;
  const bool local_wins =
      local && (!v.api || (local->monthly_usd && *local->monthly_usd <= p.apis.front().usd));
  if (local_wins) {
    v.option = p.cheapest;
    v.kind = local->how == PlanHow::rent ? PlanVerdict::Kind::rent
             : local->how == PlanHow::own ? PlanVerdict::Kind::own
                                   : PlanVerdict::Kind::buy;
  } else if (v.api) {
    v.kind = PlanVerdict::Kind::api;
  }
  return p;
}

namespace {

/// The cheapest option of plan(c, m, ...) that meets the target -- the one plan() ranks first --
/// found by branch and bound instead of estimating every offer. `order` lists the offers by their
/// cost's lower bound, lowest first (those of unknown price last); the offers of a group keep
/// their order in it, so each is still estimated only when the smaller ones of its group did not
/// fit. An offer whose bound exceeds the budget cannot meet the target; the scan stops at the
/// first whose bound exceeds the cheapest option found so far: none after it can cost less, and
/// those of unknown price rank after a known cost. A bound equal to the cheapest is
/// still estimated, and of equal costs the offer plan() lists first wins, as in plan()'s stable
/// ranking. Options of unknown cost rank after every known one, so they matter only when none of
/// known cost meets the target -- and then nothing was skipped but what exceeds the budget, so
/// the first of them in plan()'s order is plan()'s pick. The plan holds that option alone.
Plan cheapest_plan(const Catalog& c, const ModelSpec& m, const std::vector<const QuantSpec*>& quants,
                   const Workload& w, const Budget& b, const std::vector<Offer>& all,
                   const std::vector<std::size_t>& order, bool thinking_off) {
  std::optional<PlanOption> known, unknown;
  std::size_t known_at = 0, unknown_at = 0;  // their places in plan()'s order
  std::vector<bool> fitted_group;
  for (const std::size_t i : order) {
    const Offer& o = all[i];
    if (known && (!o.least_usd || *o.least_usd > *known->monthly_usd)) break;
    if (o.least_usd && *o.least_usd > b.usd_per_month) continue;  // on to those of unknown price
    if (o.group >= fitted_group.size()) fitted_group.resize(o.group + 1);
    if (fitted_group[o.group]) continue;
    PlanOption option = evaluate(c, m, quants, o, w, b, thinking_off);
    if (option.candidate.estimate.fits) fitted_group[o.group] = true;
    if (!option.meets) continue;
    if (option.monthly_usd) {
      if (!known || *option.monthly_usd < *known->monthly_usd ||
          (*option.monthly_usd == *known->monthly_usd && i < known_at))
        known = std::move(option), known_at = i;
    } else if (!unknown || i < unknown_at) {
      unknown = std::move(option), unknown_at = i;
    }
  }
  Plan p;
  p.model = &m;
  if (known || unknown) {
    p.options.push_back(std::move(known ? *known : *unknown));
    p.cheapest = 0;
  }
  return p;
}

}  // namespace

ModelsPlan plan_models(const Catalog& c, const std::vector<const QuantSpec*>& quants, const Workload& w,
                       const Budget& b, const PlanScope& scope, double min_quality, bool cheapest_first) {
  ModelsPlan out;
  int unpriced = 0;
  const std::vector<Offer> all = scope.fleet.empty() ? offers(c, w, b, scope, unpriced) : std::vector<Offer>{};
  std::vector<std::size_t> order(all.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    const auto& lx = all[x].least_usd;
    const auto& ly = all[y].least_usd;
    return lx && ly ? *lx < *ly : lx.has_value() > ly.has_value();
  });
  for (const auto& m : c.models) {
    if (m.quality < min_quality) continue;
    ++out.models_considered;
    // A context longer than the model's fits nowhere (estimate()'s rule): nothing to estimate.
    if (scope.fleet.empty() && w.context_tokens > m.context_max) continue;
    if (!scope.fleet.empty()) {
      Plan p = plan(c, m, quants, w, b, scope);
      if (p.cheapest) out.plans.push_back(std::move(p));
      continue;
    }
    // The model as scored, at its cheapest; and a hybrid with its thinking off too, where that is
    // cheaper (a machine or rental that reaches only the plain floor), as advise offers it.
    Plan on = cheapest_plan(c, m, quants, w, b, all, order, false);
    std::optional<Plan> off;
    if (m.quality_no_thinking) {
      Plan p = cheapest_plan(c, m, quants, w, b, all, order, true);
      if (p.cheapest && p.options.front().candidate.thinking_off) off = std::move(p);
    }
    // Only where it is cheaper beyond the tie of catalog prices (kCostTieShare): a row of a lower
    // quality at about the same cost is no alternative (at \$100, Qwen3.8 27B thinking off at
    // \$55/month beside thinking on at \$57).
    if (off && on.cheapest &&
        !(off->options.front().monthly_usd.value_or(std::numeric_limits<double>::infinity()) * (1 + kCostTieShare) <
          on.options.front().monthly_usd.value_or(std::numeric_limits<double>::infinity())))
      off.reset();
    for (Plan* p : {&on, off ? &*off : nullptr}) {
      if (!p || !p->cheapest) continue;
      p->apis = as_good_apis(c, m, w);
      PlanOption& o = p->options.front();
      if (!p->apis.empty() && bought(o.how) && o.candidate.estimate.fits)
        o.breakeven_tokens_per_month = breakeven_tokens_per_month(o.candidate.cost, p->apis.front(), w);
      out.plans.push_back(std::move(*p));
    }
  }
  const auto cost = [](const Plan& p) {
    return p.options[*p.cheapest].monthly_usd.value_or(std::numeric_limits<double>::infinity());
  };
  const auto quality = [](const Plan& p) { return p.options[*p.cheapest].candidate.quality; };
  std::stable_sort(out.plans.begin(), out.plans.end(), [&](const Plan& x, const Plan& y) {
    if (cheapest_first) return cost(x) < cost(y) || (cost(x) == cost(y) && quality(x) > quality(y));
    return quality(x) > quality(y) || (quality(x) == quality(y) && cost(x) < cost(y));
  });
  for (const auto& o : c.apis) {
    const ModelSpec* m = o.model.empty() ? nullptr : c.find_model(o.model);
    const double q = m ? m->quality : o.quality;
    const double usd = api_cost_usd(o, w);
    if (usd <= b.usd_per_month && q >= min_quality) out.apis.push_back({&o, usd, q});
  }
  std::stable_sort(out.apis.begin(), out.apis.end(), [](const ApiCost& x, const ApiCost& y) {
    return x.quality > y.quality || (x.quality == y.quality && x.usd < y.usd);
  });
  return out;
}

}  // namespace benchr
