// The TLS context for client connections, built from [tls]: certificate chain, private key,
// optional CA for client certificates, minimum protocol version, TLS 1.2 ciphers. Built at start
// and again on SIGHUP (certificate rotation); a problem with a file is a config problem, and a
// reload that has one keeps the running context.
#pragma once

#include <memory>
#include <vector>

#include "proxy/config/config.hpp"
#include "proxy/config/config_problem.hpp"

namespace boost::asio::ssl {
class context;
}

namespace rwproxy::net {

// nullptr when TLS is off ([tls] without a certificate) or when `problems` got an entry.
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const config::Tls& tls,
                                                                  std::vector<config::ConfigProblem>& problems);

// The TLS contexts of the proxy's connections to backends ([backend_tls]), made at start for the
// modes some backend uses: `verified` checks the chain against backend_tls.ca (or the system's
// CAs), `unverified` does not ("required").
struct BackendTlsContexts {
  std::shared_ptr<boost::asio::ssl::context> verified;
  std::shared_ptr<boost::asio::ssl::context> unverified;

  // The context for `mode`; nullptr for disabled.
  std::shared_ptr<boost::asio::ssl::context> for_mode(config::BackendTlsMode mode) const;
};

BackendTlsContexts make_backend_tls_contexts(const config::Config& config,
                                             std::vector<config::ConfigProblem>& problems);

}  // namespace rwproxy::net
