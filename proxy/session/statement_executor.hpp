// Runs the commands of one logged-in client: classifies each statement, asks the router where it
// goes, brings that backend connection to the session's state, relays the response and records
// what the statement changed. Binary prepared statements are mapped per backend.
#pragma once

#include <cstdint>
#include <string>

#include "parser/digest.hpp"
#include "proxy/asio.hpp"
#include "proxy/net/packet_channel.hpp"
#include "proxy/protocol/client_handshake.hpp"
#include "proxy/session/backend_set.hpp"
#include "proxy/session/command_relay.hpp"
#include "proxy/session/consistency_state.hpp"
#include "proxy/session/consistency_statement.hpp"
#include "proxy/session/prepared_statements.hpp"
#include "proxy/session/session_context.hpp"
#include "proxy/session/session_state.hpp"
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
  awaitable<void> close() { co_await backends_.quit_all(); }

 private:
  // A read that failed on a replica before any byte reached the client: a replica, another
  // replica, the master.
  static constexpr int max_read_attempts = 3;

  struct Dispatch {
    BackendRef ref;
    router::Route route;
    backend::BackendConnection* connection = nullptr;
  };

  // Runs `packet` on the master; nullopt when no connection could be had (the client got an ERR).
  awaitable<std::optional<CommandRelay::Outcome>> on_master(const protocol::Packet& packet, Dispatch& dispatch);
  static bool session_goes_on(const CommandRelay::Outcome& outcome);

  awaitable<bool> run_query(const protocol::Packet& packet);
  // SELECT rwproxy_consistency_token() / SET @rwproxy_consistency_token = '...': answered here.
  awaitable<bool> answer_consistency(const ConsistencyStatement& statement);
  // A per-statement token hint: nullopt when the statement may run, else the client got an ERR.
  awaitable<bool> apply_token_hint(const parser::StatementInfo& info, std::optional<router::GtidPosition>& token);
  // Runs `frames` on a replica behind MASTER_GTID_WAIT (route.wait_for). When the wait times out
  // the read's response is drained and the outcome says wait_timed_out: the caller runs the
  // statement on the master (causal_wait_timeout).
  awaitable<CommandRelay::Outcome> relay_after_wait(protocol::Command command, std::string_view frames,
                                                    std::uint8_t reply_sequence, bool cursor, Dispatch& dispatch);
  CommandRelay::SessionTracking tracking_for(const Dispatch& dispatch) const;
  // After a wait timed out: true when the master has reached `wanted`; otherwise the client got
  // an ERR (a token ahead of the master, or the master unavailable).
  awaitable<bool> master_has_reached(const router::GtidPosition& wanted, std::uint8_t reply_sequence);
  // EXPLAIN ROUTE <statement>: the proxy answers with its decision, as a result set.
  awaitable<bool> answer_explain(std::string_view statement);
  awaitable<bool> run_on_master(const protocol::Packet& packet);
  awaitable<bool> run_init_db(const protocol::Packet& packet);
  awaitable<bool> run_reset_connection(const protocol::Packet& packet);
  awaitable<bool> run_prepare(const protocol::Packet& packet);
  awaitable<bool> run_execute(const protocol::Packet& packet);
  awaitable<bool> run_fetch_or_reset(const protocol::Packet& packet);
  awaitable<bool> run_close(const protocol::Packet& packet);
  awaitable<bool> run_send_long_data(const protocol::Packet& packet);

  // The replica's id for `statement`, preparing it there first if needed.
  awaitable<std::optional<std::uint32_t>> prepare_on(backend::BackendConnection& connection,
                                                     PreparedStatement& statement, std::size_t replica);
  awaitable<BackendSet::Acquired> acquire_master();
  // `digest_ready`: digest_ already holds this statement's digest.
  // `statement_token`: a consistency token the statement's hint carries, for this statement only.
  router::Route decide(const parser::StatementInfo& info, std::string_view sql, bool digest_ready = false,
                       const router::GtidPosition* statement_token = nullptr);
  const parser::Digest& digest_of(std::string_view sql);
  // Opens/syncs the routed backend; a replica that fails is reported and the master used instead.
  // On total failure the client has been sent an ERR and `connection` is null.
  awaitable<Dispatch> acquire(router::Route route, std::uint8_t reply_sequence);
  // Relays `frames` to the dispatched backend; on backend failure drops it and tells the client.
  awaitable<CommandRelay::Outcome> relay(protocol::Command command, std::string_view frames, std::uint8_t reply_sequence,
                                         bool cursor, Dispatch& dispatch, bool report_failure = true);
  awaitable<bool> reply_error(std::uint8_t sequence, const protocol::ErrPacket& error);
  void record(const parser::StatementInfo& info, std::string_view sql, const CommandRelay::Outcome& outcome,
              const Dispatch& dispatch);

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
  BackendSet backends_;
  PreparedStatements statements_;
  CommandRelay relay_;
  std::string frames_;
  std::uint64_t rotation_ = 0;
  parser::Digest digest_;  // of the current statement, when rules or metrics need it
  ConsistencyState consistency_;
};

}  // namespace rwproxy::session
