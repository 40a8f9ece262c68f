// `plan` without a model (plan_models) searches by branch and bound; these check that it picks,
// for every model of the embedded catalog, exactly the option plan() ranks first when it
// estimates every offer -- on budgets, workloads and scopes that move the pick and the bounds.
#define BOOST_TEST_MODULE plan_models
#include <boost/test/unit_test.hpp>

#include <map>

#include "catalog.hpp"
#include "estimator.hpp"

using namespace benchr;

namespace {

/// The workload `plan` gives by default: Workload{}'s context, volume, input share and floor.
Workload default_workload() { return Workload{}; }

/// What the presenters show of a model's pick.
struct Pick {
  std::string label, how, quant;
  std::optional<double> monthly_usd, breakeven;
  double decode_tps = 0, quality = 0;
  bool operator==(const Pick&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Pick& p) {
  return os << p.how << " " << p.label << " " << p.quant << " $" << p.monthly_usd.value_or(-1) << " "
            << p.decode_tps << " tok/s";
}

Pick pick_of(const PlanOption& o) {
  return {o.label, std::string(to_string(o.how)), o.candidate.estimate.quant, o.monthly_usd, o.breakeven_tokens_per_month,
          o.candidate.estimate.decode_tps, o.candidate.quality};
}

/// Each model's pick by plan() over every offer, and by plan_models: the cheapest option that runs
/// it as scored (plan() ranks those first), and, for a hybrid, the cheapest that runs it with its
/// thinking off (plan() ranks those next) where that costs less beyond kCostTieShare; keyed by
/// model id and " off".
void check_same_picks(const Catalog& c, const Workload& w, const Budget& b, const PlanScope& scope,
                      double min_quality = 0, const std::string& only_quant = "") {
  std::vector<const QuantSpec*> quants;
  for (const auto& q : c.quants)
    if (only_quant.empty() || q.id == only_quant) quants.push_back(&q);
  std::map<std::string, Pick> full;
  int considered = 0;
  for (const auto& m : c.models) {
    if (m.quality < min_quality) continue;
    ++considered;
    const Plan p = plan(c, m, quants, w, b, scope);
    const PlanOption *on = nullptr, *off = nullptr;
    for (const auto& o : p.options) {
      if (!o.meets) continue;
      auto& slot = o.candidate.thinking_off ? off : on;
      if (!slot) slot = &o;
    }
    if (on) full[m.id] = pick_of(*on);
    const auto cost = [](const PlanOption* o) { return o->monthly_usd.value_or(1e300); };
    if (off && (!on || cost(off) * (1 + kCostTieShare) < cost(on))) full[m.id + " off"] = pick_of(*off);
  }
  const ModelsPlan fast = plan_models(c, quants, w, b, scope, min_quality, false);
  BOOST_TEST(fast.models_considered == considered);
  std::map<std::string, Pick> pruned;
  for (const auto& p : fast.plans) {
    BOOST_TEST_REQUIRE(p.cheapest.has_value());
    const PlanOption& o = p.options[*p.cheapest];
    pruned[p.model->id + (o.candidate.thinking_off ? " off" : "")] = pick_of(o);
  }
  BOOST_TEST(pruned.size() == full.size());
  for (const auto& [id, want] : full) {
    BOOST_TEST_CONTEXT("model " << id) {
      BOOST_TEST_REQUIRE(pruned.count(id) == 1u);
      BOOST_TEST(pruned[id] == want);
    }
  }
}

PlanScope desktop_host(const Catalog& c) {
  PlanScope s;
  s.host_name = "cpu-desktop-ddr5-5600-2ch";  // app/main.cpp's kDefaultHost
  const HardwareSpec* h = c.find_hardware(s.host_name);
  BOOST_TEST_REQUIRE(h != nullptr);
  s.host_price_usd = h->price_usd;
  return s;
}

const Catalog& catalog() {
  static const Catalog c = load_catalog(embedded_catalog());
  return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(budget_100_picks_what_every_offer_estimated_picks) {
  check_same_picks(catalog(), default_workload(), Budget{100, 36}, desktop_host(catalog()));
}

BOOST_AUTO_TEST_CASE(a_hybrid_is_planned_with_its_thinking_off_where_that_is_cheaper) {
  // At $20 a month the embedded catalog's thinking hybrids (Qwen3.5, Qwen3.8, GLM-4.7-Flash) reach
  // their thinking floor (30 tok/s) on nothing the budget buys, but some reach the plain floor:
  // advise offers them with thinking off, and so does plan. Each such row is the model's
  // non-thinking quality x its quant's retention, below its thinking row when both are listed.
  const Workload w = default_workload();
  std::vector<const QuantSpec*> quants;
  for (const auto& q : catalog().quants) quants.push_back(&q);
  const ModelsPlan p = plan_models(catalog(), quants, w, Budget{20, 36}, desktop_host(catalog()), 0, false);
  int off_rows = 0;
  for (const auto& plan : p.plans) {
    const Candidate& cand = plan.options[*plan.cheapest].candidate;
    if (!cand.thinking_off) continue;
    ++off_rows;
    BOOST_TEST_REQUIRE(plan.model->quality_no_thinking.has_value());
    BOOST_TEST(cand.model_quality == *plan.model->quality_no_thinking);
    BOOST_TEST(cand.estimate.decode_tps >= w.min_decode_tps);
    BOOST_TEST(plan.model->thinks);
    // llama-server --reasoning off, or the enable_thinking template argument (MLX, vLLM).
    const std::string& cmd = cand.estimate.launch;
    BOOST_TEST((cmd.find("--reasoning off") != std::string::npos || cmd.find("\"enable_thinking\": false") != std::string::npos));
  }
  BOOST_TEST(off_rows > 0);
}

BOOST_AUTO_TEST_CASE(small_and_large_budgets_pick_the_same) {
  for (const double usd : {30.0, 1000.0, 20000.0})
    BOOST_TEST_CONTEXT("budget " << usd) check_same_picks(catalog(), default_workload(), Budget{usd, 36},
                                                          desktop_host(catalog()));
}

BOOST_AUTO_TEST_CASE(faster_target_more_users_and_volume_pick_the_same) {
  Workload fast = default_workload();
  fast.min_decode_tps = 40;
  check_same_picks(catalog(), fast, Budget{100, 36}, desktop_host(catalog()));
  Workload team = default_workload();
  team.users = 8;  // always on: rentals billed 730 h, above their bound's 173 h
  check_same_picks(catalog(), team, Budget{200, 36}, desktop_host(catalog()));
  Workload busy = default_workload();
  busy.tokens_per_month = 2e8;  // busy hours above a working day's
  check_same_picks(catalog(), busy, Budget{100, 36}, desktop_host(catalog()));
  Workload long_context = default_workload();
  long_context.context_tokens = 65536;  // past several models' context: they fit nowhere
  check_same_picks(catalog(), long_context, Budget{300, 36}, desktop_host(catalog()));
}

BOOST_AUTO_TEST_CASE(used_buy_only_price_cap_no_host_price_and_one_quant_pick_the_same) {
  PlanScope used = desktop_host(catalog());
  used.used = true;
  check_same_picks(catalog(), default_workload(), Budget{300, 36}, used);
  PlanScope buy = desktop_host(catalog());
  buy.buy_only = true;
  check_same_picks(catalog(), default_workload(), Budget{500, 36}, buy);
  PlanScope capped = desktop_host(catalog());
  capped.max_price_usd = 8000;
  check_same_picks(catalog(), default_workload(), Budget{2000, 36}, capped);
  // A host of unknown price: every card's cost is unknown, ranked after the known ones.
  PlanScope unknown_host = desktop_host(catalog());
  unknown_host.host_price_usd = 0;
  check_same_picks(catalog(), default_workload(), Budget{100, 36}, unknown_host);
  check_same_picks(catalog(), default_workload(), Budget{100, 36}, desktop_host(catalog()), 40, "Q4_K_M");
}
