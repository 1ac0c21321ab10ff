#include "proxy/admin/admin_server.hpp"

#include <fmt/format.h>

#include "proxy/admin/admin_command.hpp"
#include "proxy/admin/admin_tables.hpp"
#include "proxy/protocol/generic_packets.hpp"
#include "proxy/protocol/native_password.hpp"
#include "proxy/protocol/result_set_writer.hpp"
#include "proxy/protocol/server_handshake.hpp"
#include "proxy/session/client_login.hpp"
#include "proxy/session/client_session.hpp"

namespace rwproxy::admin {

namespace {

constexpr std::uint32_t max_admin_packet = 1 << 20;
constexpr std::uint16_t er_unknown_command = 1047;  // ER_UNKNOWN_COM_ERROR (08S01)
constexpr std::uint16_t er_syntax = 1064;           // ER_PARSE_ERROR (42000)
constexpr std::uint16_t er_bad_value = 1231;        // ER_WRONG_VALUE_FOR_VAR (42000)

std::string remote_host(tcp::socket& socket) {
  error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  return ec ? std::string("?") : endpoint.address().to_string();
}

}  // namespace

AdminServer::AdminServer(const config::Config& config, const session::LiveSettings& live, AdminSource& source,
                         Logger& logger)
    : config_(config), live_(live), source_(source), logger_(logger) {}

AdminServer::~AdminServer() { stop(); }

void AdminServer::start() {
  error_code ec;
  const auto address = asio::ip::make_address(config_.admin.listen_address, ec);
  if (ec) throw std::runtime_error("admin.listen_address is not an IP address");
  const tcp::endpoint endpoint(address, config_.admin.listen_port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error(ec.message());
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(context_, [this] { return accept_loop(); }, asio::detached);
  thread_ = std::thread([this] { context_.run(); });
}

void AdminServer::stop() {
  if (!thread_.joinable()) return;
  asio::post(context_, [this] {
    error_code ignored;
    acceptor_.close(ignored);
    context_.stop();
  });
  thread_.join();
}

awaitable<void> AdminServer::accept_loop() {
  for (;;) {
    error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (!acceptor_.is_open()) co_return;
      continue;
    }
    const std::uint32_t id = next_id_++;
    asio::co_spawn(context_, serve(std::move(socket), id), asio::detached);
  }
}

awaitable<void> AdminServer::serve(tcp::socket socket, std::uint32_t id) {
  const std::string host = remote_host(socket);
  net::PacketChannel channel(std::move(socket), max_admin_packet);
  const session::ReloadableSettings live = live_.current();
  const std::uint32_t offered = session::ClientSession::offered_capabilities();
  protocol::ServerHandshake::Settings settings{config_.proxy.server_version + "-admin", id, offered,
                                               protocol::default_collation, protocol::make_scramble(), host,
                                               nullptr};
  const std::shared_ptr<const session::UserDirectory>& users = live.admin_users;
  protocol::ServerHandshake handshake(settings, [&users](std::string_view user) { return users->find(user); });
  auto login = co_await session::run_client_login(channel, handshake, nullptr, logger_, auth_failures_);
  if (!login) {
    channel.close();
    co_return;
  }
  const std::uint32_t capabilities = login->client.capabilities;
  std::error_code ec;
  const std::string ok = protocol::make_ok_frame(login->reply_sequence, protocol::server_status::autocommit);
  co_await channel.write(ok, ec);
  logger_.info("admin: '{}' logged in from {}", login->client.user, host);
  while (!ec) {
    auto packet = co_await channel.read_packet(ec);
    if (!packet || packet->payload.empty()) break;
    const auto command = static_cast<protocol::Command>(static_cast<std::uint8_t>(packet->payload[0]));
    const std::uint8_t reply = static_cast<std::uint8_t>(packet->last_sequence_id + 1);
    if (command == protocol::Command::quit) break;
    if (command == protocol::Command::query) {
      const std::string sql = packet->payload.substr(1);
      if (!co_await answer(channel, sql, capabilities)) break;
      continue;
    }
    std::string frame;
    if (command == protocol::Command::ping || command == protocol::Command::init_db ||
        command == protocol::Command::reset_connection) {
      frame = protocol::make_ok_frame(reply, protocol::server_status::autocommit);
    } else {
      frame = protocol::make_err_frame(reply, er_unknown_command, "08S01",
                                       "rwproxy admin: only text commands (COM_QUERY); HELP lists them");
    }
    co_await channel.write(frame, ec);
  }
  channel.close();
}

awaitable<bool> AdminServer::answer(net::PacketChannel& channel, std::string_view sql, std::uint32_t capabilities) {
  const AdminCommand command = parse_admin_command(sql);
  std::string frames;
  const protocol::ResultSetFormat format{capabilities, protocol::server_status::autocommit, 0};
  auto ok = [&] { frames = protocol::make_ok_frame(1, protocol::server_status::autocommit); };
  auto err = [&](std::uint16_t code, const char* state, const std::string& message) {
    frames = protocol::make_err_frame(1, code, state, "rwproxy admin: " + message);
  };
  auto table = [&](const protocol::TextResultSet& result) {
    protocol::append_text_result_set(frames, result, format, 1);
  };
  switch (command.kind) {
    case CommandKind::show_backends: table(backends_table(source_.backends())); break;
    case CommandKind::show_sessions: table(sessions_table(source_.sessions())); break;
    case CommandKind::show_digests: table(digests_table(source_.digests(), command.number)); break;
    case CommandKind::reset_digests:
      if (command.show_and_reset) table(digests_table(source_.digests(), command.number));
      source_.reset_digests();
      if (!command.show_and_reset) ok();
      break;
    case CommandKind::set_state:
    case CommandKind::set_weight: {
      const std::string problem = command.kind == CommandKind::set_state
                                      ? source_.set_backend_state(command.name, command.state)
                                      : source_.set_backend_weight(command.name, static_cast<std::uint32_t>(command.number));
      if (problem.empty()) {
        logger_.info("admin: backend '{}' {}", command.name,
                     command.kind == CommandKind::set_state ? "is now " + command.state
                                                            : fmt::format("weight {}", command.number));
        ok();
      } else {
        err(er_bad_value, "42000", problem);
      }
      break;
    }
    case CommandKind::reload_config:
      if (source_.reload_config()) {
        ok();
      } else {
        err(er_bad_value, "HY000", "the config file has problems (see the proxy's log); the running config is kept");
      }
      break;
    case CommandKind::show_config: table(settings_table(source_.running_config(), "setting", "value")); break;
    case CommandKind::show_status: table(settings_table(source_.status(), "variable_name", "value")); break;
    case CommandKind::help: table(help_table()); break;
    case CommandKind::version_comment: {
      protocol::TextResultSet result;
      result.columns.push_back(protocol::ResultColumn{"@@version_comment"});
      result.rows.push_back(protocol::ResultRow{std::string("rwproxy admin interface (HELP lists the commands)")});
      table(result);
      break;
    }
    case CommandKind::ignored_set: ok(); break;
    case CommandKind::invalid: err(er_syntax, "42000", command.error); break;
  }
  std::error_code ec;
  co_await channel.write(frames, ec);
  co_return !ec;
}

}  // namespace rwproxy::admin
