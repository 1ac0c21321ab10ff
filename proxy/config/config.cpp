#include "proxy/config/config.hpp"

namespace rwproxy::config {

std::string_view to_string(BackendRole role) {
  switch (role) {
    case BackendRole::master:
      return "master";
    case BackendRole::replica:
      return "replica";
  }
  return "unknown";
}

const Backend* Config::master() const {
  for (const Backend& backend : backends) {
    if (backend.role == BackendRole::master) return &backend;
  }
  return nullptr;
}

std::vector<const Backend*> Config::replicas() const {
  std::vector<const Backend*> result;
  for (const Backend& backend : backends) {
    if (backend.role == BackendRole::replica) result.push_back(&backend);
  }
  return result;
}

const User* Config::find_user(std::string_view name) const {
  for (const User& user : users) {
    if (user.name == name) return &user;
  }
  return nullptr;
}

}  // namespace rwproxy::config
