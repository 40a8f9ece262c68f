// Hugging Face checkpoints: a folder with config.json and safetensors weights (one file, or an
// index and its shards). Private to modelfile/.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "modelfile.hpp"

namespace benchr::modelfile {

/// The checkpoint in `dir`; `single` names the one .safetensors file to read instead of the
/// folder's model.safetensors or index.
ModelFile read_hf(const std::filesystem::path& dir, const std::optional<std::filesystem::path>& single);

/// The architecture from config.json (`text` its bytes, `cfg` parsed) into mf.spec, with notes.
void fill_spec_config(ModelFile& mf, const std::string& file, const std::string& text, const nlohmann::json& cfg);

}  // namespace benchr::modelfile
