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

}  // namespace rwproxy::net
