// Whether a candidate can be recommended: the one rule advise and plan share.
#include "estimator.hpp"

namespace benchr {

Unmet first_unmet(const Candidate& c, const ModelSpec& m, const Workload& w, const Budget& b) {
  const Estimate& e = c.estimate;
  if (w.context_tokens > m.context_max) return Unmet::context;
  if (!e.fits) return Unmet::memory;
  if (e.decode_tps < decode_floor(m, w, c.thinking_off)) return Unmet::speed;
  if (!c.cost.can_serve) return Unmet::volume;
  if (!b.owned && c.cost.at_least_usd() > b.usd_per_month) return Unmet::budget;
  return Unmet::none;
}

}  // namespace benchr
