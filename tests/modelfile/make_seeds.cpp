// Writes a seed corpus for fuzz_gguf into the folder given: small, valid GGUF and safetensors
// files (every byte present, under 64 KiB each) and config.json inputs, from gguf_writer.hpp.
#include <iostream>

#include "gguf_writer.hpp"

using namespace gguf_test;

namespace {

/// A whole (non-sparse) file: the header, then zeros over the data region.
void seed(const fs::path& path, const Gguf& g) {
  write_gguf(path, g);
  std::string bytes(std::size_t(fs::file_size(path)), '\0');
  std::ifstream(path, std::ios::binary).read(bytes.data(), std::streamsize(bytes.size()));
  write_bytes(path, bytes);
}

Gguf micro_llama() {
  const uint64_t h = 32, ffn = 64, vocab = 8;
  Gguf g;
  g.kvs = {kv_str("general.architecture", "llama"), kv_str("general.name", "micro"),
           kv_u32("llama.block_count", 1),          kv_u32("llama.context_length", 256),
           kv_u32("llama.embedding_length", h),     kv_u32("llama.feed_forward_length", ffn),
           kv_u32("llama.attention.head_count", 4), kv_u32("llama.attention.head_count_kv", 2),
           kv_f32("llama.rope.freq_base", 0x461c4000),  // 10000.0f
           kv_str_array("tokenizer.ggml.tokens", {"a", "b", "c", "d", "e", "f", "g", "h"}),
           kv_i32_array("tokenizer.ggml.token_type", {1, 1, 1, 1, 1, 1, 1, 1})};
  g.tensors = {{"token_embd.weight", {h, vocab}, "F32", {}, {}},
               {"blk.0.attn_norm.weight", {h}, "F32", {}, {}},
               {"blk.0.attn_q.weight", {h, h}, "Q8_0", {}, {}},
               {"blk.0.attn_k.weight", {h, 16}, "Q8_0", {}, {}},
               {"blk.0.attn_v.weight", {h, 16}, "Q4_0", {}, {}},
               {"blk.0.attn_output.weight", {h, h}, "F16", {}, {}},
               {"blk.0.ffn_gate.weight", {h, ffn}, "BF16", {}, {}},
               {"blk.0.ffn_up.weight", {h, ffn}, "Q8_0", {}, {}},
               {"blk.0.ffn_down.weight", {ffn, h}, "Q8_0", {}, {}},
               {"output.weight", {h, vocab}, "Q8_0", {}, {}}};
  return g;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_seeds DIR\n";
    return 2;
  }
  const fs::path dir = argv[1];
  fs::create_directories(dir);

  seed(dir / "micro.gguf", micro_llama());
  Gguf v2 = micro_llama();
  v2.version = 2;
  v2.alignment = 64;
  v2.kvs.push_back(kv_u32("general.alignment", 64));
  seed(dir / "micro-v2-align64.gguf", v2);

  Gguf types;
  types.kvs = {kv_str("general.architecture", "llama")};
  for (const auto& r : kTypeRules) types.tensors.push_back({"t." + std::string(r.name), {256, 1}, std::string(r.name), {}, {}});
  seed(dir / "types.gguf", types);

  Gguf moe;
  moe.kvs = {kv_str("general.architecture", "qwen3moe"), kv_u32("qwen3moe.block_count", 1),
             kv_u32("qwen3moe.expert_count", 4), kv_u32("qwen3moe.expert_used_count", 2),
             kv_u32("qwen3moe.expert_feed_forward_length", 32), kv_u32("qwen3moe.embedding_length", 32)};
  moe.tensors = {{"blk.0.ffn_gate_exps.weight", {32, 32, 4}, "Q8_0", {}, {}},
                 {"blk.0.ffn_gate_inp.weight", {32, 4}, "F32", {}, {}}};
  seed(dir / "moe.gguf", moe);

  Gguf swa;
  swa.kvs = {kv_str("general.architecture", "gemma3"), kv_u32("gemma3.block_count", 6),
             kv_u32("gemma3.attention.sliding_window", 512),
             kv_bool_array("gemma3.attention.sliding_window_pattern", {true, true, true, true, true, false}),
             kv_u32("gemma3.attention.kv_lora_rank", 64), kv_u32("gemma3.attention.key_length_mla", 48),
             kv_u16("split.no", 0), kv_u16("split.count", 1), kv_i32("split.tensors.count", 1),
             kv_u64("gemma3.context_length", 8192)};
  swa.tensors = {{"token_embd.weight", {32, 4}, "F16", {}, {}}};
  seed(dir / "swa-00001-of-00001.gguf", swa);

  write_safetensors(dir / "model.safetensors",
                    R"({"__metadata__":{"format":"pt"},)"
                    R"("model.embed_tokens.weight":{"dtype":"BF16","shape":[8,4],"data_offsets":[0,64]},)"
                    R"("lm_head.weight":{"dtype":"F32","shape":[8,4],"data_offsets":[64,192]},)"
                    R"("model.layers.0.mlp.experts.0.w1.weight":{"dtype":"F8_E4M3","shape":[4,4],"data_offsets":[192,208]}})",
                    208);
  std::string st(std::size_t(fs::file_size(dir / "model.safetensors")), '\0');
  std::ifstream(dir / "model.safetensors", std::ios::binary).read(st.data(), std::streamsize(st.size()));
  write_bytes(dir / "model.safetensors", st);

  write_bytes(dir / "config-llama.txt",
              R"(C{"model_type":"llama","num_hidden_layers":2,"hidden_size":4,"num_attention_heads":2,)"
              R"("num_key_value_heads":1,"intermediate_size":8,"vocab_size":4,"max_position_embeddings":128})");
  write_bytes(dir / "config-moe.txt",
              R"(C{"model_type":"deepseek_v3","text_config":{"num_hidden_layers":2,"hidden_size":4,)"
              R"("n_routed_experts":8,"num_experts_per_tok":2,"moe_intermediate_size":2,"kv_lora_rank":4,)"
              R"("qk_rope_head_dim":2,"qk_nope_head_dim":2,"shared_expert_intermediate_size":4,)"
              R"("layer_types":["sliding_attention","full_attention"],"sliding_window":64},)"
              R"("quantization_config":{"quant_method":"fp8"}})");
  std::cout << "seeds written to " << dir.string() << "\n";
  return 0;
}
