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

std::string_view to_string(NoReplicaAction action) {
  switch (action) {
    case NoReplicaAction::master:
      return "master";
    case NoReplicaAction::error:
      return "error";
  }
  return "unknown";
}

std::string_view to_string(RuleRoute route) {
  switch (route) {
    case RuleRoute::master:
      return "master";
    case RuleRoute::replica:
      return "replica";
    case RuleRoute::any:
      return "any";
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

bool Config::hints_allowed(const User& user) const {
  return user.hints.value_or(routing.hints);
}

bool Config::multiplexing_for(std::string_view name) const {
  const User* user = find_user(name);
  return user && user->multiplexing ? *user->multiplexing : pool.multiplexing;
}

}  // namespace rwproxy::config
