// A TCP socket speaking MySQL packets: reads whole packets (bounded), writes bytes.
#pragma once

#include <optional>
#include <string_view>

#include "metrics/worker_counters.hpp"
#include "proxy/asio.hpp"
#include "proxy/protocol/frame_reader.hpp"

namespace rwproxy::net {

class PacketChannel {
 public:
  PacketChannel(tcp::socket socket, std::size_t max_payload)
      : socket_(std::move(socket)), reader_(max_payload) {}

  // The next whole packet. On failure `ec` is set: a socket error, or a protocol error
  // (protocol::ProtocolError::packet_too_large, bad_sequence).
  awaitable<std::optional<protocol::Packet>> read_packet(std::error_code& ec);
  awaitable<void> write(std::string_view bytes, std::error_code& ec);

  // Counts the bytes this channel reads and writes (the client side's traffic metrics).
  void count_bytes(metrics::Counter* received, metrics::Counter* sent) {
    bytes_received_ = received;
    bytes_sent_ = sent;
  }

  tcp::socket& socket() { return socket_; }
  protocol::FrameReader& reader() { return reader_; }
  void close();

 private:
  // One non-blocking send of as much of `bytes` as the socket takes now; would-block is not an error.
  std::size_t write_now(std::string_view bytes, error_code& io);

  tcp::socket socket_;
  protocol::FrameReader reader_;
  metrics::Counter* bytes_received_ = nullptr;
  metrics::Counter* bytes_sent_ = nullptr;
};

}  // namespace rwproxy::net
