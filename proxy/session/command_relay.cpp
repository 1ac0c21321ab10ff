#include "proxy/session/command_relay.hpp"

#include <cstring>

#include "proxy/net/deadline_sweep.hpp"
#include "proxy/protocol/frame_reader.hpp"
#include "proxy/protocol/session_state_info.hpp"

namespace rwproxy::session {

using protocol::PacketScanner;
using protocol::ResponseTracker;

void CommandRelay::emit(protocol::Bytes chunk, std::size_t begin, std::size_t end) {
  if (!staging_ && begin == direct_end_) {
    direct_end_ = end;
    return;
  }
  if (!staging_) {
    out_.assign(reinterpret_cast<const char*>(chunk.data()), direct_end_);
    staging_ = true;
  }
  out_.append(reinterpret_cast<const char*>(chunk.data()) + begin, end - begin);
}

void CommandRelay::emit_text(protocol::Bytes chunk, std::string_view text) {
  if (!staging_) {
    out_.assign(reinterpret_cast<const char*>(chunk.data()), direct_end_);
    staging_ = true;
  }
  out_.append(text);
}

std::string_view CommandRelay::output(protocol::Bytes chunk) const {
  if (staging_) return out_;
  return {reinterpret_cast<const char*>(chunk.data()), direct_end_};
}

void CommandRelay::finish_capture() {
  capturing_ = false;
  constexpr std::size_t header_size = 4;
  protocol::TrackedOk tracked;
  const protocol::Bytes payload = protocol::as_bytes(capture_).subspan(header_size);
  if (protocol::parse_tracked_ok(payload, tracked)) return;  // not what it seemed: forwarded as it is
  for (const protocol::SessionStateChange& change : tracked.changes) {
    if (change.type == protocol::session_track::system_variables && change.name == "last_gtid") {
      if (!change.value.empty()) last_gtid_.assign(change.value);
    } else if (change.type == protocol::session_track::state_change) {
      state_changed_ = true;
    } else if (change.type == protocol::session_track::schema) {
      schema_.emplace(change.value);
    }
  }
  if (!tracking_.strip) return;
  std::string stripped;
  protocol::write_untracked_ok(tracked, stripped);
  const std::uint8_t sequence = static_cast<std::uint8_t>(capture_[3]);
  capture_.clear();
  protocol::append_frames(capture_, stripped, sequence);
}

void CommandRelay::on_head(protocol::Bytes chunk, std::size_t pos, const protocol::PacketHead& head,
                           std::size_t& flushed) {
  constexpr std::size_t header_size = 4;
  const bool rewrite = tracking_.read_state && tracker_.ok_with_session_state() &&
                       head.first_frame_length < protocol::max_frame_payload;
  if (!rewrite) {
    if (!held_.empty()) {  // the head began in the previous chunk: it goes out first
      emit_text(chunk, held_);
      held_.clear();
    }
    return;
  }
  const std::size_t in_chunk = header_size + head.prefix.size() - held_.size();
  const std::size_t start = pos - in_chunk;
  emit(chunk, flushed, start);
  capture_ = held_;
  held_.clear();
  capture_.append(reinterpret_cast<const char*>(chunk.data()) + start, in_chunk);
  capturing_ = true;
  flushed = pos;
  scanner_.report_packet_end();
}

CommandRelay::ChunkStatus CommandRelay::scan_chunk(protocol::Bytes chunk) {
  direct_end_ = 0;
  staging_ = false;
  std::size_t pos = 0;
  std::size_t flushed = 0;  // chunk[0, flushed) is emitted, held or captured
  for (;;) {
    const std::size_t step_start = pos;
    PacketScanner::Step step = scanner_.next(chunk.subspan(pos));
    pos += step.consumed;
    if (capturing_) {
      capture_.append(reinterpret_cast<const char*>(chunk.data()) + step_start, pos - step_start);
      flushed = pos;
    }
    switch (step.event) {
      case PacketScanner::Event::need_more: {
        const std::size_t pending = tracking_.read_state && !capturing_ ? scanner_.pending_head_bytes() : 0;
        // A head that may belong to an OK to rewrite waits for the rest of it.
        const std::size_t hold = pending > held_.size() ? pending - held_.size() : 0;
        emit(chunk, flushed, pos - hold);
        held_.append(reinterpret_cast<const char*>(chunk.data()) + pos - hold, hold);
        return ChunkStatus::more;
      }
      case PacketScanner::Event::bad_sequence:
        return ChunkStatus::bad_stream;
      case PacketScanner::Event::packet_end:
        finish_capture();
        emit_text(chunk, capture_);
        capture_.clear();
        break;
      case PacketScanner::Event::end_of_stream:
        emit(chunk, flushed, pos);
        if (pos != chunk.size()) return ChunkStatus::bad_stream;  // bytes beyond the response
        return infile_requested_ ? ChunkStatus::infile : ChunkStatus::done;
      case PacketScanner::Event::packet_head:
        switch (tracker_.on_packet(step.head)) {
          case ResponseTracker::Verdict::more:
            break;
          case ResponseTracker::Verdict::local_infile:
            infile_requested_ = true;
            scanner_.end_after_packet();
            break;
          case ResponseTracker::Verdict::done:
            scanner_.end_after_packet();
            break;
        }
        on_head(chunk, pos, step.head, flushed);
        break;
    }
  }
}

awaitable<CommandRelay::Outcome> CommandRelay::run(protocol::Command command, std::string_view command_frames,
                                                   std::uint8_t next_sequence, bool cursor,
                                                   backend::BackendConnection& backend, net::PacketChannel& client,
                                                   std::chrono::milliseconds timeout, SessionTracking tracking) {
  std::error_code ec;
  co_await backend.channel().write(command_frames, ec);
  if (ec) {
    Outcome failed;
    failed.result = Result::backend_failed;
    co_return failed;
  }
  if (!ResponseTracker::expects_response(command)) co_return Outcome{};
  co_return co_await relay_response(command, next_sequence, cursor, backend, client, timeout, tracking, false);
}

awaitable<CommandRelay::Outcome> CommandRelay::relay_response(protocol::Command command, std::uint8_t next_sequence,
                                                              bool cursor, backend::BackendConnection& backend,
                                                              net::PacketChannel& client,
                                                              std::chrono::milliseconds timeout,
                                                              SessionTracking tracking, bool discard) {
  Outcome outcome;
  std::error_code ec;
  tracker_.start(command, backend.capabilities(), cursor);
  scanner_.reset(next_sequence);
  infile_requested_ = false;
  tracking_ = tracking;
  held_.clear();
  capture_.clear();
  capturing_ = false;
  last_gtid_.clear();
  state_changed_ = false;
  schema_.reset();
  const net::BufferPool::Lease lease = buffers_.lease();
  const std::span<std::uint8_t> buffer = lease.bytes();
  net::DeadlineSweep::Watch deadline(deadlines_, backend.socket());
  std::string pending = backend.channel().reader().take_buffered();  // normally empty
  for (;;) {
    std::size_t n = 0;
    if (!pending.empty()) {
      n = std::min(pending.size(), buffer.size());
      std::memcpy(buffer.data(), pending.data(), n);
      pending.erase(0, n);
    } else {
      error_code io;
      if (timeout.count() > 0) deadline.arm(timeout);  // no timer at all without a query timeout
      if (backend.channel().tls()) {
        n = co_await backend.channel().read_some(asio::buffer(buffer.data(), buffer.size()), io);
      } else {  // straight from the socket: one coroutine layer less per read
        n = co_await backend.socket().async_read_some(asio::buffer(buffer.data(), buffer.size()),
                                                      asio::redirect_error(asio::use_awaitable, io));
      }
      if (timeout.count() > 0) deadline.disarm();
      if (io) {
        outcome.result = Result::backend_failed;
        outcome.timed_out = deadline.expired();
        break;
      }
    }
    const protocol::Bytes chunk(buffer.data(), n);
    ChunkStatus status = scan_chunk(chunk);
    if (status == ChunkStatus::bad_stream) {
      outcome.result = Result::backend_failed;
      break;
    }
    const std::string_view out = output(chunk);
    if (!discard && !out.empty()) {
      co_await client.write(out, ec);
      outcome.bytes_to_client = true;
      if (ec) {
        outcome.result = Result::client_failed;
        break;
      }
    }
    if (status == ChunkStatus::done) break;
    if (status == ChunkStatus::infile) {
      outcome.result = co_await forward_local_infile(backend, client);
      if (outcome.result != Result::completed) break;
    }
  }
  outcome.summary = tracker_.summary();
  outcome.last_gtid = last_gtid_;
  outcome.state_changed = state_changed_;
  outcome.schema = schema_;
  co_return outcome;
}

awaitable<CommandRelay::Result> CommandRelay::forward_local_infile(backend::BackendConnection& backend,
                                                                  net::PacketChannel& client) {
  // The client sends the file as packets and ends with an empty one; the server then replies.
  std::string frames;
  for (;;) {
    std::error_code ec;
    auto packet = co_await client.read_packet(ec);
    if (!packet) co_return Result::client_failed;
    frames.clear();
    std::uint8_t next = protocol::append_frames(frames, packet->payload, packet->sequence_id);
    co_await backend.channel().write(frames, ec);
    if (ec) co_return Result::backend_failed;
    if (packet->payload.empty()) {
      tracker_.resume_after_infile();
      scanner_.reset(next);
      infile_requested_ = false;
      co_return Result::completed;
    }
  }
}

}  // namespace rwproxy::session
