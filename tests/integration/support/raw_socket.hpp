// Plain TCP on 127.0.0.1 for the bad-input tests: send exactly the bytes a broken client would,
// read MySQL packets back, and tell a closed connection from a silent one.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace rwproxy::test {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  ~UniqueFd();

  int get() const { return fd_; }
  int release();
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// A connected socket, or an empty UniqueFd with the connect errno in *error (if given).
UniqueFd connect_tcp(std::uint16_t port, int* error = nullptr);

struct RawPacket {
  enum class Status { packet, closed, timeout };
  Status status = Status::timeout;
  std::uint8_t sequence = 0;
  std::string payload;

  bool is_err() const { return status == Status::packet && !payload.empty() && payload[0] == '\xff'; }
  std::uint16_t err_code() const;  // of an ERR packet
};

std::ostream& operator<<(std::ostream& out, RawPacket::Status status);

// One MySQL packet (a single frame) or why there is none before the timeout.
RawPacket read_packet(int fd, std::chrono::milliseconds timeout);

// Writes every byte; false if the peer is gone (no SIGPIPE).
bool send_all(int fd, std::string_view bytes);

// Discards whatever arrives until the peer closes (true) or the timeout passes (false).
bool wait_closed(int fd, std::chrono::milliseconds timeout);

// A frame: 3-byte little-endian length, sequence id, payload.
std::string frame(std::uint8_t sequence, std::string_view payload);

}  // namespace rwproxy::test
