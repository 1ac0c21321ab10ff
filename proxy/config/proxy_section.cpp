// [proxy]: where the proxy listens and how it presents itself to clients.
#include <fmt/format.h>

#include "proxy/config/field_table.hpp"
#include "proxy/config/section.hpp"

namespace rwproxy::config {
namespace {

constexpr std::int64_t one_gib = std::int64_t{1} << 30;

void read_server_version(ValueReader& value, Proxy& proxy) {
  const auto text = value.string_value();
  if (!text) return;
  if (text->empty() || text->find('\0') != std::string_view::npos) {
    value.report("must be a non-empty string without NUL characters");
    return;
  }
  proxy.server_version = std::string(*text);
}

constexpr Field<Proxy> proxy_fields[] = {
    {"listen_address", [](ValueReader& v, Proxy& p) { v.read_ip_address(p.listen_address); }},
    {"listen_port", [](ValueReader& v, Proxy& p) { v.read_integer<0, 65535>(p.listen_port); }},
    {"worker_threads", [](ValueReader& v, Proxy& p) { v.read_integer<0, 1024>(p.worker_threads); }},
    {"max_packet_size",
     [](ValueReader& v, Proxy& p) { v.read_integer<1024, one_gib>(p.max_packet_size); }},
    {"server_version", &read_server_version},
    {"max_client_connections",
     [](ValueReader& v, Proxy& p) { v.read_integer<1, 1000000>(p.max_client_connections); }},
    {"caching_sha2_password_private_key_path",
     [](ValueReader& v, Proxy& p) { v.read_non_empty_string(p.caching_sha2_password_private_key_path); }},
};

void read_proxy(const toml::table& table, std::string_view path, Config& config,
                Problems& problems) {
  read_fields(table, path, proxy_fields, config.proxy, problems);
}

}  // namespace

Section proxy_section() {
  return {"proxy", SectionShape::table, [] { return field_keys(proxy_fields); }, &read_proxy,
          nullptr};
}

}  // namespace rwproxy::config
