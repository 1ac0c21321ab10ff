// A TCP socket speaking MySQL packets: reads whole packets (bounded), writes bytes.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "metrics/worker_counters.hpp"
#include "proxy/asio.hpp"
#include "proxy/protocol/frame_reader.hpp"

namespace boost::asio::ssl {
class context;
}

namespace rwproxy::net {

class TlsStream;

class PacketChannel {
 public:
  PacketChannel(tcp::socket socket, std::size_t max_payload);
  ~PacketChannel();
  // Movable until start_tls (the TLS layer refers to this channel's socket).
  PacketChannel(PacketChannel&& other) noexcept;
  PacketChannel& operator=(PacketChannel&&) = delete;

  // The next whole packet. On failure `ec` is set: a socket error, or a protocol error
  // (protocol::ProtocolError::packet_too_large, bad_sequence).
  awaitable<std::optional<protocol::Packet>> read_packet(std::error_code& ec);
  awaitable<void> write(std::string_view bytes, std::error_code& ec);
  // The next packet, read without taking a byte past its end from the socket: what follows an
  // SSL request (the client's TLS hello) must be left for the TLS layer. For a login's first
  // packet; nothing may be buffered yet.
  awaitable<std::optional<protocol::Packet>> read_packet_exact(std::error_code& ec);

  // Runs the server side of a TLS handshake; from then on every read and write goes through TLS.
  awaitable<void> start_tls(std::shared_ptr<boost::asio::ssl::context> context, std::error_code& ec);
  // The client side (towards a backend); see TlsStream::client_handshake.
  awaitable<void> start_tls_client(std::shared_ptr<boost::asio::ssl::context> context, std::string host,
                                   bool verify_host, std::error_code& ec);
  // Raw bytes as they arrive (through TLS when it runs): for relaying responses.
  awaitable<std::size_t> read_some(asio::mutable_buffer buffer, error_code& ec);
  bool tls() const { return tls_ != nullptr; }
  // The protocol and cipher in use ("TLSv1.3 TLS_AES_256_GCM_SHA384"), empty without TLS.
  std::string tls_description() const;

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
  std::unique_ptr<TlsStream> tls_;
  protocol::FrameReader reader_;
  metrics::Counter* bytes_received_ = nullptr;
  metrics::Counter* bytes_sent_ = nullptr;
};

}  // namespace rwproxy::net
