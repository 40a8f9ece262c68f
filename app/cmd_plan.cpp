// `plan`: what to buy or rent for a model at a speed (or, without --model, the best model a
// budget buys), cheapest first.
#include <algorithm>
#include <iostream>

#include "cli.hpp"

namespace benchr {

std::vector<const QuantSpec*> chosen_quants(const Flags& f, const Catalog& c) {
  std::vector<const QuantSpec*> quants;
  for (const auto& q : c.quants)
    if ((f.plan_quant == "auto" && q.quality_retention >= f.min_retention) || q.id == f.plan_quant)
      quants.push_back(&q);
  if (quants.empty()) {
    std::vector<std::string> ids{"auto"};
    for (const auto& q : c.quants) ids.push_back(q.id);
    unknown_id("--quant", "quant id", f.plan_quant, ids, "benchr-advise quants");
  }
  return quants;
}

int cmd_plan(Flags& f, const Catalog& catalog) {
  if (!f.model_id.empty() && f.min_quality >= 0) throw InputError("plan: give --model or --min-quality, not both");
  if (!f.machine_path.empty() || !f.hardware_id.empty())
    throw InputError("plan ranks catalog machines (or --fleet ones): drop --machine/--hardware");
  PlanScope& scope = f.scope;
  // The host a card is bought with: a catalog CPU machine (--host ID), by default a typical desktop.
  const HardwareSpec& host = find_host(catalog, f.host_id.empty() ? kDefaultHost : f.host_id, false);
  scope.host_name = host.id;
  scope.host_price_usd = host.price_usd;
  for (const auto& path : f.fleet_paths) {
    Machine m = with_catalog_gpus(load_machine(path), catalog);
    if (m.hardware_id.empty()) m.hardware_id = path;
    m.name = path + ": " + m.name;
    scope.fleet.push_back(std::move(m));
  }
  const ModelSpec* model = f.model_id.empty() ? nullptr : &find_model(catalog, f.model_id, "--model");
  const auto quants = chosen_quants(f, catalog);
  if (!model) {
    const ModelsPlan p = plan_models(catalog, quants, f.workload, f.budget, scope, std::max(0.0, f.min_quality),
                                     f.min_quality >= 0);
    if (f.report.wanted) return write_models_plan_report(f.report, p, f.workload, f.budget, f.json);
    std::cout << present_models_plan(p, f.workload, f.budget, f.min_quality, f.out);
    return 0;
  }
  const Plan p = plan(catalog, *model, quants, f.workload, f.budget, scope);
  if (f.report.wanted) return write_plan_report(f.report, p, catalog, quants, f.workload, f.budget, scope, f.json);
  std::cout << present_plan(p, *model, f.workload, f.budget, f.out);
  return 0;
}

}  // namespace benchr
