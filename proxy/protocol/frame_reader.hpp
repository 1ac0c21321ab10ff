// Splits a byte stream into MySQL packets: 3-byte length + sequence id, with payloads of
// 0xffffff bytes continued in the next frame. Bounded: a packet over max_payload is an error.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "proxy/protocol/bytes.hpp"

namespace rwproxy::protocol {

struct Packet {
  std::uint8_t sequence_id = 0;       // of the first frame
  std::uint8_t last_sequence_id = 0;  // of the last frame (the reply continues from here + 1)
  std::string payload;                // continuation frames joined
};

class FrameReader {
 public:
  explicit FrameReader(std::size_t max_payload) : max_payload_(max_payload) {}

  // Zero-copy receive: write up to `n` bytes into the returned span, then commit() what arrived.
  std::span<std::uint8_t> prepare(std::size_t n);
  void commit(std::size_t n) { end_ += n; }
  // Copying receive, for tests and small inputs.
  void feed(Bytes data);

  // The next complete packet, std::nullopt when more bytes are needed, or an error
  // (packet_too_large, bad_sequence). After an error the reader is unusable.
  std::optional<Packet> next(std::error_code& ec);

  // The frames (headers included) of the packet next() returned last, exactly as they arrived;
  // valid until the reader is given more bytes (prepare, feed) or gives them up.
  std::string_view last_frames() const { return {buffer_.data() + last_begin_, last_end_ - last_begin_}; }

  // Bytes received but not yet returned as packets.
  std::size_t buffered() const { return end_ - begin_; }
  // Frees the buffer when it holds nothing and has grown past `keep` bytes (a large packet's
  // buffer does not stay with an idle connection; the next read starts small again).
  void release_if_large(std::size_t keep = 16 * 1024) {
    if (begin_ != end_ || buffer_.capacity() <= keep) return;
    std::string().swap(buffer_);
    begin_ = end_ = last_begin_ = last_end_ = 0;
  }
  // Removes and returns raw buffered bytes (used when the stream stops being packetised).
  std::string take_buffered();

 private:
  // Length of the complete logical packet at begin_ in frames, or 0 if incomplete.
  std::size_t complete_packet_span(std::error_code& ec) const;
  void compact();

  std::size_t max_payload_;
  std::string buffer_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::size_t last_begin_ = 0;  // the last packet returned: buffer_[last_begin_, last_end_)
  std::size_t last_end_ = 0;
};

// Appends `payload` framed as one packet (split into continuation frames when needed),
// starting at `sequence_id`. Returns the sequence id following the last frame.
std::uint8_t append_frames(std::string& out, Bytes payload, std::uint8_t sequence_id);
inline std::uint8_t append_frames(std::string& out, std::string_view payload, std::uint8_t seq) {
  return append_frames(out, as_bytes(payload), seq);
}

}  // namespace rwproxy::protocol
