// `advise` (the default subcommand): the best model and quant for the machine, and the verdict
// against the API.
#include <iostream>

#include "cli.hpp"

namespace benchr {

int cmd_advise(const Flags& f, const Catalog& catalog) {
  const Machine machine = with_catalog_gpus(the_machine(f, catalog), catalog);
  const Advice advice = advise(catalog, machine, f.workload, f.budget);
  if (f.report.wanted) return write_advice_report(f.report, advice, machine, catalog, f.workload, f.budget, f.json);
  std::cout << present_advice(advice, machine, f.workload, f.budget, catalog, f.out);
  return 0;
}

}  // namespace benchr
