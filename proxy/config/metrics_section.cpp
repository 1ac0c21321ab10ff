// [metrics]: where the Prometheus endpoint listens and how many digests get their own series.
#include <fmt/format.h>

#include "proxy/config/field_table.hpp"
#include "proxy/config/section.hpp"

namespace rwproxy::config {
namespace {

constexpr Field<Metrics> metrics_fields[] = {
    {"enabled", [](ValueReader& v, Metrics& m) { v.read_bool(m.enabled); }},
    {"listen_address", [](ValueReader& v, Metrics& m) { v.read_ip_address(m.listen_address); }},
    {"listen_port", [](ValueReader& v, Metrics& m) { v.read_integer<0, 65535>(m.listen_port); }},
    {"top_digests", [](ValueReader& v, Metrics& m) { v.read_integer<0, 1000>(m.top_digests); }},
};

void read_metrics(const toml::table& table, std::string_view path, Config& config, Problems& problems) {
  read_fields(table, path, metrics_fields, config.metrics, problems);
}

}  // namespace

Section metrics_section() {
  return {"metrics", SectionShape::table, [] { return field_keys(metrics_fields); }, &read_metrics, nullptr};
}

}  // namespace rwproxy::config
