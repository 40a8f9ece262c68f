#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <time.h>
#include <vector>
#include <sstream>

#include "estimator.hpp"
#include "probe.hpp"

namespace benchr {
namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::optional<double> meminfo_kb(std::string_view text, std::string_view key) {
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ':')
      continue;
    std::string_view rest = line.substr(key.size() + 1);
    const std::size_t digits = rest.find_first_of("0123456789");
    if (digits == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(digits);
    unsigned long long kb = 0;
    if (std::from_chars(rest.data(), rest.data() + rest.size(), kb).ec != std::errc{})
      return std::nullopt;
    return double(kb) * 1024;
  }
  return std::nullopt;
}

bool has_word(std::string_view flags, std::string_view word) {
  for (std::size_t pos = 0; (pos = flags.find(word, pos)) != std::string_view::npos; ++pos) {
    const bool left = pos == 0 || flags[pos - 1] == ' ' || flags[pos - 1] == '\t';
    const std::size_t after = pos + word.size();
    const bool right = after == flags.size() || flags[after] == ' ' || flags[after] == '\n';
    if (left && right) return true;
  }
  return false;
}

/// The memory limit of this process's cgroup and its ancestors (v2 unified or v1 memory
/// controller), with the file it came from.
std::optional<std::pair<double, std::string>> cgroup_memory_limit() {
  const auto self = read_file("/proc/self/cgroup");
  if (!self) return std::nullopt;
  std::optional<std::pair<double, std::string>> best;
  std::istringstream lines(*self);
  for (std::string line; std::getline(lines, line);) {
    // "0::/path" (v2) or "4:memory:/path" (v1)
    const auto first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    std::string root, file;
    if (controllers.empty()) root = "/sys/fs/cgroup", file = "memory.max";
    else if (controllers == "memory") root = "/sys/fs/cgroup/memory", file = "memory.limit_in_bytes";
    else continue;
    for (;;) {
      const std::string f = root + (path == "/" ? "" : path) + "/" + file;
      if (const auto text = read_file(f))
        if (const auto limit = parse_cgroup_limit(*text))
          if (!best || *limit < best->first) best = {{*limit, f}};
      if (path.empty() || path == "/") break;
      const auto slash = path.rfind('/');
      path = slash == 0 ? "/" : path.substr(0, slash);
    }
  }
  return best;
}

}  // namespace

MemInfo parse_meminfo(std::string_view text) {
  return {meminfo_kb(text, "MemTotal"), meminfo_kb(text, "MemAvailable")};
}

std::optional<double> parse_cgroup_limit(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  if (text == "max" || text.empty()) return std::nullopt;
  unsigned long long v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc{} || r.ptr != text.data() + text.size()) return std::nullopt;
  // v1 writes "no limit" as the largest page-aligned long (9223372036854771712).
  if (v >= (1ULL << 60)) return std::nullopt;
  return double(v);
}

void parse_proc_stat(std::string_view text, CpuLoadSample& s) {
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    auto numbers = [](std::string_view rest) {
      std::vector<double> out;
      for (;;) {
        const std::size_t d = rest.find_first_of("0123456789");
        if (d == std::string_view::npos) return out;
        rest.remove_prefix(d);
        unsigned long long v = 0;
        const auto r = std::from_chars(rest.data(), rest.data() + rest.size(), v);
        if (r.ec != std::errc{}) return out;
        out.push_back(double(v));
        rest.remove_prefix(std::size_t(r.ptr - rest.data()));
      }
    };
    if (line.rfind("cpu ", 0) == 0) {
      // user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is already
      // counted in user and nice (proc(5)), so the sum stops at steal.
      const std::vector<double> v = numbers(line.substr(4));
      if (v.size() >= 8) {
        s.steal_ticks = v[7];
        s.all_ticks = std::accumulate(v.begin(), v.begin() + 8, 0.0);
      }
    } else if (line.rfind("procs_running ", 0) == 0) {
      const std::vector<double> v = numbers(line.substr(14));
      if (!v.empty()) s.procs_running = int(std::min(v[0], 1e6));
    }
  }
}

void parse_cpu_pressure(std::string_view text, CpuLoadSample& s) {
  if (text.rfind("some ", 0) != 0) return;
  const std::string_view line = text.substr(0, text.find('\n'));
  auto field = [&](std::string_view key) -> std::optional<double> {
    const std::size_t at = line.find(key);
    if (at == std::string_view::npos) return std::nullopt;
    double v = 0;
    const char* p = line.data() + at + key.size();
    const auto r = std::from_chars(p, line.data() + line.size(), v);
    if (r.ec != std::errc{} || !std::isfinite(v) || v < 0) return std::nullopt;
    return v;
  };
  s.pressure_some_avg10 = field(" avg10=");
  s.pressure_some_us = field(" total=");
}

CpuLoadSample sample_cpu_load() {
  CpuLoadSample s;
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  s.wall_s = double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
  if (const auto text = read_file("/proc/stat")) parse_proc_stat(*text, s);
  if (const auto text = read_file("/proc/pressure/cpu")) parse_cpu_pressure(*text, s);
  cpu_set_t set;
  s.cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
  return s;
}

CpuContention contention_between(const CpuLoadSample& before, const CpuLoadSample& after) {
  CpuContention c;
  if (before.steal_ticks && after.steal_ticks && before.all_ticks && after.all_ticks &&
      *after.all_ticks > *before.all_ticks && *after.steal_ticks >= *before.steal_ticks)
    c.steal_share = (*after.steal_ticks - *before.steal_ticks) / (*after.all_ticks - *before.all_ticks);
  const double wall = after.wall_s - before.wall_s;
  if (before.pressure_some_us && after.pressure_some_us && wall > 0 && *after.pressure_some_us >= *before.pressure_some_us)
    c.pressure_share = std::min(1.0, (*after.pressure_some_us - *before.pressure_some_us) * 1e-6 / wall);
  // procs_running counts the sampling thread itself; the measuring threads were not yet running.
  if (before.procs_running && before.cpus > 0)
    c.busy_per_cpu = std::max(0, *before.procs_running - 1) / double(before.cpus);
  return c;
}

SimdLevel simd_from_cpu_flags(std::string_view flags) {
  if (has_word(flags, "avx512f") && has_word(flags, "avx512bw")) return SimdLevel::avx512;
  if (has_word(flags, "avx2") && has_word(flags, "fma")) return SimdLevel::avx2;
  if (has_word(flags, "asimd") || has_word(flags, "neon")) return SimdLevel::neon;
  return SimdLevel::none;
}

GpuScan scan_gpus() {
  GpuScan scan;
  scan.vulkan = probe_vulkan(scan.notes);
  // No Vulkan driver for a GPU (a headless server with only CUDA, a discrete card beside an iGPU
  // that has one): the PCI bus still shows it, and its ids find it in the catalog. The bus is
  // scanned (~6 ms) unless Vulkan already shows a discrete GPU.
  std::vector<Device> shown;
  for (const GpuInfo& g : scan.vulkan) shown.push_back(gpu_device(g));
  const bool vulkan_discrete = std::any_of(shown.begin(), shown.end(), [](const Device& d) {
    return d.kind == DeviceKind::gpu && !d.software && !d.unified_memory;
  });
  if (!vulkan_discrete) scan.pci_only = pci_gpus_not_in(shown, pci_gpus_from_hwloc(std::nullopt));
  return scan;
}

Machine probe_live() { return probe_live(scan_gpus()); }

Machine probe_live(const GpuScan& gpus) {
  Machine m;
  m.name = "this machine";
  m.cpu = topology_from_hwloc(std::nullopt, m.notes);

  if (const auto cpuinfo = read_file("/proc/cpuinfo")) {
    std::istringstream lines(*cpuinfo);
    for (std::string line; std::getline(lines, line);) {
      const bool x86 = line.rfind("flags", 0) == 0, arm = line.rfind("Features", 0) == 0;
      if ((x86 || arm) && line.find(':') != std::string::npos) {
        m.cpu.simd = {simd_from_cpu_flags(line.substr(line.find(':') + 1)), "/proc/cpuinfo flags"};
        break;
      }
    }
    if (m.cpu.model.empty()) {
      std::istringstream again(*cpuinfo);
      for (std::string line; std::getline(again, line);)
        if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
          m.cpu.model = line.substr(line.find(':') + 2);
          break;
        }
    }
  }
  // A degraded topology (hwloc failed, or found PUs but no cores): the scheduler still knows the
  // CPUs this process may run on.
  if (m.cpu.logical_cpus.value <= 0) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
      m.cpu.logical_cpus = {CPU_COUNT(&set), "sched_getaffinity"};
  }
  if (m.cpu.cores.value <= 0 && m.cpu.logical_cpus.value > 0) {
    m.cpu.cores = {m.cpu.logical_cpus.value, "assumed one logical CPU per core (hwloc found no cores)"};
    m.notes.push_back("hwloc found no cores: assuming one per logical CPU");
  }
  if (!m.cpu.simd.known()) {
    m.cpu.simd = {SimdLevel::unknown, "/proc/cpuinfo unreadable"};
    m.notes.push_back("CPU flags unreadable: SIMD level unknown");
  }

  // hwloc reads NUMA memory from sysfs, which on some VMs (this project's dev machines) shows a
  // fraction of RAM: 4.4 GB of 23.5 GiB. /proc/meminfo is what the kernel lets processes use.
  const double hwloc_numa = m.cpu.ram_total_bytes.value;
  if (const auto text = read_file("/proc/meminfo")) {
    const MemInfo mi = parse_meminfo(*text);
    if (mi.total_bytes) {
      m.cpu.ram_total_bytes = {*mi.total_bytes, "/proc/meminfo MemTotal"};
      // Planned at the total less what the OS and a desktop keep, not at what is free this
      // moment: the same machine gives the same answer whatever else runs (issue #21).
      m.cpu.ram_available_bytes = {plannable_ram_bytes(*mi.total_bytes),
                                   "/proc/meminfo MemTotal less " + std::to_string(std::lround(kOsMemoryReserveBytes / kGiB)) +
                                       " GiB kept for the OS and a desktop"};
    }
    if (mi.available_bytes) m.cpu.ram_free_now_bytes = {*mi.available_bytes, "/proc/meminfo MemAvailable"};
    if (mi.total_bytes && hwloc_numa > 0 && std::abs(hwloc_numa - *mi.total_bytes) > 0.05 * *mi.total_bytes) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "hwloc NUMA nodes report %.1f GiB but /proc/meminfo %.1f GiB: using /proc/meminfo",
                    hwloc_numa / kGiB, *mi.total_bytes / kGiB);
      m.notes.push_back(buf);
    }
  } else {
    m.notes.push_back("/proc/meminfo unreadable: RAM from hwloc NUMA nodes");
  }
  if (const auto limit = cgroup_memory_limit()) {
    if (limit->first < m.cpu.ram_available_bytes.value || !m.cpu.ram_available_bytes.known())
      m.cpu.ram_available_bytes = {limit->first, "cgroup limit " + limit->second};
  }
  if (m.cpu.ram_free_now_bytes.known() && m.cpu.ram_free_now_bytes.value < m.cpu.ram_available_bytes.value) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "only %.1f GiB of RAM is free right now (MemAvailable); the advice plans for %.1f GiB: "
                  "close other programs before loading a model that needs more",
                  m.cpu.ram_free_now_bytes.value / kGiB, m.cpu.ram_available_bytes.value / kGiB);
    m.notes.push_back(buf);
  }
  m.devices.push_back(host_device(m.cpu));
  m.notes.insert(m.notes.end(), gpus.notes.begin(), gpus.notes.end());
  for (const GpuInfo& g : gpus.vulkan) m.devices.push_back(gpu_device(g));
  for (const PciGpu& g : gpus.pci_only) m.devices.push_back(pci_gpu_device(g));
  if (!gpus.pci_only.empty())
    m.notes.push_back(std::to_string(gpus.pci_only.size()) +
                      " GPU(s) on the PCI bus (hwloc) that Vulkan does not show: memory and rates from the catalog");
  return m;
}

std::vector<PciGpu> pci_gpus_not_in(const std::vector<Device>& devices, const std::vector<PciGpu>& pci) {
  std::vector<PciGpu> out;
  for (const PciGpu& g : pci)
    if (std::none_of(devices.begin(), devices.end(), [&](const Device& d) {
          return d.kind == DeviceKind::gpu && d.pci_vendor_id == int(g.vendor_id) && d.pci_device_id == int(g.device_id);
        }))
      out.push_back(g);
  return out;
}

Device pci_gpu_device(const PciGpu& g) {
  Device d;
  d.kind = DeviceKind::gpu;
  d.name = g.name;
  d.backend = g.vendor_id == 0x10de ? Backend::cuda : g.vendor_id == 0x1002 ? Backend::rocm : Backend::vulkan;
  d.pci_vendor_id = int(g.vendor_id);
  d.pci_device_id = int(g.device_id);
  char ids[48];
  std::snprintf(ids, sizeof ids, "PCI %04x:%04x (hwloc)", g.vendor_id, g.device_id);
  d.details = ids;
  return d;
}

Device gpu_device(const GpuInfo& g) {
  Device d;
  d.kind = DeviceKind::gpu;
  d.name = g.name;
  d.backend = Backend::vulkan;
  d.software = g.kind == GpuKind::cpu;
  d.unified_memory = g.unified_memory;
  d.pci_vendor_id = int(g.vendor_id);
  d.pci_device_id = int(g.device_id);
  if (g.has_budget && g.budget_bytes > 0)
    d.memory_bytes = {g.budget_bytes - g.usage_bytes, "Vulkan memory budget (VK_EXT_memory_budget) less usage"};
  else
    d.memory_bytes = {g.device_local_bytes, "Vulkan device-local heaps"};
  char ids[32];
  std::snprintf(ids, sizeof ids, "%04x:%04x", g.vendor_id, g.device_id);
  d.details = std::string(to_string(g.kind)) + " GPU " + ids + ", Vulkan " + g.api_version + ", driver " +
              (g.driver_name.empty() ? g.driver_version : g.driver_name) + ", subgroup " +
              std::to_string(g.subgroup_size) + (g.fp16 ? ", fp16" : "") + (g.int8_dot ? ", int8 dot" : "") +
              (d.software ? "; a software device: never a place for a model" : "");
  return d;
}

Machine machine_from_hwloc_xml(const std::string& text, const std::string& path) {
  check_hwloc_xml(text, path);
  // libhwloc reads the untrusted text in a child process; this one loads only hwloc's export of it.
  const std::string xml = hwloc_reexport(text, path);
  Machine m;
  m.name = path;
  m.cpu = topology_from_hwloc(xml, m.notes);
  m.notes.push_back("replayed from hwloc XML: RAM available taken as the NUMA total");
  m.devices.push_back(host_device(m.cpu));
  for (const PciGpu& g : pci_gpus_from_hwloc(xml)) m.devices.push_back(pci_gpu_device(g));
  return m;
}

}  // namespace benchr
