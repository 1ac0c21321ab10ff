// --ports-file: the ports the proxy actually bound, for scripts that start it with port 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace rwproxy::server {

struct BoundPorts {
  std::uint16_t listen_port = 0;
  std::optional<std::uint16_t> metrics_port;  // empty: metrics off, or the endpoint could not bind
  std::optional<std::uint16_t> admin_port;    // empty: [admin] off, or it could not bind
};

// "listen_port=N\nmetrics_port=M\nadmin_port=A\n" (metrics and admin lines only when served).
std::string format_bound_ports(const BoundPorts& ports);

// Writes the file atomically (a temporary file renamed over it), so a reader polling for it never
// sees half of it. Returns an error message, empty on success.
std::string write_ports_file(const std::string& path, const BoundPorts& ports);

}  // namespace rwproxy::server
