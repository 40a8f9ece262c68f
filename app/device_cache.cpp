// The device cache: this machine's GPU scan (scan_gpus: the Vulkan devices and the PCI GPUs
// Vulkan does not show) kept as JSON beside the calibration cache, under the gpu_fingerprint()
// it was made with. Loading the Vulkan driver to enumerate devices took half of a warm advice's
// time and most of its memory (60 ms and 65 MiB against 30 ms and 11 MiB without a driver, on the
// project's 2-core VM); the fingerprint is read from sysfs and /proc in well under a millisecond.
// A changed fingerprint (a GPU added or moved, a driver installed, another CPU or RAM size)
// scans again. A file that cannot be read or trusted is ignored with a warning and replaced.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>

#include "app.hpp"
#include "json.hpp"
#include "probe.hpp"

namespace benchr {
namespace {

constexpr const char* kFormat = "benchr-advise devices";
constexpr int kVersion = 2;  // the fields below; another version is scanned again

nlohmann::json gpu_json(const GpuInfo& g) {
  return {{"name", g.name},
          {"driver_name", g.driver_name},
          {"driver_version", g.driver_version},
          {"api_version", g.api_version},
          {"vendor_id", g.vendor_id},
          {"device_id", g.device_id},
          {"kind", std::string(to_string(g.kind))},
          {"device_local_bytes", g.device_local_bytes},
          {"has_budget", g.has_budget},
          {"budget_bytes", g.budget_bytes},
          {"usage_bytes", g.usage_bytes},
          {"unified_memory", g.unified_memory},
          {"subgroup_size", g.subgroup_size},
          {"fp16", g.fp16},
          {"int8_dot", g.int8_dot},
          {"max_allocation_bytes", g.max_allocation_bytes},
          {"max_storage_range_bytes", g.max_storage_range_bytes},
          {"compute_queue", g.compute_queue},
          {"timestamp_bits", g.timestamp_bits}};
}

GpuKind kind_from(const std::string& s) {
  for (GpuKind k : {GpuKind::discrete, GpuKind::integrated, GpuKind::virtual_gpu, GpuKind::cpu, GpuKind::other})
    if (to_string(k) == s) return k;
  throw std::runtime_error("unknown GPU kind '" + s + "'");
}

GpuInfo gpu_from(const nlohmann::json& j) {
  GpuInfo g;
  g.name = j.at("name").get<std::string>();
  g.driver_name = j.at("driver_name").get<std::string>();
  g.driver_version = j.at("driver_version").get<std::string>();
  g.api_version = j.at("api_version").get<std::string>();
  g.vendor_id = j.at("vendor_id").get<uint32_t>();
  g.device_id = j.at("device_id").get<uint32_t>();
  g.kind = kind_from(j.at("kind").get<std::string>());
  g.device_local_bytes = j.at("device_local_bytes").get<double>();
  g.has_budget = j.at("has_budget").get<bool>();
  g.budget_bytes = j.at("budget_bytes").get<double>();
  g.usage_bytes = j.at("usage_bytes").get<double>();
  g.unified_memory = j.at("unified_memory").get<bool>();
  g.subgroup_size = j.at("subgroup_size").get<uint32_t>();
  g.fp16 = j.at("fp16").get<bool>();
  g.int8_dot = j.at("int8_dot").get<bool>();
  g.max_allocation_bytes = j.at("max_allocation_bytes").get<double>();
  g.max_storage_range_bytes = j.at("max_storage_range_bytes").get<double>();
  g.compute_queue = j.at("compute_queue").get<bool>();
  g.timestamp_bits = j.at("timestamp_bits").get<uint32_t>();
  for (double v : {g.device_local_bytes, g.budget_bytes, g.usage_bytes, g.max_allocation_bytes,
                   g.max_storage_range_bytes})
    if (!(v >= 0) || !std::isfinite(v)) throw std::runtime_error("a memory size out of range for " + g.name);
  return g;
}

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

/// The scan cached for `fingerprint`, or nullopt (with `warning` set when a file was there but
/// could not be trusted). `scanned_at` is when it was made.
std::optional<GpuScan> load(const std::string& path, const std::string& fingerprint, std::string& scanned_at,
                            std::string& warning) {
  std::error_code ec;
  if (path.empty() || !std::filesystem::exists(path, ec)) return std::nullopt;
  try {
    const nlohmann::json j = nlohmann::json::parse(read_input_file(path, "device cache", 1ull << 20));
    if (j.value("format", "") != kFormat) throw std::runtime_error("not a device cache");
    if (j.at("version").get<int>() != kVersion) return std::nullopt;  // written by another version: scan
    // Another machine's under a colliding name, or this one's before a change: scan again.
    if (j.at("fingerprint").get<std::string>() != fingerprint) return std::nullopt;
    GpuScan scan;
    for (const auto& g : j.at("vulkan")) scan.vulkan.push_back(gpu_from(g));
    for (const auto& g : j.at("pci_only"))
      scan.pci_only.push_back({g.at("vendor_id").get<uint32_t>(), g.at("device_id").get<uint32_t>(),
                               g.at("name").get<std::string>()});
    for (const auto& n : j.at("notes")) scan.notes.push_back(n.get<std::string>());
    scanned_at = j.at("scanned_at").get<std::string>();
    return scan;
  } catch (const std::exception& e) {
    warning = "ignoring " + path + ": unreadable (" + e.what() + ")";
    return std::nullopt;
  }
}

/// Writes the scan atomically (a temporary file of this process, then rename); an error message,
/// empty on success.
std::string save(const std::string& path, const std::string& fingerprint, const GpuScan& scan) {
  if (path.empty()) return "no cache directory (neither XDG_CACHE_HOME nor HOME is set)";
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  nlohmann::json vulkan = nlohmann::json::array(), pci = nlohmann::json::array();
  for (const auto& g : scan.vulkan) vulkan.push_back(gpu_json(g));
  for (const auto& g : scan.pci_only)
    pci.push_back({{"vendor_id", g.vendor_id}, {"device_id", g.device_id}, {"name", g.name}});
  const nlohmann::json j = {{"format", kFormat},   {"version", kVersion}, {"fingerprint", fingerprint},
                            {"scanned_at", utc_now()}, {"vulkan", vulkan},  {"pci_only", pci},
                            {"notes", scan.notes}};
  const std::string tmp = path + "." + std::to_string(getpid()) + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(2) << '\n';
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

}  // namespace

std::string device_cache_path(const std::string& fingerprint) {
  // Beside the calibration files: the directory calibration_cache_path() names.
  const std::string beside = calibration_cache_path("");
  if (beside.empty()) return {};
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016zx", std::hash<std::string>{}(fingerprint));
  return beside.substr(0, beside.rfind('/')) + "/devices-" + hex + ".json";
}

Machine live_machine(bool rescan) {
  const std::string fingerprint = gpu_fingerprint();
  const std::string path = device_cache_path(fingerprint);
  if (!rescan) {
    std::string scanned_at, warning;
    const std::optional<GpuScan> cached = load(path, fingerprint, scanned_at, warning);
    if (!warning.empty()) std::fprintf(stderr, "benchr-advise: warning: %s\n", warning.c_str());
    if (cached) {
      Machine m = probe_live(*cached);
      m.notes.push_back("GPUs as scanned " + scanned_at + " (device cache: PCI display controllers, CPU, RAM and "
                        "Vulkan drivers unchanged)");
      return m;
    }
  }
  const GpuScan scan = scan_gpus();
  if (const std::string err = save(path, fingerprint, scan); !err.empty())
    std::fprintf(stderr, "benchr-advise: warning: device list not cached: %s\n", err.c_str());
  return probe_live(scan);
}

}  // namespace benchr
