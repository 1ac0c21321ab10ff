#include "proxy/protocol/packet_scanner.hpp"

#include <algorithm>
#include <cstring>

#include "proxy/protocol/constants.hpp"

namespace rwproxy::protocol {

void PacketScanner::reset(std::uint8_t sequence_id) {
  *this = PacketScanner{};
  expected_seq_ = sequence_id;
}

bool PacketScanner::header_complete(Step& step) {
  header_have_ = 0;
  if (header_[3] != expected_seq_) {
    step.event = Event::bad_sequence;
    return false;
  }
  ++expected_seq_;
  frame_length_ = header_[0] | (header_[1] << 8) | (static_cast<std::size_t>(header_[2]) << 16);
  frame_left_ = frame_length_;
  bool first_frame = !continuing_;
  continuing_ = frame_length_ == max_frame_payload;
  if (first_frame) {
    prefix_have_ = 0;
    prefix_want_ = std::min(frame_length_, prefix_capacity);
    state_ = State::prefix;
  } else {
    state_ = State::body;
  }
  return true;
}

std::size_t PacketScanner::pending_head_bytes() const {
  if (state_ == State::header && !continuing_) return header_have_;
  if (state_ == State::prefix) return header_.size() + prefix_have_;
  return 0;
}

PacketScanner::Step PacketScanner::next(Bytes input) {
  Step step;
  std::size_t pos = 0;
  for (;;) {
    if (state_ == State::header && header_have_ == 0 && !continuing_ && last_packet_) {
      step.event = Event::end_of_stream;
      break;
    }
    if (state_ == State::prefix && prefix_have_ == prefix_want_) {
      frame_left_ -= prefix_have_;
      state_ = State::body;
      step.event = Event::packet_head;
      step.head = PacketHead{frame_length_, static_cast<std::uint8_t>(expected_seq_ - 1),
                             Bytes(prefix_.data(), prefix_have_)};
      break;
    }
    if (state_ == State::body && frame_left_ == 0) {
      state_ = State::header;
      if (!continuing_ && report_end_) {
        report_end_ = false;
        step.event = Event::packet_end;
        break;
      }
      continue;
    }
    if (pos == input.size()) break;  // need_more
    std::size_t avail = input.size() - pos;
    if (state_ == State::header) {
      std::size_t n = std::min(avail, 4 - header_have_);
      std::memcpy(header_.data() + header_have_, input.data() + pos, n);
      header_have_ += n;
      pos += n;
      if (header_have_ == 4 && !header_complete(step)) break;
    } else if (state_ == State::prefix) {
      std::size_t n = std::min(avail, prefix_want_ - prefix_have_);
      std::memcpy(prefix_.data() + prefix_have_, input.data() + pos, n);
      prefix_have_ += n;
      pos += n;
    } else {
      std::size_t n = std::min(avail, frame_left_);
      frame_left_ -= n;
      pos += n;
    }
  }
  step.consumed = pos;
  return step;
}

}  // namespace rwproxy::protocol
