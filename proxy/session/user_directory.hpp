// The users the proxy accepts, from the config: name → stored mysql_native_password credential.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "proxy/config/config.hpp"
#include "proxy/protocol/server_handshake.hpp"

namespace rwproxy::session {

class UserDirectory {
 public:
  explicit UserDirectory(const config::Config& config);

  std::optional<protocol::StoredCredential> find(std::string_view user) const;

 private:
  std::unordered_map<std::string, protocol::StoredCredential> users_;
};

}  // namespace rwproxy::session
