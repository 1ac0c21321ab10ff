// RLIMIT_NOFILE: every client and every backend connection is a file descriptor. At start the
// soft limit is raised to the hard limit, and the log says how many clients that allows.
#pragma once

#include <cstdint>
#include <string>

#include "proxy/config/config.hpp"

namespace rwproxy::server {

struct FileLimit {
  std::uint64_t before = 0;  // soft limit at start
  std::uint64_t now = 0;     // soft limit after raising it
};

// Raises the soft limit to the hard limit (never lowers it).
FileLimit raise_file_limit();

// How many clients `limit` descriptors serve with this config: each client takes one, plus its
// own backend connections without multiplexing (one per backend it uses), or a share of the
// pools' with it. Pure.
std::uint64_t clients_allowed(std::uint64_t limit, const config::Config& config);

// The log line for the limits, with a warning when max_client_connections exceeds what they allow.
std::string describe_file_limit(const FileLimit& limit, const config::Config& config);

}  // namespace rwproxy::server
