// TLS over a connected TCP socket: the server side towards clients, the client side towards
// backends. The socket stays owned by the PacketChannel; this layer holds the TLS state and the
// context it was made from. OpenSSL types stay in tls_stream.cpp.
#pragma once

#include <memory>
#include <string>

#include "proxy/asio.hpp"

namespace boost::asio::ssl {
class context;
}

namespace rwproxy::net {

class TlsStream {
 public:
  TlsStream(tcp::socket& socket, std::shared_ptr<asio::ssl::context> context);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // The server side of the TLS handshake.
  awaitable<void> handshake(error_code& ec);
  // The client side: `host` is sent as SNI (unless an IP address) and, with `verify_host`, must
  // match the certificate (DNS name or IP address); the chain is verified per the context.
  awaitable<void> client_handshake(const std::string& host, bool verify_host, error_code& ec);
  awaitable<std::size_t> read_some(asio::mutable_buffer buffer, error_code& ec);
  awaitable<void> write(asio::const_buffer bytes, error_code& ec);
  // "TLSv1.3 TLS_AES_256_GCM_SHA384", for logs.
  std::string description() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rwproxy::net
