// [[users]]: who may log in through the proxy, with a clear-text password or its hash,
// and optionally whether their comment hints are honoured (else [routing] hints decides).
#include <fmt/format.h>

#include "proxy/config/field_table.hpp"
#include "proxy/config/section.hpp"

namespace rwproxy::config {
namespace {

constexpr Field<User> user_fields[] = {
    {"name", [](ValueReader& v, User& u) { v.read_non_empty_string(u.name); }, true},
    {"password", [](ValueReader& v, User& u) { v.read_optional_string(u.password); }},
    {"password_hash", [](ValueReader& v, User& u) { v.read_password_hash(u.password_hash); }},
    {"hints", [](ValueReader& v, User& u) { v.read_optional_bool(u.hints); }},
    {"multiplexing", [](ValueReader& v, User& u) { v.read_optional_bool(u.multiplexing); }},
    {"require_tls", [](ValueReader& v, User& u) { v.read_bool(u.require_tls); }},
};

// Judged on the keys present, so a password of the wrong type is reported only once.
void check_one_credential(const toml::table& table, std::string_view path,
                          Problems& problems) {
  const bool has_password = table.contains("password");
  const bool has_hash = table.contains("password_hash");
  if (has_password == has_hash) {
    problems.push_back({std::string(path),
                        fmt::format("set exactly one of password or password_hash ({})",
                                    has_password ? "both are set" : "neither is set"),
                        {}});
  }
}

void read_user(const toml::table& table, std::string_view path, Config& config,
               Problems& problems) {
  User user;
  read_fields(table, path, user_fields, user, problems);
  check_one_credential(table, path, problems);
  config.users.push_back(std::move(user));
}

void validate_users(const Config& config, Problems& problems) {
  const std::vector<User>& users = config.users;
  if (users.empty()) {
    problems.push_back({"users", "no users; add at least one [[users]] table", {}});
  }
  for (std::size_t i = 0; i < users.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (users[i].name.empty() || users[i].name != users[j].name) continue;
      problems.push_back({child_path(element_path("users", i), "name"),
                          fmt::format("duplicate user name \"{}\" (also users[{}])",
                                      users[i].name, j),
                          {}});
      break;
    }
  }
}

}  // namespace

Section users_section() {
  return {"users", SectionShape::array_of_tables, [] { return field_keys(user_fields); },
          &read_user, &validate_users};
}

}  // namespace rwproxy::config
