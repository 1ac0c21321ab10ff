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
         capability::connect_attrs | capability::plugin_auth_lenenc_data | capability::session_track |
         capability::deprecate_eof;
}

ClientSession::ClientSession(tcp::socket socket, SessionContext context)
    : context_(context),
      client_(std::move(socket), context.config.proxy.max_packet_size),
      deadline_(client_.socket()),
      client_host_(remote_host(client_.socket())),
      connection_id_(context.counters.next_connection_id.fetch_add(1)),
      executor_(context, client_, connection_id_) {}

void ClientSession::request_stop() {
  stopping_ = true;
  if (idle_) {
    error_code ignored;
    client_.socket().cancel(ignored);
  }
}

SessionSummary ClientSession::summary() const {
  SessionSummary out = executor_.summary();
  out.id = connection_id_;
  out.client = client_host_;
  out.tls = client_.tls();
  if (out.user.empty()) out.state = "login";
  else if (!idle_) out.state = "running";
  return out;
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
  client_.count_bytes(&context_.metrics.bytes_received, &context_.metrics.bytes_sent);
  metrics::bump(context_.metrics.client_connections_total);
  if (open > context_.config.proxy.max_client_connections) {
    std::error_code ec;
    const std::string error = protocol::make_err_frame(0, 1040, "08004", "Too many connections");
    co_await client_.write(error, ec);
  } else if (co_await login()) {
    co_await command_loop();
  }
  co_await executor_.close();
  client_.close();
}

awaitable<bool> ClientSession::login() {
  scramble_ = protocol::make_scramble();
  const ReloadableSettings live = context_.live.current();
  const std::uint32_t offered = offered_capabilities() | (live.tls ? capability::ssl : 0u);
  protocol::ServerHandshake::Settings settings{context_.config.proxy.server_version,
                                               connection_id_,
                                               offered,
                                               protocol::default_collation,
                                               scramble_,
                                               client_host_,
                                               &context_.rsa_keys};
  const std::shared_ptr<const UserDirectory>& users = live.users;
  protocol::ServerHandshake handshake(settings, [&users](std::string_view user) { return users->find(user); });
  deadline_.arm(std::chrono::milliseconds(context_.config.timeouts.handshake_timeout_ms));
  auto login =
      co_await run_client_login(client_, handshake, live.tls, context_.logger, context_.metrics.auth_failures);
  deadline_.disarm();
  if (!login) {
    if (deadline_.expired()) context_.logger.info("client {} timed out during the handshake", client_host_);
    co_return false;
  }
  identity_ = std::move(login->client);
  if (identity_.tls) {
    context_.logger.debug("session {}: client {} logged in over {}", connection_id_, client_host_,
                          client_.tls_description());
  }
  co_return co_await open_session(login->reply_sequence);
}

protocol::ClientHandshake::Settings ClientSession::backend_login() const {
  protocol::ClientHandshake::Settings settings;
  settings.user = identity_.user;
  settings.stage1 = identity_.stage1;
  settings.password = identity_.password;
  settings.database = identity_.database;
  settings.collation = identity_.collation;
  settings.capabilities = identity_.capabilities;
  settings.max_packet_size = context_.config.proxy.max_packet_size;
  settings.attributes = identity_.attributes;
  settings.attributes.emplace_back("_proxy", "rwproxy");
  settings.attributes.emplace_back("_client_host", client_host_);
  return settings;
}

awaitable<bool> ClientSession::open_session(std::uint8_t reply_sequence) {
  const auto live = context_.live.current();
  const config::User* user = live.config->find_user(identity_.user);
  executor_.start(backend_login(), user == nullptr || live.config->hints_allowed(*user));
  protocol::ErrPacket error = co_await executor_.connect_master();
  if (error.error_code != 0) {
    context_.logger.warn("session {}: cannot open the master for '{}': {} {}", connection_id_, identity_.user,
                         error.error_code, error.message);
    co_await reply_error(reply_sequence, error.error_code, error.sql_state, error.message);
    co_return false;
  }
  std::error_code ec;
  const std::string ok = protocol::make_ok_frame(reply_sequence, protocol::server_status::autocommit);
  co_await client_.write(ok, ec);
  co_return !ec;
}

awaitable<void> ClientSession::command_loop() {
  // One timer for the whole session, not one per statement.
  net::IdleWatch idle_watch(client_.socket(), std::chrono::milliseconds(context_.config.timeouts.client_idle_timeout_ms));
  while (!stopping_) {
    idle_ = true;
    idle_watch.idle();
    std::error_code ec;
    client_.reader().release_if_large();  // a large statement's buffer does not stay for good
    auto packet = co_await client_.read_packet(ec);
    idle_watch.busy();
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
  co_return co_await executor_.execute(packet);
}

awaitable<bool> ClientSession::reply_error(std::uint8_t sequence, std::uint16_t code, std::string_view sql_state,
                                           std::string_view message) {
  std::error_code ec;
  const std::string error = protocol::make_err_frame(sequence, code, sql_state, message);
  co_await client_.write(error, ec);
  co_return !ec;
}

}  // namespace rwproxy::session
