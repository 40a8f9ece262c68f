#include <algorithm>
#include <limits>

#include "estimator.hpp"

namespace benchr {

double hours_up(const Workload& w, double busy_hours) {
  double up = w.hours_per_day ? *w.hours_per_day * kHoursPerMonth / 24
              : w.users > 1   ? kHoursPerMonth
                              : std::max(busy_hours, kOneUserHoursPerMonth);
  return std::min(up, kHoursPerMonth);
}

MonthlyCost monthly_cost(const Estimate& e, const Machine& machine, const Workload& w,
                         const Electricity& power_price, const Budget& b) {
  MonthlyCost c;
  if (e.decode_tps <= 0) {
    c.busy_hours = std::numeric_limits<double>::infinity();
  } else {
    const double prefill_s = e.prefill_tps > 0 ? w.input_tokens() / e.prefill_tps : 0;
    // Batched users share the machine's time: output comes at the aggregate rate.
    const double aggregate = e.aggregate_tps > 0 ? e.aggregate_tps : e.decode_tps;
    c.busy_hours = (w.output_tokens() / aggregate + prefill_s) / 3600;
  }
  c.utilisation = c.busy_hours / kHoursPerMonth;
  c.up_hours = hours_up(w, c.busy_hours);
  c.can_serve = c.busy_hours <= c.up_hours;
  // Every device the placement uses draws its power while the tokens pass: the GPUs of a split,
  // the host that holds the rest of a model.
  const Placement& p = e.placement;
  double watts = 0;
  bool watts_known = true;  // a device with no power figure (no TDP in the catalog) makes it unknown
  const std::size_t used = p.kind == PlacementKind::layer_split || p.kind == PlacementKind::tensor_parallel
                               ? std::size_t(p.gpus())
                               : 1;
  const auto draw = [&](const Device& d) {
    watts += d.power_w.value;
    watts_known = watts_known && d.power_w.known();
  };
  for (std::size_t i = p.device; i < p.device + used && i < machine.devices.size(); ++i) draw(machine.devices[i]);
  if ((p.kind == PlacementKind::partial_offload || p.kind == PlacementKind::experts_on_cpu) &&
      p.host < machine.devices.size() && p.host != p.device)
    draw(machine.devices[p.host]);
  const double busy = std::min(c.busy_hours, c.up_hours);
  const double kwh = (busy * watts + (c.up_hours - busy) * watts * kIdlePowerShare) / 1000;
  if (watts_known) c.electricity_usd = kwh * power_price.usd_per_kwh;
  c.owned = b.owned;
  if (b.owned || b.amortize_months <= 0) c.hardware_usd = 0;
  else if (machine.price_usd.known()) c.hardware_usd = machine.price_usd.value / b.amortize_months;
  if (c.electricity_usd && c.hardware_usd) c.total_usd = *c.electricity_usd + *c.hardware_usd;
  return c;
}

double api_cost_usd(const ApiOffer& offer, const Workload& w) {
  return (w.input_tokens() * offer.usd_per_mtok_input + w.output_tokens() * offer.usd_per_mtok_output) /
         1e6;
}

}  // namespace benchr
