// `fit`: will this model file fit here, with what context, how fast -- from the file itself.
#include <iostream>

#include "cli.hpp"

namespace benchr {

int cmd_fit(const Flags& f, const Catalog& catalog) {
  ModelFile file = read_model_file(f.fit_path);
  // Metadata that describe no possible model (more experts used than exist, more leading dense
  // layers than blocks, no hidden size) are bad input, not a model to estimate.
  if (const std::string problem = file.spec.shape_problem(); !problem.empty())
    throw InputError(f.fit_path + ": its metadata describe no possible model: " + problem);
  file.spec.local_path = f.fit_path;
  QuantSpec quant = quant_spec(file);
  // The bytes come from the file; the quality kept by its mix (Q4_K_M...) from the catalog.
  if (const QuantSpec* known = catalog.find_quant(file.file_type)) {
    quant.quality_retention = known->quality_retention;
    quant.quality_source = known->quality_source;
  } else {
    file.notes.push_back("quality retention unknown for this file's mix ('" + file.file_type + "'): taken as 1");
  }
  const Machine machine = with_catalog_gpus(the_machine(f, catalog), catalog);
  if (!runs_on(quant, file.spec, machine))
    throw InputError(f.fit_path + ": no backend of this machine runs " + std::string(to_string(file.format)) + " weights of type " +
                     std::string(quant.block_format->name));
  Workload w = f.workload;
  if (w.context_tokens > file.spec.context_max && file.spec.context_max > 0) w.context_tokens = file.spec.context_max;
  const Estimate e = estimate(file.spec, quant, machine, w);
  const MonthlyCost cost = monthly_cost(e, machine, w, catalog.electricity, f.budget);
  std::cout << present_fit(file, e, cost, machine, w, f.out);
  return 0;
}

}  // namespace benchr
