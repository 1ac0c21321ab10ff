// TLS over a connected TCP socket, server side (towards clients). The socket stays owned by
// the PacketChannel; this layer holds the TLS state and the context it was made from. OpenSSL
// types stay in tls_stream.cpp.
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
  awaitable<std::size_t> read_some(asio::mutable_buffer buffer, error_code& ec);
  awaitable<void> write(asio::const_buffer bytes, error_code& ec);
  // "TLSv1.3 TLS_AES_256_GCM_SHA384", for logs.
  std::string description() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rwproxy::net
