// Internal to the loader: reads one TOML value into a Config field, reporting a wrong type
// or an out-of-range value as a ConfigProblem at that value's key path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "proxy/config/config_problem.hpp"

namespace rwproxy::config {

using Problems = std::vector<ConfigProblem>;

// "a string", "an integer", ... for "expected X, got Y" messages.
std::string_view describe(toml::node_type type);

class ValueReader {
 public:
  ValueReader(const toml::node& node, std::string key_path, Problems& problems);

  // The value if it is a string; otherwise reports the type and returns nullopt.
  std::optional<std::string_view> string_value();
  // The value if it is an integer within [min, max]; otherwise reports and returns nullopt.
  std::optional<std::int64_t> integer_value(std::int64_t min, std::int64_t max);

  void read_string(std::string& out);
  void read_non_empty_string(std::string& out);
  void read_optional_string(std::optional<std::string>& out);

  template <std::int64_t Min, std::int64_t Max, class Int>
  void read_integer(Int& out) {
    static_assert(Min <= Max && std::in_range<Int>(Min) && std::in_range<Int>(Max),
                  "the allowed range must fit the field's type");
    if (const auto value = integer_value(Min, Max)) out = static_cast<Int>(*value);
  }

  // Adds a problem at this value's key path.
  void report(std::string message);

 private:
  void report_type(std::string_view expected);

  const toml::node& node_;
  std::string key_path_;
  Problems& problems_;
};

}  // namespace rwproxy::config
