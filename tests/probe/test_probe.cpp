// The probe on the live machine and on recorded ones: hwloc XML topologies the tests build
// themselves, with hwloc's synthetic backend (exported to a temporary file), and machines/*.xml,
// written for these tests (see machines/README.md).
#define BOOST_TEST_MODULE probe
#include <boost/test/unit_test.hpp>

#include <hwloc.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "estimator.hpp"
#include "probe.hpp"

using namespace benchr;

namespace benchr {
std::ostream& operator<<(std::ostream& o, SimdLevel s) { return o << to_string(s); }
std::ostream& operator<<(std::ostream& o, DeviceKind k) { return o << to_string(k); }
}  // namespace benchr

namespace {
std::string machine_file(const char* name) { return std::string(BENCHR_TEST_DATA) + "/probe/machines/" + name; }

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The tool's path for a recorded machine: the file's text, checked, then read by hwloc in a child.
Machine machine_from_hwloc_xml(const std::string& path) { return benchr::machine_from_hwloc_xml(file_text(path), path); }

std::string temp_path(const char* suffix) {
  std::string name = std::string("/tmp/benchr-probe-XXXXXX") + suffix;
  const int fd = mkstemps(name.data(), int(std::char_traits<char>::length(suffix)));
  BOOST_REQUIRE(fd >= 0);
  close(fd);
  return name;
}

/// A recorded machine built at test time: hwloc's synthetic backend lays out `description`, the
/// packages get `cpu_model` and the root x86_64 (what a Linux export carries), and where
/// `allowed_cpus`/`allowed_nodes` are given the process may use only those, as under a cgroup
/// cpuset. Exported as hwloc XML to a temporary file, removed with this object.
struct SyntheticMachine {
  std::string path;
  SyntheticMachine(const char* description, const char* cpu_model, const char* allowed_cpus = nullptr,
                   const char* allowed_nodes = nullptr)
      : path(temp_path(".xml")) {
    hwloc_topology_t t = nullptr;
    BOOST_REQUIRE(hwloc_topology_init(&t) == 0);
    BOOST_REQUIRE(hwloc_topology_set_synthetic(t, description) == 0);
    if (allowed_cpus) BOOST_REQUIRE(hwloc_topology_set_flags(t, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED) == 0);
    BOOST_REQUIRE(hwloc_topology_load(t) == 0);
    hwloc_obj_add_info(hwloc_get_root_obj(t), "Architecture", "x86_64");
    for (hwloc_obj_t pkg = nullptr; (pkg = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_PACKAGE, pkg));)
      hwloc_obj_add_info(pkg, "CPUModel", cpu_model);
    if (allowed_cpus) {
      hwloc_bitmap_t cpus = hwloc_bitmap_alloc(), nodes = hwloc_bitmap_alloc();
      BOOST_REQUIRE(hwloc_bitmap_sscanf(cpus, allowed_cpus) == 0);
      BOOST_REQUIRE(hwloc_bitmap_sscanf(nodes, allowed_nodes) == 0);
      BOOST_REQUIRE(hwloc_topology_allow(t, cpus, nodes, HWLOC_ALLOW_FLAG_CUSTOM) == 0);
      hwloc_bitmap_free(cpus);
      hwloc_bitmap_free(nodes);
    }
    BOOST_REQUIRE(hwloc_topology_export_xml(t, path.c_str(), 0) == 0);
    hwloc_topology_destroy(t);
  }
  ~SyntheticMachine() { std::remove(path.c_str()); }
};

std::string slurp(const char* path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

BOOST_AUTO_TEST_SUITE(live)

BOOST_AUTO_TEST_CASE(live_machine_agrees_with_proc_meminfo_and_nproc) {
  const Machine m = probe_live();
  cpu_set_t set;
  BOOST_REQUIRE(sched_getaffinity(0, sizeof set, &set) == 0);
  BOOST_TEST(m.cpu.logical_cpus.value == CPU_COUNT(&set));  // what `nproc` prints
  const MemInfo mi = parse_meminfo(slurp("/proc/meminfo"));
  BOOST_REQUIRE(mi.total_bytes.has_value());
  BOOST_TEST(m.cpu.ram_total_bytes.value == *mi.total_bytes);
  BOOST_TEST(m.cpu.ram_total_bytes.source == "/proc/meminfo MemTotal");
  // The memory planned for is the total less the OS reserve (or a lower cgroup limit), not what
  // is free now; what is free now (moving while the test runs) is kept beside it.
  const MemInfo now = parse_meminfo(slurp("/proc/meminfo"));
  const double planned = plannable_ram_bytes(*mi.total_bytes);
  BOOST_TEST(planned == *mi.total_bytes - 2 * kGiB);
  if (m.cpu.ram_available_bytes.source.rfind("cgroup", 0) == 0) BOOST_TEST(m.cpu.ram_available_bytes.value < planned);
  else BOOST_TEST(m.cpu.ram_available_bytes.value == planned);
  BOOST_TEST(m.devices.at(0).memory_bytes.value == m.cpu.ram_available_bytes.value);
  BOOST_TEST(m.cpu.ram_free_now_bytes.value == *now.available_bytes, boost::test_tools::tolerance(0.1));
  bool warned = false;
  for (const auto& n : m.notes) warned = warned || n.find("free right now") != std::string::npos;
  BOOST_TEST(warned == (m.cpu.ram_free_now_bytes.value < m.cpu.ram_available_bytes.value));
  BOOST_TEST(m.cpu.cores.value >= 1);
  BOOST_TEST(m.cpu.simd.known());
  BOOST_REQUIRE(!m.devices.empty());
  BOOST_TEST(m.devices[0].kind == DeviceKind::cpu);
  BOOST_TEST(m.devices[0].read_gbps.value > 0.0);
}

BOOST_AUTO_TEST_CASE(no_topology_gives_a_degraded_profile_with_a_note) {
  // HWLOC_COMPONENTS=stop makes hwloc_topology_load fail, the way a broken sysfs would.
  setenv("HWLOC_COMPONENTS", "stop", 1);
  const Machine m = probe_live();
  unsetenv("HWLOC_COMPONENTS");
  bool noted = false;
  for (const auto& n : m.notes) noted = noted || n.find("hwloc failed to load") != std::string::npos;
  BOOST_TEST(noted);
  cpu_set_t set;
  BOOST_REQUIRE(sched_getaffinity(0, sizeof set, &set) == 0);
  BOOST_TEST(m.cpu.logical_cpus.value == CPU_COUNT(&set));
  BOOST_TEST(m.cpu.logical_cpus.source == "sched_getaffinity");
  BOOST_TEST(m.cpu.cores.value == CPU_COUNT(&set));
  BOOST_TEST(m.cpu.ram_total_bytes.source == "/proc/meminfo MemTotal");
  BOOST_REQUIRE(!m.devices.empty());
  BOOST_TEST(m.devices[0].read_gbps.value > 0.0);
}

BOOST_AUTO_TEST_CASE(a_topology_without_cores_assumes_one_per_logical_cpu) {
  // Without the linux and x86 backends hwloc sees PUs but no cores and no NUMA memory.
  setenv("HWLOC_COMPONENTS", "-linux,-x86", 1);
  const Machine m = probe_live();
  unsetenv("HWLOC_COMPONENTS");
  BOOST_TEST(m.cpu.cores.value == m.cpu.logical_cpus.value);
  BOOST_TEST(m.cpu.cores.source.find("assumed") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(vulkan)

BOOST_AUTO_TEST_CASE(lavapipe_is_enumerated_as_a_software_device_with_its_heaps) {
  // The README's set-up installs Mesa's lavapipe (mesa-vulkan-drivers): a real Vulkan device
  // that runs on the CPU.
  std::vector<std::string> notes;
  const auto gpus = probe_vulkan(notes);
  const GpuInfo* lvp = nullptr;
  for (const auto& g : gpus)
    if (g.kind == GpuKind::cpu) lvp = &g;
  BOOST_REQUIRE_MESSAGE(lvp, "no software Vulkan device: is mesa-vulkan-drivers installed?");
  BOOST_TEST(lvp->name.find("llvmpipe") != std::string::npos);
  BOOST_TEST(lvp->device_local_bytes > 0.0);
  BOOST_TEST(lvp->subgroup_size > 0u);
  const Device d = gpu_device(*lvp);
  BOOST_TEST(d.software);  // never a place for a model
  BOOST_TEST(d.memory_bytes.value > 0.0);
}

BOOST_AUTO_TEST_CASE(no_vulkan_driver_is_a_note_not_an_error) {
  setenv("VK_ICD_FILENAMES", "/nonexistent/icd.json", 1);
  setenv("VK_DRIVER_FILES", "/nonexistent/icd.json", 1);
  std::vector<std::string> notes;
  const auto gpus = probe_vulkan(notes);
  unsetenv("VK_ICD_FILENAMES");
  unsetenv("VK_DRIVER_FILES");
  BOOST_TEST(gpus.empty());
  BOOST_REQUIRE(!notes.empty());
  BOOST_TEST(notes.back().find("CPU only") != std::string::npos, notes.back());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(recorded)

BOOST_AUTO_TEST_CASE(one_socket_two_core_vm_gives_the_dev_machine_profile) {
  // Shaped like this project's dev VM: one EPYC package, 2 cores with 1 MiB of L2 each under
  // 32 MiB of L3, one NUMA node of 25,276,514,304 B.
  const SyntheticMachine vm(
      "pack:1 [numa(memory=25276514304)] l3:1(size=33554432) l2:2(size=1048576) l1d:1(size=32768) core:1 pu:1",
      "AMD EPYC");
  const Machine m = machine_from_hwloc_xml(vm.path);
  BOOST_TEST(m.cpu.model == "AMD EPYC");
  BOOST_TEST(m.cpu.packages.value == 1);
  BOOST_TEST(m.cpu.cores.value == 2);
  BOOST_TEST(m.cpu.logical_cpus.value == 2);
  BOOST_TEST(m.cpu.l3_bytes.value == 32.0 * kMiB);
  BOOST_TEST(m.cpu.l2_bytes.value == 1.0 * kMiB);
  BOOST_TEST(m.cpu.l1d_bytes.value == 32.0 * 1024);
  BOOST_REQUIRE_EQUAL(m.cpu.numa_node_bytes.size(), 1u);
  BOOST_TEST(m.cpu.numa_node_bytes[0] == 25276514304.0);
  BOOST_TEST(m.cpu.simd.value == SimdLevel::avx2);  // assumed: XML has no flags
  // 2 cores x 12.0 GB/s (machine.cpp kCpuDecodeGbpsPerCore): the estimate the live machine gets
  // before calibration; the formats llama.cpp does not repack, 2 x 7.0 (kCpuDotGbpsPerCore).
  BOOST_TEST(m.devices.at(0).read_gbps.value == 24.0);
  BOOST_TEST(m.devices.at(0).gemv_dot_cap_gbps == 14.0);
}

BOOST_AUTO_TEST_CASE(cgroup_restricted_server_counts_only_what_the_process_may_use) {
  // A 4-socket server (32 cores, 2 NUMA nodes of 16 GiB per socket) restricted as a cgroup
  // cpuset would: 6 cores of one package (allowed cpuset 0x3f: all 4 of node 0, 2 of node 1)
  // and 6 of the 8 memory nodes (allowed nodeset 0x3f): 6 x 17,179,869,184 = 103,079,215,104 B.
  const SyntheticMachine server("pack:4 numa:2(memory=17179869184) core:4 pu:1", "AMD Opteron(tm) Processor 6134",
                                "0x3f", "0x3f");
  const Machine m = machine_from_hwloc_xml(server.path);
  BOOST_TEST(m.cpu.model == "AMD Opteron(tm) Processor 6134");
  BOOST_TEST(m.cpu.cores.value == 6);
  BOOST_TEST(m.cpu.logical_cpus.value == 6);
  BOOST_TEST(m.cpu.packages.value == 1);
  BOOST_TEST(m.cpu.numa_node_bytes.size() == 6u);
  BOOST_TEST(m.cpu.ram_total_bytes.value == 103079215104.0);
}

BOOST_AUTO_TEST_CASE(unrestricted_synthetic_server_counts_everything) {
  // The same server without the restriction: the counts above come from the allowed sets.
  const SyntheticMachine server("pack:4 numa:2(memory=17179869184) core:4 pu:1", "AMD Opteron(tm) Processor 6134");
  const Machine m = machine_from_hwloc_xml(server.path);
  BOOST_TEST(m.cpu.cores.value == 32);
  BOOST_TEST(m.cpu.packages.value == 4);
  BOOST_TEST(m.cpu.numa_node_bytes.size() == 8u);
  BOOST_TEST(m.cpu.ram_total_bytes.value == 8 * 17179869184.0);
}

BOOST_AUTO_TEST_CASE(sixteen_gpu_two_socket_server_has_two_nodes_and_one_and_a_half_terabytes) {
  // machines/2s-16v100.xml, shaped after an NVIDIA DGX-2: 2 sockets, 2 NUMA nodes of 768 GiB.
  const Machine m = machine_from_hwloc_xml(machine_file("2s-16v100.xml"));
  BOOST_TEST(m.cpu.model == "Intel(R) Xeon(R) Platinum 8174 CPU @ 3.10GHz");
  BOOST_TEST(m.cpu.packages.value == 2);
  BOOST_TEST(m.cpu.cores.value == 8);
  BOOST_TEST(m.cpu.numa_node_bytes.size() == 2u);
  BOOST_TEST(m.cpu.ram_total_bytes.value / kGiB == 1536.0);
  // Two NUMA nodes: the bandwidth estimate is capped per node, not per core.
  BOOST_TEST(m.devices.at(0).read_gbps.value <= 2 * 89.6);
  // Its 16 V100s are PCI 3D controllers [10de:1db8] with NVML's model name; the ASPEED display
  // of the BMC [1a03:2000] and the NVSwitches (class 0680) are not GPUs.
  BOOST_REQUIRE_EQUAL(m.devices.size(), 17u);
  for (std::size_t i = 1; i < m.devices.size(); ++i) {
    BOOST_TEST((m.devices[i].kind == DeviceKind::gpu && m.devices[i].backend == Backend::cuda));
    BOOST_TEST(m.devices[i].pci_vendor_id == 0x10de);
    BOOST_TEST(m.devices[i].pci_device_id == 0x1db8);
    BOOST_TEST(m.devices[i].name == "Tesla V100-SXM3-32GB-H");
    BOOST_TEST(!m.devices[i].memory_bytes.known());  // the catalog entry gives it
  }
}

BOOST_AUTO_TEST_CASE(a_gpu_vulkan_does_not_show_is_taken_from_the_pci_bus) {
  // A laptop whose Vulkan shows the Intel iGPU [8086:a7a0] but has no ICD for its RTX 4070
  // [10de:2820]: the bus adds the card, not the iGPU again.
  Device igpu;
  igpu.kind = DeviceKind::gpu;
  igpu.unified_memory = true;
  igpu.pci_vendor_id = 0x8086, igpu.pci_device_id = 0xa7a0;
  const std::vector<Device> vulkan{Device{}, igpu};
  const std::vector<PciGpu> bus{{0x8086, 0xa7a0, "Intel Iris Xe"}, {0x10de, 0x2820, "NVIDIA GeForce RTX 4070 Laptop"}};
  const auto missing = pci_gpus_not_in(vulkan, bus);
  BOOST_REQUIRE_EQUAL(missing.size(), 1u);
  BOOST_TEST(missing[0].device_id == 0x2820u);
  BOOST_TEST(pci_gpus_not_in({Device{}}, bus).size() == 2u);  // no Vulkan GPU: both
}

BOOST_AUTO_TEST_CASE(unreadable_xml_is_bad_input) {
  BOOST_CHECK_THROW(benchr::machine_from_hwloc_xml("Not a topology: plain text the test wrote.\n", "t.txt"), InputError);
  BOOST_CHECK_THROW(benchr::machine_from_hwloc_xml("", "empty.xml"), InputError);
}

/// hwloc_reexport's message for `text`, "" when it returned an export.
std::string reexport_error(const std::string& text) {
  try {
    hwloc_reexport(text, "t.xml");
    return "";
  } catch (const InputError& e) {
    return e.what();
  }
}

BOOST_AUTO_TEST_CASE(what_crashes_libhwloc_is_read_in_a_child_and_refused) {
  // machines/2s-16v100.xml with one attribute name corrupted (complete_cpuset -> xomplete_cpuset,
  // one byte, as a bit flip on disk would) kills libhwloc 2.9's XML import with SIGSEGV, and a
  // cpuset starting with ',' fails an assertion in it (SIGABRT); found by mutating a real
  // `lstopo --of xml` export byte by byte. Both pass check_hwloc_xml: only the child process
  // stands between them and the tool, which must get an error, never the signal.
  const std::string good = file_text(machine_file("2s-16v100.xml"));
  BOOST_REQUIRE(reexport_error(good).empty());
  std::string bad = good;
  const auto at = bad.find("complete_cpuset=", bad.find("<object type=\"Machine\""));
  BOOST_REQUIRE(at != std::string::npos);
  bad[at] = 'x';
  BOOST_CHECK_NO_THROW(check_hwloc_xml(bad, "t.xml"));
  std::string e = reexport_error(bad);
  BOOST_TEST(e.find("t.xml: hwloc could not read this topology (it crashed hwloc's XML import: signal") == 0, e);
  BOOST_CHECK_THROW(benchr::machine_from_hwloc_xml(bad, "t.xml"), InputError);

  bad = good;
  const auto cpuset = bad.find("cpuset=\"0x", bad.find("<object type=\"Machine\""));
  bad[cpuset + 8] = ',';  // cpuset=",x000000ff"
  BOOST_CHECK_NO_THROW(check_hwloc_xml(bad, "t.xml"));
  e = reexport_error(bad);
  BOOST_TEST(e.find("(it crashed hwloc's XML import: signal") != std::string::npos, e);

  // What hwloc exports of a good file is what the tool loads: the same machine as before.
  const Machine m = benchr::machine_from_hwloc_xml(good, "t.xml");
  BOOST_TEST(m.cpu.packages.value == 2);
  BOOST_TEST(m.devices.size() == 17u);  // the host and its 16 V100s, found on the exported PCI tree
}

BOOST_AUTO_TEST_CASE(a_cpu_without_a_number_is_refused_before_hwloc_builds_its_cpusets) {
  // The hwloc_xml fuzz target's corrupted os_index attribute name: hwloc takes the PU for CPU
  // 2^32-1 and builds 512 MiB cpusets (lstopo -i still busy after 30 s); the child's limits
  // contained it after 5-10 s, the check refuses it at once, with its place.
  const std::string good = file_text(machine_file("2s-16v100.xml"));
  std::string bad = good;
  const auto pu = bad.find("os_index", bad.find("<object type=\"PU\""));
  BOOST_REQUIRE(pu != std::string::npos);
  bad.replace(pu, 8, "os_osdev_typeindex");
  auto message = [](const std::string& text) {
    try {
      check_hwloc_xml(text, "t.xml");
      return std::string();
    } catch (const InputError& e) {
      return std::string(e.what());
    }
  };
  std::string e = message(bad);
  BOOST_TEST(e.find("t.xml:") == 0, e);
  BOOST_TEST(e.find("a PU object without os_index") != std::string::npos, e);
  bad = good;
  bad.replace(bad.find("os_index=\"", bad.find("<object type=\"PU\"")) + 10, 1, "4294967295");
  e = message(bad);
  BOOST_TEST(e.find("is not a CPU or node number (0..1048576)") != std::string::npos, e);
  BOOST_TEST(message(good).empty());
  // hwloc reads a type by any prefix of two letters or more ended by a non-letter: a NUMA node
  // typed "NUMANo_oeds" without its number (the fuzz target's 981-byte slow unit: a child past
  // its 10 s limit, lstopo -i 30 s writing a 128 MiB export) is refused as one.
  bad = good;
  const std::string numbered = "<object type=\"NUMANode\" os_index=\"";
  const auto node = bad.find(numbered);
  BOOST_REQUIRE(node != std::string::npos);
  const std::string abbreviated = "<object type=\"NUMANo_oeds\" index=\"";
  bad.replace(node, numbered.size(), abbreviated);
  e = message(bad);
  BOOST_TEST(e.find("a NUMANode object (type \"NUMANo_oeds\") without os_index") != std::string::npos, e);
  bad.replace(node, abbreviated.size(), "<object type=\"NUMAN-ode\" index=\"");  // '-' goes on: no type
  BOOST_TEST(message(bad).empty());
}

BOOST_AUTO_TEST_CASE(a_distances_matrix_of_minus_one_objects_never_reaches_the_tool) {
  // nbobjs="-1" makes libhwloc 2.9 ask for 32 GiB. check_hwloc_xml refuses it with its place; sent
  // straight to the child, hwloc refuses it or the child's limits stop it: an error either way.
  std::string bad = file_text(machine_file("2s-16v100.xml"));
  bad.insert(bad.find("<object type=\"Machine\""), "<distances2 type=\"NUMANode\" nbobjs=\"-1\" kind=\"5\"></distances2>");
  BOOST_CHECK_THROW(check_hwloc_xml(bad, "t.xml"), InputError);
  const std::string e = reexport_error(bad);
  BOOST_TEST(e.find("t.xml: ") == 0, e);
  // 65536 objects (a 32 GiB matrix) in a 10 kB file that cannot hold their 2^32 values: refused
  // by the check, as a count over the square root of half the file's bytes.
  bad = file_text(machine_file("2s-16v100.xml"));
  bad.insert(bad.find("<object type=\"Machine\""), "<distances2 type=\"NUMANode\" nbobjs=\"65536\" kind=\"5\"></distances2>");
  try {
    check_hwloc_xml(bad, "t.xml");
    BOOST_ERROR("nbobjs=65536 passed the check");
  } catch (const InputError& x) {
    BOOST_TEST(std::string(x.what()).find("nbobjs=\"65536\" is not a count hwloc can hold (0..69)") != std::string::npos, x.what());
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(procfs)

BOOST_AUTO_TEST_CASE(meminfo_is_read_in_kibibytes) {
  const MemInfo mi = parse_meminfo("MemTotal:       24684092 kB\nMemFree: 1 kB\nMemAvailable:   24398344 kB\n");
  BOOST_TEST(*mi.total_bytes == 24684092.0 * 1024);
  BOOST_TEST(*mi.available_bytes == 24398344.0 * 1024);
  BOOST_TEST(!parse_meminfo("garbage").total_bytes.has_value());
}

BOOST_AUTO_TEST_CASE(cgroup_limits_unlimited_and_set) {
  BOOST_TEST(!parse_cgroup_limit("max\n").has_value());
  BOOST_TEST(!parse_cgroup_limit("9223372036854771712\n").has_value());  // v1 "no limit"
  BOOST_TEST(*parse_cgroup_limit("8589934592\n") == 8.0 * kGiB);
  BOOST_TEST(!parse_cgroup_limit("12abc").has_value());
}

BOOST_AUTO_TEST_CASE(proc_stat_steal_and_run_queue) {
  // A 2-vCPU guest's /proc/stat (proc(5): user nice system idle iowait irq softirq steal guest
  // guest_nice); guest time is inside user, so the sum stops at steal: 1000 + 0 + 200 + 700 + 50
  // + 0 + 10 + 40 = 2000 ticks.
  CpuLoadSample s;
  parse_proc_stat("cpu  1000 0 200 700 50 0 10 40 300 0\ncpu0 500 0 100 350 25 0 5 20 150 0\n"
                  "intr 1 2 3\nprocs_running 3\nprocs_blocked 0\n", s);
  BOOST_TEST(*s.all_ticks == 2000.0);
  BOOST_TEST(*s.steal_ticks == 40.0);
  BOOST_TEST(*s.procs_running == 3);
  CpuLoadSample none;
  parse_proc_stat("cpu 1 2 3\n", none);  // too few columns for steal
  BOOST_TEST(!none.steal_ticks.has_value());
  BOOST_TEST(!none.procs_running.has_value());
}

BOOST_AUTO_TEST_CASE(cpu_pressure_some_line) {
  CpuLoadSample s;
  parse_cpu_pressure("some avg10=12.50 avg60=3.00 avg300=1.00 total=123456789\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", s);
  BOOST_TEST(*s.pressure_some_avg10 == 12.5);
  BOOST_TEST(*s.pressure_some_us == 123456789.0);
  CpuLoadSample bad;
  parse_cpu_pressure("full avg10=1 total=5\n", bad);
  BOOST_TEST(!bad.pressure_some_us.has_value());
}

BOOST_AUTO_TEST_CASE(contention_between_two_samples) {
  CpuLoadSample a, b;
  a.wall_s = 10, b.wall_s = 12;                 // 2 s apart
  a.steal_ticks = 40, b.steal_ticks = 100;      // 60 of
  a.all_ticks = 2000, b.all_ticks = 2400;       // 400 ticks stolen: 15%
  a.pressure_some_us = 1e6, b.pressure_some_us = 1.5e6;  // 0.5 s of 2 s: 25%
  a.procs_running = 4, a.cpus = 2;              // 3 others (the sampler is one) on 2 CPUs
  const CpuContention c = contention_between(a, b);
  BOOST_TEST(*c.steal_share == 0.15, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(*c.pressure_share == 0.25, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(*c.busy_per_cpu == 1.5);
  // Without /proc/pressure (older kernels): unknown, never 0.
  a.pressure_some_us.reset();
  BOOST_TEST(!contention_between(a, b).pressure_share.has_value());
  // The live machine gives counters that only grow.
  const CpuLoadSample x = sample_cpu_load(), y = sample_cpu_load();
  BOOST_TEST(x.all_ticks.has_value());
  BOOST_TEST(*y.all_ticks >= *x.all_ticks);
}

BOOST_AUTO_TEST_CASE(simd_level_from_cpu_flags) {
  BOOST_TEST(simd_from_cpu_flags(" fpu sse2 avx2 fma avx512f avx512bw avx512_vnni") == SimdLevel::avx512);
  BOOST_TEST(simd_from_cpu_flags(" fpu sse2 avx avx2 fma") == SimdLevel::avx2);
  BOOST_TEST(simd_from_cpu_flags(" fp asimd evtstrm") == SimdLevel::neon);
  BOOST_TEST(simd_from_cpu_flags(" fpu sse2 avx512fx") == SimdLevel::none);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(the_gpu_fingerprint_names_cpu_ram_and_drivers_and_follows_their_variables) {
  // Read twice, the same; it names this CPU's model and RAM as /proc has them.
  const std::string a = gpu_fingerprint(), b = gpu_fingerprint();
  BOOST_TEST(a == b);
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string model;
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  if (!model.empty()) BOOST_TEST(a.find("cpu " + model + "|") != std::string::npos, a);
  BOOST_TEST(a.find("|mem ") != std::string::npos, a);
  // Another Vulkan driver list is another fingerprint: the cached scan is not used for it.
  const char* before = std::getenv("VK_DRIVER_FILES");
  const std::string saved = before ? before : "";
  setenv("VK_DRIVER_FILES", "/opt/other_icd.json", 1);
  const std::string other = gpu_fingerprint();
  if (before) setenv("VK_DRIVER_FILES", saved.c_str(), 1);
  else unsetenv("VK_DRIVER_FILES");
  BOOST_TEST(other != a);
  BOOST_TEST(other.find("VK_DRIVER_FILES=/opt/other_icd.json") != std::string::npos, other);
  BOOST_TEST(gpu_fingerprint() == a);
}

BOOST_AUTO_TEST_CASE(a_machine_from_a_gpu_scan_has_its_devices_and_notes) {
  // probe_live(scan) puts the scan's GPUs after the host and keeps its notes: what the device
  // cache hands it instead of loading the Vulkan driver.
  GpuScan scan;
  GpuInfo g;
  g.name = "Scanned GPU";
  g.kind = GpuKind::discrete;
  g.vendor_id = 0x10de;
  g.device_id = 0x2684;
  g.device_local_bytes = 24.0 * (1ull << 30);
  scan.vulkan.push_back(g);
  scan.pci_only.push_back({0x1002, 0x744c, "PCI-only GPU"});
  scan.notes.push_back("a note of the scan");
  const Machine m = probe_live(scan);
  BOOST_TEST_REQUIRE(m.devices.size() == 3u);
  BOOST_TEST(m.devices[0].kind == DeviceKind::cpu);
  BOOST_TEST(m.devices[1].name == "Scanned GPU");
  BOOST_TEST(m.devices[1].memory_bytes.value == 24.0 * (1ull << 30));
  BOOST_TEST(m.devices[2].name == "PCI-only GPU");
  BOOST_TEST(m.devices[2].pci_vendor_id == 0x1002);
  BOOST_TEST(std::count(m.notes.begin(), m.notes.end(), "a note of the scan") == 1);
}
