#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cctype>
#include <cstdlib>
#include <vector>
#include <hwloc.h>

#include <cstdio>
#include <memory>
#include <string_view>

#include "probe.hpp"

namespace benchr {
namespace {

struct TopologyDeleter {
  void operator()(hwloc_topology* t) const { hwloc_topology_destroy(t); }
};
using Topology = std::unique_ptr<hwloc_topology, TopologyDeleter>;

/// Objects of `type` this process may use: their CPUs intersect the allowed cpuset (a cgroup
/// cpuset or a recorded restriction), not every object the machine has.
int count_allowed(hwloc_topology_t t, hwloc_obj_type_t type) {
  hwloc_const_cpuset_t allowed = hwloc_topology_get_allowed_cpuset(t);
  int n = 0;
  for (hwloc_obj_t o = nullptr; (o = hwloc_get_next_obj_by_type(t, type, o));)
    if (o->cpuset && hwloc_bitmap_intersects(o->cpuset, allowed)) ++n;
  return n;
}

Sourced<double> cache_size(hwloc_topology_t t, hwloc_obj_type_t type, const char* source) {
  hwloc_obj_t o = hwloc_get_obj_by_type(t, type, 0);
  if (!o || !o->attr) return {};
  return {double(o->attr->cache.size), source};
}

}  // namespace

CpuInfo topology_from_hwloc(const std::optional<std::string>& xml, std::vector<std::string>& notes) {
  CpuInfo cpu;
  hwloc_topology_t raw = nullptr;
  if (hwloc_topology_init(&raw) != 0) {
    notes.push_back("hwloc could not initialise: no topology, figures from /proc only");
    return cpu;
  }
  Topology topo(raw);
  const std::string source = xml ? "hwloc XML" : "hwloc";
  if (xml && hwloc_topology_set_xmlbuffer(raw, xml->c_str(), int(xml->size() + 1)) != 0)
    throw InputError("hwloc cannot read its own export of this topology");
  if (hwloc_topology_load(raw) != 0) {
    if (xml) throw InputError("hwloc cannot load its own export of this topology");
    notes.push_back("hwloc failed to load the topology: figures from /proc only");
    return cpu;
  }

  if (hwloc_obj_t pkg = hwloc_get_obj_by_type(raw, HWLOC_OBJ_PACKAGE, 0))
    if (const char* model = hwloc_obj_get_info_by_name(pkg, "CPUModel")) cpu.model = model;
  cpu.packages = {count_allowed(raw, HWLOC_OBJ_PACKAGE), source};
  cpu.cores = {count_allowed(raw, HWLOC_OBJ_CORE), source};
  cpu.logical_cpus = {count_allowed(raw, HWLOC_OBJ_PU), source};
  cpu.l1d_bytes = cache_size(raw, HWLOC_OBJ_L1CACHE, source.c_str());
  cpu.l2_bytes = cache_size(raw, HWLOC_OBJ_L2CACHE, source.c_str());
  cpu.l3_bytes = cache_size(raw, HWLOC_OBJ_L3CACHE, source.c_str());

  double numa_total = 0;
  hwloc_const_nodeset_t allowed_nodes = hwloc_topology_get_allowed_nodeset(raw);
  for (hwloc_obj_t node = nullptr; (node = hwloc_get_next_obj_by_type(raw, HWLOC_OBJ_NUMANODE, node));) {
    // Memory a process may use: an allowed node, near allowed CPUs (or a CPU-less memory node).
    const bool near = !node->cpuset || hwloc_bitmap_iszero(node->cpuset) ||
                      hwloc_bitmap_intersects(node->cpuset, hwloc_topology_get_allowed_cpuset(raw));
    if (!hwloc_bitmap_isset(allowed_nodes, node->os_index) || !near) continue;
    const double bytes = node->attr ? double(node->attr->numanode.local_memory) : 0;
    cpu.numa_node_bytes.push_back(bytes);
    numa_total += bytes;
  }
  if (numa_total > 0) {
    cpu.ram_total_bytes = {numa_total, source + " NUMA nodes"};
    cpu.ram_available_bytes = {numa_total, source + " NUMA nodes (total; availability unknown)"};
  }
  if (xml) {
    // A recording has no CPU flags; the architecture decides the assumed SIMD level.
    const char* arch = hwloc_obj_get_info_by_name(hwloc_get_root_obj(raw), "Architecture");
    const std::string a = arch ? arch : "";
    if (a == "x86_64") cpu.simd = {SimdLevel::avx2, "assumed for x86_64 (no CPU flags in hwloc XML)"};
    else if (a == "aarch64") cpu.simd = {SimdLevel::neon, "assumed for aarch64 (no CPU flags in hwloc XML)"};
    else cpu.simd = {SimdLevel::unknown, "hwloc XML has no CPU flags"};
  }
  return cpu;
}

std::vector<PciGpu> pci_gpus_from_hwloc(const std::optional<std::string>& xml) {
  std::vector<PciGpu> gpus;
  hwloc_topology_t raw = nullptr;
  if (hwloc_topology_init(&raw) != 0) return gpus;
  Topology topo(raw);
  // PCI devices and their OS devices (NVML and RSMI name the GPU model), the important ones.
  hwloc_topology_set_io_types_filter(raw, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
  if ((xml && hwloc_topology_set_xmlbuffer(raw, xml->c_str(), int(xml->size() + 1)) != 0) ||
      hwloc_topology_load(raw) != 0)
    return gpus;
  for (hwloc_obj_t o = nullptr; (o = hwloc_get_next_pcidev(raw, o));) {
    // Display (0x0300) and 3D (0x0302) controllers of the GPU vendors: not a server's BMC display.
    const auto& pci = o->attr->pcidev;
    const bool gpu_vendor = pci.vendor_id == 0x10de || pci.vendor_id == 0x1002 || pci.vendor_id == 0x8086;
    if ((pci.class_id >> 8) != 0x03 || !gpu_vendor) continue;
    PciGpu g{pci.vendor_id, pci.device_id, {}};
    for (hwloc_obj_t c = o->io_first_child; c && g.name.empty(); c = c->next_sibling)
      if (const char* model = hwloc_obj_get_info_by_name(c, "GPUModel")) g.name = model;
    if (const char* name = hwloc_obj_get_info_by_name(o, "PCIDevice"); g.name.empty() && name) g.name = name;
    if (g.name.empty()) {
      char ids[32];
      std::snprintf(ids, sizeof ids, "PCI GPU %04x:%04x", pci.vendor_id, pci.device_id);
      g.name = ids;
    }
    gpus.push_back(g);
  }
  return gpus;
}

namespace {

bool name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }
bool name_char(char c) {
  return name_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.';
}

// An hwloc distances matrix holds nbobjs^2 values: no machine has more objects than this.
constexpr long kMaxDistanceObjects = 65536;
// Linux's NR_CPUS is at most 8192 (x86 MAXSMP); 2^20 leaves room for any machine to come.
constexpr long kMaxOsIndex = 1 << 20;

// Whether hwloc reads an object's `type` value as `type_name`: hwloc_type_sscanf (hwloc 2.9,
// hwloc/traversal.c, hwloc__type_match) takes any case-insensitive prefix of at least `least`
// letters, ended by the value's end or by a character that is neither a letter nor '-':
// "NUMANo_oeds" is a NUMANode to it (the hwloc_xml fuzz target's slow unit, 2026-12-06).
bool hwloc_reads_type_as(const std::string& value, std::string_view type_name, std::size_t least) {
  for (std::size_t i = 0;; ++i) {
    if (i == value.size()) return i >= least;
    const char c = value[i];
    if (i < type_name.size() && std::tolower(static_cast<unsigned char>(c)) == type_name[i]) continue;
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '-') return false;
    return i >= least;
  }
}

// The object types that own a bit of a cpuset or nodeset by their os_index, as hwloc reads them.
std::string numbered_type(const std::string& value) {
  if (hwloc_reads_type_as(value, "osdev", 2)) return "";  // hwloc matches OS devices first
  if (hwloc_reads_type_as(value, "numanode", 2) || hwloc_reads_type_as(value, "node", 2)) return "NUMANode";
  if (hwloc_reads_type_as(value, "pu", 2)) return "PU";
  return "";
}

}  // namespace

void check_hwloc_xml(const std::string& text, const std::string& path) {
  std::size_t i = 0, line = 1, line_start = 0;
  auto fail = [&](std::size_t at, const std::string& what) {
    for (std::size_t k = line_start; k < at && k < text.size(); ++k)
      if (text[k] == '\n') ++line, line_start = k + 1;
    throw InputError(path + ":" + std::to_string(line) + ":" + std::to_string(at - line_start + 1) +
                     ": not an hwloc XML topology: " + what);
  };
  std::vector<std::string> open;
  while (true) {
    const std::size_t lt = text.find('<', i);
    if (lt == std::string::npos) break;
    if (open.empty())  // text is content inside an element (hwloc's index and value lists), never outside
      for (std::size_t k = i; k < lt; ++k)
        if (!std::isspace(static_cast<unsigned char>(text[k]))) fail(k, "text outside the topology's elements");
    i = lt + 1;
    if (i >= text.size()) fail(lt, "a tag cut short");
    if (text[i] == '?' || text[i] == '!') {  // <?xml ...?>, <!DOCTYPE ...>
      const std::size_t gt = text.find('>', i);
      if (gt == std::string::npos) fail(lt, "a declaration without its '>'");
      i = gt + 1;
      continue;
    }
    const bool closing = text[i] == '/';
    if (closing) ++i;
    const std::size_t name_at = i;
    if (i >= text.size() || !name_start(text[i])) fail(i, "a tag without a name");
    while (i < text.size() && name_char(text[i])) ++i;
    const std::string name = text.substr(name_at, i - name_at);
    if (closing) {
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      if (i >= text.size() || text[i] != '>') fail(i, "'>' expected after </" + name);
      if (open.empty() || open.back() != name) fail(name_at, "</" + name + "> closes no open <" + name + ">");
      open.pop_back();
      ++i;
      continue;
    }
    // Attributes: white space, name="value", ... then '>' or '/>'.
    std::string type;                  // an <object>'s type
    bool has_os_index = false;
    auto object_done = [&] {
      // A PU or NUMA node without os_index is CPU (node) 2^32-1 to hwloc: cpusets of 512 MiB,
      // which ran a child past its time limit (the fuzz target, a corrupted attribute name).
      const std::string numbered = name == "object" ? numbered_type(type) : "";
      if (!numbered.empty() && !has_os_index)
        fail(name_at, "a " + numbered + " object" + (type == numbered ? "" : " (type \"" + type + "\")") +
                          " without os_index");
    };
    while (true) {
      const std::size_t before = i;
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      if (i >= text.size()) fail(before, "a tag cut short");
      if (text[i] == '>') {
        object_done();
        open.push_back(name);
        ++i;
        break;
      }
      if (text[i] == '/') {
        if (i + 1 >= text.size() || text[i + 1] != '>') fail(i, "'/>' expected");
        object_done();
        i += 2;
        break;
      }
      if (i == before) fail(i, "white space expected between attributes");
      const std::size_t attr_at = i;
      if (!name_start(text[i])) fail(i, "an attribute name expected");
      while (i < text.size() && name_char(text[i])) ++i;
      const std::string attr = text.substr(attr_at, i - attr_at);
      if (i + 1 >= text.size() || text[i] != '=' || text[i + 1] != '"') fail(i, "=\"value\" expected after " + attr);
      const std::size_t value_at = i + 2, end = text.find('"', value_at);
      if (end == std::string::npos) fail(value_at, "an unterminated value of " + attr);
      const std::string value = text.substr(value_at, end - value_at);
      if (value.find('<') != std::string::npos) fail(value_at, "'<' inside the value of " + attr);
      if (attr == "type") type = value;
      if (attr == "os_index") {
        // The CPU or node number: Linux numbers at most 8192 CPUs (NR_CPUS), hwloc's cpusets hold
        // it as a bit, so a number past kMaxOsIndex is a bitmap of hundreds of MiB, not a machine.
        has_os_index = true;
        char* stop = nullptr;
        errno = 0;
        const long n = std::strtol(value.c_str(), &stop, 10);
        if (value.empty() || *stop != '\0' || errno != 0 || n < 0 || n > kMaxOsIndex)
          fail(value_at, "os_index=\"" + value + "\" is not a CPU or node number (0.." + std::to_string(kMaxOsIndex) + ")");
      }
      // Counts hwloc allocates for: a distances matrix's objects, an index or value list's length.
      // A matrix of nbobjs^2 values (a list of `length`) is written out in the file, at least two
      // bytes a value ("0 "): a count the file is too short to hold is refused before hwloc
      // allocates for it (nbobjs="65536" asked hwloc for 32 GiB: the fuzz target's child hit
      // libFuzzer's 256 MiB allocation limit with it).
      if (attr == "nbobjs" || attr == "length") {
        const long fits = long(text.size() / 2);
        const long side = long(std::sqrt(double(fits)));
        const long most = attr == "nbobjs" ? std::min(kMaxDistanceObjects, side)
                                           : std::min(kMaxDistanceObjects * kMaxDistanceObjects, fits);
        char* stop = nullptr;
        errno = 0;
        const long n = std::strtol(value.c_str(), &stop, 10);
        if (value.empty() || *stop != '\0' || errno != 0 || n < 0 || n > most)
          fail(value_at, attr + "=\"" + value + "\" is not a count hwloc can hold (0.." + std::to_string(most) + ")");
      }
      i = end + 1;
    }
  }
  if (!open.empty()) fail(text.size(), "<" + open.back() + "> is never closed");
}

}  // namespace benchr
