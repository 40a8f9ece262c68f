// libFuzzer target for an hwloc XML export through the tool's own loader (load_machine: the
// check_hwloc_xml pre-validation, then libhwloc's XML import, linked as the tool links it): any
// bytes give a Machine or an InputError. libhwloc itself is not instrumented, so a crash or an
// oversized allocation inside it is still caught (SIGSEGV, -malloc_limit_mb) but a silent
// out-of-bounds read there is not. Seeds: tests/probe/machines/*.xml and small exports in
// tests/fuzz/seeds/hwloc_xml. Built and run by bench/fuzz_all.sh.
#include <cstdint>

#include "app.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Only what load_machine sends to hwloc: text whose first non-blank byte is '<' (the rest is the
  // JSON target's).
  size_t first = 0;
  while (first < size && (data[first] == ' ' || data[first] == '\t' || data[first] == '\r' || data[first] == '\n'))
    ++first;
  if (first == size || data[first] != '<') return -1;
  const fuzz::MemFile file(data, size);
  try {
    benchr::load_machine(file.path());
  } catch (const benchr::InputError&) {
  }
  return 0;
}
