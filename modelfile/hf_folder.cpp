#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "hf.hpp"
#include "reader.hpp"
#include "safetensors.hpp"

namespace benchr::modelfile {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_text(const std::string& path, std::string_view field) {
  const File f(path);
  if (f.size() > kMaxHeaderBytes)
    fail(path, 0, field, plural(f.size(), "byte") + " is too large for a JSON file here");
  Cursor c(f);
  std::string text(std::size_t(f.size()), '\0');
  c.read(text.data(), f.size(), field);
  return text;
}

bool plain_file_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\\') == std::string::npos;
}

}  // namespace

ModelFile read_hf(const fs::path& dir, const std::optional<fs::path>& single) {
  ModelFile mf;
  mf.format = QuantFormat::safetensors;
  const fs::path config = dir / "config.json", index = dir / "model.safetensors.index.json";
  const fs::path model = dir / "model.safetensors";
  SeenNames seen;

  if (!single && fs::exists(index)) {
    const std::string text = read_text(index.string(), "index");
    const json idx = parse_json(index.string(), 0, text, "index", 0);
    const auto map = idx.is_object() ? idx.find("weight_map") : idx.end();
    if (map == idx.end() || !map->is_object())
      fail(index.string(), key_at(text, 0, "weight_map"), "weight_map", "missing or not an object");
    std::vector<std::string> shards;
    std::map<std::string, std::set<std::string>> wanted;
    for (const auto& [tensor, file] : map->items()) {
      if (!file.is_string() || !plain_file_name(file.get<std::string>()) ||
          !ends_with(file.get<std::string>(), ".safetensors"))
        fail(index.string(), key_at(text, 0, tensor), "weight_map " + in_quotes(tensor),
             "must name a .safetensors file in the same folder");
      const std::string name = file.get<std::string>();
      if (!wanted.count(name)) shards.push_back(name);
      wanted[name].insert(tensor);
    }
    std::sort(shards.begin(), shards.end());
    for (const auto& name : shards) {
      const std::string shard = (dir / name).string();
      if (!fs::exists(shard))
        fail(index.string(), key_at(text, 0, name), "weight_map", "names " + in_quotes(name) + ", which is missing");
      auto ts = read_safetensors(shard, seen, &wanted[name]);
      std::set<std::string> found;
      for (const auto& t : ts) found.insert(t.name);
      for (const auto& tensor : wanted[name])
        if (!found.count(tensor))
          fail(index.string(), key_at(text, 0, tensor), "weight_map " + in_quotes(tensor),
               "not found in " + name);
      mf.files.push_back(shard);
      for (auto& t : ts) mf.tensors.push_back(std::move(t));
    }
    mf.path = mf.files.empty() ? index.string() : mf.files.front();
    uint64_t stored = 0;
    for (const auto& t : mf.tensors) stored += t.bytes;
    if (const auto meta = idx.find("metadata"); meta != idx.end() && meta->is_object())
      if (const auto total = meta->find("total_size"); total != meta->end())
        if (const auto v = json_uint(*total); v && *v != stored)
          mf.notes.push_back("the index's total_size says " + std::to_string(*v) + " bytes, the tensors hold " +
                             std::to_string(stored));
  } else {
    const fs::path file = single.value_or(model);
    if (!fs::exists(file))
      throw InputError(dir.string() + ": no model.safetensors or model.safetensors.index.json");
    mf.tensors = read_safetensors(file.string(), seen);
    mf.files.push_back(file.string());
    mf.path = file.string();
  }

  if (fs::exists(config)) {
    const std::string text = read_text(config.string(), "config.json");
    const json cfg = parse_json(config.string(), 0, text, "config.json", 0);
    if (!cfg.is_object()) fail(config.string(), 0, "config.json", "is not a JSON object");
    fill_spec_config(mf, config.string(), text, cfg);
  } else {
    mf.notes.push_back("no config.json beside the weights: the architecture is unknown");
  }

  const bool has_lm_head = std::any_of(mf.tensors.begin(), mf.tensors.end(), [](const TensorInfo& t) {
    return ends_with(t.name, "lm_head.weight");
  });
  mf.spec.tied_embeddings = !mf.tensors.empty() && !has_lm_head;
  if (!mf.spec.vocab) {
    for (const auto& t : mf.tensors)
      if (ends_with(t.name, "embed_tokens.weight") && t.shape.size() == 2) mf.spec.vocab = int_of(t.shape[0]);
  }
  if (single && single->stem() != "model") {
    mf.spec.id = single->stem().string();
  } else {
    std::error_code ec;
    fs::path folder = fs::absolute(dir, ec).lexically_normal();
    if (folder.filename().empty()) folder = folder.parent_path();
    mf.spec.id = folder.filename().string();
  }
  mf.name = mf.spec.id;
  mf.spec.name = mf.name;
  mf.spec.source = mf.path;
  summarize(mf);
  return mf;
}

}  // namespace benchr::modelfile
