// [[backends]]: the MariaDB/MySQL servers; exactly one master, any number of replicas.
#include <algorithm>

#include <fmt/format.h>

#include "proxy/config/field_table.hpp"
#include "proxy/config/section.hpp"

namespace rwproxy::config {
namespace {

constexpr Choice<BackendRole> roles[] = {
    {"master", BackendRole::master},
    {"replica", BackendRole::replica},
};

constexpr Field<Backend> backend_fields[] = {
    {"name", [](ValueReader& v, Backend& b) { v.read_non_empty_string(b.name); }},
    {"role", [](ValueReader& v, Backend& b) { v.read_choice(roles, b.role); }},
    {"host", [](ValueReader& v, Backend& b) { v.read_non_empty_string(b.host); }},
    {"port", [](ValueReader& v, Backend& b) { v.read_integer<1, 65535>(b.port); }},
    {"weight", [](ValueReader& v, Backend& b) { v.read_integer<1, 1000>(b.weight); }},
    {"tls_mode",
     [](ValueReader& v, Backend& b) {
       BackendTlsMode mode{};
       if (v.read_choice(backend_tls_modes, mode)) b.tls_mode = mode;
     }},
};

void read_backend(const toml::table& table, std::string_view path, Config& config,
                  Problems& problems) {
  Backend backend;
  read_fields(table, path, backend_fields, backend, problems);
  if (backend.name.empty()) {
    backend.name = fmt::format("{}{}", to_string(backend.role), config.backends.size());
  }
  config.backends.push_back(std::move(backend));
}

// Which values of each backend were read without a problem. An invalid value was left at
// its default, so the whole-section rules must not compare it.
struct ValidValues {
  std::vector<bool> role, name, endpoint;
};

ValidValues valid_values(std::size_t count, const Problems& problems) {
  ValidValues valid;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string path = element_path("backends", i);
    const auto ok = [&](std::string_view key) {
      return !has_problem_at(problems, child_path(path, key));
    };
    valid.role.push_back(ok("role"));
    valid.name.push_back(ok("name"));
    valid.endpoint.push_back(ok("host") && ok("port"));
  }
  return valid;
}

void check_one_master(const std::vector<Backend>& backends, const ValidValues& valid,
                      Problems& problems) {
  std::optional<std::size_t> master;
  for (std::size_t i = 0; i < backends.size(); ++i) {
    if (backends[i].role != BackendRole::master) continue;
    if (!master) {
      master = i;
      continue;
    }
    problems.push_back({child_path(element_path("backends", i), "role"),
                        fmt::format("a second master (backends[{}] is one already); exactly "
                                    "one backend must have role = \"master\"",
                                    *master),
                        {}});
  }
  const bool all_roles_valid = std::find(valid.role.begin(), valid.role.end(), false) ==
                               valid.role.end();
  if (master || !all_roles_valid) return;
  problems.push_back({"backends",
                      backends.empty() ? "no backends; add [[backends]] tables, exactly one "
                                         "with role = \"master\""
                                       : "no backend has role = \"master\"; exactly one must",
                      {}});
}

void check_unique_name(const std::vector<Backend>& backends, const ValidValues& valid,
                       std::size_t i, Problems& problems) {
  if (!valid.name[i]) return;
  for (std::size_t j = 0; j < i; ++j) {
    if (!valid.name[j] || backends[i].name != backends[j].name) continue;
    problems.push_back({child_path(element_path("backends", i), "name"),
                        fmt::format("duplicate backend name \"{}\" (also backends[{}])",
                                    backends[i].name, j),
                        {}});
    return;
  }
}

void check_unique_endpoint(const std::vector<Backend>& backends, const ValidValues& valid,
                           std::size_t i, Problems& problems) {
  if (!valid.endpoint[i]) return;
  for (std::size_t j = 0; j < i; ++j) {
    if (!valid.endpoint[j] || backends[i].host != backends[j].host ||
        backends[i].port != backends[j].port) {
      continue;
    }
    problems.push_back({element_path("backends", i),
                        fmt::format("duplicate host:port {}:{} (also backends[{}])",
                                    backends[i].host, backends[i].port, j),
                        {}});
    return;
  }
}

void validate_backends(const Config& config, Problems& problems) {
  const ValidValues valid = valid_values(config.backends.size(), problems);
  check_one_master(config.backends, valid, problems);
  if (config.backends.size() > max_backends) {
    problems.push_back({"backends", fmt::format("{} backends; at most {}", config.backends.size(), max_backends), {}});
  }
  for (std::size_t i = 0; i < config.backends.size(); ++i) {
    check_unique_name(config.backends, valid, i, problems);
    check_unique_endpoint(config.backends, valid, i, problems);
  }
}

}  // namespace

Section backends_section() {
  return {"backends", SectionShape::array_of_tables, [] { return field_keys(backend_fields); },
          &read_backend, &validate_backends};
}

}  // namespace rwproxy::config
