// Internal to the loader: one top-level part of the config file ([proxy], [[backends]], ...).
// Adding a section = one new <name>_section.cpp with its Field table, plus a line in
// all_sections().
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "proxy/config/config.hpp"
#include "proxy/config/value_reader.hpp"

namespace rwproxy::config {

enum class SectionShape {
  table,            // [proxy]: one table
  array_of_tables,  // [[backends]]: any number of tables
};

struct Section {
  std::string_view name;
  SectionShape shape;
  // The keys a table of this section may hold.
  std::vector<std::string_view> (*keys)();
  // Reads one table: the section's table (path "proxy"), or one element (path "backends[2]").
  void (*read)(const toml::table& table, std::string_view path, Config& config,
               Problems& problems);
  // Whole-section rules checked once everything was read (exactly one master, no duplicate
  // names, ...); runs even when the section is absent. May be null.
  void (*validate)(const Config& config, Problems& problems);
};

// [backend_tls] mode and [[backends]] tls_mode.
inline constexpr Choice<BackendTlsMode> backend_tls_modes[] = {
    {"disabled", BackendTlsMode::disabled},
    {"required", BackendTlsMode::required},
    {"verify_ca", BackendTlsMode::verify_ca},
    {"verify_identity", BackendTlsMode::verify_identity},
};

// [routing] consistency and [[rules]] consistency.
inline constexpr Choice<Consistency> consistency_modes[] = {
    {"window", Consistency::window},
    {"causal", Consistency::causal},
    {"none", Consistency::none},
};

Section proxy_section();
Section timeouts_section();
Section routing_section();
Section pool_section();
Section tls_section();
Section backend_tls_section();
Section monitor_section();
Section metrics_section();
Section backends_section();
Section users_section();
Section rules_section();
Section admin_section();
Section admin_users_section();

// In the order they are documented in config/rwproxy.toml.
std::vector<Section> all_sections();

}  // namespace rwproxy::config
