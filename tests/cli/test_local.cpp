// `benchr-advise local` as a user meets it: model stores built from synthetic files (GGUF headers
// from gguf_writer.hpp, safetensors headers, Ollama manifests) under a temporary HOME.
#define BOOST_TEST_MODULE local
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gguf_writer.hpp"
#include "run_tool.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using benchr::test::Result;

/// Runs benchr-advise with `args` under `env` (NAME=VALUE words), with the stores' variables
/// cleared first so that only the test's stores are seen.
Result run(const std::string& args, const std::string& env) {
  return benchr::test::run_tool(args, "env -u OLLAMA_MODELS -u LLAMA_CACHE -u HF_HOME -u HF_HUB_CACHE -u BENCHR_MODEL_PATH " + env);
}

std::string temp_dir() { return benchr::test::temp_dir(); }

void write_text(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

/// A Hugging Face checkpoint of the tiny llama shape: config.json and a BF16 model.safetensors.
void write_checkpoint(const fs::path& dir) {
  fs::create_directories(dir);
  write_text(dir / "config.json", R"({"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 256,
    "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 512, "vocab_size": 1000,
    "max_position_embeddings": 4096, "torch_dtype": "bfloat16"})");
  json header = json::object();
  uint64_t at = 0;
  const auto add = [&](const std::string& name, std::vector<uint64_t> shape) {
    uint64_t n = 2;
    for (uint64_t d : shape) n *= d;
    header[name] = {{"dtype", "BF16"}, {"shape", shape}, {"data_offsets", {at, at + n}}};
    at += n;
  };
  add("model.embed_tokens.weight", {1000, 256});
  for (int i = 0; i < 2; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    add(p + "input_layernorm.weight", {256});
    add(p + "self_attn.q_proj.weight", {256, 256});
    add(p + "self_attn.k_proj.weight", {128, 256});
    add(p + "self_attn.v_proj.weight", {128, 256});
    add(p + "self_attn.o_proj.weight", {256, 256});
    add(p + "post_attention_layernorm.weight", {256});
    add(p + "mlp.gate_proj.weight", {512, 256});
    add(p + "mlp.up_proj.weight", {512, 256});
    add(p + "mlp.down_proj.weight", {256, 512});
  }
  add("model.norm.weight", {256});
  add("lm_head.weight", {1000, 256});
  gguf_test::write_safetensors(dir / "model.safetensors", header.dump(), at);
}

/// An Ollama manifest naming `digest` as the model layer.
std::string manifest(const std::string& digest) {
  return json{{"schemaVersion", 2},
              {"layers", {{{"mediaType", "application/vnd.ollama.image.model"}, {"digest", digest}, {"size", 1}}}}}
      .dump();
}

/// Every store under `home`, plus a $BENCHR_MODEL_PATH folder: six models and one broken manifest.
struct Stores {
  std::string home = temp_dir();
  std::string extra = temp_dir();
  fs::path lm_file, llama_file, extra_file;

  Stores() {
    const fs::path h(home);
    const fs::path ollama = h / ".ollama/models";
    fs::create_directories(ollama / "blobs");
    gguf_test::write_gguf(ollama / "blobs/sha256-0123abcd", gguf_test::tiny_llama("Q4_0"));
    write_text(ollama / "manifests/registry.ollama.ai/library/tiny/latest", manifest("sha256:0123abcd"));
    write_text(ollama / "manifests/registry.ollama.ai/someone/gone/q4", manifest("sha256:ffff"));

    lm_file = h / ".lmstudio/models/pub/tiny-GGUF/tiny-Q8_0.gguf";
    fs::create_directories(lm_file.parent_path());
    gguf_test::write_gguf(lm_file, gguf_test::tiny_llama("Q8_0"));
    gguf_test::write_gguf(lm_file.parent_path() / "mmproj-tiny-F16.gguf", gguf_test::tiny_llama("F16"));

    llama_file = h / ".cache/llama.cpp/meta_Llama-3.1-8B-Q4_K_M.gguf";
    fs::create_directories(llama_file.parent_path());
    gguf_test::write_gguf(llama_file, gguf_test::llama_3_1_8b_q4_k_m());

    const fs::path repo = h / ".cache/huggingface/hub/models--org--tiny-st";
    write_text(repo / "refs/main", "rev1");
    write_checkpoint(repo / "snapshots/rev1");

    extra_file = fs::path(extra) / "nested/mine-Q8_0.gguf";
    fs::create_directories(extra_file.parent_path());
    gguf_test::write_gguf(extra_file, gguf_test::tiny_llama("Q8_0"));
  }
  ~Stores() {
    fs::remove_all(home);
    fs::remove_all(extra);
  }
  std::string env() const { return "HOME=" + home + " BENCHR_MODEL_PATH=" + extra; }
};

const json* by_name(const json& models, const std::string& name) {
  for (const auto& m : models)
    if (m["name"] == name) return &m;
  return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_store_is_found_named_as_its_engine_names_it_and_estimated) {
  const Stores s;
  const Result r = run("local --json --hardware rtx-4090", s.env());
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.err);
  const json j = json::parse(r.out);
  const json& models = j["models"];
  BOOST_TEST(models.size() == 5u, models.dump(1));  // the projector is no model of its own

  const json* ollama = by_name(models, "tiny:latest");
  BOOST_REQUIRE(ollama);
  BOOST_TEST((*ollama)["store"] == "ollama");
  BOOST_TEST((*ollama)["command"] == "ollama run tiny:latest");
  BOOST_TEST((*ollama)["quant"] == "Q4_0");
  BOOST_TEST((*ollama)["fits"] == true);

  const json* lm = by_name(models, "pub/tiny-GGUF/tiny-Q8_0.gguf");
  BOOST_REQUIRE(lm);
  BOOST_TEST((*lm)["store"] == "lm-studio");
  BOOST_TEST((*lm)["command"].get<std::string>().find("llama-server -m " + s.lm_file.string()) != std::string::npos);

  const json* big = by_name(models, "meta_Llama-3.1-8B-Q4_K_M.gguf");
  BOOST_REQUIRE(big);
  BOOST_TEST((*big)["store"] == "llama.cpp");
  BOOST_TEST((*big)["quant"] == "Q4_K_M");
  BOOST_TEST((*big)["fits"] == true);
  const json& e = (*big)["estimate"];
  // An 8B at Q4_K_M on a 24 GB card: the whole 128k window fits, decode well above 50 tok/s.
  BOOST_TEST(e["max_context"].get<int64_t>() > 8192);
  BOOST_TEST(e["decode_tps"].get<double>() > 50.0);
  BOOST_TEST(e["prefill_tps"].get<double>() > e["decode_tps"].get<double>());

  const json* hf = by_name(models, "org/tiny-st");
  BOOST_REQUIRE(hf);
  BOOST_TEST((*hf)["store"] == "huggingface");
  BOOST_TEST((*hf)["format"] == "safetensors");
  // Run from the snapshot where it lies: vLLM on a GPU placement, llama.cpp after conversion on the
  // CPU (the placement the estimator finds fastest for this 2-layer model).
  const std::string cmd = (*hf)["command"];
  BOOST_TEST(cmd.find((*hf)["path"].get<std::string>()) != std::string::npos, cmd);
  BOOST_TEST((cmd.find("vllm serve") != std::string::npos || cmd.find("convert_hf_to_gguf.py") != std::string::npos), cmd);

  const json* mine = by_name(models, "nested/mine-Q8_0.gguf");
  BOOST_REQUIRE(mine);
  BOOST_TEST((*mine)["store"] == "BENCHR_MODEL_PATH");

  BOOST_REQUIRE(j["problems"].size() == 1u);
  const std::string problem = j["problems"][0];
  BOOST_TEST(problem.find("someone/gone/q4") != std::string::npos, problem);
  BOOST_TEST(problem.find("missing") != std::string::npos, problem);
}

BOOST_AUTO_TEST_CASE(the_table_names_each_model_and_its_command_within_100_columns) {
  const Stores s;
  const Result r = run("local --hardware rtx-4090", s.env());
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.err);
  BOOST_TEST(r.out.find("5 found") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("ollama run tiny:latest") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("org/tiny-st") != std::string::npos, r.out);
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    if (line.find('/') == std::string::npos) BOOST_TEST(line.size() <= 100u, line);  // paths may be long
}

BOOST_AUTO_TEST_CASE(an_unreadable_file_is_a_row_with_its_reason_and_no_estimate) {
  const Stores s;
  const fs::path bad = fs::path(s.extra) / "broken.gguf";
  write_text(bad, "GGUF\x03");  // the magic, then a truncated version
  const Result r = run("local --json --hardware rtx-4090", s.env());
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.err);
  const json j = json::parse(r.out);
  const json* row = by_name(j["models"], "broken.gguf");
  BOOST_REQUIRE(row);
  BOOST_TEST((*row)["fits"].is_null());  // unknown, not "no"
  const std::string problem = (*row)["problem"];
  BOOST_TEST(problem.find(bad.string() + ": byte 4") != std::string::npos, problem);
}

BOOST_AUTO_TEST_CASE(a_model_path_entry_that_does_not_exist_is_bad_input) {
  const Stores s;
  const Result r = run("local --hardware rtx-4090", "HOME=" + s.home + " BENCHR_MODEL_PATH=" + s.extra + ":/nonexistent/x");
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.err.find("$BENCHR_MODEL_PATH: entry 2, '/nonexistent/x': no such file or folder") != std::string::npos,
             r.err);
  BOOST_TEST(r.out.empty());
}

BOOST_AUTO_TEST_CASE(no_store_at_all_says_so) {
  const std::string home = temp_dir();
  const Result r = run("local --hardware rtx-4090", "HOME=" + home);
  fs::remove_all(home);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.out.find("0 found") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("$BENCHR_MODEL_PATH") != std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(a_split_model_is_one_row_and_a_file_seen_twice_is_listed_once) {
  const Stores s;
  // A split GGUF in llama.cpp's cache: its first shard names the model, and reads both.
  const fs::path cache = fs::path(s.home) / ".cache/llama.cpp";
  const gguf_test::Gguf whole = gguf_test::tiny_llama("Q8_0");
  gguf_test::Gguf first, second;
  first.kvs = whole.kvs;
  for (auto kv : {gguf_test::kv_u16("split.no", 0), gguf_test::kv_u16("split.count", 2)}) first.kvs.push_back(kv);
  second.kvs = {gguf_test::kv_u16("split.no", 1), gguf_test::kv_u16("split.count", 2)};
  first.tensors.assign(whole.tensors.begin(), whole.tensors.begin() + 11);
  second.tensors.assign(whole.tensors.begin() + 11, whole.tensors.end());
  gguf_test::write_gguf(cache / "split-00001-of-00002.gguf", first);
  gguf_test::write_gguf(cache / "split-00002-of-00002.gguf", second);
  // $BENCHR_MODEL_PATH naming LM Studio's folder again adds nothing.
  const std::string lm_models = (fs::path(s.home) / ".lmstudio/models").string();
  const Result r = run("local --json --hardware rtx-4090", "HOME=" + s.home + " BENCHR_MODEL_PATH=" + lm_models);
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.err);
  const json j = json::parse(r.out);
  BOOST_TEST(j["models"].size() == 5u, j["models"].dump(1));  // 4 of Stores' (its extra folder not named) + split
  const json* split = by_name(j["models"], "split-00001-of-00002.gguf");
  BOOST_REQUIRE(split);
  BOOST_TEST(!by_name(j["models"], "split-00002-of-00002.gguf"));
  BOOST_TEST((*split)["estimate"]["decode_tps"].get<double>() > 0.0);
  int lm_rows = 0;
  for (const auto& m : j["models"]) lm_rows += m["path"].get<std::string>().find(".lmstudio") != std::string::npos;
  BOOST_TEST(lm_rows == 1);
  BOOST_TEST(by_name(j["models"], "pub/tiny-GGUF/tiny-Q8_0.gguf"));  // listed under LM Studio, its first store
}
