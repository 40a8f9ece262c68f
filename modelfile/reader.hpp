// Reading untrusted binary files: one descriptor read through a bounded buffer, every read
// checked against the bytes left, and the errors that name file, byte and field. Private to
// modelfile/.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "types.hpp"

namespace benchr::modelfile {

/// Throws InputError "FILE: byte AT: field FIELD: PROBLEM".
[[noreturn]] inline void fail(const std::string& file, uint64_t at, std::string_view field,
                              const std::string& problem) {
  throw InputError(file + ": byte " + std::to_string(at) + ": field " + std::string(field) + ": " +
                   problem);
}

/// A name from the file as it may appear in a message: printable ASCII, at most 80 characters.
inline std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 80)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (s.size() > 80) out += "...";
  return out;
}

inline std::string in_quotes(std::string_view s) {
  std::string out(1, '\'');  // appended, not "'" + ...: g++ 12 warns falsely on that (-Wrestrict, GCC PR 105651)
  out += printable(s);
  return out += '\'';
}

inline std::string plural(uint64_t n, std::string_view what) {
  return std::to_string(n) + " " + std::string(what) + (n == 1 ? "" : "s");
}

inline bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

inline bool mul_overflows(uint64_t a, uint64_t b, uint64_t& out) { return __builtin_mul_overflow(a, b, &out); }

inline std::string shape_text(const std::vector<uint64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

/// One open regular file (a FIFO or device is refused, never waited on).
class File {
 public:
  /// Opens `path` for reading; InputError when it cannot be opened or is not a regular file.
  explicit File(const std::string& path);
  ~File();
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }

  /// Reads exactly n bytes at `at`; the caller has checked that they lie within the file.
  void read_at(uint64_t at, char* dst, std::size_t n) const;

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

/// A read position in a File. Every read checks the bytes left first.
class Cursor {
 public:
  explicit Cursor(const File& f)
      : f_(f), buf_(std::size_t(std::min<uint64_t>(f.size(), kBufferBytes))) {}

  uint64_t pos() const { return pos_; }
  uint64_t left() const { return f_.size() - pos_; }
  const std::string& path() const { return f_.path(); }

  [[noreturn]] void fail_at(uint64_t at, std::string_view field, const std::string& problem) const {
    fail(f_.path(), at, field, problem);
  }

  void need(uint64_t n, std::string_view field) const {
    if (n > left())
      fail_at(pos_, field, "needs " + plural(n, "byte") + ", but the file ends after " +
                               plural(left(), "more byte") + " (truncated?)");
  }

  void skip(uint64_t n, std::string_view field) {
    need(n, field);
    pos_ += n;
  }

  void read(char* dst, uint64_t n, std::string_view field) {
    need(n, field);
    while (n > 0) {
      if (pos_ >= buf_at_ && pos_ < buf_at_ + buf_len_) {
        const uint64_t k = std::min(n, buf_at_ + buf_len_ - pos_);
        std::memcpy(dst, buf_.data() + (pos_ - buf_at_), std::size_t(k));
        dst += k, pos_ += k, n -= k;
      } else if (n >= buf_.size()) {
        f_.read_at(pos_, dst, std::size_t(n));
        pos_ += n, n = 0;
      } else {
        buf_at_ = pos_;
        buf_len_ = std::min<uint64_t>(buf_.size(), left());
        f_.read_at(buf_at_, buf_.data(), std::size_t(buf_len_));
      }
    }
  }

  /// Little-endian unsigned integer of `N` bytes.
  template <int N>
  uint64_t uint(std::string_view field) {
    unsigned char b[N];
    read(reinterpret_cast<char*>(b), N, field);
    uint64_t v = 0;
    for (int i = N - 1; i >= 0; --i) v = (v << 8) | b[i];
    return v;
  }
  uint32_t u32(std::string_view field) { return uint32_t(uint<4>(field)); }
  uint64_t u64(std::string_view field) { return uint<8>(field); }

  /// A GGUF string: u64 length, then the bytes.
  std::string string(std::string_view field) {
    const uint64_t at = pos_;
    const uint64_t n = u64(field);
    if (n > left())
      fail_at(at, field, "a string of " + plural(n, "byte") + " runs past the end of the file (" +
                             plural(left(), "byte") + " left)");
    std::string s(std::size_t(n), '\0');
    read(s.data(), n, field);
    return s;
  }

  void skip_string(std::string_view field) {
    const uint64_t at = pos_;
    const uint64_t n = u64(field);
    if (n > left())
      fail_at(at, field, "a string of " + plural(n, "byte") + " runs past the end of the file (" +
                             plural(left(), "byte") + " left)");
    pos_ += n;
  }

 private:
  static constexpr uint64_t kBufferBytes = 1 << 20;
  const File& f_;
  uint64_t pos_ = 0;
  std::vector<char> buf_;
  uint64_t buf_at_ = 0, buf_len_ = 0;
};

}  // namespace benchr::modelfile
