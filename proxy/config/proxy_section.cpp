// [proxy]: where the proxy listens and how it presents itself to clients.
#include <arpa/inet.h>

#include <fmt/format.h>

#include "proxy/config/field_table.hpp"
#include "proxy/config/section.hpp"

namespace rwproxy::config {
namespace {

constexpr std::int64_t one_gib = std::int64_t{1} << 30;

bool is_ip_address(const std::string& text) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

void read_listen_address(ValueReader& value, Proxy& proxy) {
  const auto text = value.string_value();
  if (!text) return;
  std::string address(*text);
  if (!is_ip_address(address)) {
    value.report(fmt::format("must be an IPv4 or IPv6 address (got \"{}\")", address));
    return;
  }
  proxy.listen_address = std::move(address);
}

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
    {"listen_address", &read_listen_address},
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
