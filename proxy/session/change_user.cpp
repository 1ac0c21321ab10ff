// COM_CHANGE_USER: the proxy checks the new user itself (against the scramble of the greeting),
// then replaces its backend connection with one logged in as that user.
#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/frame_reader.hpp"
#include "proxy/protocol/generic_packets.hpp"
#include "proxy/session/client_session.hpp"

namespace rwproxy::session {

awaitable<bool> ClientSession::change_user(const protocol::Packet& packet) {
  std::uint8_t sequence = static_cast<std::uint8_t>(packet.last_sequence_id + 1);
  protocol::ChangeUserRequest request;
  if (protocol::ChangeUserRequest::deserialize(protocol::as_bytes(packet.payload), identity_.capabilities, request)) {
    co_await reply_error(sequence, 1047, "08S01", "Malformed COM_CHANGE_USER");
    co_return false;
  }
  std::string token = request.auth_response;
  if (!request.auth_plugin.empty() && request.auth_plugin != protocol::native_password_plugin) {
    // Ask the client to answer our scramble with mysql_native_password.
    protocol::AuthSwitchRequest sw{std::string(protocol::native_password_plugin), scramble_};
    std::string body;
    sw.serialize(body);
    frames_.clear();
    protocol::append_frames(frames_, body, sequence);
    std::error_code ec;
    co_await client_.write(frames_, ec);
    if (ec) co_return false;
    auto reply = co_await client_.read_packet(ec);
    if (!reply) co_return false;
    token = reply->payload;
    sequence = static_cast<std::uint8_t>(reply->last_sequence_id + 1);
  }
  const std::optional<protocol::StoredCredential> credential = context_.live.current().users->find(request.username);
  auto check = protocol::check_native_token(credential, token, scramble_);
  if (!check.accepted) {
    const std::string message = protocol::access_denied_message(request.username, client_host_, !token.empty());
    co_await reply_error(sequence, 1045, "28000", message);
    co_return false;
  }
  if (credential->require_tls && !client_.tls()) {
    const std::string message = protocol::tls_required_message(request.username, client_host_);
    co_await reply_error(sequence, 1045, "28000", message);
    co_return false;
  }
  co_await executor_.close();
  identity_.user = request.username;
  identity_.stage1 = check.stage1;
  identity_.password = credential->password;
  identity_.database = request.database;
  if (request.collation != 0) identity_.collation = static_cast<std::uint8_t>(request.collation & 0xff);
  if (!request.attributes.empty()) identity_.attributes = std::move(request.attributes);
  co_return co_await open_session(sequence);
}

}  // namespace rwproxy::session
