#include "reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace benchr::modelfile {

File::File(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // a FIFO: no wait for a writer
  if (fd_ < 0) throw InputError(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    throw InputError(path + ": not a regular file");
  }
  size_ = uint64_t(st.st_size);
}

File::~File() { ::close(fd_); }

void File::read_at(uint64_t at, char* dst, std::size_t n) const {
  while (n > 0) {
    const ssize_t got = ::pread(fd_, dst, n, off_t(at));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0)
      fail(path_, at, "data", got == 0 ? "the file got shorter while being read"
                                       : std::string("read failed: ") + std::strerror(errno));
    dst += got, at += uint64_t(got), n -= std::size_t(got);
  }
}

}  // namespace benchr::modelfile
