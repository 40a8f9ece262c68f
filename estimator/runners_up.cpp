// The runners-up beside an advice's pick: which other models to show, and which better ones lost.
#include <algorithm>
#include <map>
#include <set>

#include "estimator.hpp"

namespace benchr {

std::vector<const Candidate*> runners_up(const Advice& a, std::size_t n) {
  std::vector<const Candidate*> out;
  if (!a.recommended) {
    // Nothing qualifies: of each model, the quant that came closest -- the fastest that fits, or
    // else the smallest -- the ones that fit first, fastest first (the nearest to the floor), then
    // the rest, smallest first (the nearest to fitting).
    std::map<std::string, const Candidate*> closest;
    const auto closer = [](const Candidate* x, const Candidate* y) {
      if (x->estimate.fits != y->estimate.fits) return x->estimate.fits;
      return x->estimate.fits ? x->estimate.decode_tps > y->estimate.decode_tps
                              : x->estimate.memory.total_bytes < y->estimate.memory.total_bytes;
    };
    for (const auto& c : a.ranked) {
      auto& s = closest[c.estimate.model];
      if (!s || closer(&c, s)) s = &c;
    }
    for (const auto& [model, c] : closest) out.push_back(c);
    std::stable_sort(out.begin(), out.end(), closer);
    if (out.size() > 2 * n) out.resize(2 * n);
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
  // Its size: the GPU's part and the host's where the placement splits it (experts or layers in
  // RAM), so a 397B with its experts in RAM is not taken for 17 GiB.
  const auto size = [](const Candidate& c) {
    return c.estimate.memory.total_bytes + (c.estimate.host_memory ? c.estimate.host_memory->total_bytes : 0);
  };
  std::map<std::string, const Candidate*> smallest;
  for (const auto& c : a.ranked) {
    if (c.eligible || c.quality <= best.quality || seen.count(c.estimate.model)) continue;
    auto& s = smallest[c.estimate.model];
    if (!s || size(c) < size(*s)) s = &c;
  }
  std::vector<const Candidate*> lost;
  for (const auto& [model, c] : smallest) lost.push_back(c);
  std::sort(lost.begin(), lost.end(), [](auto* x, auto* y) { return x->quality < y->quality; });
  for (auto* c : lost)
    if (better++ < n) out.push_back(c);
  return out;
}

}  // namespace benchr
