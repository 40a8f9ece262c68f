// libFuzzer target for a Hugging Face checkpoint (modelfile/ read_model_file): a safetensors
// header, or with a leading 'C' a config.json read beside a small valid model.safetensors; then
// what `fit` does with it (fuzz_fit.hpp). Any bytes give a ModelFile or an InputError, never a
// crash, undefined behaviour, a hang or an allocation out of proportion to the input. Seeds:
// tests/modelfile/make_seeds.cpp's safetensors and config-*.txt files. Built and run by
// bench/fuzz_all.sh.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_fit.hpp"  // modelfile.hpp, estimator.hpp
#include "fuzz_input.hpp"

namespace {

namespace fs = std::filesystem;

/// A folder with a one-tensor model.safetensors, for config.json inputs; removed at exit.
struct ConfigFolder {
  fs::path path;
  ConfigFolder() {
    // In memory (tmpfs) where there is one: rewriting config.json on ext4 each execution flushed
    // it to disk on close (ext4's auto_da_alloc after a truncate), which held this target at
    // ~320 executions a second; /dev/shm has no disk behind it.
    std::error_code ec;
    const fs::path base = fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
    std::string tmpl = (base / "benchr-fuzz-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) std::abort();
    path = tmpl;
    const std::string header = R"({"model.embed_tokens.weight":{"dtype":"F16","shape":[4,2],"data_offsets":[0,16]}})";
    std::string file(8, '\0');
    for (int i = 0; i < 8; ++i) file[i] = char((header.size() >> (8 * i)) & 0xff);
    file += header + std::string(16, '\0');
    std::ofstream(path / "model.safetensors", std::ios::binary).write(file.data(), std::streamsize(file.size()));
  }
  ~ConfigFolder() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 4 && data[0] == 'G' && data[1] == 'G' && data[2] == 'U' && data[3] == 'F') return -1;  // the GGUF target's
  if (size > 0 && data[0] == 'C') {
    static const ConfigFolder folder;
    std::ofstream(folder.path / "config.json", std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data + 1), std::streamsize(size - 1));
    fuzz::fit(folder.path.string());
    return 0;
  }
  const fuzz::MemFile file(data, size);
  fuzz::fit(file.path());
  return 0;
}
