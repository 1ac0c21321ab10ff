#include "proxy/net/packet_channel.hpp"

#include <array>
#include <cassert>
#include <cerrno>
#include <cstring>

#include <sys/socket.h>

#include "proxy/net/tls_stream.hpp"
#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/error.hpp"

namespace rwproxy::net {

namespace {
// An empty buffer starts small (most packets are: handshakes, commands, OKs) and a read into a
// buffer that already holds part of a packet asks for more.
constexpr std::size_t first_read = 4 * 1024;
constexpr std::size_t read_chunk = 16 * 1024;
}

PacketChannel::PacketChannel(tcp::socket socket, std::size_t max_payload)
    : socket_(std::move(socket)), reader_(max_payload) {}

PacketChannel::PacketChannel(PacketChannel&& other) noexcept
    : socket_(std::move(other.socket_)),
      reader_(std::move(other.reader_)),
      bytes_received_(other.bytes_received_),
      bytes_sent_(other.bytes_sent_) {
  assert(!other.tls_ && "a PacketChannel is not moved once TLS runs on its socket");
}

PacketChannel::~PacketChannel() = default;

awaitable<std::optional<protocol::Packet>> PacketChannel::read_packet(std::error_code& ec) {
  ec.clear();
  for (;;) {
    if (auto packet = reader_.next(ec)) co_return packet;
    if (ec) co_return std::nullopt;
    auto space = reader_.prepare(reader_.buffered() == 0 ? first_read : read_chunk);
    error_code io;
    std::size_t n = 0;
    if (tls_) {
      n = co_await tls_->read_some(asio::buffer(space.data(), space.size()), io);
    } else {
      n = co_await socket_.async_read_some(asio::buffer(space.data(), space.size()),
                                           asio::redirect_error(asio::use_awaitable, io));
    }
    reader_.commit(n);
    if (bytes_received_) metrics::bump(*bytes_received_, n);
    if (io) {
      ec = io;
      co_return std::nullopt;
    }
  }
}

awaitable<std::optional<protocol::Packet>> PacketChannel::read_packet_exact(std::error_code& ec) {
  ec.clear();
  constexpr std::size_t header_size = 4;
  if (tls_ || reader_.buffered() != 0) co_return co_await read_packet(ec);
  std::array<std::uint8_t, header_size> head{};
  error_code io;
  co_await asio::async_read(socket_, asio::buffer(head), asio::redirect_error(asio::use_awaitable, io));
  if (io) {
    ec = io;
    co_return std::nullopt;
  }
  const std::size_t length = head[0] | (head[1] << 8) | (static_cast<std::size_t>(head[2]) << 16);
  auto space = reader_.prepare(header_size + length);
  std::memcpy(space.data(), head.data(), header_size);
  reader_.commit(header_size);
  if (length >= protocol::max_frame_payload) co_return co_await read_packet(ec);  // never an SSL request
  std::optional<protocol::Packet> empty = reader_.next(ec);  // a frame over max_payload is refused here
  if (ec || empty) co_return empty;                          // (and an empty one is complete)
  space = reader_.prepare(length);
  co_await asio::async_read(socket_, asio::buffer(space.data(), length), asio::redirect_error(asio::use_awaitable, io));
  if (io) {
    ec = io;
    co_return std::nullopt;
  }
  reader_.commit(length);
  if (bytes_received_) metrics::bump(*bytes_received_, header_size + length);
  co_return reader_.next(ec);
}

awaitable<void> PacketChannel::start_tls(std::shared_ptr<boost::asio::ssl::context> context, std::error_code& ec) {
  tls_ = std::make_unique<TlsStream>(socket_, std::move(context));
  error_code io;
  co_await tls_->handshake(io);
  ec = io;
}

awaitable<void> PacketChannel::start_tls_client(std::shared_ptr<boost::asio::ssl::context> context, std::string host,
                                                bool verify_host, std::error_code& ec) {
  tls_ = std::make_unique<TlsStream>(socket_, std::move(context));
  error_code io;
  co_await tls_->client_handshake(host, verify_host, io);
  ec = io;
}

awaitable<std::size_t> PacketChannel::read_some(asio::mutable_buffer buffer, error_code& ec) {
  if (tls_) co_return co_await tls_->read_some(buffer, ec);
  co_return co_await socket_.async_read_some(buffer, asio::redirect_error(asio::use_awaitable, ec));
}

std::string PacketChannel::tls_description() const { return tls_ ? tls_->description() : std::string(); }

std::size_t PacketChannel::write_now(std::string_view bytes, error_code& io) {
  // A plain send(2) that never blocks (MSG_DONTWAIT), whatever mode the socket is in: no check or
  // switch of Asio's non-blocking flag on every write.
  for (;;) {
    const ssize_t sent = ::send(socket_.native_handle(), bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent >= 0) return static_cast<std::size_t>(sent);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) io = error_code(errno, boost::system::system_category());
    return 0;
  }
}

awaitable<void> PacketChannel::write(std::string_view bytes, std::error_code& ec) {
  // Nearly always the socket takes the whole write at once: sent without suspending (no reactor
  // operation, no completion to schedule). What it did not take is written asynchronously.
  error_code io;
  if (tls_) {
    co_await tls_->write(asio::buffer(bytes.data(), bytes.size()), io);
  } else if (const std::size_t sent = write_now(bytes, io); !io && sent < bytes.size()) {
    const auto rest = asio::buffer(bytes.data() + sent, bytes.size() - sent);
    co_await asio::async_write(socket_, rest, asio::redirect_error(asio::use_awaitable, io));
  }
  if (bytes_sent_ && !io) metrics::bump(*bytes_sent_, bytes.size());
  ec = io;
}

void PacketChannel::close() {
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace rwproxy::net
