// The runners-up beside an advice's pick: which other models to show, and which better ones lost.
#include <algorithm>
#include <map>
#include <set>

#include "estimator.hpp"

namespace benchr {

std::vector<const Candidate*> runners_up(const Advice& a, std::size_t n) {
  std::vector<const Candidate*> out;
  if (!a.recommended) {
    std::set<std::string> seen;
    for (const auto& c : a.ranked)
      if (out.size() < 2 * n && seen.insert(c.estimate.model).second) out.push_back(&c);
    return out;
  }
  const Candidate& best = a.ranked[*a.recommended];
  std::set<std::string> seen{best.estimate.model};
  std::size_t eligible = 0, better = 0;
  for (const auto& c : a.ranked) {
    if (c.eligible && eligible < n && seen.insert(c.estimate.model).second) {
      out.push_back(&c);
      ++eligible;
    }
  }
  // For each model that could have beaten the pick but lost: of its quants still better than the
  // pick, the smallest (the one that came closest to fitting and to the speed floor).
  std::map<std::string, const Candidate*> smallest;
  for (const auto& c : a.ranked) {
    if (c.eligible || c.quality <= best.quality || seen.count(c.estimate.model)) continue;
    auto& s = smallest[c.estimate.model];
    if (!s || c.estimate.memory.total_bytes < s->estimate.memory.total_bytes) s = &c;
  }
  std::vector<const Candidate*> lost;
  for (const auto& [model, c] : smallest) lost.push_back(c);
  std::sort(lost.begin(), lost.end(), [](auto* x, auto* y) { return x->quality < y->quality; });
  for (auto* c : lost)
    if (better++ < n) out.push_back(c);
  return out;
}

}  // namespace benchr
