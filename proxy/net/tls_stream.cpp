#include "proxy/net/tls_stream.hpp"

#include <boost/asio/ssl.hpp>
#include <openssl/x509v3.h>

namespace rwproxy::net {

struct TlsStream::Impl {
  Impl(tcp::socket& socket, std::shared_ptr<asio::ssl::context> ctx)
      : context(std::move(ctx)), stream(socket, *context) {}
  std::shared_ptr<asio::ssl::context> context;  // outlives the stream made from it
  asio::ssl::stream<tcp::socket&> stream;
};

TlsStream::TlsStream(tcp::socket& socket, std::shared_ptr<asio::ssl::context> context)
    : impl_(std::make_unique<Impl>(socket, std::move(context))) {}

TlsStream::~TlsStream() = default;

awaitable<void> TlsStream::handshake(error_code& ec) {
  co_await impl_->stream.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
}

awaitable<void> TlsStream::client_handshake(const std::string& host, bool verify_host, error_code& ec) {
  SSL* ssl = impl_->stream.native_handle();
  error_code not_ip;
  asio::ip::make_address(host, not_ip);
  const bool is_ip = !not_ip;
  if (!is_ip) SSL_set_tlsext_host_name(ssl, host.c_str());  // SNI takes names only
  if (verify_host) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (is_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
    }
  }
  co_await impl_->stream.async_handshake(asio::ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
}

awaitable<std::size_t> TlsStream::read_some(asio::mutable_buffer buffer, error_code& ec) {
  co_return co_await impl_->stream.async_read_some(buffer, asio::redirect_error(asio::use_awaitable, ec));
}

awaitable<void> TlsStream::write(asio::const_buffer bytes, error_code& ec) {
  co_await asio::async_write(impl_->stream, bytes, asio::redirect_error(asio::use_awaitable, ec));
}

std::string TlsStream::description() const {
  SSL* ssl = const_cast<asio::ssl::stream<tcp::socket&>&>(impl_->stream).native_handle();
  std::string out = SSL_get_version(ssl);
  if (const char* cipher = SSL_get_cipher_name(ssl)) {
    out += ' ';
    out += cipher;
  }
  return out;
}

}  // namespace rwproxy::net
