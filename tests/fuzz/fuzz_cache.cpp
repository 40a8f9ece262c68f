// libFuzzer target for the calibration cache reader (app/cache.cpp calibration_from_json, as
// load_cached_calibration applies it to a cache file's text): any bytes give a Calibration or an
// exception the cache turns into "ignoring FILE: unreadable (...)" -- never a crash or undefined
// behaviour. Seeds: caches the tool wrote (tests/fuzz/seeds/cache). Built and run by
// bench/fuzz_all.sh.
#include <cstdint>
#include <stdexcept>

#include "json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    benchr::calibration_from_json(nlohmann::json::parse(data, data + size));
  } catch (const std::exception&) {  // what load_cached_calibration catches
  }
  return 0;
}
