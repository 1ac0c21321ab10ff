// [backend_tls]: TLS on the proxy's connections to the backends (data path and monitor): the
// mode for every backend ([[backends]] tls_mode overrides it), the CAs to verify them with, and a
// client certificate for backends that ask for one. The files are read at start
// (net::make_backend_tls_contexts); here only the shape is checked.
#include "proxy/config/field_table.hpp"
#include "proxy/config/section.hpp"

namespace rwproxy::config {
namespace {

constexpr Field<BackendTls> backend_tls_fields[] = {
    {"mode", [](ValueReader& v, BackendTls& t) { v.read_choice(backend_tls_modes, t.mode); }},
    {"ca", [](ValueReader& v, BackendTls& t) { v.read_non_empty_string(t.ca); }},
    {"certificate", [](ValueReader& v, BackendTls& t) { v.read_non_empty_string(t.certificate); }},
    {"private_key", [](ValueReader& v, BackendTls& t) { v.read_non_empty_string(t.private_key); }},
};

void read_backend_tls(const toml::table& table, std::string_view path, Config& config, Problems& problems) {
  read_fields(table, path, backend_tls_fields, config.backend_tls, problems);
}

void validate_backend_tls(const Config& config, Problems& problems) {
  const BackendTls& tls = config.backend_tls;
  if (tls.certificate.empty() != tls.private_key.empty()) {
    problems.push_back({tls.certificate.empty() ? "backend_tls.certificate" : "backend_tls.private_key",
                        "set both backend_tls.certificate and backend_tls.private_key (or neither)", {}});
  }
}

}  // namespace

Section backend_tls_section() {
  return {"backend_tls", SectionShape::table, [] { return field_keys(backend_tls_fields); }, &read_backend_tls,
          &validate_backend_tls};
}

}  // namespace rwproxy::config
