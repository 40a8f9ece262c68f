// `compare`: two or three machines side by side for one model, and the better buy.
#include <iostream>

#include "cli.hpp"

namespace benchr {
namespace {

/// One argument of compare: 'this', a catalog id, or NxID for N of a graphics card in one machine.
CompareMachine compare_machine(const Flags& f, const Catalog& catalog, const std::string& arg) {
  CompareMachine cm;
  cm.id = arg;
  if (arg == "this") {
    cm.machine = this_machine(f);
    cm.owned = true;
  } else {
    int gpus = 1;
    std::string id = arg;
    if (const auto x = arg.find('x'); x != std::string::npos && x > 0 && arg.find_first_not_of("0123456789") == x) {
      gpus = std::stoi(arg.substr(0, x));
      id = arg.substr(x + 1);
      if (gpus < 1 || gpus > 64) throw InputError("compare: '" + arg + "': between 1 and 64 cards");
    }
    const HardwareSpec* hw = catalog.find_hardware(id);
    if (!hw) {
      std::vector<std::string> ids{"this"};
      for (const auto& h : catalog.hardware) ids.push_back(h.id);
      unknown_id("compare", "machine", arg, ids, "benchr-advise hardware");
    }
    cm.machine = catalog_machine(f, catalog, *hw, gpus, true, f.scope.host_owned, "compare " + arg, &cm.price_detail);
    if (cm.price_detail.empty())
      cm.price_detail =
          cm.machine.price_usd.known() ? fmt_usd(cm.machine.price_usd.value) : "price unknown: none in the catalog";
  }
  cm.machine = with_catalog_gpus(std::move(cm.machine), catalog);
  return cm;
}

}  // namespace

int cmd_compare(Flags& f, const Catalog& catalog) {
  if (!f.hardware_id.empty() || f.gpus > 1)
    throw InputError("compare takes its machines as arguments (NxID for several cards): drop --hardware/--gpus");
  if (f.compare_ids.size() < 2 || f.compare_ids.size() > 3)
    throw InputError("compare: give 2 or 3 machines, got " + std::to_string(f.compare_ids.size()));
  const ModelSpec& model = find_model(catalog, f.model_id, "--model");
  const auto quants = chosen_quants(f, catalog);
  f.budget.owned = false;  // each catalog machine is a purchase; 'this' is marked owned
  std::vector<CompareMachine> machines;
  for (const auto& arg : f.compare_ids) machines.push_back(compare_machine(f, catalog, arg));
  const Comparison cmp = compare(catalog, model, quants, machines, f.workload, f.budget);
  std::cout << present_comparison(cmp, machines, f.workload, f.budget, f.out);
  return 0;
}

}  // namespace benchr
