// Internal to the loader: reads one TOML value into a Config field, reporting a wrong type
// or an out-of-range value as a ConfigProblem at that value's key path.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
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

// One allowed string of an enumerated key and the value it stands for.
template <class Enum>
struct Choice {
  std::string_view name;
  Enum value;
};

class ValueReader {
 public:
  ValueReader(const toml::node& node, std::string key_path, Problems& problems);

  // The value if it is a string; otherwise reports the type and returns nullopt.
  std::optional<std::string_view> string_value();
  // The value if it is an integer within [min, max]; otherwise reports and returns nullopt.
  std::optional<std::int64_t> integer_value(std::int64_t min, std::int64_t max);
  // The value if it is a boolean; otherwise reports the type and returns nullopt.
  std::optional<bool> bool_value();

  void read_string(std::string& out);
  void read_non_empty_string(std::string& out);
  void read_optional_string(std::optional<std::string>& out);
  void read_optional_non_empty_string(std::optional<std::string>& out);
  void read_bool(bool& out);
  void read_optional_bool(std::optional<bool>& out);
  // An IPv4 or IPv6 address (listen addresses).
  void read_ip_address(std::string& out);
  // A mysql_native_password hash: "*" followed by 40 hex digits, as in mysql.user.
  void read_password_hash(std::optional<std::string>& out);

  template <std::int64_t Min, std::int64_t Max, class Int>
  void read_integer(Int& out) {
    static_assert(Min <= Max && std::in_range<Int>(Min) && std::in_range<Int>(Max),
                  "the allowed range must fit the field's type");
    if (const auto value = integer_value(Min, Max)) out = static_cast<Int>(*value);
  }

  template <std::int64_t Min, std::int64_t Max, class Int>
  void read_optional_integer(std::optional<Int>& out) {
    static_assert(Min <= Max && std::in_range<Int>(Min) && std::in_range<Int>(Max),
                  "the allowed range must fit the field's type");
    if (const auto value = integer_value(Min, Max)) out = static_cast<Int>(*value);
  }

  // One of `choices` by name; anything else is reported with the allowed names:
  // must be "master" or "replica" (got "primary").
  template <class Enum, std::size_t N>
  // True when a valid choice was read into `out`.
  bool read_choice(const Choice<Enum> (&choices)[N], Enum& out) {
    const auto text = string_value();
    if (!text) return false;
    std::string_view names[N];
    for (std::size_t i = 0; i < N; ++i) {
      if (choices[i].name == *text) {
        out = choices[i].value;
        return true;
      }
      names[i] = choices[i].name;
    }
    report_not_one_of(names, *text);
    return false;
  }

  // Adds a problem at this value's key path.
  void report(std::string message);

 private:
  void report_type(std::string_view expected);
  void report_not_one_of(std::span<const std::string_view> names, std::string_view got);

  const toml::node& node_;
  std::string key_path_;
  Problems& problems_;
};

}  // namespace rwproxy::config
