// `calibrate`: measure this machine now and cache the figures.
#include <iostream>

#include "cli.hpp"
#include "probe.hpp"

namespace benchr {

int cmd_calibrate(const Flags& f) {
  if (!f.machine_path.empty() || !f.hardware_id.empty())
    throw InputError("calibrate measures this machine: drop --machine/--hardware");
  const Calibration c = run_calibration(live_machine(/*rescan=*/true), f);
  std::cout << present_calibration(c, f.out);
  if (!f.json) std::cout << "cached in " << calibration_cache_path(c.fingerprint) << "\n";
  return 0;
}

}  // namespace benchr
