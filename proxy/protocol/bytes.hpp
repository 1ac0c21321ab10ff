// Little-endian integer and length-encoded field helpers for the MySQL wire protocol.
// Reader never reads past its span: every accessor reports failure instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rwproxy::protocol {

using Bytes = std::span<const std::uint8_t>;

inline Bytes as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(Bytes b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Number of bytes a length-encoded integer occupies given its first byte (0 if invalid).
constexpr std::size_t lenenc_size(std::uint8_t first) {
  if (first < 0xfb) return 1;
  if (first == 0xfc) return 3;
  if (first == 0xfd) return 4;
  if (first == 0xfe) return 9;
  return 0;  // 0xfb (NULL) and 0xff are not integers
}

class Reader {
 public:
  explicit Reader(Bytes data) : data_(data) {}

  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == data_.size(); }
  std::size_t remaining() const { return data_.size() - pos_; }
  std::size_t position() const { return pos_; }

  std::uint8_t u8();
  std::uint16_t u16();
  std::uint32_t u24();
  std::uint32_t u32();
  std::uint64_t u64();
  std::uint64_t lenenc_int();
  Bytes bytes(std::size_t n);
  std::string_view string(std::size_t n) { return as_chars(bytes(n)); }
  std::string_view null_terminated();
  std::string_view lenenc_string() { return string(checked_size(lenenc_int())); }
  std::string_view rest() { return string(remaining()); }
  void skip(std::size_t n) { bytes(n); }
  std::optional<std::uint8_t> peek() const {
    if (pos_ < data_.size()) return data_[pos_];
    return std::nullopt;
  }

 private:
  std::size_t checked_size(std::uint64_t n);
  bool need(std::size_t n);

  Bytes data_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

// Appends to a std::string used as a byte buffer.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(std::uint16_t v) { put_le(v, 2); }
  void u24(std::uint32_t v) { put_le(v, 3); }
  void u32(std::uint32_t v) { put_le(v, 4); }
  void u64(std::uint64_t v) { put_le(v, 8); }
  void lenenc_int(std::uint64_t v);
  void bytes(std::string_view s) { out_.append(s); }
  void bytes(Bytes b) { out_.append(as_chars(b)); }
  void zeros(std::size_t n) { out_.append(n, '\0'); }
  void null_terminated(std::string_view s) {
    out_.append(s);
    out_.push_back('\0');
  }
  void lenenc_string(std::string_view s) {
    lenenc_int(s.size());
    out_.append(s);
  }

 private:
  void put_le(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string& out_;
};

}  // namespace rwproxy::protocol
