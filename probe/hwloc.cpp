#include <hwloc.h>

#include <cstdio>
#include <memory>

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

CpuInfo topology_from_hwloc(const std::optional<std::string>& xml_path,
                            std::vector<std::string>& notes) {
  CpuInfo cpu;
  hwloc_topology_t raw = nullptr;
  if (hwloc_topology_init(&raw) != 0) {
    notes.push_back("hwloc could not initialise: no topology, figures from /proc only");
    return cpu;
  }
  Topology topo(raw);
  const std::string source = xml_path ? "hwloc XML" : "hwloc";
  if (xml_path && hwloc_topology_set_xml(raw, xml_path->c_str()) != 0)
    throw InputError(*xml_path + ": not an hwloc XML topology hwloc can read");
  if (hwloc_topology_load(raw) != 0) {
    if (xml_path) throw InputError(*xml_path + ": hwloc failed to load this XML topology");
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
  if (xml_path) {
    // A recording has no CPU flags; the architecture decides the assumed SIMD level.
    const char* arch = hwloc_obj_get_info_by_name(hwloc_get_root_obj(raw), "Architecture");
    const std::string a = arch ? arch : "";
    if (a == "x86_64") cpu.simd = {SimdLevel::avx2, "assumed for x86_64 (no CPU flags in hwloc XML)"};
    else if (a == "aarch64") cpu.simd = {SimdLevel::neon, "assumed for aarch64 (no CPU flags in hwloc XML)"};
    else cpu.simd = {SimdLevel::unknown, "hwloc XML has no CPU flags"};
  }
  return cpu;
}

std::vector<PciGpu> pci_gpus_from_hwloc(const std::optional<std::string>& xml_path) {
  std::vector<PciGpu> gpus;
  hwloc_topology_t raw = nullptr;
  if (hwloc_topology_init(&raw) != 0) return gpus;
  Topology topo(raw);
  // PCI devices and their OS devices (NVML and RSMI name the GPU model), the important ones.
  hwloc_topology_set_io_types_filter(raw, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
  if ((xml_path && hwloc_topology_set_xml(raw, xml_path->c_str()) != 0) || hwloc_topology_load(raw) != 0) return gpus;
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

}  // namespace benchr
