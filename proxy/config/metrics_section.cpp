// [metrics]: where the Prometheus endpoint listens and how many digests get their own series.
#include <arpa/inet.h>

#include <fmt/format.h>

#include "proxy/config/field_table.hpp"
#include "proxy/config/section.hpp"

namespace rwproxy::config {
namespace {

void read_metrics_address(ValueReader& value, Metrics& metrics) {
  const auto text = value.string_value();
  if (!text) return;
  std::string address(*text);
  unsigned char buffer[sizeof(in6_addr)];
  if (inet_pton(AF_INET, address.c_str(), buffer) != 1 && inet_pton(AF_INET6, address.c_str(), buffer) != 1) {
    value.report(fmt::format("must be an IPv4 or IPv6 address (got \"{}\")", address));
    return;
  }
  metrics.listen_address = std::move(address);
}

constexpr Field<Metrics> metrics_fields[] = {
    {"enabled", [](ValueReader& v, Metrics& m) { v.read_bool(m.enabled); }},
    {"listen_address", &read_metrics_address},
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
