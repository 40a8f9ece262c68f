#include <algorithm>
#include <limits>

#include "estimator.hpp"

namespace benchr {

MonthlyCost monthly_cost(const Estimate& e, const Machine& machine, const Workload& w,
                         const Electricity& power_price, const Budget& b) {
  MonthlyCost c;
  if (e.decode_tps <= 0) {
    c.busy_hours = std::numeric_limits<double>::infinity();
  } else {
    const double prefill_s = e.prefill_tps > 0 ? w.input_tokens() / e.prefill_tps : 0;
    c.busy_hours = (w.output_tokens() / e.decode_tps + prefill_s) / 3600;
  }
  c.utilisation = c.busy_hours / kHoursPerMonth;
  c.can_serve = c.utilisation <= 1;
  const Device& d = machine.devices.at(e.placement.device);
  const double hours = std::min(c.busy_hours, kHoursPerMonth);
  c.electricity_usd = hours * d.power_w.value / 1000 * power_price.usd_per_kwh;
  if (machine.price_usd.known() && b.amortize_months > 0)
    c.hardware_usd = machine.price_usd.value / b.amortize_months;
  c.total_usd = c.electricity_usd + c.hardware_usd;
  return c;
}

double api_cost_usd(const ApiOffer& offer, const Workload& w) {
  return (w.input_tokens() * offer.usd_per_mtok_input + w.output_tokens() * offer.usd_per_mtok_output) /
         1e6;
}

}  // namespace benchr
