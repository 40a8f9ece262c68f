// The catalog's build-time binary form (draft.hpp): every field of every entry, in the order the
// io() functions below list them. Numbers as their bytes, strings and lists with their length
// first, block formats by name. One list per type serves writing and reading alike.
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <type_traits>

#include "draft.hpp"

namespace benchr {
namespace {

// A type that gains a field must gain it in its io() below, or the snapshot drops it: these
// sizes (x86-64 and AArch64 Linux, libstdc++) catch the addition at compile time.
static_assert(sizeof(PublishedRepo) == 152, "PublishedRepo changed: update io(PublishedRepo) in catalog/snapshot.cpp");
static_assert(sizeof(ModelSpec) == 560, "ModelSpec changed: update io(ModelSpec) in catalog/snapshot.cpp");
static_assert(sizeof(QuantSpec) == 480, "QuantSpec changed: update io(QuantSpec) in catalog/snapshot.cpp");
static_assert(sizeof(HardwareSpec) == 536, "HardwareSpec changed: update io(HardwareSpec) in catalog/snapshot.cpp");
static_assert(sizeof(Rental) == 208, "Rental changed: update io(Rental) in catalog/snapshot.cpp");
static_assert(sizeof(ApiOffer) == 256, "ApiOffer changed: update io(ApiOffer) in catalog/snapshot.cpp");
static_assert(sizeof(Electricity) == 72, "Electricity changed: update io(Electricity) in catalog/snapshot.cpp");
static_assert(sizeof(Catalog) == 248, "Catalog changed: update io(Catalog) in catalog/snapshot.cpp");

// "benchr-advise catalog snapshot", version 1: another program's bytes are refused.
constexpr char kMagic[] = "benchr-catalog-1";

class Writer {
 public:
  std::string out;
  template <class T>
  void operator()(const T& x) {
    if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
      out.append(reinterpret_cast<const char*>(&x), sizeof x);
    } else if constexpr (std::is_same_v<T, std::string>) {
      (*this)(uint32_t(x.size()));
      out += x;
    } else if constexpr (std::is_same_v<T, const BlockFormat*>) {
      (*this)(x ? std::string(x->name) : std::string());
    } else if constexpr (std::is_same_v<T, std::optional<double>>) {
      (*this)(x.has_value());
      (*this)(x.value_or(0.0));
    } else {
      io(*this, const_cast<T&>(x));
    }
  }
  template <class T>
  void operator()(const std::vector<T>& v) {
    (*this)(uint32_t(v.size()));
    for (const auto& x : v) (*this)(x);
  }
  template <class T, std::size_t N>
  void operator()(const std::array<T, N>& a) {
    for (const auto& x : a) (*this)(x);
  }
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <class T>
  void operator()(T& x) {
    if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
      std::memcpy(&x, take(sizeof x), sizeof x);
    } else if constexpr (std::is_same_v<T, std::string>) {
      uint32_t n = 0;
      (*this)(n);
      x.assign(take(n), n);
    } else if constexpr (std::is_same_v<T, const BlockFormat*>) {
      std::string name;
      (*this)(name);
      x = name.empty() ? nullptr : find_block_format(name);
      if (!name.empty() && !x) throw std::runtime_error("catalog snapshot: unknown block format '" + name + "'");
    } else if constexpr (std::is_same_v<T, std::optional<double>>) {
      bool known = false;
      double v = 0;
      (*this)(known);
      (*this)(v);
      x = known ? std::optional<double>(v) : std::nullopt;
    } else {
      io(*this, x);
    }
  }
  template <class T>
  void operator()(std::vector<T>& v) {
    uint32_t n = 0;
    (*this)(n);
    if (n > in_.size()) throw std::runtime_error("catalog snapshot: a list longer than the bytes left");
    v.resize(n);
    for (auto& x : v) (*this)(x);
  }
  template <class T, std::size_t N>
  void operator()(std::array<T, N>& a) {
    for (auto& x : a) (*this)(x);
  }
  bool done() const { return in_.empty(); }

 private:
  const char* take(std::size_t n) {
    if (n > in_.size()) throw std::runtime_error("catalog snapshot: cut short");
    const char* p = in_.data();
    in_.remove_prefix(n);
    return p;
  }
  std::string_view in_;
};

template <class A>
void io(A& a, PublishedRepo& r) {
  a(r.id), a(r.model), a(r.quants), a(r.source), a(r.as_of);
}

template <class A>
void io(A& a, ModelSpec& m) {
  a(m.id), a(m.name), a(m.params_b), a(m.active_params_b), a(m.vision_params_b);
  a(m.layers), a(m.hidden), a(m.heads), a(m.kv_heads), a(m.head_dim), a(m.v_head_dim), a(m.ffn), a(m.vocab);
  a(m.tied_embeddings), a(m.context_max);
  a(m.experts), a(m.experts_active), a(m.shared_experts), a(m.expert_ffn), a(m.dense_layers);
  a(m.q_lora_rank), a(m.kv_lora_rank), a(m.qk_rope_head_dim), a(m.sliding_window), a(m.sliding_window_pattern);
  a(m.attn_output_gate), a(m.recurrent_kind), a(m.experts_format);
  a(m.recurrent_layers), a(m.recurrent_in_proj), a(m.recurrent_out_proj), a(m.recurrent_state);
  a(m.license), a(m.license_name), a(m.released), a(m.hf_repo), a(m.repos), a(m.local_path);
  a(m.quality), a(m.thinks), a(m.quality_no_thinking), a(m.quality_no_thinking_source), a(m.quality_source), a(m.source), a(m.as_of);
}

template <class A>
void io(A& a, FormatShare& f) {
  a(f.format), a(f.fraction);
}

template <class A>
void io(A& a, QuantSpec& q) {
  a(q.id), a(q.name), a(q.format), a(q.block_format), a(q.roles), a(q.quality_retention), a(q.quality_retention_params_b), a(q.only_models);
  a(q.backends), a(q.archs), a(q.moe_archs), a(q.quality_source), a(q.source), a(q.as_of);
}

template <class A>
void io(A& a, HardwareSpec& h) {
  a(h.id), a(h.name), a(h.kind), a(h.backend), a(h.backends);
  a(h.memory_gib), a(h.memory_bandwidth_gbps), a(h.fp16_tflops), a(h.tdp_w), a(h.price_usd);
  a(h.measured_bandwidth_gbps), a(h.compute_units), a(h.cores), a(h.simd), a(h.boost_clock_mhz), a(h.cache_line_bytes), a(h.units_source);
  a(h.measured_bandwidth_source), a(h.price_condition), a(h.price_as_of), a(h.used_price_usd);
  a(h.used_price_as_of), a(h.used_price_source), a(h.link), a(h.link_gbps), a(h.unified_memory);
  a(h.gpu_memory_fraction), a(h.pci_vendor_id), a(h.pci_device_id), a(h.arch), a(h.source), a(h.as_of);
}

template <class A>
void io(A& a, Rental& r) {
  a(r.id), a(r.hardware), a(r.provider), a(r.condition), a(r.usd_per_hour), a(r.gpus), a(r.source), a(r.as_of);
}

template <class A>
void io(A& a, ApiOffer& o) {
  a(o.id), a(o.model), a(o.name), a(o.provider), a(o.usd_per_mtok_input), a(o.usd_per_mtok_output);
  a(o.usd_per_mtok_cached_input), a(o.quality), a(o.quality_source), a(o.source), a(o.as_of);
}

template <class A>
void io(A& a, Electricity& e) {
  a(e.usd_per_kwh), a(e.source), a(e.as_of);
}

template <class A>
void io(A& a, Catalog& c) {
  a(c.models), a(c.quants), a(c.hardware), a(c.apis), a(c.rentals), a(c.repos), a(c.electricity), a(c.quality_scale);
}

template <class A>
void io(A& a, CatalogOrigin& o) {
  a(o.source), a(o.where);
}

template <class A>
void io(A& a, CatalogDraft& d) {
  a(d.catalog), a(d.model_at), a(d.quant_at), a(d.hw_at), a(d.api_at), a(d.rental_at), a(d.repo_at), a(d.sources);
}

}  // namespace

std::string write_snapshot(const CatalogDraft& d) {
  Writer w;
  w.out = kMagic;
  w(d);
  return w.out;
}

CatalogDraft read_snapshot(std::string_view bytes) {
  if (bytes.substr(0, sizeof kMagic - 1) != kMagic) throw std::runtime_error("not a catalog snapshot of this version");
  Reader r(bytes.substr(sizeof kMagic - 1));
  CatalogDraft d;
  r(d);
  if (!r.done()) throw std::runtime_error("catalog snapshot: bytes left over");
  return d;
}

}  // namespace benchr
