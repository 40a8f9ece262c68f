#include "storage_types.hpp"

#include <array>
#include <cmath>

namespace benchr::modelfile {

/// llama_ftype values of general.file_type and their names: llama.cpp gguf-py/gguf/constants.py
/// (LlamaFileType); values 4-6 and 33-35 are retired, and 1024 marks a guessed type.
struct FileType {
  uint32_t id;
  std::string_view name;
};
constexpr std::array<FileType, 35> kFileTypes{{
    {0, "F32"},      {1, "F16"},       {2, "Q4_0"},     {3, "Q4_1"},      {7, "Q8_0"},
    {8, "Q5_0"},     {9, "Q5_1"},      {10, "Q2_K"},    {11, "Q3_K_S"},   {12, "Q3_K_M"},
    {13, "Q3_K_L"},  {14, "Q4_K_S"},   {15, "Q4_K_M"},  {16, "Q5_K_S"},   {17, "Q5_K_M"},
    {18, "Q6_K"},    {19, "IQ2_XXS"},  {20, "IQ2_XS"},  {21, "Q2_K_S"},   {22, "IQ3_XS"},
    {23, "IQ3_XXS"}, {24, "IQ1_S"},    {25, "IQ4_NL"},  {26, "IQ3_S"},    {27, "IQ3_M"},
    {28, "IQ2_S"},   {29, "IQ2_M"},    {30, "IQ4_XS"},  {31, "IQ1_M"},    {32, "BF16"},
    {36, "TQ1_0"},   {37, "TQ2_0"},    {38, "MXFP4_MOE"}, {39, "NVFP4"},  {40, "Q1_0"},
}};
constexpr int64_t kFileTypeGuessed = 1024;

std::string_view file_type_name(int64_t value) {
  const int64_t id = value & ~kFileTypeGuessed;
  for (const auto& t : kFileTypes)
    if (t.id == id) return t.name;
  return {};
}


// safetensors dtypes and their widths: huggingface/safetensors safetensors/src/tensor.rs (Dtype).
constexpr std::array<Dtype, 20> kDtypes{{
    {"BOOL", 8},  {"U8", 8},   {"I8", 8},       {"F8_E5M2", 8},  {"F8_E4M3", 8},
    {"F8_E8M0", 8}, {"F4", 4}, {"F6_E2M3", 6},  {"F6_E3M2", 6},  {"I16", 16},
    {"U16", 16},  {"F16", 16}, {"BF16", 16},    {"I32", 32},     {"U32", 32},
    {"F32", 32},  {"I64", 64}, {"U64", 64},     {"F64", 64},     {"C64", 64},
}};

const Dtype* find_dtype(std::string_view name) {
  for (const auto& d : kDtypes)
    if (d.name == name) return &d;
  return nullptr;
}

/// Bits per weight of a stored type name (ggml or safetensors); 0 when unknown.
double type_bits(std::string_view name) {
  for (const auto& f : kBlockFormats)
    if (f.ggml_id != kNotGgml && f.name == name) return f.bits_per_weight();
  if (const Dtype* d = find_dtype(name)) return double(d->bits);
  return 0;
}

/// The estimator's format for a stored type; `exact` false when it is only the nearest in bits.
const BlockFormat* estimator_format(std::string_view type, bool& exact) {
  exact = true;
  if (type == "F8_E4M3" || type == "F8_E5M2") return find_block_format("FP8");
  if (const BlockFormat* f = find_block_format(type)) return f;
  exact = false;
  const double bits = type_bits(type);
  const BlockFormat* best = nullptr;
  for (const auto& f : block_formats())
    if (!best || std::abs(f.bits_per_weight() - bits) < std::abs(best->bits_per_weight() - bits))
      best = &f;
  return best;
}

}  // namespace benchr::modelfile
