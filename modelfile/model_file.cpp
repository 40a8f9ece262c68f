#include <filesystem>

#include "gguf_file.hpp"
#include "hf.hpp"
#include "modelfile.hpp"
#include "reader.hpp"

namespace benchr {

namespace fs = std::filesystem;
using modelfile::Cursor;
using modelfile::ends_with;
using modelfile::fail;
using modelfile::File;
using modelfile::read_gguf;
using modelfile::read_hf;

uint64_t TensorInfo::elements() const {
  uint64_t n = 1;
  for (uint64_t d : shape) n *= d;
  return n;
}

ModelFile read_model_file(const std::string& path) {
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw InputError(path + ": no such file or folder");
  fs::path p(path);
  if (fs::is_directory(st)) {
    if (p.filename().empty()) p = p.parent_path();
    return read_hf(p, std::nullopt);
  }
  const std::string filename = p.filename().string();
  const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  if (filename == "config.json" || filename == "model.safetensors.index.json") return read_hf(dir, std::nullopt);

  char head[9] = {};
  uint64_t size = 0;
  {
    const File f(path);
    Cursor c(f);
    size = f.size();
    c.read(head, std::min<uint64_t>(size, sizeof head), "magic");
  }
  if (size >= 4 && std::string_view(head, 4) == "GGUF") return read_gguf(path);
  if (ends_with(filename, ".safetensors") || (size >= 9 && head[8] == '{')) {
    if (fs::exists(dir / "model.safetensors.index.json") && !ends_with(filename, "model.safetensors"))
      return read_hf(dir, std::nullopt);
    return read_hf(dir, p);
  }
  fail(path, 0, "magic", "neither a GGUF file ('GGUF') nor safetensors (header length, then '{')");
}

}  // namespace benchr
