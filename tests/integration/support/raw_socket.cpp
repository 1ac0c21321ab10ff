#include "tests/integration/support/raw_socket.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace rwproxy::test {
namespace {

using Clock = std::chrono::steady_clock;

enum class Wait { readable, timeout };

Wait wait_readable(int fd, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd entry{fd, POLLIN, 0};
    const int ready = ::poll(&entry, 1, left.count() > 0 ? static_cast<int>(left.count()) : 0);
    if (ready > 0) return Wait::readable;  // data, EOF or an error: read() tells which
    if (ready == 0) return Wait::timeout;
    if (errno != EINTR) return Wait::readable;
  }
}

enum class Fill { done, closed, timeout };

Fill read_exactly(int fd, char* out, std::size_t size, Clock::time_point deadline) {
  std::size_t done = 0;
  while (done < size) {
    if (wait_readable(fd, deadline) == Wait::timeout) return Fill::timeout;
    const ssize_t n = ::recv(fd, out + done, size - done, 0);
    if (n == 0) return Fill::closed;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Fill::closed;  // ECONNRESET and friends
    }
    done += static_cast<std::size_t>(n);
  }
  return Fill::done;
}

RawPacket::Status status_of(Fill fill) {
  return fill == Fill::closed ? RawPacket::Status::closed : RawPacket::Status::timeout;
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

int UniqueFd::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

UniqueFd connect_tcp(std::uint16_t port, int* error) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (fd && ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    if (error != nullptr) *error = 0;
    return fd;
  }
  if (error != nullptr) *error = errno;
  return {};
}

std::ostream& operator<<(std::ostream& out, RawPacket::Status status) {
  switch (status) {
    case RawPacket::Status::packet:
      return out << "packet";
    case RawPacket::Status::closed:
      return out << "closed";
    case RawPacket::Status::timeout:
      return out << "timeout";
  }
  return out << "status " << static_cast<int>(status);
}

std::uint16_t RawPacket::err_code() const {
  if (!is_err() || payload.size() < 3) return 0;
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(payload[1]) |
                                    static_cast<std::uint8_t>(payload[2]) << 8);
}

RawPacket read_packet(int fd, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  RawPacket packet;
  char header[4];
  if (Fill fill = read_exactly(fd, header, sizeof header, deadline); fill != Fill::done) {
    packet.status = status_of(fill);
    return packet;
  }
  const std::size_t length = static_cast<std::uint8_t>(header[0]) | static_cast<std::uint8_t>(header[1]) << 8 |
                             static_cast<std::size_t>(static_cast<std::uint8_t>(header[2])) << 16;
  packet.sequence = static_cast<std::uint8_t>(header[3]);
  packet.payload.resize(length);
  if (Fill fill = read_exactly(fd, packet.payload.data(), length, deadline); fill != Fill::done) {
    packet.status = status_of(fill);
    return packet;
  }
  packet.status = RawPacket::Status::packet;
  return packet;
}

bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool wait_closed(int fd, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  char sink[4096];
  for (;;) {
    if (wait_readable(fd, deadline) == Wait::timeout) return false;
    const ssize_t n = ::recv(fd, sink, sizeof sink, 0);
    if (n == 0) return true;
    if (n < 0 && errno != EINTR && errno != EAGAIN) return true;
  }
}

std::string frame(std::uint8_t sequence, std::string_view payload) {
  std::string out;
  out.push_back(static_cast<char>(payload.size() & 0xff));
  out.push_back(static_cast<char>((payload.size() >> 8) & 0xff));
  out.push_back(static_cast<char>((payload.size() >> 16) & 0xff));
  out.push_back(static_cast<char>(sequence));
  out.append(payload);
  return out;
}

}  // namespace rwproxy::test
