#include "proxy/backend/gtid_wait.hpp"

#include <fmt/format.h>

#include "proxy/protocol/constants.hpp"

namespace rwproxy::backend {

std::string gtid_wait_payload(const router::GtidPosition& position, std::chrono::milliseconds timeout) {
  // The position is our own formatting of parsed numbers: nothing to escape.
  return fmt::format("{}SELECT MASTER_GTID_WAIT('{}', {}.{:03})", static_cast<char>(protocol::Command::query),
                     position.to_string(), timeout.count() / 1000, timeout.count() % 1000);
}

std::string binlog_position_payload() {
  return std::string(1, static_cast<char>(protocol::Command::query)) + "SELECT @@global.gtid_binlog_pos";
}

}  // namespace rwproxy::backend
