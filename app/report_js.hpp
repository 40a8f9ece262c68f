// The plotting libraries `benchr-advise report` inlines into its page (app/report_html.cpp):
// vega, vega-lite and vega-embed as minified JavaScript, embedded at build time by
// cmake/vega_embed.cmake from the npm install that scripts/setup.sh makes of report/package-lock.json.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace benchr {

struct PlotLibrary {
  std::string_view name, version;  ///< "vega", "5.33.1"
  std::string_view js;             ///< the minified library, as npm installed it
};

/// The libraries in the order a page loads them (vega, vega-lite, vega-embed). When the build
/// found none, `libs` is empty and `missing` says which files and how to get them.
struct PlotLibraries {
  std::vector<PlotLibrary> libs;
  std::string missing;
};
PlotLibraries plot_libraries();

}  // namespace benchr
