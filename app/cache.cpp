#include <filesystem>
// The calibration cache: one JSON file per machine fingerprint under
// $XDG_CACHE_HOME/benchr-advise/ (else ~/.cache/benchr-advise/), written atomically. A file that
// is unreadable, truncated, for another machine or another kernel version is ignored with a
// warning; it is never trusted and never a crash.
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

#include "catalog.hpp"
#include "app.hpp"
#include "calibrate.hpp"
#include "json.hpp"

namespace benchr {
namespace {

constexpr const char* kFormat = "benchr-advise calibration";

nlohmann::json rates_json(const std::vector<FormatRate>& rates) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : rates)
    a.push_back({{"format", r.format}, {"threads", r.threads}, {"weight_gbps", r.weight_gbps},
                 {"gflops", r.gflops}, {"spread", r.spread}});
  return a;
}

std::vector<FormatRate> rates_from(const nlohmann::json& a) {
  if (!a.is_array()) throw std::runtime_error("rates must be an array");
  std::vector<FormatRate> out;
  for (const auto& r : a) {
    FormatRate f{r.at("format").get<std::string>(), r.at("threads").get<int>(), r.at("weight_gbps").get<double>(),
                 r.at("gflops").get<double>(), r.at("spread").get<double>()};
    // threads 0: a GPU (Vulkan) rate, which has no thread count.
    if (!(f.weight_gbps > 0) || !std::isfinite(f.weight_gbps) || f.threads < 0)
      throw std::runtime_error("rate out of range for " + f.format);
    out.push_back(f);
  }
  return out;
}

std::string cache_dir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/benchr-advise";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/benchr-advise";
  return {};
}

void make_dirs(const std::string& path) {
  for (std::size_t i = 1; i <= path.size(); ++i)
    if (i == path.size() || path[i] == '/') mkdir(path.substr(0, i).c_str(), 0755);
}

}  // namespace

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
          {"duration_s", c.duration_s},   {"devices", devices},
          {"notes", c.notes}};
}

Calibration calibration_from_json(const nlohmann::json& j) {
  if (j.value("format", "") != kFormat) throw std::runtime_error("not a calibration file");
  Calibration c;
  c.kernel_version = j.at("kernel_version").get<int>();
  c.fingerprint = j.at("fingerprint").get<std::string>();
  c.measured_at = j.at("measured_at").get<std::string>();
  c.duration_s = j.at("duration_s").get<double>();
  for (const auto& d : j.at("devices")) {
    DeviceCalibration dc;
    dc.device = d.at("device").get<std::string>();
    dc.isa = d.at("isa").get<std::string>();
    dc.threads = d.at("threads").get<int>();
    dc.read_gbps_1t = d.at("read_gbps_1t").get<double>();
    dc.read_gbps = d.at("read_gbps").get<double>();
    dc.read_spread = d.at("read_spread").get<double>();
    dc.gemv = rates_from(d.at("gemv"));
    dc.gemm = rates_from(d.at("gemm"));
    if (d.contains("tinyblas")) dc.tinyblas = rates_from(d.at("tinyblas"));
    dc.fma_gflops = d.at("fma_gflops").get<double>();
    dc.fma_f16_gflops = d.value("fma_f16_gflops", 0.0);  // absent from files before the Vulkan kernels
    dc.attention_ns_hd64 = d.at("attention_ns_hd64").get<double>();
    dc.attention_ns_hd128 = d.at("attention_ns_hd128").get<double>();
    if (dc.attention_ns_hd64 < 0 || dc.attention_ns_hd128 < 0) throw std::runtime_error("attention time out of range");
    if (!(dc.read_gbps > 0) || !std::isfinite(dc.read_gbps)) throw std::runtime_error("read_gbps out of range");
    c.devices.push_back(std::move(dc));
  }
  for (const auto& n : j.at("notes")) c.notes.push_back(n.get<std::string>());
  return c;
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
  try {
    // A cache file that is a pipe or a device, or absurdly large, is ignored like a corrupt one.
    Calibration c = calibration_from_json(nlohmann::json::parse(read_input_file(path, "cache", 16ull << 20)));
    if (c.fingerprint != fingerprint) {
      warning = "ignoring " + path + ": it belongs to another machine";
      return std::nullopt;
    }
    if (c.kernel_version != kKernelVersion) {
      warning = "ignoring " + path + ": measured by kernel version " + std::to_string(c.kernel_version);
      return std::nullopt;
    }
    return c;
  } catch (const std::exception& e) {
    warning = "ignoring " + path + ": unreadable (" + e.what() + ")";
    return std::nullopt;
  }
}

std::string save_calibration(const Calibration& c) {
  const std::string path = calibration_cache_path(c.fingerprint);
  if (path.empty()) return "no cache directory (neither XDG_CACHE_HOME nor HOME is set)";
  make_dirs(path.substr(0, path.rfind('/')));
  // A temporary name unique to this process, then rename: concurrent writers never interleave.
  const std::string tmp = path + "." + std::to_string(getpid()) + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << to_json(c).dump(2) << '\n';
    if (!out.flush()) {
      std::remove(tmp.c_str());
      return "could not write " + tmp;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return "could not rename " + tmp + " to " + path;
  }
  return {};
}

}  // namespace benchr
