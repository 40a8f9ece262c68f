// libFuzzer target for a GGUF file (modelfile/ read_model_file) and what `fit` does with it
// (fuzz_fit.hpp): any bytes give a ModelFile or an InputError, never a crash, undefined
// behaviour, a hang or an allocation out of proportion to the input. The bytes are kept in a
// memfd. Seeds: tests/modelfile/make_seeds.cpp's GGUF files. Built and run by bench/fuzz_all.sh.
#include <cstdint>

#include "fuzz_fit.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4 || data[0] != 'G' || data[1] != 'G' || data[2] != 'U' || data[3] != 'F') return -1;  // the safetensors target's
  const fuzz::MemFile file(data, size);
  fuzz::fit(file.path());
  return 0;
}
