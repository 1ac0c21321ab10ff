#include "proxy/net/packet_channel.hpp"

namespace rwproxy::net {

namespace {
// An empty buffer starts small (most packets are: handshakes, commands, OKs) and a read into a
// buffer that already holds part of a packet asks for more.
constexpr std::size_t first_read = 4 * 1024;
constexpr std::size_t read_chunk = 16 * 1024;
}

awaitable<std::optional<protocol::Packet>> PacketChannel::read_packet(std::error_code& ec) {
  ec.clear();
  for (;;) {
    if (auto packet = reader_.next(ec)) co_return packet;
    if (ec) co_return std::nullopt;
    auto space = reader_.prepare(reader_.buffered() == 0 ? first_read : read_chunk);
    error_code io;
    std::size_t n = co_await socket_.async_read_some(asio::buffer(space.data(), space.size()),
                                                     asio::redirect_error(asio::use_awaitable, io));
    reader_.commit(n);
    if (bytes_received_) metrics::bump(*bytes_received_, n);
    if (io) {
      ec = io;
      co_return std::nullopt;
    }
  }
}

std::size_t PacketChannel::write_now(std::string_view bytes, error_code& io) {
  if (!socket_.non_blocking()) {
    socket_.non_blocking(true, io);
    if (io) return 0;
  }
  const std::size_t sent = socket_.write_some(asio::buffer(bytes.data(), bytes.size()), io);
  if (io == asio::error::would_block || io == asio::error::try_again || io == asio::error::interrupted) io.clear();
  return sent;
}

awaitable<void> PacketChannel::write(std::string_view bytes, std::error_code& ec) {
  // Nearly always the socket takes the whole write at once: sent without suspending (no reactor
  // operation, no completion to schedule). What it did not take is written asynchronously.
  error_code io;
  const std::size_t sent = write_now(bytes, io);
  if (!io && sent < bytes.size()) {
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
