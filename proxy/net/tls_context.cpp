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

}  // namespace

std::shared_ptr<asio::ssl::context> make_server_tls_context(const config::Tls& tls,
                                                           std::vector<config::ConfigProblem>& problems) {
  if (!tls.enabled()) return nullptr;
  const std::size_t problems_before = problems.size();
  if (!readable_file(tls.certificate, "tls.certificate", problems) |
      !readable_file(tls.private_key, "tls.private_key", problems) |
      (!tls.ca.empty() && !readable_file(tls.ca, "tls.ca", problems))) {
    return nullptr;
  }
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, tls.min_version == config::TlsVersion::tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  error_code ec;
  context->use_certificate_chain_file(tls.certificate, ec);
  if (ec) {
    problems.push_back({"tls.certificate", fmt::format("cannot use \"{}\" as a PEM certificate chain: {}",
                                                       tls.certificate, openssl_reason(ec)), {}});
  }
  context->use_private_key_file(tls.private_key, asio::ssl::context::pem, ec);
  const std::string key_problem = ec ? openssl_reason(ec) : std::string();
  if (key_problem.find("key values mismatch") != std::string::npos) {
    problems.push_back({"tls.private_key", fmt::format("\"{}\" is not the private key of the certificate in \"{}\"",
                                                       tls.private_key, tls.certificate), {}});
  } else if (ec) {
    problems.push_back({"tls.private_key", fmt::format("cannot use \"{}\" as a PEM private key: {}",
                                                       tls.private_key, key_problem), {}});
  } else if (problems.size() == problems_before && SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    problems.push_back({"tls.private_key", fmt::format("\"{}\" is not the private key of the certificate in \"{}\"",
                                                       tls.private_key, tls.certificate), {}});
  }
  if (!tls.ciphers.empty() && SSL_CTX_set_cipher_list(native, tls.ciphers.c_str()) != 1) {
    ERR_clear_error();
    problems.push_back({"tls.ciphers", fmt::format("no cipher OpenSSL knows in \"{}\"", tls.ciphers), {}});
  }
  if (!tls.ca.empty()) {
    context->load_verify_file(tls.ca, ec);
    if (ec) {
      problems.push_back({"tls.ca", fmt::format("cannot use \"{}\" as PEM CA certificates: {}", tls.ca,
                                                openssl_reason(ec)), {}});
    }
    // Client certificates are asked for; one that is presented must verify.
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
    } else if (readable_file(tls.ca, "backend_tls.ca", problems)) {
      context->load_verify_file(tls.ca, ec);
      if (ec) {
        problems.push_back({"backend_tls.ca", fmt::format("cannot use \"{}\" as PEM CA certificates: {}", tls.ca,
                                                          openssl_reason(ec)), {}});
      }
    }
    context->set_verify_mode(asio::ssl::verify_peer, ec);
  } else {
    context->set_verify_mode(asio::ssl::verify_none, ec);
  }
  if (!tls.certificate.empty() && readable_file(tls.certificate, "backend_tls.certificate", problems) &&
      readable_file(tls.private_key, "backend_tls.private_key", problems)) {
    context->use_certificate_chain_file(tls.certificate, ec);
    if (ec) {
      problems.push_back({"backend_tls.certificate", fmt::format("cannot use \"{}\" as a PEM certificate chain: {}",
                                                                 tls.certificate, openssl_reason(ec)), {}});
    }
    context->use_private_key_file(tls.private_key, asio::ssl::context::pem, ec);
    if (ec) {
      problems.push_back({"backend_tls.private_key", fmt::format("cannot use \"{}\" as the certificate's key: {}",
                                                                 tls.private_key, openssl_reason(ec)), {}});
    }
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
