// libFuzzer target for read_model_file: any bytes give a ModelFile or an InputError, never a
// crash, a hang, another exception or an allocation out of proportion to the input.
// Input: the bytes of a model file (GGUF or safetensors), kept in a memfd; or 'C' followed by a
// config.json, read beside a small valid model.safetensors. Built and run by bench/fuzz_gguf.sh.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "modelfile.hpp"

namespace {

namespace fs = std::filesystem;

bool write_all(int fd, const uint8_t* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n <= 0) return false;
    data += n, size -= size_t(n);
  }
  return true;
}

/// A folder with a one-tensor model.safetensors, for config.json inputs; removed at exit.
struct ConfigFolder {
  fs::path path;
  ConfigFolder() {
    std::string tmpl = (fs::temp_directory_path() / "benchr-fuzz-XXXXXX").string();
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

void read(const std::string& path) {
  try {
    benchr::read_model_file(path);
  } catch (const benchr::InputError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 0 && data[0] == 'C') {
    static const ConfigFolder folder;
    std::ofstream(folder.path / "config.json", std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data + 1), std::streamsize(size - 1));
    read(folder.path.string());
    return 0;
  }
  const int fd = memfd_create("benchr-fuzz-model", MFD_CLOEXEC);
  if (fd < 0) std::abort();
  if (write_all(fd, data, size)) read("/proc/self/fd/" + std::to_string(fd));
  ::close(fd);
  return 0;
}
