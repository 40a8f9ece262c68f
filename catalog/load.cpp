#include <algorithm>
#include <optional>
#include <cctype>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.hpp"
#include "draft.hpp"

namespace benchr {
namespace {

std::string at(std::string_view file, const toml::source_region& r) {
  return std::string(file) + ":" + std::to_string(r.begin.line) + ":" +
         std::to_string(r.begin.column);
}

std::string_view type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    default: return "a date or time";
  }
}

/// One [[kind]] entry being read: typed getters with file:line errors; finish() rejects the keys
/// no getter asked for, so a misspelt field is an error, not a silent default.
class Entry {
 public:
  Entry(const toml::table& t, std::string_view file, std::string_view kind)
      : t_(t), file_(file), kind_(kind) {
    if (auto id = t.get_as<std::string>("id")) label_ = std::string(kind) + " '" + id->get() + "'";
    else label_ = std::string(kind);
  }

  std::string str(std::string_view key, std::optional<std::string> def = std::nullopt) {
    const toml::node* n = get(key, def.has_value());
    if (!n) return *def;
    if (auto s = n->as_string()) return s->get();
    throw wrong(key, *n, "a string");
  }

  double number(std::string_view key, std::optional<double> def = std::nullopt) {
    const toml::node* n = get(key, def.has_value());
    if (!n) return *def;
    double v;
    if (auto i = n->as_integer()) v = double(i->get());
    else if (auto f = n->as_floating_point()) v = f->get();
    else throw wrong(key, *n, "a number");
    if (!(v >= 0) || !std::isfinite(v))
      throw InputError(context(*n) + ": field '" + std::string(key) +
                       "' must be a finite number >= 0, got " + std::to_string(v));
    return v;
  }

  int64_t integer(std::string_view key, std::optional<int64_t> def = std::nullopt) {
    const toml::node* n = get(key, def.has_value());
    if (!n) return *def;
    auto i = n->as_integer();
    if (!i) throw wrong(key, *n, "an integer");
    if (i->get() < 0)
      throw InputError(context(*n) + ": field '" + std::string(key) +
                       "' must be >= 0, got " + std::to_string(i->get()));
    return i->get();
  }

  int small(std::string_view key, std::optional<int64_t> def = std::nullopt) {
    const int64_t v = integer(key, def);
    if (v > (int64_t(1) << 30))
      throw InputError(context(*t_.get(key)) + ": field '" + std::string(key) +
                       "' is implausibly large: " + std::to_string(v));
    return static_cast<int>(v);
  }

  int positive(std::string_view key) {
    const int v = small(key);
    if (v == 0)
      throw InputError(context(*t_.get(key)) + ": field '" + std::string(key) +
                       "' must be > 0");
    return v;
  }

  bool boolean(std::string_view key, std::optional<bool> def = std::nullopt) {
    const toml::node* n = get(key, def.has_value());
    if (!n) return *def;
    if (auto b = n->as_boolean()) return b->get();
    throw wrong(key, *n, "a boolean");
  }

  const toml::node* raw(std::string_view key) {
    used_.insert(std::string(key));
    return t_.get(key);
  }

  void finish() const {
    std::vector<std::string> known(used_.begin(), used_.end());
    for (const auto& [k, v] : t_)
      if (!used_.count(std::string(k.str())))
        throw InputError(context(v) + ": unknown field '" + std::string(k.str()) +
                         "'" + did_you_mean(k.str(), known));
  }

  std::string where(const toml::node& n) const { return at(file_, n.source()); }
  std::string where() const { return at(file_, t_.source()); }
  const std::string& label() const { return label_; }
  /// "file:line: quant 'x'": what an error about this entry starts with.
  std::string context() const { return where() + ": " + label_; }
  std::string context(const toml::node& n) const { return where(n) + ": " + label_; }

 private:
  const toml::node* get(std::string_view key, bool optional) {
    used_.insert(std::string(key));
    const toml::node* n = t_.get(key);
    if (!n && !optional)
      throw InputError(context() + ": missing field '" + std::string(key) + "'");
    return n;
  }

  InputError wrong(std::string_view key, const toml::node& n, std::string_view expected) const {
    return InputError(context(n) + ": field '" + std::string(key) + "' must be " +
                      std::string(expected) + ", got " + std::string(type_name(n)));
  }

  const toml::table& t_;
  std::string file_, kind_, label_;
  std::set<std::string> used_;
};

/// An optional array of strings, each checked by `check` (which throws with a location).
template <class Check>
std::vector<std::string> read_strings(Entry& e, std::string_view key, Check check) {
  std::vector<std::string> out;
  const toml::node* list = e.raw(key);
  if (!list) return out;
  auto arr = list->as_array();
  if (!arr) throw InputError(e.context(*list) + ": " + std::string(key) + " must be an array of strings");
  for (const auto& item : *arr) {
    auto s = item.as_string();
    if (!s) throw InputError(e.context(item) + ": " + std::string(key) + " must hold strings");
    check(s->get(), e.context(item) + ": " + std::string(key));
    out.push_back(s->get());
  }
  return out;
}

const BlockFormat& block_format(Entry& e, const toml::node& n, std::string_view name);

ModelSpec read_model(Entry& e) {
  ModelSpec m;
  m.id = e.str("id");
  m.name = e.str("name");
  m.params_b = e.number("params_b");
  m.active_params_b = e.number("active_params_b", 0.0);
  m.vision_params_b = e.number("vision_params_b", 0.0);
  m.layers = e.positive("layers");
  m.hidden = e.positive("hidden");
  m.heads = e.positive("heads");
  m.kv_heads = e.positive("kv_heads");
  m.head_dim = e.positive("head_dim");
  m.v_head_dim = e.small("v_head_dim", 0);
  if (m.v_head_dim == 0) m.v_head_dim = m.head_dim;
  m.ffn = e.small("ffn");
  m.vocab = e.positive("vocab");
  m.tied_embeddings = e.boolean("tied_embeddings");
  m.context_max = e.integer("context_max");
  m.experts = e.small("experts");
  m.experts_active = e.small("experts_active");
  m.shared_experts = e.small("shared_experts", 0);
  m.expert_ffn = e.small("expert_ffn");
  m.dense_layers = e.small("dense_layers", 0);
  m.q_lora_rank = e.small("q_lora_rank", 0);
  m.kv_lora_rank = e.small("kv_lora_rank", 0);
  m.qk_rope_head_dim = e.small("qk_rope_head_dim", 0);
  m.sliding_window = e.small("sliding_window", 0);
  m.sliding_window_pattern = e.small("sliding_window_pattern", 0);
  m.attn_output_gate = e.boolean("attn_output_gate", false);
  m.recurrent_layers = e.small("recurrent_layers", 0);
  if (const std::string kind = e.str("recurrent_kind", ""); m.recurrent_layers > 0 || !kind.empty())
    m.recurrent_kind = parse_recurrent_kind(kind, e.context() + ": field 'recurrent_kind'");
  if (const toml::node* f = e.raw("experts_format")) {
    const auto name = f->as_string();
    if (!name) throw InputError(e.context(*f) + ": field 'experts_format' must be a block format name");
    m.experts_format = &block_format(e, *f, name->get());
  }
  m.recurrent_in_proj = e.small("recurrent_in_proj", 0);
  m.recurrent_out_proj = e.small("recurrent_out_proj", 0);
  m.recurrent_state = e.integer("recurrent_state", 0);
  m.license = e.str("license");
  m.license_name = e.str("license_name", m.license);
  m.released = e.str("released", "");
  m.hf_repo = e.str("hf_repo", "");
  m.quality = e.number("quality");
  m.quality_source = e.str("quality_source", "");
  m.thinks = e.boolean("thinking", false);
  if (e.raw("quality_no_thinking")) {
    if (!m.thinks)
      throw InputError(e.context() + ": field 'quality_no_thinking' is for a model whose quality is its thinking "
                       "mode's (thinking = true)");
    m.quality_no_thinking = e.number("quality_no_thinking");
    m.quality_no_thinking_source = e.str("quality_no_thinking_source");
  }
  m.source = e.str("source");
  m.as_of = e.str("as_of", "");
  if (const std::string problem = m.shape_problem(); !problem.empty())
    throw InputError(e.context() + ": " + problem);
  if (m.context_max <= 0) throw InputError(e.context() + ": field 'context_max' must be > 0");
  return m;
}

const BlockFormat& block_format(Entry& e, const toml::node& n, std::string_view name) {
  if (const BlockFormat* f = find_block_format(name)) return *f;
  std::vector<std::string> names;
  for (const auto& f : block_formats()) names.emplace_back(f.name);
  throw InputError(e.context(n) + ": unknown block format '" + std::string(name) +
                   "'" + did_you_mean(name, names));
}

/// A role is one block format ("Q6_K") or a mix ({ Q6_K = 0.5, Q4_K = 0.5 }) adding up to 1.
RoleMix read_role(Entry& e, const toml::node& n) {
  if (auto s = n.as_string()) return {{&block_format(e, n, s->get()), 1.0}};
  auto t = n.as_table();
  if (!t)
    throw InputError(e.context(n) +
                     ": a role must be a block format name or a table of format = fraction");
  RoleMix mix;
  double sum = 0;
  for (const auto& [k, v] : *t) {
    auto f = v.value<double>();
    if (!f || *f <= 0 || *f > 1)
      throw InputError(e.context(v) + ": fraction of '" + std::string(k.str()) +
                       "' must be a number in (0, 1]");
    mix.push_back({&block_format(e, v, k.str()), *f});
    sum += *f;
  }
  if (std::abs(sum - 1) > 1e-6)
    throw InputError(e.context(n) + ": role fractions add up to " +
                     std::to_string(sum) + ", not 1");
  return mix;
}

QuantSpec read_quant(Entry& e) {
  QuantSpec q;
  q.id = e.str("id");
  q.name = e.str("name", q.id);
  q.format = parse_quant_format(e.str("format"), e.context() + ": field 'format'");
  const toml::node* base = e.raw("block_format");
  if (!base || !base->as_string())
    throw InputError((base ? e.context(*base) : e.context()) +
                     ": field 'block_format' must be a block format name");
  q.block_format = &block_format(e, *base, base->as_string()->get());
  for (std::size_t r = 0; r < kRoles; ++r) {
    const auto role = static_cast<Role>(r);
    const toml::node* n = e.raw(to_string(role));
    if (n) q.roles[r] = read_role(e, *n);
    else if (role == Role::other) q.roles[r] = {{find_block_format("F32"), 1.0}};  // norms, routers
    else q.roles[r] = {{q.block_format, 1.0}};
  }
  q.quality_retention = e.number("quality_retention");
  if (q.quality_retention > 1)
    throw InputError(e.context() + ": quality_retention must be <= 1");
  q.quality_retention_params_b = e.number("quality_retention_params_b", 0.0);
  q.only_models = read_strings(e, "only_models", [](const std::string&, const std::string&) {});
  for (const auto& name : read_strings(e, "backends", parse_backend)) q.backends.push_back(parse_backend(name, ""));
  q.archs = read_strings(e, "archs", [](const std::string&, const std::string&) {});
  q.moe_archs = read_strings(e, "moe_archs", [](const std::string&, const std::string&) {});
  q.quality_source = e.str("quality_source", "");
  q.source = e.str("source");
  q.as_of = e.str("as_of", "");
  return q;
}

HardwareSpec read_hardware(Entry& e) {
  HardwareSpec h;
  h.id = e.str("id");
  h.name = e.str("name");
  const std::string kind = e.str("kind");
  const auto& kinds = hardware_kind_names();
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
    throw InputError(e.context() + ": field 'kind' must be gpu, apple, cpu or apu, got '" +
                     kind + "'" + did_you_mean(kind, kinds));
  h.kind = parse_hardware_kind(kind, e.where());
  h.backend = parse_backend(e.str("backend"), e.context() + ": field 'backend'");
  h.memory_gib = e.number("memory_gib");
  h.memory_bandwidth_gbps = e.number("memory_bandwidth_gbps");
  if (h.memory_gib <= 0 || h.memory_bandwidth_gbps <= 0)
    throw InputError(e.context() +
                     ": memory_gib and memory_bandwidth_gbps must be > 0");
  h.backends = {h.backend};
  for (const auto& name : read_strings(e, "backends", parse_backend)) {
    const Backend b = parse_backend(name, "");
    if (std::find(h.backends.begin(), h.backends.end(), b) == h.backends.end()) h.backends.push_back(b);
  }
  h.fp16_tflops = e.number("fp16_tflops");
  h.tdp_w = e.number("tdp_w");
  h.price_usd = e.number("price_usd");
  h.price_condition = e.str("price_condition", "");
  h.price_as_of = e.str("price_as_of", "");
  h.used_price_usd = e.number("used_price_usd", 0.0);
  h.used_price_as_of = e.str("used_price_as_of", "");
  h.used_price_source = e.str("used_price_source", "");
  if (h.used_price_usd > 0 && (h.used_price_as_of.empty() || h.used_price_source.empty()))
    throw InputError(e.context() + ": a used_price_usd needs used_price_as_of and used_price_source");
  h.measured_bandwidth_gbps = e.number("measured_bandwidth_gbps", 0.0);
  h.measured_bandwidth_source = e.str("measured_bandwidth_source", "");
  if (h.measured_bandwidth_gbps > 0 && h.measured_bandwidth_source.empty())
    throw InputError(e.context() + ": a measured_bandwidth_gbps needs measured_bandwidth_source");
  h.compute_units = e.small("compute_units", 0);
  h.cores = e.small("cores", 0);
  if (const std::string simd = e.str("simd", ""); !simd.empty())
    h.simd = parse_simd_level(simd, e.context() + ": field 'simd'");
  h.boost_clock_mhz = e.number("boost_clock_mhz", 0.0);
  if (h.boost_clock_mhz < 0 || !std::isfinite(h.boost_clock_mhz))
    throw InputError(e.context() + ": boost_clock_mhz must be a finite number >= 0");
  h.cache_line_bytes = e.small("cache_line_bytes", 0);
  // A CPU's cache line sets how many bytes its cores keep in flight (estimator/machine.cpp
  // kCpuRateLineBytes): 64 on x86 and Arm's Neoverse cores, 128 on Apple's M-series.
  if (const int line = h.cache_line_bytes; line != 0 && (line < 32 || line > 256 || (line & (line - 1)) != 0))
    throw InputError(e.context() + ": cache_line_bytes " + std::to_string(h.cache_line_bytes) +
                     " is no cache line (32, 64, 128 or 256 bytes: 64 on x86, 128 on Apple's M-series)");
  if (h.cache_line_bytes > 0 && h.kind != HardwareKind::cpu)
    throw InputError(e.context() + ": cache_line_bytes is a CPU entry's field (kind = \"cpu\")");
  h.units_source = e.str("units_source", "");
  if ((h.compute_units > 0 || h.boost_clock_mhz > 0 || h.cache_line_bytes > 0) && h.units_source.empty())
    throw InputError(e.context() + ": compute_units, boost_clock_mhz and cache_line_bytes need units_source");
  // A CPU's clock sets its cores' one-row dot-product rate (estimator/machine.cpp kCpuDotGbpsPerCoreGhz).
  // Shipped CPUs run 0.6-6.2 GHz at their maximum; a figure outside 300-8000 MHz is one typed in GHz
  // or kHz.
  if (h.kind == HardwareKind::cpu && h.boost_clock_mhz > 0 && (h.boost_clock_mhz < 300 || h.boost_clock_mhz > 8000)) {
    std::ostringstream v;
    v << h.boost_clock_mhz;
    throw InputError(e.context() + ": boost_clock_mhz " + v.str() +
                     " is no CPU clock in MHz (300-8000: the datasheet maximum, e.g. 5700 for 5.7 GHz)");
  }
  h.link = e.str("link", "");
  h.arch = e.str("arch", "");
  h.link_gbps = e.number("link_gbps", 0.0);
  h.unified_memory = e.boolean("unified_memory", h.kind == HardwareKind::apple || h.kind == HardwareKind::apu);
  h.gpu_memory_fraction = e.number("gpu_memory_fraction", 0.0);
  if (h.gpu_memory_fraction > 1)
    throw InputError(e.context() + ": gpu_memory_fraction must be <= 1");
  h.pci_vendor_id = e.small("pci_vendor_id", 0);
  h.pci_device_id = e.small("pci_device_id", 0);
  h.source = e.str("source");
  h.as_of = e.str("as_of", "");
  return h;
}

ApiOffer read_api(Entry& e) {
  ApiOffer a;
  a.id = e.str("id");
  a.model = e.str("model");
  a.name = e.str("name");
  a.provider = e.str("provider");
  a.usd_per_mtok_input = e.number("usd_per_mtok_input");
  a.usd_per_mtok_output = e.number("usd_per_mtok_output");
  a.usd_per_mtok_cached_input = e.number("usd_per_mtok_cached_input", 0.0);
  a.quality = e.number("quality", 0.0);
  a.quality_source = e.str("quality_source", "");
  if (a.model.empty() && a.quality <= 0)
    throw InputError(e.context() +
                     ": a closed model (model = \"\") needs its quality on the catalog scale");
  a.source = e.str("source");
  a.as_of = e.str("as_of");
  return a;
}

Rental read_rental(Entry& e) {
  Rental r;
  r.id = e.str("id");
  r.hardware = e.str("hardware");
  r.provider = e.str("provider");
  r.usd_per_hour = e.number("usd_per_hour");
  r.gpus = e.positive("gpus");
  r.condition = e.str("condition", "on-demand");
  r.source = e.str("source");
  r.as_of = e.str("as_of");
  return r;
}

/// A Hugging Face repo id: "org/name", letters, digits and . _ - only (what huggingface.co
/// accepts), so a launch command never prints a placeholder or a path.
bool valid_repo_id(const std::string& id) {
  const auto slash = id.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == id.size() || id.find('/', slash + 1) != std::string::npos)
    return false;
  return std::all_of(id.begin(), id.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '-' || ch == '/';
  });
}

PublishedRepo read_repo(Entry& e) {
  PublishedRepo r;
  r.id = e.str("id");
  if (!valid_repo_id(r.id))
    throw InputError(e.context() + ": id must be a Hugging Face repo id 'org/name' "
                     "(letters, digits, '.', '_', '-')");
  r.model = e.str("model");
  r.quants = read_strings(e, "quants", [](const std::string&, const std::string&) {});
  if (r.quants.empty()) throw InputError(e.context() + ": quants must name at least one catalog quant");
  r.source = e.str("source");
  r.as_of = e.str("as_of");
  return r;
}

/// Where an entry was read: the index of its source (the embedded files, then each --catalog)
/// and its file:line:column.
using Origin = CatalogOrigin;

/// Merge by id: replace an entry from an earlier source, add a new one; reject an id twice in
/// the same source. Sources are told apart by their place in the list, not their names: a user's
/// file may have the same path as an embedded one (data/prices.toml, run from the repository).
template <class T>
void merge(std::vector<T>& into, std::vector<Origin>& origin, T item, const std::string& where, std::size_t source,
           std::string_view kind) {
  for (std::size_t i = 0; i < into.size(); ++i) {
    if (into[i].id != item.id) continue;
    if (origin[i].source == source)
      throw InputError(where + ": duplicate " + std::string(kind) + " id '" + item.id + "' (first at " +
                       origin[i].where + ")");
    into[i] = std::move(item);
    origin[i] = {source, where};
    return;
  }
  into.push_back(std::move(item));
  origin.push_back({source, where});
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string did_you_mean(std::string_view name, const std::vector<std::string>& choices) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (auto& ch : out) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    return out;
  };
  for (const auto& c : choices)  // "apache" -> "Apache-2.0"
    if (name.size() >= 3 && lower(c).rfind(lower(name), 0) == 0) return " (did you mean '" + c + "'?)";
  const std::string* best = nullptr;
  std::size_t best_d = std::max<std::size_t>(2, name.size() / 3) + 1;
  for (const auto& c : choices) {
    const std::size_t d = edit_distance(name, c);
    if (d < best_d) best_d = d, best = &c;
  }
  return best ? " (did you mean '" + *best + "'?)" : "";
}

std::string read_input_file(const std::string& path, const std::string& what, std::uint64_t max_bytes) {
  // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw InputError(what + " " + path + ": cannot open the file: " + std::strerror(errno));
  struct stat st {};
  std::string text;
  try {
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
      throw InputError(what + " " + path + ": not a regular file (a pipe, a device or a folder)");
    if (std::uint64_t(st.st_size) > max_bytes)
      throw InputError(what + " " + path + ": " + std::to_string(st.st_size) + " bytes, more than any such file (" +
                       std::to_string(max_bytes) + ")");
    // Read to the end of the file, not to its stated size: /proc and /sys files say 0 bytes and
    // hold text (read by size, /proc/cpuinfo passed as an empty catalog), and a file may grow or
    // shrink while it is read. At most max_bytes: one byte more is an error, as the size is.
    std::size_t got = 0;
    text.resize(std::min<std::uint64_t>(std::uint64_t(st.st_size), max_bytes) + 1);
    for (;;) {
      if (got == text.size()) {
        if (got > max_bytes)
          throw InputError(what + " " + path + ": it grew past " + std::to_string(max_bytes) +
                           " bytes while being read, more than any such file");
        text.resize(std::size_t(std::min<std::uint64_t>(std::uint64_t(got) * 2, max_bytes + 1)));
      }
      const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw InputError(what + " " + path + ": read error: " + std::strerror(errno));
      if (n == 0) break;
      got += std::size_t(n);
    }
    text.resize(got);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  return text;
}

CatalogText read_catalog_file(const std::string& path) {
  return {path, read_input_file(path, "--catalog", kMaxInputFileBytes)};
}

void merge_source(CatalogDraft& d, const CatalogText& src) {
  Catalog& c = d.catalog;
  const std::size_t index = d.sources++;
  auto &model_at = d.model_at, &quant_at = d.quant_at, &hw_at = d.hw_at, &api_at = d.api_at,
       &rental_at = d.rental_at, &repo_at = d.repo_at;
  {
    toml::table root;
    check_toml_text(src.text, src.path);
    try {
      root = toml::parse(src.text, src.path);
    } catch (const toml::parse_error& err) {
      throw InputError(at(src.path, err.source()) + ": TOML syntax error: " +
                       std::string(err.description()));
    }
    for (const auto& [key, node] : root) {
      const std::string k(key.str());
      if (k == "electricity" || k == "meta") {
        auto t = node.as_table();
        if (!t) throw InputError(at(src.path, node.source()) + ": '" + k + "' must be a table");
        Entry e(*t, src.path, k);
        if (k == "electricity") {
          c.electricity = {e.number("usd_per_kwh"), e.str("source"), e.str("as_of")};
        } else {
          c.quality_scale = e.str("quality_scale");
        }
        e.finish();
        continue;
      }
      static const std::vector<std::string> arrays{"model", "quant", "hardware", "api", "rental", "repo"};
      if (std::find(arrays.begin(), arrays.end(), k) == arrays.end())
        throw InputError(at(src.path, node.source()) + ": unknown section '" + k + "'" +
                         did_you_mean(k, arrays) + " (expected [[model]], [[quant]], [[hardware]], "
                         "[[api]], [[rental]], [[repo]], [electricity] or [meta])");
      auto arr = node.as_array();
      if (!arr)
        throw InputError(at(src.path, node.source()) + ": '" + k + "' must be an array of tables ([[" +
                         k + "]])");
      for (const auto& item : *arr) {
        auto t = item.as_table();
        if (!t) throw InputError(at(src.path, item.source()) + ": [[" + k + "]] entries must be tables");
        Entry e(*t, src.path, k);
        const std::string where = e.where();
        if (k == "model") merge(c.models, model_at, read_model(e), where, index, k);
        else if (k == "quant") merge(c.quants, quant_at, read_quant(e), where, index, k);
        else if (k == "hardware") merge(c.hardware, hw_at, read_hardware(e), where, index, k);
        else if (k == "api") merge(c.apis, api_at, read_api(e), where, index, k);
        else if (k == "rental") merge(c.rentals, rental_at, read_rental(e), where, index, k);
        else merge(c.repos, repo_at, read_repo(e), where, index, k);
        e.finish();
      }
    }
  }
}

Catalog finish_catalog(CatalogDraft d) {
  Catalog& c = d.catalog;
  const auto &quant_at = d.quant_at, &api_at = d.api_at, &rental_at = d.rental_at, &repo_at = d.repo_at;
  std::vector<std::string> model_ids;
  for (const auto& m : c.models) model_ids.push_back(m.id);
  for (std::size_t i = 0; i < c.apis.size(); ++i)
    if (!c.apis[i].model.empty() && !c.find_model(c.apis[i].model))
      throw InputError(api_at[i].where + ": api '" + c.apis[i].id + "': unknown model '" +
                       c.apis[i].model + "'" + did_you_mean(c.apis[i].model, model_ids));
  std::vector<std::string> hardware_ids;
  for (const auto& h : c.hardware) hardware_ids.push_back(h.id);
  for (std::size_t i = 0; i < c.rentals.size(); ++i)
    if (!c.find_hardware(c.rentals[i].hardware))
      throw InputError(rental_at[i].where + ": rental '" + c.rentals[i].id + "': unknown hardware '" +
                       c.rentals[i].hardware + "'" + did_you_mean(c.rentals[i].hardware, hardware_ids));
  for (std::size_t i = 0; i < c.quants.size(); ++i)
    for (const auto& id : c.quants[i].only_models)
      if (!c.find_model(id))
        throw InputError(quant_at[i].where + ": quant '" + c.quants[i].id + "': only_models names unknown model '" +
                         id + "'" + did_you_mean(id, model_ids));
  // Each repo to its model, after checking that the model and its quants exist, that the quants
  // apply to the model, and that they are of one format (a GGUF repo, an MLX conversion, ...).
  std::vector<std::string> quant_ids;
  for (const auto& q : c.quants) quant_ids.push_back(q.id);
  for (auto& m : c.models) m.repos.clear();
  for (std::size_t i = 0; i < c.repos.size(); ++i) {
    const PublishedRepo& r = c.repos[i];
    const std::string where = repo_at[i].where + ": repo '" + r.id + "'";
    auto model = std::find_if(c.models.begin(), c.models.end(), [&](const ModelSpec& m) { return m.id == r.model; });
    if (model == c.models.end())
      throw InputError(where + ": unknown model '" + r.model + "'" + did_you_mean(r.model, model_ids));
    std::optional<QuantFormat> format;
    for (const auto& id : r.quants) {
      const QuantSpec* q = c.find_quant(id);
      if (!q) throw InputError(where + ": unknown quant '" + id + "'" + did_you_mean(id, quant_ids));
      if (!q->applies_to(r.model))
        throw InputError(where + ": quant '" + id + "' is the release format of other models only");
      if (format && q->format != *format)
        throw InputError(where + ": quants of two formats (" + std::string(to_string(*format)) + ", " +
                         std::string(to_string(q->format)) + "): one repo, one format");
      format = q->format;
    }
    model->repos.push_back(r);
  }
  return std::move(d.catalog);
}

Catalog load_catalog(const std::vector<CatalogText>& sources) {
  CatalogDraft d;
  for (const CatalogText& src : sources) merge_source(d, src);
  return finish_catalog(std::move(d));
}

}  // namespace benchr
