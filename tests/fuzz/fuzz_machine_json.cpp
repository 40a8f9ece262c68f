// libFuzzer target for a saved machine (app/machine_file.cpp load_machine, as --machine and
// plan --fleet read it): any bytes give a Machine or an InputError. Seeds: saved probes
// (tests/fuzz/seeds/machine_json). Built and run by bench/fuzz_all.sh.
#include <cstdint>

#include "app.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::MemFile file(data, size);
  try {
    benchr::load_machine(file.path());
  } catch (const benchr::InputError&) {
  }
  return 0;
}
