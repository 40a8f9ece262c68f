// `models`, `quants`, `hardware` and `prices`: what the catalog holds, filtered.
#include <algorithm>
#include <iostream>

#include "cli.hpp"

namespace benchr {

int cmd_list(const Flags& f, const Catalog& c, std::string_view what) {
  if (!f.list.license.empty()) {
    std::vector<std::string> licenses;
    for (const auto& m : c.models)
      if (std::find(licenses.begin(), licenses.end(), m.license) == licenses.end()) licenses.push_back(m.license);
    if (std::find(licenses.begin(), licenses.end(), f.list.license) == licenses.end())
      throw InputError("--license: no model has license '" + f.list.license + "'" +
                       did_you_mean(f.list.license, licenses));
  }
  std::cout << present_list(c, what, f.list, f.out);
  return 0;
}

}  // namespace benchr
