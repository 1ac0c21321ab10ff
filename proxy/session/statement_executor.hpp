// Runs the commands of one logged-in client: classifies each statement, has the planner decide
// where it goes and the dispatcher take it there, and records what the statement changed in the
// session's state. Binary prepared statements are mapped per backend.
#pragma once

#include <cstdint>
#include <string>

#include "proxy/asio.hpp"
#include "proxy/net/packet_channel.hpp"
#include "proxy/protocol/client_handshake.hpp"
#include "proxy/session/backend_dispatcher.hpp"
#include "proxy/session/consistency_state.hpp"
#include "proxy/session/consistency_statement.hpp"
#include "proxy/session/prepare_response_cache.hpp"
#include "proxy/session/prepared_statements.hpp"
#include "proxy/session/session_context.hpp"
#include "proxy/session/session_summary.hpp"
#include "proxy/session/session_state.hpp"
#include "proxy/session/statement_planner.hpp"
#include "router/route.hpp"

namespace rwproxy::session {

class StatementExecutor {
 public:
  StatementExecutor(SessionContext context, net::PacketChannel& client, std::uint32_t connection_id);

  // Login settings for new backend connections, and the session's initial schema.
  void start(protocol::ClientHandshake::Settings login, bool hints_allowed);
  // Opens the master connection (at login, so that a bad login or schema is reported at once).
  awaitable<protocol::ErrPacket> connect_master();
  // Runs one client command. False when the session must end.
  awaitable<bool> execute(const protocol::Packet& packet);
  // After the backends changed (drain, offline, removal, promotion): closes the connections held
  // to backends that no longer serve this session's reads. Between commands only.
  void release_unserving();
  // The session's user, schema, transaction and binding (for SHOW SESSIONS).
  SessionSummary summary() const;
  awaitable<void> close() { co_await dispatcher_.close(); }

 private:
  // A read that failed on a replica before any byte reached the client: a replica, another
  // replica, the master.
  static constexpr int max_read_attempts = 3;

  // What binds the session to its backend connections now (multiplexing).
  router::BindReason binding() const;

  // Runs `packet` on the master; nullopt when no connection could be had (the client got an ERR).
  awaitable<std::optional<CommandRelay::Outcome>> on_master(const protocol::Packet& packet, Dispatch& dispatch);
  static bool session_goes_on(const CommandRelay::Outcome& outcome);

  awaitable<bool> run_query(const protocol::Packet& packet);
  // SELECT rwproxy_consistency_token() / SET @rwproxy_consistency_token = '...': answered here.
  awaitable<bool> answer_consistency(const ConsistencyStatement& statement);
  // A per-statement token hint: nullopt when the statement may run, else the client got an ERR.
  awaitable<bool> apply_token_hint(const parser::StatementInfo& info, std::optional<router::GtidPosition>& token);
  // After a wait timed out: true when the master has reached `wanted`; otherwise the client got
  // an ERR (a token ahead of the master, or the master unavailable).
  awaitable<bool> master_has_reached(const router::GtidPosition& wanted, std::uint8_t reply_sequence);
  // EXPLAIN ROUTE <statement>: the proxy answers with its decision, as a result set.
  awaitable<bool> answer_explain(std::string_view statement);
  awaitable<bool> run_on_master(const protocol::Packet& packet);
  awaitable<bool> run_init_db(const protocol::Packet& packet);
  awaitable<bool> run_ping(const protocol::Packet& packet);
  // An OK the proxy writes itself, with the session's status flags.
  awaitable<bool> reply_ok(std::uint8_t sequence);
  awaitable<bool> run_reset_connection(const protocol::Packet& packet);
  awaitable<bool> run_prepare(const protocol::Packet& packet);
  awaitable<bool> run_execute(const protocol::Packet& packet);
  awaitable<bool> run_fetch_or_reset(const protocol::Packet& packet);
  awaitable<bool> run_close(const protocol::Packet& packet);
  awaitable<bool> run_send_long_data(const protocol::Packet& packet);

  // The statement as prepared on the dispatched connection, preparing it there first if needed.
  struct OnConnection {
    backend::ServerStatements::Entry* server = nullptr;  // null: see lost / error_packet
    bool lost = false;                                   // the connection broke
    std::string error_packet;                            // the server's ERR payload
  };
  awaitable<OnConnection> prepare_on(Dispatch& dispatch, PreparedStatement& statement);
  awaitable<void> close_server_statement(backend::BackendConnection& connection, std::uint32_t id);
  std::string prepare_cache_key(std::string_view sql) const;
  // How a connection's server statement for `sql` is found: schema, session settings, text.
  std::string server_statement_key(std::string_view sql) const;
  // The same for a registered statement, cached on it.
  const std::string& server_statement_key(PreparedStatement& statement) const;
  // `digest_ready`: the planner already holds this statement's digest.
  // `statement_token`: a consistency token the statement's hint carries, for this statement only.
  router::Route decide(const parser::StatementInfo& info, std::string_view sql, bool digest_ready = false,
                       const router::GtidPosition* statement_token = nullptr);

  // The frames that carry the client's command to a backend: the client's bytes as they came
  // (a command starts at sequence 0, so they need no change), else the payload re-framed into
  // frames_. Valid until the session next reads from the client. Sets the reply's first sequence.
  std::string_view command_frames(const protocol::Packet& packet, std::uint8_t& reply_sequence);

  awaitable<CommandRelay::Outcome> relay(protocol::Command command, std::string_view frames, std::uint8_t reply_sequence,
                                         bool cursor, Dispatch& dispatch, bool report_failure = true);

  void record(const parser::StatementInfo& info, std::string_view sql, const CommandRelay::Outcome& outcome,
              const Dispatch& dispatch);
  std::uint64_t new_epoch() { return context_.counters.next_state_epoch.fetch_add(1); }
  // COM_SET_OPTION changed the multi-statement option of the master connection: the session
  // stays on it, and the connection is closed, not pooled, when the session ends.
  awaitable<bool> run_set_option(const protocol::Packet& packet);
  bool set_option_used_ = false;

  // The reloadable settings this session uses, refreshed when LiveSettings' version moves.
  const router::RoutingPolicy& policy() const { return *settings_.policy; }
  void refresh_settings();

  SessionContext context_;
  ReloadableSettings settings_;
  std::uint64_t settings_version_ = 0;
  net::PacketChannel& client_;
  std::uint32_t connection_id_;
  protocol::ClientHandshake::Settings login_;
  bool hints_allowed_ = true;
  SessionState state_;
  BackendDispatcher dispatcher_;
  StatementPlanner planner_;
  PreparedStatements statements_;
  std::string frames_;
  ConsistencyState consistency_;
  std::uint64_t topology_version_ = 0;  // of the last release_unserving() check
  bool release_pending_ = false;        // a drained backend's connection was kept for a transaction
  backend::BackendHealth::CachedSnapshot snapshot_cache_;
};

}  // namespace rwproxy::session
