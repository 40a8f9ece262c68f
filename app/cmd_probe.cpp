// `probe`: what this machine (or --machine, --hardware) is, each figure with its source.
#include <cstdio>
#include <iostream>

#include "cli.hpp"

namespace benchr {

int cmd_probe(const Flags& f, const Catalog& catalog) {
  const Machine machine = with_catalog_gpus(the_machine(f, catalog), catalog);
  if (!f.save_path.empty()) {
    save_machine(machine, f.save_path);
    std::fprintf(stderr, "benchr-advise: saved the probe to %s\n", f.save_path.c_str());
  }
  std::cout << present_machine(machine, f.out);
  return 0;
}

}  // namespace benchr
