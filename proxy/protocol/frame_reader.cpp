#include "proxy/protocol/frame_reader.hpp"

#include <cstring>

#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/error.hpp"

namespace rwproxy::protocol {
namespace {

std::size_t frame_length(const char* p) {
  auto b = reinterpret_cast<const std::uint8_t*>(p);
  return b[0] | (b[1] << 8) | (static_cast<std::size_t>(b[2]) << 16);
}

}  // namespace

void FrameReader::compact() {
  if (begin_ == 0) return;
  std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
}

std::span<std::uint8_t> FrameReader::prepare(std::size_t n) {
  last_begin_ = last_end_ = 0;
  if (begin_ == end_) begin_ = end_ = 0;
  if (buffer_.size() - end_ < n) {
    compact();
    if (buffer_.size() - end_ < n) buffer_.resize(end_ + n);
  }
  return {reinterpret_cast<std::uint8_t*>(buffer_.data()) + end_, n};
}

void FrameReader::feed(Bytes data) {
  auto dst = prepare(data.size());
  if (!data.empty()) std::memcpy(dst.data(), data.data(), data.size());
  commit(data.size());
}

std::size_t FrameReader::complete_packet_span(std::error_code& ec) const {
  std::size_t pos = begin_;
  std::size_t payload = 0;
  std::uint8_t expected_seq = 0;
  bool first = true;
  for (;;) {
    if (end_ - pos < frame_header_size) return 0;
    std::size_t len = frame_length(buffer_.data() + pos);
    auto seq = static_cast<std::uint8_t>(buffer_[pos + 3]);
    if (!first && seq != expected_seq) {
      ec = ProtocolError::bad_sequence;
      return 0;
    }
    payload += len;
    if (payload > max_payload_) {
      ec = ProtocolError::packet_too_large;
      return 0;
    }
    if (end_ - pos - frame_header_size < len) return 0;
    pos += frame_header_size + len;
    if (len < max_frame_payload) return pos - begin_;
    expected_seq = static_cast<std::uint8_t>(seq + 1);
    first = false;
  }
}

std::optional<Packet> FrameReader::next(std::error_code& ec) {
  ec.clear();
  std::size_t span = complete_packet_span(ec);
  if (ec || span == 0) return std::nullopt;
  Packet packet;
  packet.sequence_id = static_cast<std::uint8_t>(buffer_[begin_ + 3]);
  std::size_t pos = begin_;
  const std::size_t stop = begin_ + span;
  while (pos < stop) {
    std::size_t len = frame_length(buffer_.data() + pos);
    packet.last_sequence_id = static_cast<std::uint8_t>(buffer_[pos + 3]);
    packet.payload.append(buffer_, pos + frame_header_size, len);
    pos += frame_header_size + len;
  }
  last_begin_ = begin_;
  last_end_ = stop;
  begin_ = stop;
  return packet;
}

std::string FrameReader::take_buffered() {
  std::string out = buffer_.substr(begin_, end_ - begin_);
  begin_ = end_ = last_begin_ = last_end_ = 0;
  return out;
}

std::uint8_t append_frames(std::string& out, Bytes payload, std::uint8_t sequence_id) {
  std::size_t offset = 0;
  for (;;) {
    std::size_t len = std::min(payload.size() - offset, max_frame_payload);
    out.push_back(static_cast<char>(len & 0xff));
    out.push_back(static_cast<char>((len >> 8) & 0xff));
    out.push_back(static_cast<char>((len >> 16) & 0xff));
    out.push_back(static_cast<char>(sequence_id++));
    out.append(as_chars(payload.subspan(offset, len)));
    offset += len;
    if (len < max_frame_payload) return sequence_id;
  }
}

}  // namespace rwproxy::protocol
