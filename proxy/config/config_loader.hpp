// Loads and validates a Config from TOML (the format is docs/CONTRACTS.md; every key is
// documented in config/rwproxy.toml). Pure: no sockets, no clocks, no exceptions escape.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/config/config.hpp"
#include "proxy/config/config_problem.hpp"

namespace rwproxy::config {

struct LoadResult {
  std::optional<Config> config;          // set if and only if there are no problems
  std::vector<ConfigProblem> problems;   // all of them, not just the first

  bool ok() const { return config.has_value(); }
};

// Reads the file and loads it; problems carry `path` as their source.
LoadResult load_config_file(const std::string& path);

// `source_name` names the text in problems ("rwproxy.toml", "<test>").
LoadResult load_config_string(std::string_view toml, std::string_view source_name);

// Every key the loader accepts, dotted: "proxy.listen_port", "backends[].host", ...
std::vector<std::string> known_keys();

}  // namespace rwproxy::config
