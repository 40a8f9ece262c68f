// The probe adapter: what the hardware is, from the live machine or from a recording of one.
// Detection never prints: what could not be found becomes a note in Machine::notes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "types.hpp"

namespace benchr {

struct GpuScan;

/// This machine: hwloc topology, /proc/meminfo and the cgroup memory limit for usable RAM,
/// /proc/cpuinfo for the SIMD level, and its GPUs (scan_gpus). Never throws: what fails is a note
/// and an unknown figure.
Machine probe_live();
/// The same with the GPUs of an earlier scan of this machine (a cache of it, app/device_cache.cpp),
/// so the Vulkan driver is not loaded.
Machine probe_live(const GpuScan& gpus);

enum class GpuKind { discrete, integrated, virtual_gpu, cpu, other };
std::string_view to_string(GpuKind);

/// One Vulkan physical device, as its driver describes it (probe/vulkan_loader.cpp's describe(),
/// for the probe and the Vulkan kernels alike).
struct GpuInfo {
  std::string name, driver_name, driver_version, api_version;
  uint32_t vendor_id = 0, device_id = 0;   ///< PCI ids
  GpuKind kind = GpuKind::other;           ///< cpu: a software device (Mesa's lavapipe)
  double device_local_bytes = 0;           ///< sum of the device-local heaps
  bool has_budget = false;                 ///< VK_EXT_memory_budget
  double budget_bytes = 0, usage_bytes = 0;
  bool unified_memory = false;             ///< allocates from the host's RAM
  uint32_t subgroup_size = 0;
  bool fp16 = false, int8_dot = false;
  double max_allocation_bytes = 0;        ///< maxMemoryAllocationSize (Vulkan 1.1)
  double max_storage_range_bytes = 0;     ///< maxStorageBufferRange: the most one shader binding sees
  bool compute_queue = false;             ///< has a queue family with compute
  uint32_t timestamp_bits = 0;            ///< of that queue; 0: no GPU timestamps there
};

/// Every Vulkan device, through the loader opened at run time. No loader, no driver or no
/// device is not an error: an empty list and a note.
std::vector<GpuInfo> probe_vulkan(std::vector<std::string>& notes);

/// A probed GPU as a Device: memory from the budget (else the device-local heaps), no bandwidth
/// until it is matched to a catalog entry or measured; software devices are marked.
Device gpu_device(const GpuInfo& g);

/// A GPU on the PCI bus as hwloc sees it (a display or 3D controller of NVIDIA, AMD or Intel):
/// what a machine without a Vulkan driver for it, or a recorded topology, still tells.
struct PciGpu {
  uint32_t vendor_id = 0, device_id = 0;
  std::string name;  ///< the model its vendor library reported (NVML, RSMI), else pci.ids' name
};

/// This machine's GPUs: every Vulkan device (probe_vulkan: the driver is loaded, ~40 ms of CPU
/// and ~50 MiB here, lavapipe), and the GPUs on the PCI bus that Vulkan does not show (scanned by
/// hwloc, ~6 ms, unless Vulkan shows a discrete GPU); with the notes of the search.
struct GpuScan {
  std::vector<GpuInfo> vulkan;
  std::vector<PciGpu> pci_only;
  std::vector<std::string> notes;
};
GpuScan scan_gpus();

/// What a scan of this machine's GPUs depends on, read without loading a driver (0.24 ms here): the
/// PCI vendor:device ids and addresses of the display and 3D controllers under
/// /sys/bus/pci/devices, the CPU model (/proc/cpuinfo), the RAM total (/proc/meminfo), and the
/// Vulkan drivers installed (the ICD manifests' names, sizes and times; the VK_ICD_FILENAMES,
/// VK_DRIVER_FILES and VK_ADD_DRIVER_FILES variables). Equal fingerprints: the same scan.
std::string gpu_fingerprint();

/// A PCI GPU as a Device: ids and name only; the catalog entry its ids match gives memory and
/// rates (with_catalog_gpus), the backend is its vendor's (CUDA, ROCm, else Vulkan).
Device pci_gpu_device(const PciGpu& g);

/// The GPUs of `pci` that no device of `devices` is (by PCI vendor and device id): the ones
/// Vulkan does not show, for want of a driver.
std::vector<PciGpu> pci_gpus_not_in(const std::vector<Device>& devices, const std::vector<PciGpu>& pci);

/// A machine recorded as an hwloc XML export (`lstopo --of xml`), given as the file's `text`:
/// topology and NUMA memory as recorded; RAM availability and CPU flags are not in such a file and
/// are noted as assumptions. The text is checked (check_hwloc_xml), then read by libhwloc in a
/// child process (hwloc_reexport). Throws InputError naming `path` when hwloc cannot read it.
Machine machine_from_hwloc_xml(const std::string& text, const std::string& path);

/// Checks that `text` is XML hwloc's parser can take safely before it sees it: well-formed tags
/// and attributes (name="value", separated by white space), balanced elements, and counts in
/// range (a distances matrix's nbobjs). hwloc 2.9's own XML import crashes on a corrupted byte
/// between two attributes and allocates what nbobjs="-1" asks for. Throws InputError
/// "path:line:column: what".
void check_hwloc_xml(const std::string& text, const std::string& path);

/// What libhwloc understands of the untrusted XML `text`: its import runs in a child process
/// (at most 2 GiB more address space, 5 s of CPU, 10 s on the clock), which writes hwloc's own
/// XML export of the topology back through a pipe. A child that dies by a signal (libhwloc 2.9
/// crashes on some corrupted files) or passes a limit, or an XML hwloc refuses, throws InputError
/// "path: hwloc could not read this topology (why)"; the tool itself never runs hwloc on `text`.
std::string hwloc_reexport(const std::string& text, const std::string& path);

// ---- the pieces, exposed for tests ----------------------------------------------------------

/// CPU topology from hwloc: the live system when `xml` is empty, else that XML text, which must
/// be hwloc's own export (hwloc_reexport), never an untrusted file.
/// Throws InputError when the XML cannot be loaded; on the live system a failure is a note.
CpuInfo topology_from_hwloc(const std::optional<std::string>& xml, std::vector<std::string>& notes);

/// The GPUs on the PCI bus, from hwloc: the live system when `xml` is empty (a scan of the bus,
/// ~6 ms here, so only when Vulkan shows no discrete GPU), else that XML text (hwloc's own export,
/// hwloc_reexport). Empty when hwloc fails.
std::vector<PciGpu> pci_gpus_from_hwloc(const std::optional<std::string>& xml);

struct MemInfo {
  std::optional<double> total_bytes, available_bytes;
};
/// Parses /proc/meminfo text (MemTotal, MemAvailable in kB).
MemInfo parse_meminfo(std::string_view text);

/// Parses a cgroup memory limit file (v2 memory.max or v1 memory.limit_in_bytes): bytes, or
/// nullopt for "max" / a value so large it means unlimited.
std::optional<double> parse_cgroup_limit(std::string_view text);

/// What the CPUs are doing, from counters the kernel keeps since boot: sampled before and after a
/// measurement, the difference says how much of the machine something else had meanwhile.
struct CpuLoadSample {
  double wall_s = 0;                        ///< CLOCK_MONOTONIC when sampled
  std::optional<double> steal_ticks, all_ticks;  ///< /proc/stat "cpu" line: steal, and every column's sum
  std::optional<int> procs_running;         ///< /proc/stat: runnable tasks now, this one included
  std::optional<double> pressure_some_us;   ///< /proc/pressure/cpu "some total=": time any task waited for a CPU
  std::optional<double> pressure_some_avg10;  ///< its "avg10=": % of the last 10 s some task waited
  int cpus = 0;                             ///< CPUs this process may run on
};
/// Samples /proc/stat and /proc/pressure/cpu (absent before Linux 4.20 or with psi=0: nullopt).
CpuLoadSample sample_cpu_load();
/// Parses /proc/stat text into `s` (steal and all ticks of the "cpu" line, procs_running).
void parse_proc_stat(std::string_view text, CpuLoadSample& s);
/// Parses /proc/pressure/cpu text into `s`: its "some" line's total= (microseconds) and avg10=
/// (percent); a field absent or malformed stays nullopt.
void parse_cpu_pressure(std::string_view text, CpuLoadSample& s);

/// What another task took between two samples: the share of CPU time stolen by the hypervisor,
/// the share of wall time some task waited for a CPU, and the other runnable tasks per CPU at the
/// first sample. nullopt where a counter is missing.
struct CpuContention {
  std::optional<double> steal_share, pressure_share, busy_per_cpu;
};
CpuContention contention_between(const CpuLoadSample& before, const CpuLoadSample& after);

/// The best SIMD level named in a /proc/cpuinfo "flags" (x86) or "Features" (Arm) line.
SimdLevel simd_from_cpu_flags(std::string_view flags);

}  // namespace benchr
