#include "proxy/session/user_directory.hpp"

#include "proxy/config/password_hash.hpp"
#include "proxy/protocol/caching_sha2.hpp"
#include "proxy/protocol/native_password.hpp"

namespace rwproxy::session {

UserDirectory::UserDirectory(const config::Config& config, Accounts accounts) {
  if (accounts == Accounts::admin) {
    for (const config::AdminUser& user : config.admin_users) add(user.name, user.password, user.password_hash, false);
    return;
  }
  for (const config::User& user : config.users) add(user.name, user.password, user.password_hash, user.require_tls);
}

void UserDirectory::add(const std::string& name, const std::optional<std::string>& password,
                        const std::optional<std::string>& password_hash, bool require_tls) {
  protocol::StoredCredential credential;
  if (password) {
    credential.empty_password = password->empty();
    credential.hash = protocol::native_password_hash(*password);
    if (!password->empty()) {
      credential.sha2_hash = protocol::caching_sha2_hash(*password);
      credential.stage1 = protocol::sha1(*password);
    }
    credential.password = *password;
  } else if (password_hash) {
    auto hash = config::parse_native_password_hash(*password_hash);
    if (!hash) return;  // rejected by config validation already
    std::copy(hash->begin(), hash->end(), credential.hash.begin());
  } else {
    return;
  }
  credential.require_tls = require_tls;
  users_.emplace(name, credential);
}

std::optional<protocol::StoredCredential> UserDirectory::find(std::string_view user) const {
  auto it = users_.find(std::string(user));
  if (it == users_.end()) return std::nullopt;
  return it->second;
}

}  // namespace rwproxy::session
