#include "proxy/net/tls_context.hpp"

#include <filesystem>

#include <boost/asio/ssl.hpp>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "proxy/asio.hpp"

namespace rwproxy::net {
namespace {

// OpenSSL's reason for the last failure ("no start line", "key values mismatch", ...).
std::string openssl_reason(const error_code& ec) {
  std::string text = ec ? ec.message() : std::string();
  if (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (text.empty()) text = buffer;
  }
  ERR_clear_error();
  return text.empty() ? std::string("unknown OpenSSL error") : text;
}

bool readable_file(const std::string& path, std::string_view key, std::vector<config::ConfigProblem>& problems) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) return true;
  problems.push_back({std::string(key), fmt::format("\"{}\" is not a readable file", path), {}});
  return false;
}

// Loads a PEM certificate chain and its private key into `context`; problems are reported under
// `<section>.certificate` / `<section>.private_key`.
void use_certificate_and_key(asio::ssl::context& context, std::string_view section, const std::string& certificate,
                             const std::string& private_key, std::vector<config::ConfigProblem>& problems) {
  const std::string certificate_key = fmt::format("{}.certificate", section);
  const std::string private_key_key = fmt::format("{}.private_key", section);
  if (!readable_file(certificate, certificate_key, problems) | !readable_file(private_key, private_key_key, problems)) {
    return;
  }
  error_code ec;
  context.use_certificate_chain_file(certificate, ec);
  if (ec) {
    problems.push_back({certificate_key, fmt::format("cannot use \"{}\" as a PEM certificate chain: {}", certificate,
                                                     openssl_reason(ec)), {}});
    return;
  }
  context.use_private_key_file(private_key, asio::ssl::context::pem, ec);
  const std::string reason = ec ? openssl_reason(ec) : std::string();
  if (reason.find("key values mismatch") != std::string::npos ||
      (!ec && SSL_CTX_check_private_key(context.native_handle()) != 1)) {
    ERR_clear_error();
    problems.push_back({private_key_key, fmt::format("\"{}\" is not the private key of the certificate in \"{}\"",
                                                     private_key, certificate), {}});
  } else if (ec) {
    problems.push_back({private_key_key, fmt::format("cannot use \"{}\" as a PEM private key: {}", private_key,
                                                     reason), {}});
  }
}

// Loads PEM CA certificates into `context`; a problem is reported under `<section>.ca`.
void use_ca_file(asio::ssl::context& context, std::string_view section, const std::string& ca,
                 std::vector<config::ConfigProblem>& problems) {
  const std::string key = fmt::format("{}.ca", section);
  if (!readable_file(ca, key, problems)) return;
  error_code ec;
  context.load_verify_file(ca, ec);
  if (ec) problems.push_back({key, fmt::format("cannot use \"{}\" as PEM CA certificates: {}", ca, openssl_reason(ec)), {}});
}

}  // namespace

std::shared_ptr<asio::ssl::context> make_server_tls_context(const config::Tls& tls,
                                                           std::vector<config::ConfigProblem>& problems) {
  if (!tls.enabled()) return nullptr;
  const std::size_t problems_before = problems.size();
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, tls.min_version == config::TlsVersion::tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  use_certificate_and_key(*context, "tls", tls.certificate, tls.private_key, problems);
  if (!tls.ciphers.empty() && SSL_CTX_set_cipher_list(native, tls.ciphers.c_str()) != 1) {
    ERR_clear_error();
    problems.push_back({"tls.ciphers", fmt::format("no cipher OpenSSL knows in \"{}\"", tls.ciphers), {}});
  }
  if (!tls.ca.empty()) {
    use_ca_file(*context, "tls", tls.ca, problems);
    // Client certificates are asked for; one that is presented must verify.
    error_code ec;
    context->set_verify_mode(asio::ssl::verify_peer, ec);
    static constexpr unsigned char session_context[] = "rwproxy";
    SSL_CTX_set_session_id_context(native, session_context, sizeof session_context - 1);
  }
  if (problems.size() != problems_before) return nullptr;
  return context;
}

std::shared_ptr<asio::ssl::context> BackendTlsContexts::for_mode(config::BackendTlsMode mode) const {
  switch (mode) {
    case config::BackendTlsMode::disabled: return nullptr;
    case config::BackendTlsMode::required: return unverified;
    case config::BackendTlsMode::verify_ca:
    case config::BackendTlsMode::verify_identity: return verified;
  }
  return nullptr;
}

namespace {

std::shared_ptr<asio::ssl::context> make_client_context(const config::BackendTls& tls, bool verify,
                                                        std::vector<config::ConfigProblem>& problems) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  error_code ec;
  if (verify) {
    if (tls.ca.empty()) {
      context->set_default_verify_paths(ec);
    } else {
      use_ca_file(*context, "backend_tls", tls.ca, problems);
    }
    context->set_verify_mode(asio::ssl::verify_peer, ec);
  } else {
    context->set_verify_mode(asio::ssl::verify_none, ec);
  }
  if (!tls.certificate.empty()) {
    use_certificate_and_key(*context, "backend_tls", tls.certificate, tls.private_key, problems);
  }
  return context;
}

}  // namespace

BackendTlsContexts make_backend_tls_contexts(const config::Config& config,
                                             std::vector<config::ConfigProblem>& problems) {
  bool verified = false;
  bool unverified = false;
  for (const config::Backend& backend : config.backends) {
    const config::BackendTlsMode mode = config.tls_mode(backend);
    verified |= mode == config::BackendTlsMode::verify_ca || mode == config::BackendTlsMode::verify_identity;
    unverified |= mode == config::BackendTlsMode::required;
  }
  BackendTlsContexts contexts;
  const std::size_t before = problems.size();
  if (verified) contexts.verified = make_client_context(config.backend_tls, true, problems);
  if (unverified && problems.size() == before) contexts.unverified = make_client_context(config.backend_tls, false, problems);
  if (problems.size() != before) return {};
  return contexts;
}

}  // namespace rwproxy::net
