// What both model-file formats share: tensors found by name, the recurrent-layer shape in
// llama.cpp's terms, and the whole-file summary (parameters, bytes by type). Private to modelfile/.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "modelfile.hpp"

namespace benchr::modelfile {

/// Names seen so far (across shards), with the file and byte of their first appearance.
using SeenNames = std::map<std::string, std::string, std::less<>>;

const TensorInfo* find_tensor(const std::vector<TensorInfo>& ts, std::string_view name);

/// A count from the file as an int; 0 when it is larger than INT_MAX.
int int_of(uint64_t v);

/// Gated DeltaNet models keep full attention in every 4th layer unless they say otherwise
/// (llama_model::load_hparams for qwen3next: recurrent_layer_arr[i] = (i + 1) % 4 != 0).
constexpr int kDeltaNetFullAttentionInterval = 4;

/// A recurrent layer's shape, in llama.cpp's ssm terms: Gated DeltaNet (Qwen3-Next, Qwen3.5:
/// groups = key heads, d_state = key head dim, heads = value heads, d_inner = value heads x value
/// head dim) or Mamba2 (groups, d_state, heads, d_inner = heads x head dim).
/// Each size is at most INT_MAX as read; their products are checked: a projection wider than
/// INT_MAX or a state of more than INT64_MAX elements describes no model and is an InputError
/// naming `fields` in `where`.
void set_recurrent(ModelSpec& s, bool delta_net, int64_t d_inner, int d_state, int groups, int heads, int conv,
                   const std::string& where, std::string_view fields);

/// What `fit` notes about recurrent layers.
std::string recurrent_note(const ModelSpec& s);

/// Totals over the tensors (weight_bytes, bytes_by_type, params_b, active and vision params) and
/// a note for each stored type the estimator only approximates.
void summarize(ModelFile& mf);

/// The model id a file name gives: its stem, without a split file's -0000i-of-0000N part.
std::string file_stem_id(const std::filesystem::path& p);

}  // namespace benchr::modelfile
