#include "proxy/config/value_reader.hpp"

#include <arpa/inet.h>

#include <fmt/format.h>

#include "proxy/config/password_hash.hpp"

namespace rwproxy::config {

std::string_view describe(toml::node_type type) {
  switch (type) {
    case toml::node_type::none: return "nothing";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
  }
  return "an unknown value";
}

ValueReader::ValueReader(const toml::node& node, std::string key_path, Problems& problems)
    : node_(node), key_path_(std::move(key_path)), problems_(problems) {}

std::optional<std::string_view> ValueReader::string_value() {
  if (const auto* value = node_.as_string()) return std::string_view(value->get());
  report_type("a string");
  return std::nullopt;
}

std::optional<std::int64_t> ValueReader::integer_value(std::int64_t min, std::int64_t max) {
  const auto* value = node_.as_integer();
  if (value == nullptr) {
    report_type("an integer");
    return std::nullopt;
  }
  const std::int64_t number = value->get();
  if (number < min || number > max) {
    report(fmt::format("must be between {} and {} (got {})", min, max, number));
    return std::nullopt;
  }
  return number;
}

std::optional<bool> ValueReader::bool_value() {
  if (const auto* value = node_.as_boolean()) return value->get();
  report_type("a boolean");
  return std::nullopt;
}

void ValueReader::read_string(std::string& out) {
  if (const auto value = string_value()) out = std::string(*value);
}

void ValueReader::read_non_empty_string(std::string& out) {
  const auto value = string_value();
  if (!value) return;
  if (value->empty()) {
    report("must not be empty");
    return;
  }
  out = std::string(*value);
}

void ValueReader::read_optional_string(std::optional<std::string>& out) {
  if (const auto value = string_value()) out = std::string(*value);
}

void ValueReader::read_optional_non_empty_string(std::optional<std::string>& out) {
  std::string value;
  read_non_empty_string(value);
  if (!value.empty()) out = std::move(value);
}

void ValueReader::read_ip_address(std::string& out) {
  const auto text = string_value();
  if (!text) return;
  std::string address(*text);
  unsigned char buffer[sizeof(in6_addr)];
  if (inet_pton(AF_INET, address.c_str(), buffer) != 1 && inet_pton(AF_INET6, address.c_str(), buffer) != 1) {
    report(fmt::format("must be an IPv4 or IPv6 address (got \"{}\")", address));
    return;
  }
  out = std::move(address);
}

void ValueReader::read_password_hash(std::optional<std::string>& out) {
  const auto text = string_value();
  if (!text) return;
  if (!parse_native_password_hash(*text)) {
    report("must be \"*\" followed by 40 hex digits (the mysql_native_password hash, as in mysql.user)");
    return;
  }
  out = std::string(*text);
}

void ValueReader::read_bool(bool& out) {
  if (const auto value = bool_value()) out = *value;
}

void ValueReader::read_optional_bool(std::optional<bool>& out) {
  if (const auto value = bool_value()) out = *value;
}

void ValueReader::report(std::string message) {
  problems_.push_back(ConfigProblem{key_path_, std::move(message), {}});
}

void ValueReader::report_type(std::string_view expected) {
  report(fmt::format("expected {}, got {}", expected, describe(node_.type())));
}

void ValueReader::report_not_one_of(std::span<const std::string_view> names,
                                    std::string_view got) {
  std::string allowed;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) allowed += i + 1 == names.size() ? " or " : ", ";
    allowed += fmt::format("\"{}\"", names[i]);
  }
  report(fmt::format("must be {} (got \"{}\")", allowed, got));
}

}  // namespace rwproxy::config
