// Finds packet boundaries in a byte stream that is relayed without being copied into packets.
// It stops at each logical packet's head (continuation frames belong to their packet) so the
// caller can look at the first payload bytes and say whether the stream ends after that packet,
// or ask to be told when that packet's last byte has gone by.
#pragma once

#include <array>
#include <cstdint>

#include "proxy/protocol/bytes.hpp"

namespace rwproxy::protocol {

struct PacketHead {
  std::size_t first_frame_length = 0;  // 0xffffff means the packet continues in more frames
  std::uint8_t sequence_id = 0;
  Bytes prefix;                        // the first min(length, prefix_capacity) payload bytes
};

class PacketScanner {
 public:
  static constexpr std::size_t prefix_capacity = 32;

  enum class Event {
    need_more,      // all input consumed, stream not finished
    packet_head,    // `head` is valid; call end_after_packet() if this packet ends the stream
    packet_end,     // the packet given report_packet_end() is complete; `consumed` stops at its end
    end_of_stream,  // the packet marked as last is complete; `consumed` stops right after it
    bad_sequence,   // a frame carried an unexpected sequence id
  };

  struct Step {
    Event event = Event::need_more;
    std::size_t consumed = 0;
    PacketHead head;
  };

  // Starts a new stream whose first frame must carry `sequence_id`.
  void reset(std::uint8_t sequence_id);
  // Scans from the start of `input` (the bytes after what earlier steps consumed).
  Step next(Bytes input);
  // Marks the packet whose head was just returned as the last one of the stream.
  void end_after_packet() { last_packet_ = true; }
  // Asks for a packet_end step once the packet whose head was just returned has been consumed
  // (continuation frames included). Before end_of_stream if both are asked for.
  void report_packet_end() { report_end_ = true; }

  std::uint8_t next_sequence_id() const { return expected_seq_; }
  bool at_packet_boundary() const { return state_ == State::header && header_have_ == 0 && !continuing_; }
  // Bytes of a packet's head (frame header and prefix) consumed but not yet returned in a
  // packet_head step; 0 at packet boundaries, inside bodies and in continuation-frame headers.
  std::size_t pending_head_bytes() const;

 private:
  enum class State { header, prefix, body };

  bool header_complete(Step& step);  // false on bad sequence

  State state_ = State::header;
  std::array<std::uint8_t, 4> header_{};
  std::size_t header_have_ = 0;
  std::array<std::uint8_t, prefix_capacity> prefix_{};
  std::size_t prefix_have_ = 0;
  std::size_t prefix_want_ = 0;
  std::size_t frame_length_ = 0;
  std::size_t frame_left_ = 0;  // payload bytes of the current frame not yet consumed
  bool continuing_ = false;     // the next frame continues the current packet
  bool last_packet_ = false;
  bool report_end_ = false;     // emit packet_end when the current packet is complete
  std::uint8_t expected_seq_ = 0;
};

}  // namespace rwproxy::protocol
