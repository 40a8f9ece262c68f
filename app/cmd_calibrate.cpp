// `calibrate`: measure this machine now; the cache keeps the better of that and what it held.
#include <iostream>

#include "calibration.hpp"
#include "cli.hpp"
#include "probe.hpp"

namespace benchr {

int cmd_calibrate(const Flags& f) {
  if (!f.machine_path.empty() || !f.hardware_id.empty())
    throw InputError("calibrate measures this machine: drop --machine/--hardware");
  const CalibrationRun run = calibrate_and_cache(live_machine(/*rescan=*/true), f.calibration_budget_s);
  std::cout << present_calibration(*run.measured, f.out);
  if (!f.json) std::cout << cache_outcome(run) << "\n";
  return 0;
}

}  // namespace benchr
