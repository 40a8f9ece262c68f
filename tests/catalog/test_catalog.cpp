// The catalog: the embedded data loads and is self-consistent; users' files override by id; bad
// files are errors that name file:line:column and the field.
#define BOOST_TEST_MODULE catalog
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>

#include "catalog.hpp"
#include "draft.hpp"
#include "estimator.hpp"

using namespace benchr;

namespace {

/// The error message load_catalog gives for one user file after the embedded catalog -- the
/// same, checked here, as the program gives it over the build-time snapshot.
std::string error_for(const std::string& text) {
  auto sources = embedded_catalog();
  sources.push_back({"user.toml", text});
  std::string parsed = "no error", over_snapshot = "no error";
  try {
    load_catalog(sources);
  } catch (const InputError& e) {
    parsed = e.what();
  }
  try {
    load_embedded_catalog({{"user.toml", text}});
  } catch (const InputError& e) {
    over_snapshot = e.what();
  }
  BOOST_TEST(over_snapshot == parsed);
  return parsed;
}

/// The embedded sources merged as load_catalog merges them, before their references are checked.
CatalogDraft parsed_draft() {
  CatalogDraft d;
  for (const auto& src : embedded_catalog()) merge_source(d, src);
  return d;
}

bool contains(const std::string& s, const std::string& part) {
  if (s.find(part) != std::string::npos) return true;
  BOOST_TEST_MESSAGE("'" << part << "' not in: " << s);
  return false;
}

const char* kModel = R"([[model]]
id = "tiny"
name = "Tiny"
params_b = 0.01
layers = 2
hidden = 64
heads = 4
kv_heads = 4
head_dim = 16
ffn = 256
vocab = 1000
tied_embeddings = true
context_max = 2048
experts = 0
experts_active = 0
expert_ffn = 0
license = "MIT"
quality = 1
source = "test"
)";

}  // namespace

BOOST_AUTO_TEST_SUITE(embedded)

BOOST_AUTO_TEST_CASE(embedded_catalog_loads_with_every_kind_of_entry) {
  const Catalog c = load_catalog(embedded_catalog());
  BOOST_TEST(c.models.size() >= 45u);
  BOOST_TEST(c.quants.size() >= 20u);
  BOOST_TEST(c.hardware.size() >= 80u);
  BOOST_TEST(c.apis.size() >= 20u);
  BOOST_TEST(c.rentals.size() >= 12u);
  BOOST_TEST(c.electricity.usd_per_kwh > 0.0);
  BOOST_TEST(!c.quality_scale.empty());
  for (const char* id : {"F16", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q4_0", "Q3_K_M", "Q2_K"})
    BOOST_TEST(c.find_quant(id) != nullptr, id);
  for (const char* id : {"llama-4-scout", "llama-4-maverick", "mistral-large-2", "deepseek-v3.1",
                         "qwen3-235b-a22b", "qwen3-0.6b", "qwen3-32b", "phi-4-mini", "phi-4",
                         "gemma-3-1b", "gemma-3-27b"})
    BOOST_TEST(c.find_model(id) != nullptr, id);
  int closed = 0;
  for (const auto& a : c.apis) closed += a.model.empty();
  BOOST_TEST(closed >= 2);
}

BOOST_AUTO_TEST_CASE(every_model_shape_adds_up_to_its_published_parameter_count) {
  for (const auto& m : load_catalog(embedded_catalog()).models) {
    const double computed = computed_params(m) / 1e9;
    BOOST_TEST(std::abs(computed / m.params_b - 1) < 0.02,
               m.id << ": computed " << computed << "B vs published " << m.params_b << "B");
  }
}

BOOST_AUTO_TEST_CASE(every_moe_active_count_matches_its_published_one) {
  // Publishers count "active" differently: with the input embedding and the output matrix
  // (Qwen, Llama 4), with the output only (DeepSeek), or with neither (GLM-4.5). One of the
  // three must be within 2%. computed_active_params counts the output matrix, not the embedding.
  for (const auto& m : load_catalog(embedded_catalog()).models) {
    if (!m.is_moe() || m.active_params_b <= 0) continue;
    const double active = computed_active_params(m) / 1e9, matrix = double(m.vocab) * m.hidden / 1e9;
    double best = 1e9;
    for (double candidate : {active, active + (m.tied_embeddings ? 0 : matrix), active - matrix})
      best = std::min(best, std::abs(candidate / m.active_params_b - 1));
    BOOST_TEST(best < 0.02, m.id << ": computed active " << active << "B vs published " << m.active_params_b << "B");
  }
}

BOOST_AUTO_TEST_CASE(every_quant_reproduces_real_llama_3_1_8b_file_sizes) {
  // Published GGUF sizes of Llama-3.1-8B (bytes): local-llamacpp.csv for Q4_0, Q4_K_M, Q8_0;
  // the llama.cpp perplexity README scoreboard (GiB x 2^30) for the others (data/quants.toml).
  const Catalog c = load_catalog(embedded_catalog());
  const ModelSpec* m = c.find_model("llama-3.1-8b");
  BOOST_REQUIRE(m);
  for (auto [id, bytes] : {std::pair{"Q4_0", 4656871424.0}, {"Q4_K_M", 4916393984.0}, {"Q8_0", 8536430592.0},
                           {"Q6_K", 6.593e9}, {"Q5_K_M", 5.723e9}, {"Q3_K_M", 4.016e9}, {"Q2_K", 3.178e9},
                           {"F16", 16.074e9}, {"IQ4_XS", 4.445e9}})
    BOOST_TEST(weight_bytes(*m, *c.find_quant(id)) / bytes == 1.0, boost::test_tools::tolerance(0.03));
}

BOOST_AUTO_TEST_CASE(every_figure_has_a_source) {
  const Catalog c = load_catalog(embedded_catalog());
  for (const auto& m : c.models) BOOST_TEST(!m.source.empty(), m.id);
  for (const auto& q : c.quants) BOOST_TEST(!q.source.empty(), q.id);
  for (const auto& h : c.hardware) BOOST_TEST(!h.source.empty(), h.id);
  for (const auto& a : c.apis) BOOST_TEST((!a.source.empty() && !a.as_of.empty()), a.id);
}

BOOST_AUTO_TEST_CASE(every_model_has_a_published_gguf_and_every_repo_a_real_id) {
  // data/repos.toml: each catalog model is runnable by llama.cpp from a named Hub repo, and no id
  // is a placeholder ("<...>", a bare file name): the loader accepts only "org/name".
  const Catalog c = load_catalog(embedded_catalog());
  for (const auto& m : c.models) {
    bool gguf = false;
    for (const auto& r : m.repos)
      for (const auto& id : r.quants) gguf = gguf || c.find_quant(id)->format == QuantFormat::gguf;
    BOOST_TEST(gguf, m.id << " has no published GGUF repo");
  }
  for (const auto& r : c.repos) {
    BOOST_TEST(std::count(r.id.begin(), r.id.end(), '/') == 1, r.id);
    BOOST_TEST(r.id.find('<') == std::string::npos, r.id);
    BOOST_TEST(!r.source.empty(), r.id);
  }
}

BOOST_AUTO_TEST_CASE(gpt_oss_is_offered_in_mxfp4_q8_0_and_16_bits_only) {
  // Every gpt-oss GGUF keeps the released MXFP4 experts (unsloth's 20b: Q2_K to Q5_K_M all
  // 11.5-11.7 GB), so the GGUF quants offered are MXFP4 (ggml-org), Q8_0 and F16 (unsloth).
  const Catalog c = load_catalog(embedded_catalog());
  for (const char* id : {"gpt-oss-20b", "gpt-oss-120b"}) {
    const ModelSpec* m = c.find_model(id);
    std::vector<std::string> gguf;
    for (const auto& q : c.quants)
      if (q.format == QuantFormat::gguf && offered(*m, q)) gguf.push_back(q.id);
    BOOST_TEST(gguf == (std::vector<std::string>{"F16", "Q8_0", "MXFP4"}), id);
    BOOST_TEST(published_repo(*m, *c.find_quant("MXFP4"))->id == std::string("ggml-org/") + id + "-GGUF");
    BOOST_TEST(!offered(*m, *c.find_quant("Q4_K_M")));
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(user_files)

BOOST_AUTO_TEST_CASE(a_repo_must_name_a_real_model_quants_of_one_format_and_an_org_slash_name_id) {
  const std::string head = "[[repo]]\nmodel = \"qwen3-8b\"\nsource = \"s\"\nas_of = \"2026-12-06\"\n";
  BOOST_TEST(contains(error_for(head + "id = \"<AWQ checkpoint>\"\nquants = [\"AWQ-4bit\"]\n"),
                      "user.toml:1:1: repo '<AWQ checkpoint>': id must be a Hugging Face repo id 'org/name'"));
  BOOST_TEST(contains(error_for(head + "id = \"a/b\"\nquants = [\"Q4_K_X\"]\n"),
                      "repo 'a/b': unknown quant 'Q4_K_X' (did you mean 'Q4_K_M'?)"));
  BOOST_TEST(contains(error_for(head + "id = \"a/b\"\nquants = [\"Q4_K_M\", \"MLX-4bit\"]\n"),
                      "quants of two formats (gguf, mlx)"));
  BOOST_TEST(contains(error_for(head + "id = \"a/b\"\nquants = [\"MXFP4\"]\n"),
                      "quant 'MXFP4' is the release format of other models only"));
  BOOST_TEST(contains(error_for("[[repo]]\nid = \"a/b\"\nmodel = \"qwen9\"\nquants = [\"Q8_0\"]\nsource = \"s\"\n"
                                "as_of = \"x\"\n"),
                      "unknown model 'qwen9'"));
}


BOOST_AUTO_TEST_CASE(validation_shapes_load_as_a_user_catalog) {
  auto sources = embedded_catalog();
  sources.push_back(read_catalog_file(std::string(BENCHR_TEST_DATA) + "/catalog/data/local-models.toml"));
  const Catalog c = load_catalog(sources);
  const ModelSpec* m = c.find_model("qwen3moe-16L-64x8");
  BOOST_REQUIRE(m);
  BOOST_TEST(computed_params(*m) == 7368939520.0, boost::test_tools::tolerance(1e-4));
}

BOOST_AUTO_TEST_CASE(a_user_entry_replaces_the_one_with_its_id) {
  const Catalog base = load_catalog(embedded_catalog());
  auto sources = embedded_catalog();
  std::string text = kModel;
  text.replace(text.find("\"tiny\""), 6, "\"qwen3-8b\"");
  sources.push_back({"user.toml", text});
  const Catalog c = load_catalog(sources);
  BOOST_TEST(c.models.size() == base.models.size());
  BOOST_TEST(c.find_model("qwen3-8b")->layers == 2);
}

BOOST_AUTO_TEST_CASE(a_syntax_error_names_file_line_and_column) {
  BOOST_TEST(contains(error_for("[[model]]\nid = \"x\nname = 3\n"), "user.toml:2:"));
  BOOST_TEST(contains(error_for("[[model]]\nid = \"x\nname = 3\n"), "TOML syntax error"));
}

BOOST_AUTO_TEST_CASE(a_missing_field_is_named) {
  std::string text = kModel;
  text.erase(text.find("layers = 2\n"), 11);
  const auto e = error_for(text);
  BOOST_TEST(contains(e, "user.toml:1:1: model 'tiny': missing field 'layers'"));
}

BOOST_AUTO_TEST_CASE(a_non_thinking_quality_needs_a_thinking_model_and_a_source) {
  // A second quality for the mode the figure is not (thinking off) makes sense only for a model
  // scored thinking, and like every figure it carries its source.
  BOOST_TEST(contains(error_for(std::string(kModel) + "quality_no_thinking = 1\nquality_no_thinking_source = \"s\"\n"),
                      "model 'tiny': field 'quality_no_thinking' is for a model whose quality is its thinking"));
  BOOST_TEST(contains(error_for(std::string(kModel) + "thinking = true\nquality_no_thinking = 1\n"),
                      "model 'tiny': missing field 'quality_no_thinking_source'"));
  const Catalog c = load_catalog(embedded_catalog());
  BOOST_TEST(c.find_model("qwen3-8b")->quality_no_thinking.value_or(-1) == 23);  // AA v3.0 non-reasoning
  BOOST_TEST(!c.find_model("gemma-4-31b")->quality_no_thinking.has_value());     // no such figure: unknown
}

BOOST_AUTO_TEST_CASE(a_wrong_type_is_named_where_it_is) {
  std::string text = kModel;
  text.replace(text.find("layers = 2"), 10, "layers = \"two\"");
  BOOST_TEST(contains(error_for(text), "user.toml:5:10: model 'tiny': field 'layers' must be an integer, got a string"));
}

BOOST_AUTO_TEST_CASE(a_negative_size_is_rejected) {
  std::string text = kModel;
  text.replace(text.find("hidden = 64"), 11, "hidden = -64");
  BOOST_TEST(contains(error_for(text), "user.toml:6:10: model 'tiny': field 'hidden' must be >= 0"));
}

// A CPU entry with every required field, for the tests of CPU fields appended to it.
const std::string kTestCpu = R"([[hardware]]
id = "test-cpu"
name = "Test CPU"
kind = "cpu"
backend = "cpu"
memory_gib = 64
memory_bandwidth_gbps = 89.6
fp16_tflops = 0
tdp_w = 65
price_usd = 0
cores = 8
source = "test"
)";

BOOST_AUTO_TEST_CASE(a_cpu_simd_level_is_one_the_estimator_knows) {
  BOOST_TEST(error_for(kTestCpu + "simd = \"avx512\"\n") == "no error");
  BOOST_TEST(error_for(kTestCpu + "simd = \"neon\"\n") == "no error");
  BOOST_TEST(contains(error_for(kTestCpu + "simd = \"sse4\"\n"),
                      "hardware 'test-cpu': field 'simd': unknown simd level 'sse4' (expected none, neon, avx2 or avx512)"));
}

BOOST_AUTO_TEST_CASE(a_cpu_clock_is_in_mhz_with_its_source) {
  // estimator/machine.cpp scales a core's one-row dot-product rate by it (kCpuDotGbpsPerCoreGhz): a clock
  // typed in GHz would make every core 1000x slower, so it is refused, as is one without a source.
  BOOST_TEST(error_for(kTestCpu + "boost_clock_mhz = 5700\nunits_source = \"AMD product page\"\n") == "no error");
  BOOST_TEST(contains(error_for(kTestCpu + "boost_clock_mhz = 5.7\nunits_source = \"AMD product page\"\n"),
                      "hardware 'test-cpu': boost_clock_mhz 5.7 is no CPU clock in MHz (300-8000"));
  BOOST_TEST(contains(error_for(kTestCpu + "boost_clock_mhz = 5700000\nunits_source = \"AMD product page\"\n"),
                      "hardware 'test-cpu': boost_clock_mhz 5.7e+06 is no CPU clock in MHz"));
  BOOST_TEST(contains(error_for(kTestCpu + "boost_clock_mhz = 5700\n"),
                      "hardware 'test-cpu': compute_units, boost_clock_mhz and cache_line_bytes need units_source"));
  // A GPU's clock is its boost clock, in the same unit, checked by its own rules (>= 0).
  BOOST_TEST(error_for(kTestCpu + "boost_clock_mhz = -1\nunits_source = \"x\"\n").find("finite number >= 0") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_cpu_cache_line_is_a_line_size_with_its_source) {
  // estimator/machine.cpp scales a core's rates by it over 64 bytes (kCpuRateLineBytes): a figure
  // that is no cache line, one without a source or one on a GPU entry is refused.
  BOOST_TEST(error_for(kTestCpu + "cache_line_bytes = 128\nunits_source = \"Apple M-series\"\n") == "no error");
  BOOST_TEST(contains(error_for(kTestCpu + "cache_line_bytes = 100\nunits_source = \"x\"\n"),
                      "hardware 'test-cpu': cache_line_bytes 100 is no cache line (32, 64, 128 or 256 bytes"));
  BOOST_TEST(contains(error_for(kTestCpu + "cache_line_bytes = 128\n"),
                      "hardware 'test-cpu': compute_units, boost_clock_mhz and cache_line_bytes need units_source"));
  std::string gpu = kTestCpu;
  gpu.replace(gpu.find("kind = \"cpu\""), 12, "kind = \"gpu\"");
  BOOST_TEST(contains(error_for(gpu + "cache_line_bytes = 128\nunits_source = \"x\"\n"),
                      "hardware 'test-cpu': cache_line_bytes is a CPU entry's field"));
}

BOOST_AUTO_TEST_CASE(a_measured_bandwidth_needs_its_source) {
  const std::string gpu = R"([[hardware]]
id = "test-apu"
name = "Test APU"
kind = "apu"
backend = "vulkan"
memory_gib = 64
memory_bandwidth_gbps = 256
measured_bandwidth_gbps = 212
fp16_tflops = 0
tdp_w = 100
price_usd = 0
source = "test"
)";
  BOOST_TEST(contains(error_for(gpu), "hardware 'test-apu': a measured_bandwidth_gbps needs measured_bandwidth_source"));
  BOOST_TEST(error_for(gpu + "measured_bandwidth_source = \"a benchmark\"\n") == "no error");
}

BOOST_AUTO_TEST_CASE(recurrent_layers_need_their_kind_and_shapes) {
  std::string text = kModel;
  text.replace(text.find("layers = 2\n"), 11, "layers = 2\nrecurrent_layers = 1\n");
  BOOST_TEST(contains(error_for(text), "model 'tiny': field 'recurrent_kind': unknown recurrent layer kind ''"));
  text.replace(text.find("recurrent_layers = 1\n"), 21, "recurrent_layers = 1\nrecurrent_kind = \"mamba\"\n");
  BOOST_TEST(contains(error_for(text), "unknown recurrent layer kind 'mamba' (expected gated_delta_net or mamba2)"));
  text.replace(text.find("\"mamba\""), 7, "\"mamba2\"");
  BOOST_TEST(contains(error_for(text), "model 'tiny': recurrent layers need 0 < recurrent_layers < layers"));
  text.replace(text.find("recurrent_kind"), 14, "recurrent_in_proj = 8\nrecurrent_out_proj = 8\nrecurrent_state = 64\nrecurrent_kind");
  BOOST_TEST(error_for(text) == "no error");
}

BOOST_AUTO_TEST_CASE(a_duplicate_id_in_one_file_is_rejected) {
  const auto e = error_for(std::string(kModel) + "\n" + kModel);
  BOOST_TEST(contains(e, "user.toml:21:1: duplicate model id 'tiny' (first at user.toml:1:1)"));
}

BOOST_AUTO_TEST_CASE(a_user_file_named_like_an_embedded_one_overrides_it) {
  // `--catalog data/prices.toml` run from the repository: same name as the embedded file, but a
  // second source, so its ids replace the embedded ones instead of being duplicates.
  auto sources = embedded_catalog();
  for (const auto& s : embedded_catalog())
    if (s.path == "data/prices.toml") sources.push_back(s);
  const Catalog c = load_catalog(sources);
  BOOST_TEST(!c.apis.empty());
}

BOOST_AUTO_TEST_CASE(a_misspelt_field_is_an_error_with_a_suggestion) {
  std::string text = kModel;
  text.replace(text.find("quality = 1"), 11, "quality = 1\nqualty = 2");
  BOOST_TEST(contains(error_for(text), "unknown field 'qualty' (did you mean 'quality'?)"));
}

BOOST_AUTO_TEST_CASE(an_unknown_block_format_is_an_error_with_a_suggestion) {
  const auto e = error_for(
      "[[quant]]\nid = \"X\"\nformat = \"gguf\"\nblock_format = \"Q4_K\"\nattn_v = \"Q6K\"\n"
      "quality_retention = 0.9\nsource = \"t\"\n");
  BOOST_TEST(contains(e, "user.toml:5:10: quant 'X': unknown block format 'Q6K' (did you mean 'Q6_K'?)"));
}

BOOST_AUTO_TEST_CASE(role_mixes_must_add_up_to_one) {
  const auto e = error_for(
      "[[quant]]\nid = \"X\"\nformat = \"gguf\"\nblock_format = \"Q4_K\"\n"
      "attn_v = { Q6_K = 0.5, Q4_K = 0.4 }\nquality_retention = 0.9\nsource = \"t\"\n");
  BOOST_TEST(contains(e, "user.toml:5:10: quant 'X': role fractions add up to 0.9"));
}

BOOST_AUTO_TEST_CASE(an_api_for_an_unknown_model_is_rejected) {
  const auto e = error_for(
      "[[api]]\nid = \"a\"\nmodel = \"qwen3-8bb\"\nname = \"A\"\nprovider = \"P\"\n"
      "usd_per_mtok_input = 1\nusd_per_mtok_output = 2\nsource = \"s\"\nas_of = \"2026-01-01\"\n");
  BOOST_TEST(contains(e, "user.toml:1:1: api 'a': unknown model 'qwen3-8bb' (did you mean 'qwen3-8b'?)"));
}

BOOST_AUTO_TEST_CASE(a_rental_of_unknown_hardware_is_rejected) {
  const auto e = error_for(
      "[[rental]]\nid = \"r\"\nhardware = \"rtx-4909\"\nprovider = \"P\"\nusd_per_hour = 1\n"
      "gpus = 1\nsource = \"s\"\nas_of = \"2026-01-01\"\n");
  BOOST_TEST(contains(e, "user.toml:1:1: rental 'r': unknown hardware 'rtx-4909' (did you mean 'rtx-4090'?)"));
}

BOOST_AUTO_TEST_CASE(an_unknown_section_is_rejected) {
  BOOST_TEST(contains(error_for("[[modle]]\nid = \"x\"\n"), "unknown section 'modle' (did you mean 'model'?)"));
}

BOOST_AUTO_TEST_CASE(an_unreadable_file_is_named) {
  BOOST_CHECK_THROW(read_catalog_file("/nonexistent/catalog.toml"), InputError);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- the build-time snapshot (catalog/snapshot.cpp) ----------------------------------------------

BOOST_AUTO_TEST_CASE(the_embedded_snapshot_is_data_toml_parsed_now) {
  // The bytes the build wrote are the ones parsing data/*.toml gives today: the snapshot is
  // current and the writer deterministic.
  BOOST_TEST((write_snapshot(parsed_draft()) == std::string(embedded_snapshot())));
  // Read back and written again, the same bytes: every field the writer writes, the reader reads.
  BOOST_TEST((write_snapshot(read_snapshot(embedded_snapshot())) == std::string(embedded_snapshot())));
}

BOOST_AUTO_TEST_CASE(the_catalog_from_the_snapshot_is_the_parsed_one) {
  const Catalog parsed = load_catalog(embedded_catalog());
  const Catalog read = load_embedded_catalog({});
  CatalogDraft a, b;
  a.catalog = parsed;
  b.catalog = read;
  BOOST_TEST((write_snapshot(a) == write_snapshot(b)));  // every field, repos attached included
  BOOST_TEST(read.models.size() == parsed.models.size());
  BOOST_TEST(read.find_model("qwen3-8b")->repos.size() == parsed.find_model("qwen3-8b")->repos.size());
  BOOST_TEST(read.find_quant("Q4_K_M")->block_format == parsed.find_quant("Q4_K_M")->block_format);
}

BOOST_AUTO_TEST_CASE(a_user_entry_replaces_the_snapshot_one_with_its_id) {
  std::string text = kModel;
  text.replace(text.find("\"tiny\""), 6, "\"qwen3-8b\"");
  const Catalog c = load_embedded_catalog({{"user.toml", text}});
  BOOST_TEST(c.models.size() == load_embedded_catalog({}).models.size());
  BOOST_TEST(c.find_model("qwen3-8b")->layers == 2);
  // A file named like an embedded one is still another source: its ids replace, not duplicate.
  std::vector<CatalogText> prices;
  for (const auto& s : embedded_catalog())
    if (s.path == "data/prices.toml") prices.push_back(s);
  BOOST_TEST(!load_embedded_catalog(prices).apis.empty());
}

BOOST_AUTO_TEST_CASE(a_cut_or_foreign_snapshot_is_refused) {
  const std::string bytes(embedded_snapshot());
  BOOST_CHECK_THROW(read_snapshot(bytes.substr(0, bytes.size() / 2)), std::runtime_error);
  BOOST_CHECK_THROW(read_snapshot("benchr-catalog-0" + bytes.substr(16)), std::runtime_error);
  BOOST_CHECK_THROW(read_snapshot(bytes + "x"), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(characters_toml_plus_plus_would_mis_read_are_refused_with_their_place) {
  // toml++ 3.3 reaches __builtin_unreachable() when it asks whether U+00E9 (and other code points
  // of U+00A1-U+0499, U+2C5E-U+3057, U+FB26-U+FEFE) is white space: after a bare key, between
  // tokens, after a backslash in a multi-line string. UBSan caught it through the catalog fuzz
  // target; the check in front of toml++ refuses those places, with line and column.
  auto error = [](const std::string& text) {
    try {
      load_catalog({{"user.toml", text}});
      return std::string();
    } catch (const InputError& e) {
      return std::string(e.what());
    }
  };
  std::string e = error("[meta]\nid\xC3\xA9 = 1\n");  // "idé = 1"
  BOOST_TEST(e.find("user.toml:2:3: U+00E9 outside a string or comment") == 0, e);
  e = error("[meta]\nnote = \"\"\"a\\\n  \xE3\x80\x81 b\"\"\"\n");  // U+3001 after a line-ending backslash
  BOOST_TEST(e.find("user.toml:3:3: U+3001 in a multi-line \"\"\" string") == 0, e);
  // The same characters in a one-line string, a literal string or a comment never reach that
  // question: past the check (whatever the catalog then says of the content).
  for (const char* fine : {"[meta]\nnote = \"caf\xC3\xA9\"\n", "[meta]\nnote = 'caf\xC3\xA9'\n",
                           "# caf\xC3\xA9\n[meta]\n", "[meta]\nnote = '''caf\xC3\xA9'''\n"}) {
    e = error(fine);
    BOOST_TEST(e.find("U+00E9") == std::string::npos, e);
  }
}
