// What the fuzz targets share: the fuzzer's bytes as a file the tool's readers open by path (a
// memfd, a regular file with no name on disk, so read_input_file's regular-file check passes), and
// the one outcome besides success that is allowed, an InputError.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace fuzz {

/// The bytes in a memfd; path() names it as /proc/self/fd/N. Closed on destruction.
class MemFile {
 public:
  MemFile(const uint8_t* data, size_t size) : fd_(memfd_create("benchr-fuzz", MFD_CLOEXEC)) {
    if (fd_ < 0) std::abort();
    while (size > 0) {
      const ssize_t n = ::write(fd_, data, size);
      if (n <= 0) std::abort();
      data += n, size -= size_t(n);
    }
  }
  ~MemFile() { ::close(fd_); }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_;
};

}  // namespace fuzz
