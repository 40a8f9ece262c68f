#include <fstream>
#include <sstream>

#include "catalog.hpp"
#include "app.hpp"
#include "json.hpp"
#include "probe.hpp"

namespace benchr {
namespace {

constexpr const char* kFormat = "benchr-advise machine";
constexpr int kVersion = 1;

template <class T>
nlohmann::json sourced(const Sourced<T>& s) {
  if (!s.known()) return nullptr;
  if constexpr (std::is_same_v<T, SimdLevel>) return {{"value", to_string(s.value)}, {"source", s.source}};
  else return {{"value", s.value}, {"source", s.source}};
}

/// Reads fields with errors that name the file and the JSON path.
struct Reader {
  const std::string& where;

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw InputError(where + ": " + path + ": " + what);
  }

  const nlohmann::json& member(const nlohmann::json& j, const std::string& path, const char* key) const {
    if (!j.is_object()) fail(path, "expected an object");
    auto it = j.find(key);
    if (it == j.end()) fail(path + "/" + key, "missing");
    return *it;
  }

  std::string str(const nlohmann::json& j, const std::string& path, const char* key) const {
    const auto& v = member(j, path, key);
    if (!v.is_string()) fail(path + "/" + key, "expected a string");
    return v.get<std::string>();
  }

  double num(const nlohmann::json& j, const std::string& path) const {
    if (!j.is_number()) fail(path, "expected a number");
    const double v = j.get<double>();
    if (!(v >= 0) || !std::isfinite(v)) fail(path, "expected a finite number >= 0");
    return v;
  }

  /// A device's "cpu_repack": a SIMD level, or true/false as earlier versions wrote it.
  SimdLevel repack_level(const nlohmann::json& dj, const std::string& path) const {
    const auto it = dj.find("cpu_repack");
    if (it == dj.end() || it->is_null() || (it->is_boolean() && !it->get<bool>())) return SimdLevel::none;
    if (it->is_boolean()) return SimdLevel::avx2;
    if (it->is_string())
      for (auto s : {SimdLevel::none, SimdLevel::avx2, SimdLevel::avx512})
        if (to_string(s) == it->get<std::string>()) return s;
    fail(path + "/cpu_repack", "expected none, AVX2 or AVX-512");
  }

  template <class T>
  Sourced<T> sourced(const nlohmann::json& j, const std::string& path, const char* key) const {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return {};
    const std::string p = path + "/" + key;
    const std::string src = str(*it, p, "source");
    const auto& v = member(*it, p, "value");
    if constexpr (std::is_same_v<T, SimdLevel>) {
      if (!v.is_string()) fail(p + "/value", "expected a string");
      for (auto s : {SimdLevel::unknown, SimdLevel::none, SimdLevel::neon, SimdLevel::avx2, SimdLevel::avx512})
        if (to_string(s) == v.get<std::string>()) return {s, src};
      fail(p + "/value", "unknown SIMD level '" + v.get<std::string>() + "'");
    } else {
      const double x = num(v, p + "/value");
      if constexpr (std::is_same_v<T, int>) {
        if (x > 1e7) fail(p + "/value", "implausibly large");
        return {static_cast<int>(x), src};
      } else {
        return {x, src};
      }
    }
  }
};

}  // namespace

nlohmann::json to_json(const Machine& m) {
  nlohmann::json devices = nlohmann::json::array();
  for (const auto& d : m.devices)
    devices.push_back({{"kind", to_string(d.kind)},
                       {"name", d.name},
                       {"backend", to_string(d.backend)},
                       {"memory_bytes", sourced(d.memory_bytes)},
                       {"read_gbps", sourced(d.read_gbps)},
                       {"compute_gflops", sourced(d.compute_gflops)},
                       {"power_w", sourced(d.power_w)},
                       {"layer_overhead_s", sourced(d.layer_overhead_s)},
                       {"unified_memory", d.unified_memory},
                       {"software", d.software},
                       {"cpu_repack", to_string(d.cpu_repack)},
                       {"pci_vendor_id", d.pci_vendor_id},
                       {"pci_device_id", d.pci_device_id},
                       {"arch", d.arch},
                       {"details", d.details}});
  const CpuInfo& c = m.cpu;
  return {{"format", kFormat},
          {"version", kVersion},
          {"name", m.name},
          {"hardware_id", m.hardware_id},
          {"cpu",
           {{"model", c.model},
            {"packages", sourced(c.packages)},
            {"cores", sourced(c.cores)},
            {"logical_cpus", sourced(c.logical_cpus)},
            {"simd", sourced(c.simd)},
            {"l1d_bytes", sourced(c.l1d_bytes)},
            {"l2_bytes", sourced(c.l2_bytes)},
            {"l3_bytes", sourced(c.l3_bytes)},
            {"numa_node_bytes", c.numa_node_bytes},
            {"ram_total_bytes", sourced(c.ram_total_bytes)},
            {"ram_available_bytes", sourced(c.ram_available_bytes)}}},
          {"devices", devices},
          {"price_usd", sourced(m.price_usd)},
          {"notes", m.notes}};
}

Machine machine_from_json(const nlohmann::json& j, const std::string& where) {
  const Reader r{where};
  if (!j.is_object() || j.value("format", "") != kFormat)
    r.fail("/format", std::string("not a saved machine (expected \"") + kFormat + "\")");
  // Compared as a JSON integer: get<int>() on a float like 3.3e50 is undefined behaviour (fuzzer).
  const auto version = j.find("version");
  if (version != j.end() && !version->is_number_integer())
    r.fail("/version", "a field has the wrong type or is out of range: not a whole number");
  if (version == j.end() || version->get<int64_t>() != kVersion)
    r.fail("/version", "unsupported version (this build reads version " + std::to_string(kVersion) + ")");
  Machine m;
  m.name = r.str(j, "", "name");
  if (auto it = j.find("hardware_id"); it != j.end() && it->is_string()) m.hardware_id = *it;
  const auto& c = r.member(j, "", "cpu");
  m.cpu.model = r.str(c, "/cpu", "model");
  m.cpu.packages = r.sourced<int>(c, "/cpu", "packages");
  m.cpu.cores = r.sourced<int>(c, "/cpu", "cores");
  m.cpu.logical_cpus = r.sourced<int>(c, "/cpu", "logical_cpus");
  m.cpu.simd = r.sourced<SimdLevel>(c, "/cpu", "simd");
  m.cpu.l1d_bytes = r.sourced<double>(c, "/cpu", "l1d_bytes");
  m.cpu.l2_bytes = r.sourced<double>(c, "/cpu", "l2_bytes");
  m.cpu.l3_bytes = r.sourced<double>(c, "/cpu", "l3_bytes");
  m.cpu.ram_total_bytes = r.sourced<double>(c, "/cpu", "ram_total_bytes");
  m.cpu.ram_available_bytes = r.sourced<double>(c, "/cpu", "ram_available_bytes");
  const auto& nodes = r.member(c, "/cpu", "numa_node_bytes");
  if (!nodes.is_array()) r.fail("/cpu/numa_node_bytes", "expected an array");
  for (std::size_t i = 0; i < nodes.size(); ++i)
    m.cpu.numa_node_bytes.push_back(r.num(nodes[i], "/cpu/numa_node_bytes/" + std::to_string(i)));
  const auto& devices = r.member(j, "", "devices");
  if (!devices.is_array() || devices.empty()) r.fail("/devices", "expected a non-empty array");
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const std::string p = "/devices/" + std::to_string(i);
    const auto& dj = devices[i];
    Device d;
    const std::string kind = r.str(dj, p, "kind");
    if (kind != "cpu" && kind != "gpu") r.fail(p + "/kind", "expected \"cpu\" or \"gpu\"");
    d.kind = kind == "cpu" ? DeviceKind::cpu : DeviceKind::gpu;
    d.name = r.str(dj, p, "name");
    d.backend = parse_backend(r.str(dj, p, "backend"), where + ": " + p + "/backend");
    d.memory_bytes = r.sourced<double>(dj, p, "memory_bytes");
    d.read_gbps = r.sourced<double>(dj, p, "read_gbps");
    d.compute_gflops = r.sourced<double>(dj, p, "compute_gflops");
    d.power_w = r.sourced<double>(dj, p, "power_w");
    d.layer_overhead_s = r.sourced<double>(dj, p, "layer_overhead_s");
    d.unified_memory = dj.value("unified_memory", false);
    d.software = dj.value("software", false);
    d.cpu_repack = r.repack_level(dj, p);
    d.pci_vendor_id = dj.value("pci_vendor_id", 0);
    d.pci_device_id = dj.value("pci_device_id", 0);
    d.details = dj.value("details", "");
    d.arch = dj.value("arch", "");
    if (!d.memory_bytes.known()) r.fail(p, "a device needs memory_bytes");
    if (d.read_gbps.known() && !(d.read_gbps.value > 0)) r.fail(p + "/read_gbps", "must be > 0");
    m.devices.push_back(d);
  }
  m.price_usd = r.sourced<double>(j, "", "price_usd");
  if (auto it = j.find("notes"); it != j.end() && it->is_array())
    for (const auto& n : *it)
      if (n.is_string()) m.notes.push_back(n);
  return m;
}

Machine load_machine(const std::string& path) {
  const std::string text = read_input_file(path, "--machine", kMaxInputFileBytes);
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '<') {
    Machine m = machine_from_hwloc_xml(text, "--machine " + path);
    m.name = path;
    return m;
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError("--machine " + path + ": neither hwloc XML nor valid JSON (byte " +
                     std::to_string(e.byte) + ")");
  } catch (const nlohmann::json::exception&) {  // out_of_range 406: a number beyond a double, like 1e400
    throw InputError("--machine " + path + ": a number in the file is too large for a double");
  }
  Machine m;
  try {
    m = machine_from_json(j, path);
  } catch (const nlohmann::json::exception& e) {
    // A field of the wrong type or out of range (a string for a number, 1e400): bad input.
    throw InputError("--machine " + path + ": a field has the wrong type or is out of range: " + e.what());
  }
  m.notes.push_back("replayed from " + path);
  return m;
}

void save_machine(const Machine& m, const std::string& path) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError("probe --save " + path + ": cannot write " + tmp);
    out << to_json(m).dump(2) << '\n';
    if (!out.flush()) throw InputError("probe --save " + path + ": write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw InputError("probe --save " + path + ": cannot rename " + tmp);
  }
}

}  // namespace benchr
