// The built binary as a user meets it, for the tests that run it: a shell command line through
// popen, its exit status, stdout (a pipe, never a terminal) and stderr. Each test target that
// includes this defines BENCHR_EXE, the path of the benchr-advise it was built with.
#pragma once

#include <boost/test/unit_test.hpp>

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace benchr::test {

struct Result {
  int status = -1;  // the exit status; -1 when the command died by a signal
  std::string out, err;
};

/// A new empty file under /tmp whose name ends in `suffix`.
inline std::string temp_file(const std::string& suffix) {
  std::string name = "/tmp/benchr-test-XXXXXX" + suffix;
  const int fd = mkstemps(name.data(), static_cast<int>(suffix.size()));
  BOOST_REQUIRE(fd >= 0);
  close(fd);
  return name;
}

/// A new empty directory under /tmp.
inline std::string temp_dir() {
  std::string name = "/tmp/benchr-test-XXXXXX";
  BOOST_REQUIRE(mkdtemp(name.data()));
  return name;
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Runs the shell command line `cmd`, capturing stdout and stderr.
inline Result shell(const std::string& cmd) {
  const std::string err_file = temp_file(".err");
  Result r;
  FILE* p = popen((cmd + " 2>" + err_file).c_str(), "r");
  BOOST_REQUIRE(p);
  std::array<char, 4096> buf;
  for (std::size_t n; (n = fread(buf.data(), 1, buf.size(), p)) > 0;) r.out.append(buf.data(), n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.err = slurp(err_file);
  std::remove(err_file.c_str());
  return r;
}

/// Runs benchr-advise with `args` (shell words); `env` prefixes the command line
/// (e.g. "XDG_CACHE_HOME=/tmp/x", or "env -u COLUMNS").
inline Result run_tool(const std::string& args, const std::string& env = "") {
  return shell(env + " " + std::string(BENCHR_EXE) + " " + args);
}

}  // namespace benchr::test
