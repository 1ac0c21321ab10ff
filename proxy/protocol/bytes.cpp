#include "proxy/protocol/bytes.hpp"

#include <cstring>

namespace rwproxy::protocol {

bool Reader::need(std::size_t n) {
  if (!ok_ || data_.size() - pos_ < n) {
    ok_ = false;
    return false;
  }
  return true;
}

std::size_t Reader::checked_size(std::uint64_t n) {
  if (!ok_ || n > remaining()) {
    ok_ = false;
    return 0;
  }
  return static_cast<std::size_t>(n);
}

std::uint8_t Reader::u8() {
  if (!need(1)) return 0;
  return data_[pos_++];
}

static std::uint64_t load_le(const std::uint8_t* p, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}

std::uint16_t Reader::u16() {
  if (!need(2)) return 0;
  pos_ += 2;
  return static_cast<std::uint16_t>(load_le(&data_[pos_ - 2], 2));
}
std::uint32_t Reader::u24() {
  if (!need(3)) return 0;
  pos_ += 3;
  return static_cast<std::uint32_t>(load_le(&data_[pos_ - 3], 3));
}
std::uint32_t Reader::u32() {
  if (!need(4)) return 0;
  pos_ += 4;
  return static_cast<std::uint32_t>(load_le(&data_[pos_ - 4], 4));
}
std::uint64_t Reader::u64() {
  if (!need(8)) return 0;
  pos_ += 8;
  return load_le(&data_[pos_ - 8], 8);
}

std::uint64_t Reader::lenenc_int() {
  std::uint8_t first = u8();
  if (!ok_) return 0;
  switch (lenenc_size(first)) {
    case 1: return first;
    case 3: return u16();
    case 4: return u24();
    case 9: return u64();
    default: ok_ = false; return 0;
  }
}

Bytes Reader::bytes(std::size_t n) {
  if (!need(n)) return {};
  Bytes out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

std::string_view Reader::null_terminated() {
  if (!ok_) return {};
  // An empty span may have a null data(); memchr must not be given one, even with length 0.
  const void* nul = remaining() == 0 ? nullptr : std::memchr(data_.data() + pos_, 0, remaining());
  if (nul == nullptr) {
    ok_ = false;
    return {};
  }
  std::size_t n = static_cast<const std::uint8_t*>(nul) - (data_.data() + pos_);
  std::string_view s = string(n);
  pos_ += 1;
  return s;
}

void Writer::lenenc_int(std::uint64_t v) {
  if (v < 0xfb) {
    u8(static_cast<std::uint8_t>(v));
  } else if (v <= 0xffff) {
    u8(0xfc);
    u16(static_cast<std::uint16_t>(v));
  } else if (v <= 0xffffff) {
    u8(0xfd);
    u24(static_cast<std::uint32_t>(v));
  } else {
    u8(0xfe);
    u64(v);
  }
}

}  // namespace rwproxy::protocol
