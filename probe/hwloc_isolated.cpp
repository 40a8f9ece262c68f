// An untrusted hwloc XML topology is imported by libhwloc in a child process, never in the tool's
// own: libhwloc 2.9's XML import dies by SIGSEGV on one corrupted attribute name
// (`complete_cpuset` -> `xomplete_cpuset`; `lstopo -i` does too) and by an assertion (SIGABRT) on a
// cpuset like ",x000000ff". The child loads the text and writes back through a pipe what hwloc
// understood, as hwloc's own XML export; the tool then loads only that hwloc-produced XML.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <hwloc.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <string>

#include "probe.hpp"

namespace benchr {
namespace {

// Limits of the child. A real export loads in milliseconds (a two-socket server with 256 PUs and
// its PCI tree, ~1 MiB of XML: ~30 ms here); the input is capped at 64 MiB (kMaxInputFileBytes) and
// hwloc holds a topology in a few times its XML's size, so 2 GiB of address space beyond what the
// tool had mapped at the fork, 5 s of CPU and 10 s on the clock (a loaded machine) are far past
// any real file and well short of what a hostile one asks for: nbobjs="-1" asked for 32 GiB, and a
// PU whose os_index attribute is corrupted becomes CPU 2^32-1, whose 512 MiB cpusets `lstopo -i`
// was still printing after 30 s and 1.3 GB (found by the hwloc_xml fuzz target).
constexpr rlim_t kChildExtraAddressSpace = rlim_t(2) << 30;
constexpr rlim_t kChildCpuSeconds = 5;
constexpr int kChildWallSeconds = 10;
// hwloc's export of a topology it read from at most 64 MiB of XML; anything past this is not one.
constexpr std::size_t kMaxExportBytes = std::size_t(256) << 20;

// The child's exit statuses (after a normal exit) for what hwloc itself refused.
enum ChildStatus : int { kExported = 0, kInitFailed = 3, kRefused = 4, kLoadFailed = 5, kOutOfMemory = 6, kExportFailed = 7 };

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

/// The child's address-space size now (/proc/self/statm, pages), 0 when unknown.
rlim_t mapped_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long pages = 0;
  const int n = std::fscanf(f, "%lu", &pages);
  std::fclose(f);
  return n == 1 ? rlim_t(pages) * rlim_t(sysconf(_SC_PAGESIZE)) : 0;
}

bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w, n -= std::size_t(w);
  }
  return true;
}

[[noreturn]] void child(const std::string& text, int out) {
  // The signals that end a crashing import end the child, whatever handler the tool (or a test
  // framework, which would resume the child in its own code) had installed.
  for (int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGXCPU, SIGPIPE})
    ::signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // libhwloc's own complaints (an assertion's text, XML warnings) are not the tool's to print:
  // the parent's message says what happened.
  if (const int null = ::open("/dev/null", O_WRONLY); null >= 0) ::dup2(null, STDERR_FILENO);
  // AddressSanitizer reserves terabytes of shadow address space, so an address-space limit would
  // stop its own allocator; a sanitized build relies on its allocator's own size checks instead.
  if (!kAddressSanitizer) {
    const rlim_t as = mapped_bytes() + kChildExtraAddressSpace;
    const rlimit lim{as, as};
    ::setrlimit(RLIMIT_AS, &lim);
  }
  const rlimit cpu{kChildCpuSeconds, kChildCpuSeconds + 1};  // SIGXCPU, then SIGKILL
  ::setrlimit(RLIMIT_CPU, &cpu);
  hwloc_topology_t t = nullptr;
  if (hwloc_topology_init(&t) != 0) ::_exit(kInitFailed);
  // PCI devices and GPU OS devices are kept: pci_gpus_from_hwloc names the GPUs from them.
  hwloc_topology_set_io_types_filter(t, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
  // The size hwloc takes includes the ending '\0' (c_str() has it).
  if (hwloc_topology_set_xmlbuffer(t, text.c_str(), int(text.size() + 1)) != 0)
    ::_exit(errno == ENOMEM ? kOutOfMemory : kRefused);
  if (hwloc_topology_load(t) != 0) ::_exit(errno == ENOMEM ? kOutOfMemory : kLoadFailed);
  char* xml = nullptr;
  int len = 0;
  if (hwloc_topology_export_xmlbuffer(t, &xml, &len, 0) != 0 || len < 1) ::_exit(kExportFailed);
  // _exit, never exit: no atexit handler or stdio buffer of the tool runs twice.
  ::_exit(write_all(out, xml, std::size_t(len - 1)) ? kExported : kExportFailed);
}

double seconds_now() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

}  // namespace

std::string hwloc_reexport(const std::string& text, const std::string& path) {
  const std::string cannot = path + ": hwloc could not read this topology (";
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw InputError(cannot + "no pipe to its reader: " + std::strerror(errno) + ")");
  std::fflush(nullptr);  // nothing buffered is written twice
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    ::close(fds[0]), ::close(fds[1]);
    throw InputError(cannot + "no process to read it in: " + std::strerror(e) + ")");
  }
  if (pid == 0) {
    ::close(fds[0]);
    child(text, fds[1]);
  }
  ::close(fds[1]);

  std::string out;
  std::string stopped;  // why the parent stopped reading: a time or size limit
  const double deadline = seconds_now() + kChildWallSeconds;
  char buf[1 << 16];
  while (true) {
    const double left = deadline - seconds_now();
    if (left <= 0) {
      stopped = "it ran past " + std::to_string(kChildWallSeconds) + " s, the limit for reading a topology";
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int r = ::poll(&p, 1, int(left * 1000) + 1);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) continue;  // the deadline is checked above
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of file: the child is done
    if (out.size() + std::size_t(n) > kMaxExportBytes) {
      stopped = "its export grew past " + std::to_string(kMaxExportBytes >> 20) + " MiB";
      break;
    }
    out.append(buf, std::size_t(n));
  }
  ::close(fds[0]);
  if (!stopped.empty()) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw InputError(cannot + "its reader was lost: " + std::strerror(errno) + ")");

  if (!stopped.empty()) throw InputError(cannot + stopped + ")");
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    if (sig == SIGXCPU || sig == SIGKILL)
      throw InputError(cannot + "it ran past " + std::to_string(kChildCpuSeconds) + " s of CPU, the limit for reading a topology)");
    throw InputError(cannot + "it crashed hwloc's XML import: signal " + std::to_string(sig) + ", " +
                     std::string(strsignal(sig)) + ")");
  }
  switch (WIFEXITED(status) ? WEXITSTATUS(status) : -1) {
    case kExported: return out;
    case kRefused: throw InputError(path + ": not an hwloc XML topology hwloc can read");
    case kLoadFailed: throw InputError(path + ": hwloc failed to load this XML topology");
    case kOutOfMemory:
      throw InputError(cannot + "it asked for more than the " + std::to_string(kChildExtraAddressSpace >> 30) +
                       " GiB a topology may take)");
    default: throw InputError(cannot + "its reader failed, exit status " + std::to_string(WEXITSTATUS(status)) + ")");
  }
}

}  // namespace benchr
