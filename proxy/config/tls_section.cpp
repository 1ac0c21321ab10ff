// [tls]: TLS towards clients (certificate, key, optional CA for client certificates, minimum
// protocol version, TLS 1.2 ciphers). The files are read when the TLS context is built
// (net::make_server_tls_context), at start and on SIGHUP; here only the shape is checked.
#include "proxy/config/field_table.hpp"
#include "proxy/config/section.hpp"

namespace rwproxy::config {
namespace {

constexpr Choice<TlsVersion> tls_versions[] = {
    {"TLSv1.2", TlsVersion::tls1_2},
    {"TLSv1.3", TlsVersion::tls1_3},
};

constexpr Field<Tls> tls_fields[] = {
    {"certificate", [](ValueReader& v, Tls& t) { v.read_non_empty_string(t.certificate); }},
    {"private_key", [](ValueReader& v, Tls& t) { v.read_non_empty_string(t.private_key); }},
    {"ca", [](ValueReader& v, Tls& t) { v.read_non_empty_string(t.ca); }},
    {"min_version", [](ValueReader& v, Tls& t) { v.read_choice(tls_versions, t.min_version); }},
    {"ciphers", [](ValueReader& v, Tls& t) { v.read_non_empty_string(t.ciphers); }},
};

void read_tls(const toml::table& table, std::string_view path, Config& config, Problems& problems) {
  read_fields(table, path, tls_fields, config.tls, problems);
}

void validate_tls(const Config& config, Problems& problems) {
  const Tls& tls = config.tls;
  if (tls.certificate.empty() != tls.private_key.empty()) {
    problems.push_back({tls.certificate.empty() ? "tls.certificate" : "tls.private_key",
                        "set both tls.certificate and tls.private_key (or neither: TLS off)", {}});
  }
  if (!tls.enabled() && !tls.ca.empty()) {
    problems.push_back({"tls.ca", "needs tls.certificate and tls.private_key (TLS is off without them)", {}});
  }
  if (!tls.enabled()) {
    for (std::size_t i = 0; i < config.users.size(); ++i) {
      if (!config.users[i].require_tls) continue;
      problems.push_back({child_path(element_path("users", i), "require_tls"),
                          "TLS is off ([tls] has no certificate): this user could never log in", {}});
    }
  }
}

}  // namespace

Section tls_section() {
  return {"tls", SectionShape::table, [] { return field_keys(tls_fields); }, &read_tls, &validate_tls};
}

}  // namespace rwproxy::config
