// The calibration cache: one JSON file per machine fingerprint under
// $XDG_CACHE_HOME/benchr-advise/ (else ~/.cache/benchr-advise/), written atomically. A file that
// is unreadable, truncated, out of range, for another machine or another kernel version is
// ignored with a one-line warning naming the field; it is never trusted and never a crash.
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "app.hpp"
#include "calibrate.hpp"
#include "calibration.hpp"
#include "catalog.hpp"
#include "json.hpp"

namespace benchr {
namespace {

constexpr const char* kFormat = "benchr-advise calibration";

// What a cache may hold. A figure outside these bounds is a corrupt or forged file, not a machine.
// Bandwidth: 10 MB/s is below any DRAM or VRAM of the last 30 years (a broken timer, such as
// 1e-300, would otherwise print hours of decode per token); 100 TB/s is 10x the fastest HBM3e
// GPU's 8 TB/s (B200 datasheet).
constexpr double kMinGbps = 0.01, kMaxGbps = 1e5;
// Compute: 10 PFLOP/s is above any single device's dense peak (B200: 4.5 PFLOP/s FP8 dense).
constexpr double kMaxGflops = 1e7;
// Attention, ns per head per cached position: a head_dim-128 f16 row pair is 512 bytes, so even
// at 10 MB/s it takes 51 us; a millisecond is no machine (1e308 would make decode "inf h").
constexpr double kMinAttentionNs = 1e-4, kMaxAttentionNs = 1e6;
// Spread, (slowest - fastest) / median: 100x is a repetition stalled for minutes.
constexpr double kMaxSpread = 100;
// Threads: hwloc's largest machines have a few thousand cores.
constexpr int kMaxThreads = 65536;
// A run takes seconds; an hour is no calibration this tool makes.
constexpr double kMaxDurationS = 3600;
// Devices and rates per device: a machine has at most a few dozen GPUs, a device 7 formats x 2
// thread counts of each kind.
constexpr std::size_t kMaxDevices = 64, kMaxRates = 64;
// Notes are for a person: the first kMaxNotes distinct ones, each at most kMaxNoteChars.
constexpr std::size_t kMaxNotes = 20, kMaxNoteChars = 400;

/// A field that is missing, of the wrong type or out of range, with its JSON path.
struct FieldError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string show(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

/// The fields of one JSON object, read with their path ("devices[0].read_gbps") in every error.
class Fields {
 public:
  Fields(const nlohmann::json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) throw FieldError((path_.empty() ? "the file" : path_) + ": not an object");
  }
  std::string path(const char* key) const { return path_.empty() ? key : path_ + "." + key; }
  bool has(const char* key) const { return j_.contains(key) && !j_.at(key).is_null(); }
  const nlohmann::json& at(const char* key) const {
    if (!j_.contains(key)) throw FieldError(path(key) + ": missing");
    return j_.at(key);
  }
  std::string text(const char* key, std::size_t max_chars = 1000) const {
    const auto& v = at(key);
    if (!v.is_string()) throw FieldError(path(key) + ": not a string");
    const auto s = v.get<std::string>();
    if (s.size() > max_chars) throw FieldError(path(key) + ": longer than " + std::to_string(max_chars) + " characters");
    return s;
  }
  /// A finite number in [lo, hi]; with `zero_ok` also exactly 0 ("not measured").
  double number(const char* key, double lo, double hi, bool zero_ok = false) const {
    const auto& v = at(key);
    if (!v.is_number()) throw FieldError(path(key) + ": not a number");
    const double x = v.get<double>();
    if (zero_ok && x == 0) return 0;
    if (!std::isfinite(x) || x < lo || x > hi)
      throw FieldError(path(key) + ": " + show(x) + " is out of range (" + (zero_ok ? "0 or " : "") + show(lo) + " to " +
                       show(hi) + ")");
    return x;
  }
  int integer(const char* key, long long lo, long long hi) const {
    const auto& v = at(key);
    if (!v.is_number_integer()) throw FieldError(path(key) + ": not an integer");
    const long long x = v.is_number_unsigned() && v.get<unsigned long long>() > static_cast<unsigned long long>(hi)
                            ? hi + 1  // larger than any long long, too
                            : v.get<long long>();
    if (x < lo || x > hi) throw FieldError(path(key) + ": " + std::to_string(x) + " is out of range (" +
                                           std::to_string(lo) + " to " + std::to_string(hi) + ")");
    return int(x);
  }
  std::optional<double> share(const char* key) const {
    if (!has(key)) return std::nullopt;
    return number(key, 0, 1);
  }
  const nlohmann::json& array(const char* key, std::size_t max_items) const {
    const auto& v = at(key);
    if (!v.is_array()) throw FieldError(path(key) + ": not an array");
    if (v.size() > max_items) throw FieldError(path(key) + ": more than " + std::to_string(max_items) + " entries");
    return v;
  }

 private:
  const nlohmann::json& j_;
  std::string path_;
};

nlohmann::json rates_json(const std::vector<FormatRate>& rates) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : rates)
    a.push_back({{"format", r.format}, {"threads", r.threads}, {"weight_gbps", r.weight_gbps},
                 {"gflops", r.gflops}, {"spread", r.spread}});
  return a;
}

std::vector<FormatRate> rates_from(const Fields& device, const char* key) {
  std::vector<FormatRate> out;
  const auto& a = device.array(key, kMaxRates);
  for (std::size_t i = 0; i < a.size(); ++i) {
    const Fields r(a[i], device.path(key) + "[" + std::to_string(i) + "]");
    // threads 0: a GPU (Vulkan) rate, which has no thread count.
    out.push_back({r.text("format", 16), r.integer("threads", 0, kMaxThreads), r.number("weight_gbps", kMinGbps, kMaxGbps),
                   r.number("gflops", 0, kMaxGflops), r.number("spread", 0, kMaxSpread)});
  }
  return out;
}

nlohmann::json optional_json(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

nlohmann::json quality_json(const CalibrationQuality& q) {
  return {{"repetitions", q.repetitions},
          {"quiet_repetitions", q.quiet_repetitions},
          {"contended_steps", q.contended_steps},
          {"steal_share", optional_json(q.steal_share)},
          {"cpu_pressure_share", optional_json(q.cpu_pressure_share)},
          {"busy_per_cpu", optional_json(q.busy_per_cpu)},
          {"best_known_read_gbps", optional_json(q.best_known_read_gbps)},
          {"contended", q.contended},
          {"reasons", q.reasons},
          {"last_attempt_unix", q.last_attempt_unix}};
}

std::vector<std::string> strings_from(const Fields& f, const char* key, std::size_t max_items) {
  std::vector<std::string> out;
  const auto& a = f.array(key, max_items);
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_string()) throw FieldError(f.path(key) + "[" + std::to_string(i) + "]: not a string");
    out.push_back(a[i].get<std::string>().substr(0, kMaxNoteChars));
  }
  return out;
}

CalibrationQuality quality_from(const Fields& q) {
  CalibrationQuality out;
  out.repetitions = q.integer("repetitions", 0, 1 << 20);
  out.quiet_repetitions = q.integer("quiet_repetitions", 0, out.repetitions);
  out.contended_steps = strings_from(q, "contended_steps", 256);
  out.steal_share = q.share("steal_share");
  out.cpu_pressure_share = q.share("cpu_pressure_share");
  if (q.has("busy_per_cpu")) out.busy_per_cpu = q.number("busy_per_cpu", 0, 1e6);
  if (q.has("best_known_read_gbps")) out.best_known_read_gbps = q.number("best_known_read_gbps", kMinGbps, kMaxGbps);
  const auto& c = q.at("contended");
  if (!c.is_boolean()) throw FieldError(q.path("contended") + ": not true or false");
  out.contended = c.get<bool>();
  out.reasons = strings_from(q, "reasons", 64);
  const auto& t = q.at("last_attempt_unix");
  if (!t.is_number_integer() || t.get<long long>() < 0) throw FieldError(q.path("last_attempt_unix") + ": not a time");
  out.last_attempt_unix = t.get<long long>();
  return out;
}

/// The absolute directory the XDG Base Directory spec names: "$XDG_CACHE_HOME ... If
/// $XDG_CACHE_HOME is either not set or empty, a default equal to $HOME/.cache should be used"
/// and "All paths set in these environment variables must be absolute. If an implementation
/// encounters a relative path in any of these variables it should consider the path invalid and
/// ignore it." (XDG Base Directory Specification 0.8).
std::string cache_dir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x == '/') return std::string(x) + "/benchr-advise";
  if (const char* h = std::getenv("HOME"); h && *h == '/') return std::string(h) + "/.cache/benchr-advise";
  return {};
}

/// Creates each missing directory of `path`; the error of the first that cannot be made.
std::string make_dirs(const std::string& path) {
  for (std::size_t i = 1; i <= path.size(); ++i)
    if (i == path.size() || path[i] == '/') {
      const std::string dir = path.substr(0, i);
      if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return "could not create " + dir + ": " + std::strerror(errno);
    }
  return {};
}

}  // namespace

std::vector<std::string> capped_notes(const std::vector<std::string>& notes) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::size_t dropped = 0;
  for (const auto& n : notes) {
    const std::string note = n.size() > kMaxNoteChars ? n.substr(0, kMaxNoteChars) + "..." : n;
    if (!seen.insert(note).second) continue;
    if (out.size() < kMaxNotes) out.push_back(note);
    else ++dropped;
  }
  if (dropped) out.push_back(std::to_string(dropped) + " more notes not shown");
  return out;
}

nlohmann::json to_json(const Calibration& c) {
  nlohmann::json devices = nlohmann::json::array();
  for (const auto& d : c.devices)
    devices.push_back({{"device", d.device},           {"isa", d.isa},
                       {"threads", d.threads},         {"read_gbps_1t", d.read_gbps_1t},
                       {"read_gbps", d.read_gbps},     {"read_spread", d.read_spread},
                       {"gemv", rates_json(d.gemv)},   {"gemm", rates_json(d.gemm)},
                       {"tinyblas", rates_json(d.tinyblas)},
                       {"fma_gflops", d.fma_gflops},
                       {"fma_f16_gflops", d.fma_f16_gflops},
                       {"attention_ns_hd64", d.attention_ns_hd64},
                       {"attention_ns_hd128", d.attention_ns_hd128}});
  return {{"format", kFormat},           {"kernel_version", c.kernel_version},
          {"fingerprint", c.fingerprint}, {"measured_at", c.measured_at},
          {"duration_s", c.duration_s},   {"budget_s", c.budget_s},
          {"devices", devices},           {"notes", capped_notes(c.notes)},
          {"quality", quality_json(c.quality)}};
}

Calibration calibration_from_json(const nlohmann::json& j) {
  const Fields top(j, "");
  if (!top.has("format") || !top.at("format").is_string() || top.at("format").get<std::string>() != kFormat)
    throw FieldError("format: not \"" + std::string(kFormat) + "\"");
  Calibration c;
  c.kernel_version = top.integer("kernel_version", 0, 1 << 20);
  c.fingerprint = top.text("fingerprint");
  c.measured_at = top.text("measured_at", 64);
  c.duration_s = top.number("duration_s", 0, kMaxDurationS);
  c.budget_s = top.number("budget_s", 0, kMaxDurationS);
  const auto& devices = top.array("devices", kMaxDevices);
  if (devices.empty()) throw FieldError("devices: empty (nothing was measured)");
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const Fields d(devices[i], "devices[" + std::to_string(i) + "]");
    DeviceCalibration dc;
    dc.device = d.text("device", 256);
    dc.isa = d.text("isa", 16);
    const bool gpu = dc.isa == "vulkan";  // a GPU has no thread count and no single-thread read
    dc.threads = d.integer("threads", gpu ? 0 : 1, gpu ? 0 : kMaxThreads);
    dc.read_gbps_1t = d.number("read_gbps_1t", kMinGbps, kMaxGbps, gpu);
    dc.read_gbps = d.number("read_gbps", kMinGbps, kMaxGbps);
    dc.read_spread = d.number("read_spread", 0, kMaxSpread);
    dc.gemv = rates_from(d, "gemv");
    dc.gemm = rates_from(d, "gemm");
    dc.tinyblas = rates_from(d, "tinyblas");
    dc.fma_gflops = d.number("fma_gflops", 1e-2, kMaxGflops, true);
    dc.fma_f16_gflops = d.number("fma_f16_gflops", 1e-2, kMaxGflops, true);
    dc.attention_ns_hd64 = d.number("attention_ns_hd64", kMinAttentionNs, kMaxAttentionNs, true);
    dc.attention_ns_hd128 = d.number("attention_ns_hd128", kMinAttentionNs, kMaxAttentionNs, true);
    c.devices.push_back(std::move(dc));
  }
  // Read whole (a file with 100,000 notes is still one file), kept for a person: capped, deduplicated.
  const auto& notes = top.array("notes", std::size_t(1) << 24);
  std::vector<std::string> raw;
  for (std::size_t i = 0; i < notes.size(); ++i) {
    if (!notes[i].is_string()) throw FieldError("notes[" + std::to_string(i) + "]: not a string");
    raw.push_back(notes[i].get<std::string>());
  }
  c.notes = capped_notes(raw);
  c.quality = quality_from(Fields(top.at("quality"), "quality"));
  return c;
}

CacheParse parse_calibration_cache(std::string_view text) {
  CacheParse out;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    out.error = "not JSON: byte " + std::to_string(e.byte);
    return out;
  } catch (const nlohmann::json::exception&) {  // out_of_range 406: a number like 1e400
    out.error = "not JSON this reader takes: a number too large for a double";
    return out;
  }
  try {
    out.calibration = calibration_from_json(j);
  } catch (const std::exception& e) {  // FieldError, and anything else a forged file reaches
    out.error = e.what();
  }
  return out;
}

std::string machine_fingerprint(const Machine& m) {
  utsname u{};
  uname(&u);
  std::ostringstream s;
  s << m.cpu.model << "|" << m.cpu.cores.value << "c|" << m.cpu.logical_cpus.value << "t|"
    << std::llround(m.cpu.ram_total_bytes.value / kGiB) << "GiB|" << u.release << "|k" << kKernelVersion;
  for (const auto& d : m.devices)
    if (d.kind == DeviceKind::gpu && !d.software) s << "|" << d.name;  // a new GPU is measured anew
  return s.str();
}

std::string calibration_cache_path(const std::string& fingerprint) {
  const std::string dir = cache_dir();
  if (dir.empty()) return {};
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016zx", std::hash<std::string>{}(fingerprint));
  return dir + "/calibration-" + hex + ".json";
}

std::optional<Calibration> load_cached_calibration(const std::string& fingerprint, std::string& warning) {
  const std::string path = calibration_cache_path(fingerprint);
  std::error_code ec;
  if (path.empty() || !std::filesystem::exists(path, ec)) return std::nullopt;
  std::string text;
  try {
    // A cache file that is a pipe or a device, or absurdly large, is ignored like a corrupt one.
    text = read_input_file(path, "cache", 16ull << 20);
  } catch (const std::exception& e) {
    warning = "ignoring " + path + ": unreadable (" + e.what() + "); measuring again";
    return std::nullopt;
  }
  CacheParse parsed = parse_calibration_cache(text);
  if (!parsed.calibration) {
    warning = "ignoring " + path + ": " + parsed.error + "; measuring again";
    return std::nullopt;
  }
  if (parsed.calibration->fingerprint != fingerprint) {
    warning = "ignoring " + path + ": it belongs to another machine";
    return std::nullopt;
  }
  if (parsed.calibration->kernel_version != kKernelVersion) {
    warning = "ignoring " + path + ": measured by kernel version " + std::to_string(parsed.calibration->kernel_version);
    return std::nullopt;
  }
  return parsed.calibration;
}

std::string save_calibration(const Calibration& c) {
  const std::string path = calibration_cache_path(c.fingerprint);
  if (path.empty()) return "no cache directory (neither XDG_CACHE_HOME nor HOME is an absolute path)";
  if (std::string err = make_dirs(path.substr(0, path.rfind('/'))); !err.empty()) return err;
  // A temporary name unique to this process, then rename: concurrent writers never interleave.
  const std::string tmp = path + "." + std::to_string(getpid()) + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return "could not create " + tmp + ": " + std::strerror(errno);
    out << to_json(c).dump(2) << '\n';
    if (!out.flush()) {
      std::remove(tmp.c_str());
      return "could not write " + tmp + ": " + std::strerror(errno);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return "could not rename " + tmp + " to " + path + ": " + why;
  }
  return {};
}

}  // namespace benchr
