// `estimate`: memory, speed and cost of one model and quant on one machine.
#include <iostream>

#include "cli.hpp"

namespace benchr {

int cmd_estimate(const Flags& f, const Catalog& catalog) {
  const Machine machine = with_catalog_gpus(the_machine(f, catalog), catalog);
  const ModelSpec& model = find_model(catalog, f.model_id, "--model");
  const QuantSpec& quant = find_quant(catalog, f.quant_id, "--quant");
  if (!quant.applies_to(model.id))
    throw InputError("--quant " + quant.id + ": this format is the release format of other models only (" +
                     quant.only_models.front() + ", ...); pick another quant for " + model.id);
  if (!runs_on(quant, model, machine))
    throw InputError("--quant " + quant.id + ": no backend of this machine runs the " + std::string(to_string(quant.format)) +
                     " format (pick a GGUF quant, or --hardware/--backend for a machine that does)");
  const Estimate e = estimate(model, quant, machine, f.workload);
  const MonthlyCost cost = monthly_cost(e, machine, f.workload, catalog.electricity, f.budget);
  std::cout << present_estimate(e, cost, machine, f.workload, f.out);
  return 0;
}

}  // namespace benchr
