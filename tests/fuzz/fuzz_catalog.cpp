// libFuzzer target for the catalog loader (catalog/load.cpp): any text as a user's catalog file
// gives a Catalog or an InputError, never a crash, undefined behaviour, a hang or an allocation out
// of proportion to the input; then each model the text defines is estimated at each of its quants
// (at most 4 x 2, on the fit target's machine), so a size product of catalog integers (each may be
// up to 2^30) that overflows in estimator/memory.cpp or speed.cpp is reported by UBSan. The text is
// loaded on its own, not after the embedded catalog (~0.3 MB: each execution ~1000 times slower),
// so the seeds are small catalogs whose entries refer to each other (tests/fuzz/seeds/catalog).
// Built and run by bench/fuzz_all.sh.
#include <algorithm>
#include <cstdint>
#include <string>

#include "catalog.hpp"
#include "fuzz_fit.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const benchr::Machine machine = fuzz::fit_machine();
  try {
    const benchr::Catalog c =
        benchr::load_catalog({{"fuzz.toml", std::string(reinterpret_cast<const char*>(data), size)}});
    for (std::size_t m = 0; m < std::min<std::size_t>(c.models.size(), 4); ++m)
      for (std::size_t q = 0; q < std::min<std::size_t>(c.quants.size(), 2); ++q)
        if (c.quants[q].applies_to(c.models[m].id) && benchr::runs_on(c.quants[q], c.models[m], machine))
          benchr::estimate(c.models[m], c.quants[q], machine, benchr::Workload{});
  } catch (const benchr::InputError&) {
  }
  return 0;
}
