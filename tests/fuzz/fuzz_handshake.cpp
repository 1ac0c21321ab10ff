// libFuzzer target: the connection phase, both sides, with arbitrary peer packets. The first
// byte picks the side and the options (TLS offered or wanted, an RSA key, a known password); the
// rest is a sequence of packets, each a 2-byte little-endian length and that many bytes. The proxy as a server
// (ServerHandshake: HandshakeResponse41, SSL request, mysql_native_password, caching_sha2_password
// fast path, full authentication over TLS or RSA) and as a client of a backend (ClientHandshake:
// greeting, SSL request, auth switch, caching_sha2_password's AuthMoreData and RSA key) must never
// crash and must only ever produce whole frames.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/protocol/caching_sha2.hpp"
#include "proxy/protocol/client_handshake.hpp"
#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/frame_reader.hpp"
#include "proxy/protocol/native_password.hpp"
#include "proxy/protocol/server_handshake.hpp"

namespace {

using namespace rwproxy::protocol;

void check(bool ok) {
  if (!ok) std::abort();
}

// `out` is empty or whole frames, nothing left over.
void check_frames(const std::string& out) {
  FrameReader reader(1u << 24);
  reader.feed(as_bytes(out));
  std::error_code ec;
  while (reader.next(ec)) {
  }
  check(!ec && reader.buffered() == 0);
}

RsaKeyPair& keys() {
  static RsaKeyPair pair;  // generated once: 2048-bit generation per input would dominate
  return pair;
}

CredentialLookup users() {
  static const std::map<std::string, StoredCredential, std::less<>> table = [] {
    std::map<std::string, StoredCredential, std::less<>> t;
    t["app"] = StoredCredential{false, native_password_hash("s3cret"), false, caching_sha2_hash("s3cret"),
                                sha1("s3cret"), std::string("s3cret")};
    t["hashed"] = StoredCredential{.hash = native_password_hash("h4sh")};
    t["nopass"] = StoredCredential{.empty_password = true};
    t["secure"] = StoredCredential{.hash = native_password_hash("s3cret"), .require_tls = true};
    return t;
  }();
  return [](std::string_view user) -> std::optional<StoredCredential> {
    auto it = table.find(user);
    if (it == table.end()) return std::nullopt;
    return it->second;
  };
}

void as_server(std::uint8_t mode, const std::vector<std::string_view>& packets) {
  ServerHandshake::Settings settings;
  settings.server_version = "5.5.5-10.11.6-MariaDB-rwproxy";
  settings.connection_id = 7;
  settings.capabilities = 0x01bfa68fu | ((mode & 2) ? capability::ssl : 0u);
  settings.collation = 45;
  settings.scramble = "Xq#9,Ry(5/LtX{]gvzN~";
  settings.client_host = "10.0.0.5";
  settings.rsa_keys = (mode & 4) ? &keys() : nullptr;
  ServerHandshake server(settings, users());
  check_frames(server.greeting());
  std::uint8_t seq = 1;
  for (std::string_view packet : packets) {
    std::string out;
    const auto action = server.on_packet(as_bytes(packet), seq, out);
    check_frames(out);
    if (action == ServerHandshake::Action::send_and_fail) return;
    if (action == ServerHandshake::Action::send_and_done) {
      check(server.ok_sequence() != 0);
      return;
    }
    seq = static_cast<std::uint8_t>(seq + (action == ServerHandshake::Action::start_tls ? 1 : 2));
  }
}

void as_client(std::uint8_t mode, const std::vector<std::string_view>& packets) {
  ClientHandshake::Settings settings;
  settings.user = "app";
  settings.stage1 = sha1("s3cret");
  if (mode & 4) settings.password = "s3cret";
  settings.database = (mode & 8) ? "shop" : "";
  settings.capabilities = 0x01bfa68cu;
  settings.tls = (mode & 2) != 0;
  ClientHandshake client(settings);
  std::uint8_t seq = 0;
  for (std::string_view packet : packets) {
    std::string out;
    const auto action = client.on_packet(as_bytes(packet), seq, out);
    check_frames(out);
    if (action == ClientHandshake::Action::failed || action == ClientHandshake::Action::done) return;
    if (action == ClientHandshake::Action::start_tls) {
      client.response_after_tls(out);
      check_frames(out);
    }
    seq = static_cast<std::uint8_t>(seq + 2);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  std::vector<std::string_view> packets;
  for (std::size_t pos = 1; pos + 1 < size && packets.size() < 8;) {
    const std::size_t length = data[pos] | (static_cast<std::size_t>(data[pos + 1]) << 8);
    pos += 2;
    const std::size_t take = length < size - pos ? length : size - pos;
    packets.emplace_back(reinterpret_cast<const char*>(data + pos), take);
    pos += take;
  }
  if (mode & 1) {
    as_server(mode, packets);
  } else {
    as_client(mode, packets);
  }
  return 0;
}
