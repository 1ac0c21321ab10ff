// One thing wrong with a configuration, located by its key path.
#pragma once

#include <string>
#include <vector>

namespace rwproxy::config {

struct ConfigProblem {
  std::string key_path;  // "backends[2].port", "users[0]", "proxy"; empty = the whole document
  std::string message;   // "must be between 1 and 65535 (got 70000)"
  std::string source;    // file name or other source name; filled in by the loader
};

// One line per problem, each ending in '\n': "<source>: <key_path>: <message>"
// (the key path part is left out when it is empty).
std::string format_problems(const std::vector<ConfigProblem>& problems);

}  // namespace rwproxy::config
