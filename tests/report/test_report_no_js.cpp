// A build that found no plotting library (cmake/vega_embed.cmake pointed at a folder with no
// node_modules): the page is refused with an error that says what is missing and how to get it,
// rather than written without the code that draws it.
#define BOOST_TEST_MODULE report_no_js
#include <boost/test/unit_test.hpp>

#include "report.hpp"
#include "report_js.hpp"

BOOST_AUTO_TEST_CASE(no_plotting_library_no_page) {
  const benchr::PlotLibraries libs = benchr::plot_libraries();
  BOOST_TEST(libs.libs.empty());
  BOOST_TEST(libs.missing.find("vega.min.js") != std::string::npos, libs.missing);
  try {
    benchr::report_html("t", "{}");
    BOOST_FAIL("report_html wrote a page with no plotting library");
  } catch (const benchr::InputError& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("no plotting library") != std::string::npos, what);
    BOOST_TEST(what.find("scripts/setup.sh") != std::string::npos, what);
  }
}
