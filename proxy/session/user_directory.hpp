// The users the proxy accepts, from the config ([[users]], or [[admin_users]] for the admin
// interface): name → stored credential.
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
  enum class Accounts { clients, admin };
  explicit UserDirectory(const config::Config& config, Accounts accounts = Accounts::clients);

  std::optional<protocol::StoredCredential> find(std::string_view user) const;

 private:
  void add(const std::string& name, const std::optional<std::string>& password,
           const std::optional<std::string>& password_hash, bool require_tls);

  std::unordered_map<std::string, protocol::StoredCredential> users_;
};

}  // namespace rwproxy::session
