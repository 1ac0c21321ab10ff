#include "proxy/session/client_session.hpp"

#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/error.hpp"
#include "proxy/protocol/frame_reader.hpp"
#include "proxy/protocol/generic_packets.hpp"
#include "proxy/session/client_login.hpp"

namespace rwproxy::session {

using protocol::Command;
namespace capability = protocol::capability;

namespace {
constexpr std::size_t relay_buffer_size = 64 * 1024;

std::string remote_host(tcp::socket& socket) {
  error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  return ec ? std::string("unknown") : endpoint.address().to_string();
}

bool is_unsupported(Command command) {
  switch (command) {
    case Command::sleep:
    case Command::connect:
    case Command::time:
    case Command::delayed_insert:
    case Command::binlog_dump:
    case Command::table_dump:
    case Command::connect_out:
    case Command::register_slave:
    case Command::daemon:
    case Command::binlog_dump_gtid:
    case Command::stmt_bulk_execute:
      return true;
    default:
      return false;
  }
}
}  // namespace

std::uint32_t ClientSession::offered_capabilities() {
  return capability::long_password | capability::found_rows | capability::long_flag | capability::connect_with_db |
         capability::local_files | capability::ignore_space | capability::protocol_41 | capability::interactive |
         capability::transactions | capability::secure_connection | capability::multi_statements |
         capability::multi_results | capability::ps_multi_results | capability::plugin_auth |
         capability::connect_attrs | capability::plugin_auth_lenenc_data | capability::session_track;
}

ClientSession::ClientSession(tcp::socket socket, SessionContext context)
    : context_(context),
      client_(std::move(socket), context.config.proxy.max_packet_size),
      deadline_(client_.socket()),
      client_host_(remote_host(client_.socket())),
      connection_id_(context.counters.next_connection_id.fetch_add(1)),
      relay_(relay_buffer_size) {}

void ClientSession::request_stop() {
  stopping_ = true;
  if (idle_) {
    error_code ignored;
    client_.socket().cancel(ignored);
  }
}

awaitable<void> ClientSession::run() {
  auto& counters = context_.counters;
  std::uint32_t open = counters.client_connections.fetch_add(1) + 1;
  struct Release {
    ConnectionCounters& c;
    ~Release() { c.client_connections.fetch_sub(1); }
  } release{counters};
  error_code ignored;
  client_.socket().set_option(tcp::no_delay(true), ignored);
  if (open > context_.config.proxy.max_client_connections) {
    std::error_code ec;
    co_await client_.write(protocol::make_err_frame(0, 1040, "08004", "Too many connections"), ec);
  } else if (co_await login()) {
    co_await command_loop();
  }
  if (backend_) co_await backend_->quit();
  client_.close();
}

awaitable<bool> ClientSession::login() {
  scramble_ = protocol::make_scramble();
  protocol::ServerHandshake::Settings settings{context_.config.proxy.server_version, connection_id_,
                                               offered_capabilities(), protocol::default_collation, scramble_,
                                               client_host_};
  const UserDirectory& users = context_.users;
  protocol::ServerHandshake handshake(settings, [&users](std::string_view user) { return users.find(user); });
  deadline_.arm(std::chrono::milliseconds(context_.config.timeouts.handshake_timeout_ms));
  auto login = co_await run_client_login(client_, handshake, context_.logger);
  deadline_.disarm();
  if (!login) {
    if (deadline_.expired()) context_.logger.info("client {} timed out during the handshake", client_host_);
    co_return false;
  }
  identity_ = std::move(login->client);
  schema_ = identity_.database;
  co_return co_await open_backend(login->reply_sequence, true);
}

protocol::ClientHandshake::Settings ClientSession::backend_login() const {
  protocol::ClientHandshake::Settings settings;
  settings.user = identity_.user;
  settings.stage1 = identity_.stage1;
  settings.database = schema_;
  settings.collation = identity_.collation;
  settings.capabilities = identity_.capabilities;
  settings.max_packet_size = context_.config.proxy.max_packet_size;
  settings.attributes = identity_.attributes;
  settings.attributes.emplace_back("_proxy", "rwproxy");
  settings.attributes.emplace_back("_client_host", client_host_);
  return settings;
}

awaitable<bool> ClientSession::open_backend(std::uint8_t reply_sequence, bool reply_ok) {
  const config::Backend* master = context_.config.master();
  backend::BackendAddress address{master->name, master->host, master->port};
  auto result = co_await backend::BackendConnection::connect(
      address, backend_login(), std::chrono::milliseconds(context_.config.timeouts.connect_timeout_ms),
      context_.config.proxy.max_packet_size);
  std::error_code ec;
  if (!result.connection) {
    context_.logger.warn("session {}: cannot open backend '{}': {} {}", connection_id_, address.name,
                         result.error.error_code, result.error.message);
    co_await reply_error(reply_sequence, result.error.error_code, result.error.sql_state, result.error.message);
    co_return false;
  }
  backend_ = std::move(result.connection);
  if (reply_ok) {
    co_await client_.write(protocol::make_ok_frame(reply_sequence, protocol::server_status::autocommit), ec);
    if (ec) co_return false;
  }
  co_return true;
}

awaitable<void> ClientSession::command_loop() {
  const auto idle_timeout = std::chrono::milliseconds(context_.config.timeouts.client_idle_timeout_ms);
  while (!stopping_) {
    idle_ = true;
    deadline_.arm(idle_timeout);
    std::error_code ec;
    auto packet = co_await client_.read_packet(ec);
    deadline_.disarm();
    idle_ = false;
    if (!packet) {
      if (ec == protocol::ProtocolError::packet_too_large) {
        co_await reply_error(1, 1153, "08S01", "Got a packet bigger than 'max_allowed_packet' bytes");
      } else if (ec == protocol::ProtocolError::bad_sequence) {
        co_await reply_error(1, 1156, "08S01", "Got packets out of order");
      }
      co_return;
    }
    if (!co_await handle_command(*packet)) co_return;
  }
}

awaitable<bool> ClientSession::handle_command(const protocol::Packet& packet) {
  const std::uint8_t reply_sequence = static_cast<std::uint8_t>(packet.last_sequence_id + 1);
  if (packet.sequence_id != 0) {
    co_await reply_error(reply_sequence, 1156, "08S01", "Got packets out of order");
    co_return false;
  }
  if (packet.payload.empty()) {
    co_await reply_error(reply_sequence, 1047, "08S01", "Unknown command");
    co_return false;
  }
  const auto command = static_cast<Command>(static_cast<std::uint8_t>(packet.payload[0]));
  if (command == Command::quit) co_return false;
  if (command == Command::change_user) co_return co_await change_user(packet);
  if (is_unsupported(command)) co_return co_await reply_error(reply_sequence, 1047, "08S01", "Unknown command");
  co_return co_await forward_command(packet);
}

awaitable<bool> ClientSession::forward_command(const protocol::Packet& packet) {
  const auto command = static_cast<Command>(static_cast<std::uint8_t>(packet.payload[0]));
  frames_.clear();
  const std::uint8_t reply_sequence = protocol::append_frames(frames_, packet.payload, 0);
  if (!backend_) {
    // The backend was lost by an earlier command: reconnect (the error, if any, answers this command).
    if (!protocol::ResponseTracker::expects_response(command)) co_return true;
    if (!co_await open_backend(reply_sequence, false)) co_return true;
  }
  const bool cursor = command == Command::stmt_execute && packet.payload.size() > 5 && (packet.payload[5] & 0x01);
  auto outcome = co_await relay_.run(command, frames_, reply_sequence, cursor, *backend_, client_);
  switch (outcome.result) {
    case CommandRelay::Result::completed:
      if (command == Command::init_db && !outcome.summary.error) schema_ = packet.payload.substr(1);
      co_return true;
    case CommandRelay::Result::client_failed:
      co_return false;
    case CommandRelay::Result::backend_failed:
      break;
  }
  context_.logger.warn("session {}: backend '{}' failed during a command", connection_id_,
                       backend_->address().name);
  auto name = backend_->address().name;
  backend_.reset();
  if (outcome.bytes_to_client) co_return false;  // mid-response: only a clean close is possible
  co_return co_await reply_error(reply_sequence, 2013, "HY000",
                                 "rwproxy: lost connection to backend '" + name + "' during query");
}

awaitable<bool> ClientSession::reply_error(std::uint8_t sequence, std::uint16_t code, std::string_view sql_state,
                                           std::string_view message) {
  std::error_code ec;
  co_await client_.write(protocol::make_err_frame(sequence, code, sql_state, message), ec);
  co_return !ec;
}

}  // namespace rwproxy::session
