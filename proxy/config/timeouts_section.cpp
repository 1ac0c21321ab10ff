// [timeouts]: all in milliseconds.
#include <limits>

#include "proxy/config/field_table.hpp"
#include "proxy/config/section.hpp"

namespace rwproxy::config {
namespace {

constexpr std::int64_t max_ms = std::numeric_limits<std::uint32_t>::max();

constexpr Field<Timeouts> timeouts_fields[] = {
    {"connect_timeout_ms",
     [](ValueReader& v, Timeouts& t) { v.read_integer<1, max_ms>(t.connect_timeout_ms); }},
    {"handshake_timeout_ms",
     [](ValueReader& v, Timeouts& t) { v.read_integer<1, max_ms>(t.handshake_timeout_ms); }},
    {"client_idle_timeout_ms",  // 0 = never
     [](ValueReader& v, Timeouts& t) { v.read_integer<0, max_ms>(t.client_idle_timeout_ms); }},
    {"shutdown_timeout_ms",  // 0 = close at once
     [](ValueReader& v, Timeouts& t) { v.read_integer<0, max_ms>(t.shutdown_timeout_ms); }},
    {"query_timeout_ms",  // 0 = none
     [](ValueReader& v, Timeouts& t) { v.read_integer<0, max_ms>(t.query_timeout_ms); }},
};

void read_timeouts(const toml::table& table, std::string_view path, Config& config,
                   Problems& problems) {
  read_fields(table, path, timeouts_fields, config.timeouts, problems);
}

}  // namespace

Section timeouts_section() {
  return {"timeouts", SectionShape::table, [] { return field_keys(timeouts_fields); },
          &read_timeouts, nullptr};
}

}  // namespace rwproxy::config
