// [pool]: connection multiplexing. Client sessions borrow backend connections from per-backend
// pools for a statement, or for as long as something binds the session to its connection.
#include <limits>

#include "proxy/config/field_table.hpp"
#include "proxy/config/section.hpp"

namespace rwproxy::config {
namespace {

constexpr std::int64_t max_ms = std::numeric_limits<std::uint32_t>::max();

constexpr Field<Pool> pool_fields[] = {
    {"multiplexing", [](ValueReader& v, Pool& p) { v.read_bool(p.multiplexing); }},
    {"max_connections_per_backend",
     [](ValueReader& v, Pool& p) { v.read_integer<1, 1000000>(p.max_connections_per_backend); }},
    {"min_idle_connections",
     [](ValueReader& v, Pool& p) { v.read_integer<0, 1000000>(p.min_idle_connections); }},
    {"idle_timeout_ms", [](ValueReader& v, Pool& p) { v.read_integer<1, max_ms>(p.idle_timeout_ms); }},
    {"acquire_timeout_ms", [](ValueReader& v, Pool& p) { v.read_integer<0, max_ms>(p.acquire_timeout_ms); }},
    {"max_statements_per_connection",
     [](ValueReader& v, Pool& p) { v.read_integer<1, 1000000>(p.max_statements_per_connection); }},
};

void read_pool(const toml::table& table, std::string_view path, Config& config, Problems& problems) {
  read_fields(table, path, pool_fields, config.pool, problems);
}

void validate_pool(const Config& config, Problems& problems) {
  if (config.pool.min_idle_connections > config.pool.max_connections_per_backend) {
    problems.push_back({"pool.min_idle_connections", "must not exceed pool.max_connections_per_backend", {}});
  }
}

}  // namespace

Section pool_section() {
  return {"pool", SectionShape::table, [] { return field_keys(pool_fields); }, &read_pool, &validate_pool};
}

}  // namespace rwproxy::config
