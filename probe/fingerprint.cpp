// What a GPU scan depends on, read from sysfs, /proc and the Vulkan driver manifests without
// loading any driver: the key under which a scan is cached (app/device_cache.cpp).
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "probe.hpp"

namespace benchr {
namespace {

/// The first line of a small sysfs or /proc file, without its newline; empty when unreadable.
std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

/// The value of the first "key<spaces>: value" line of `path`.
std::string field(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const auto colon = line.find(':');
    if (line.rfind(key, 0) != 0 || colon == std::string::npos) continue;
    const auto start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? std::string() : line.substr(start);
  }
  return {};
}

std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (const dirent* e = readdir(d))
      if (e->d_name[0] != '.') out.emplace_back(e->d_name);
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Where the Vulkan loader looks for drivers (the ICD manifests) on Linux: the system's data
// directories (Vulkan-Loader docs/LoaderDriverInterface.md, "Linux Driver Discovery").
constexpr const char* kIcdDirs[] = {"/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d",
                                    "/usr/share/vulkan/icd.d"};
// The variables that replace or add to those manifests.
constexpr const char* kIcdVariables[] = {"VK_ICD_FILENAMES", "VK_DRIVER_FILES", "VK_ADD_DRIVER_FILES"};

}  // namespace

std::string gpu_fingerprint() {
  // Appended piece by piece: g++ 12 warns (-Wrestrict, a false positive, GCC bug 105329) on
  // a literal + std::string here.
  std::string s = "cpu ";
  s += field("/proc/cpuinfo", "model name");
  s += "|mem ";
  s += field("/proc/meminfo", "MemTotal");
  // Display controllers: PCI class 0x03xxxx (VGA 0x0300, 3D 0x0302, other 0x0380).
  const std::string bus = "/sys/bus/pci/devices/";
  for (const std::string& dev : entries(bus)) {
    if (first_line(bus + dev + "/class").rfind("0x03", 0) != 0) continue;
    for (const std::string& part : {std::string("|pci "), dev, std::string(" "), first_line(bus + dev + "/vendor"),
                                    std::string(":"), first_line(bus + dev + "/device")})
      s += part;
  }
  for (const char* dir : kIcdDirs)
    for (const std::string& name : entries(dir)) {
      struct stat st {};
      const std::string path = std::string(dir) + "/" + name;
      if (stat(path.c_str(), &st) != 0) continue;
      for (const std::string& part : {std::string("|icd "), path, std::string(" "), std::to_string(st.st_size),
                                      std::string(" "), std::to_string(st.st_mtim.tv_sec)})
        s += part;
    }
  for (const char* var : kIcdVariables)
    if (const char* v = std::getenv(var)) (((s += "|") += var) += "=") += v;
  return s;
}

}  // namespace benchr
