#include "proxy/session/user_directory.hpp"

#include "proxy/config/password_hash.hpp"
#include "proxy/protocol/caching_sha2.hpp"
#include "proxy/protocol/native_password.hpp"

namespace rwproxy::session {

UserDirectory::UserDirectory(const config::Config& config) {
  for (const config::User& user : config.users) {
    protocol::StoredCredential credential;
    if (user.password) {
      credential.empty_password = user.password->empty();
      credential.hash = protocol::native_password_hash(*user.password);
      if (!user.password->empty()) {
        credential.sha2_hash = protocol::caching_sha2_hash(*user.password);
        credential.stage1 = protocol::sha1(*user.password);
      }
      credential.password = *user.password;
    } else if (user.password_hash) {
      auto hash = config::parse_native_password_hash(*user.password_hash);
      if (!hash) continue;  // rejected by config validation already
      std::copy(hash->begin(), hash->end(), credential.hash.begin());
    } else {
      continue;
    }
    credential.require_tls = user.require_tls;
    users_.emplace(user.name, credential);
  }
}

std::optional<protocol::StoredCredential> UserDirectory::find(std::string_view user) const {
  auto it = users_.find(std::string(user));
  if (it == users_.end()) return std::nullopt;
  return it->second;
}

}  // namespace rwproxy::session
