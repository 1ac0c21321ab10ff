// [admin] and [[admin_users]]: the admin interface's listener and who may log in to it.
#include <fmt/format.h>

#include "proxy/config/field_table.hpp"
#include "proxy/config/section.hpp"

namespace rwproxy::config {
namespace {

constexpr Field<Admin> admin_fields[] = {
    {"enabled", [](ValueReader& v, Admin& a) { v.read_bool(a.enabled); }},
    {"listen_address", [](ValueReader& v, Admin& a) { v.read_ip_address(a.listen_address); }},
    {"listen_port", [](ValueReader& v, Admin& a) { v.read_integer<0, 65535>(a.listen_port); }},
};

void read_admin(const toml::table& table, std::string_view path, Config& config, Problems& problems) {
  read_fields(table, path, admin_fields, config.admin, problems);
}

void validate_admin(const Config& config, Problems& problems) {
  if (config.admin.enabled && config.admin_users.empty()) {
    problems.push_back({"admin.enabled", "the admin interface needs at least one [[admin_users]] table", {}});
  }
}

constexpr Field<AdminUser> admin_user_fields[] = {
    {"name", [](ValueReader& v, AdminUser& u) { v.read_non_empty_string(u.name); }, true},
    {"password", [](ValueReader& v, AdminUser& u) { v.read_optional_string(u.password); }},
    {"password_hash", [](ValueReader& v, AdminUser& u) { v.read_password_hash(u.password_hash); }},
};

void read_admin_user(const toml::table& table, std::string_view path, Config& config, Problems& problems) {
  AdminUser user;
  read_fields(table, path, admin_user_fields, user, problems);
  if (table.contains("password") == table.contains("password_hash")) {
    problems.push_back({std::string(path), "set exactly one of password or password_hash", {}});
  }
  config.admin_users.push_back(std::move(user));
}

void validate_admin_users(const Config& config, Problems& problems) {
  const auto& users = config.admin_users;
  for (std::size_t i = 0; i < users.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (users[i].name.empty() || users[i].name != users[j].name) continue;
      problems.push_back({child_path(element_path("admin_users", i), "name"),
                          fmt::format("duplicate admin user name \"{}\" (also admin_users[{}])", users[i].name, j),
                          {}});
      break;
    }
  }
}

}  // namespace

Section admin_section() {
  return {"admin", SectionShape::table, [] { return field_keys(admin_fields); }, &read_admin, &validate_admin};
}

Section admin_users_section() {
  return {"admin_users", SectionShape::array_of_tables, [] { return field_keys(admin_user_fields); },
          &read_admin_user, &validate_admin_users};
}

}  // namespace rwproxy::config
