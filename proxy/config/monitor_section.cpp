// [monitor]: how the backend monitor checks health and measures replication lag.
#include <fmt/format.h>

#include "proxy/config/field_table.hpp"
#include "proxy/config/section.hpp"

namespace rwproxy::config {
namespace {

bool is_plain_identifier(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
    if (!ok) return false;
  }
  return true;
}

void read_heartbeat_table(ValueReader& value, Monitor& monitor) {
  const auto text = value.string_value();
  if (!text) return;
  const auto dot = text->find('.');
  if (dot == std::string_view::npos || !is_plain_identifier(text->substr(0, dot)) ||
      !is_plain_identifier(text->substr(dot + 1))) {
    value.report(fmt::format("must be schema.table, each a plain identifier of letters, digits, _ or $ (got '{}')",
                             *text));
    return;
  }
  monitor.heartbeat_table = std::string(*text);
}

constexpr Field<Monitor> monitor_fields[] = {
    {"enabled", [](ValueReader& v, Monitor& m) { v.read_bool(m.enabled); }},
    {"interval_ms", [](ValueReader& v, Monitor& m) { v.read_integer<10, 60000>(m.interval_ms); }},
    {"user", [](ValueReader& v, Monitor& m) { v.read_non_empty_string(m.user); }},
    {"password", [](ValueReader& v, Monitor& m) { v.read_string(m.password); }},
    {"connect_timeout_ms", [](ValueReader& v, Monitor& m) { v.read_integer<100, 60000>(m.connect_timeout_ms); }},
    {"heartbeat", [](ValueReader& v, Monitor& m) { v.read_bool(m.heartbeat); }},
    {"heartbeat_table", &read_heartbeat_table},
    {"down_after_failures", [](ValueReader& v, Monitor& m) { v.read_integer<1, 100>(m.down_after_failures); }},
    {"up_after_successes", [](ValueReader& v, Monitor& m) { v.read_integer<1, 100>(m.up_after_successes); }},
    {"follow_writer", [](ValueReader& v, Monitor& m) { v.read_bool(m.follow_writer); }},
};

void read_monitor(const toml::table& table, std::string_view path, Config& config, Problems& problems) {
  read_fields(table, path, monitor_fields, config.monitor, problems);
  if (config.monitor.enabled && config.monitor.user.empty() && !has_problem_at(problems, child_path(path, "user"))) {
    problems.push_back({child_path(path, "user"), "is required when the monitor is enabled", {}});
  }
  if (config.monitor.follow_writer && !config.monitor.enabled) {
    problems.push_back({child_path(path, "follow_writer"),
                        "needs the monitor: set monitor.enabled = true (the writer is found by its checks)", {}});
  }
}

}  // namespace

Section monitor_section() {
  return {"monitor", SectionShape::table, [] { return field_keys(monitor_fields); }, &read_monitor, nullptr};
}

}  // namespace rwproxy::config
