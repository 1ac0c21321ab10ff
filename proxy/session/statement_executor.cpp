#include "proxy/session/statement_executor.hpp"

#include <algorithm>
#include <array>

#include "parser/classifier.hpp"
#include "parser/digest.hpp"
#include "proxy/explain/explain_statement.hpp"
#include "proxy/explain/explanation_rows.hpp"
#include "proxy/explain/route_explanation.hpp"
#include "proxy/protocol/result_set_writer.hpp"
#include "proxy/protocol/frame_reader.hpp"
#include "proxy/session/statement_routing.hpp"
#include "router/router.hpp"

namespace rwproxy::session {

using protocol::Command;
using router::Target;

StatementExecutor::StatementExecutor(SessionContext context, net::PacketChannel& client, std::uint32_t connection_id)
    : context_(context),
      client_(client),
      connection_id_(connection_id),
      dispatcher_(context, client, connection_id),
      planner_(connection_id) {}

void StatementExecutor::start(protocol::ClientHandshake::Settings login, bool hints_allowed) {
  refresh_settings();
  state_.reset(login.database);
  statements_.clear();
  set_option_used_ = false;
  consistency_ = ConsistencyState{};
  dispatcher_.start(login, settings_.config->multiplexing_for(login.user), new_epoch());
  login_ = std::move(login);
  hints_allowed_ = hints_allowed;
}

awaitable<protocol::ErrPacket> StatementExecutor::connect_master() {
  auto acquired = co_await dispatcher_.acquire_master(state_);
  if (acquired.connection) {
    dispatcher_.finish_command(binding());
    co_return protocol::ErrPacket{0, "00000", {}};
  }
  if (!protocol::proxy_error::is_unreachable(acquired.error.error_code) &&
      acquired.error.error_code != protocol::proxy_error::no_writer) {
    co_return acquired.error;
  }
  // The master is unreachable (or nobody takes writes): let the session start on a replica (which also checks the login)
  // so that reads keep working; writes get a clear error until the master is back.
  auto topology = context_.health.snapshot(router::Clock::now());
  const router::ReplicaSnapshot* snapshot = &topology->routing;
  for (std::size_t i = 0; i < snapshot->replicas.size(); ++i) {
    if (!snapshot->replicas[i].up || !snapshot->replicas[i].serving) continue;
    auto replica = co_await dispatcher_.backends().acquire(BackendRef{i}, login_, state_);
    if (replica.connection) {
      context_.logger.warn("session {}: master unavailable ({}); session starts on replica '{}'", connection_id_,
                           acquired.error.message, snapshot->replicas[i].name);
      dispatcher_.finish_command(binding());
      co_return protocol::ErrPacket{0, "00000", {}};
    }
    if (!protocol::proxy_error::is_unreachable(replica.error.error_code)) co_return replica.error;
  }
  co_return acquired.error;
}

SessionSummary StatementExecutor::summary() const {
  SessionSummary out;
  out.user = login_.user;
  out.schema = state_.schema();
  out.state = state_.in_transaction() ? "in transaction" : "idle";
  const router::BindReason bound = binding();
  if (bound != router::BindReason::none) out.bound = std::string(router::to_string(bound));
  else if (!dispatcher_.multiplexing()) out.bound = "multiplexing off";
  out.backends = dispatcher_.held_backends();
  return out;
}

void StatementExecutor::release_unserving() {
  const std::uint64_t version = context_.health.version();
  if (version == topology_version_ && !release_pending_) return;
  topology_version_ = version;
  const auto topology = context_.health.snapshot(router::Clock::now());
  release_pending_ = dispatcher_.release_unserving(*topology, state_.transaction_replica());
}

void StatementExecutor::refresh_settings() {
  const std::uint64_t version = context_.live.version();
  if (version == settings_version_) return;
  settings_ = context_.live.current();
  settings_version_ = version;
}

awaitable<bool> StatementExecutor::execute(const protocol::Packet& packet) {
  refresh_settings();
  bool goes_on = true;
  switch (static_cast<Command>(static_cast<std::uint8_t>(packet.payload[0]))) {
    case Command::query: goes_on = co_await run_query(packet); break;
    case Command::init_db: goes_on = co_await run_init_db(packet); break;
    case Command::reset_connection: goes_on = co_await run_reset_connection(packet); break;
    case Command::stmt_prepare: goes_on = co_await run_prepare(packet); break;
    case Command::stmt_execute: goes_on = co_await run_execute(packet); break;
    case Command::stmt_fetch:
    case Command::stmt_reset: goes_on = co_await run_fetch_or_reset(packet); break;
    case Command::stmt_close: goes_on = co_await run_close(packet); break;
    case Command::set_option: goes_on = co_await run_set_option(packet); break;
    case Command::stmt_send_long_data: goes_on = co_await run_send_long_data(packet); break;
    case Command::ping: goes_on = co_await run_ping(packet); break;
    default: goes_on = co_await run_on_master(packet); break;
  }
  if (dispatcher_.take_transaction_lost()) {
    state_.note_status(state_.status_flags() & ~protocol::server_status::in_trans);
  }
  release_unserving();
  dispatcher_.finish_command(binding());
  co_return goes_on;
}

router::BindReason StatementExecutor::binding() const {
  if (set_option_used_) return router::BindReason::set_option;
  const router::BindReason reason = state_.binding();
  if (reason != router::BindReason::none) return reason;
  return statements_.binding();
}

router::Route StatementExecutor::decide(const parser::StatementInfo& info, std::string_view sql, bool digest_ready,
                                       const router::GtidPosition* statement_token) {
  const auto now = router::Clock::now();
  const router::ReplicaSnapshot& snapshot = context_.health.snapshot(now, snapshot_cache_).routing;
  std::array<std::uint32_t, config::max_backends> outstanding{};
  const std::size_t n = std::min(snapshot.replicas.size(), outstanding.size());
  context_.health.load_outstanding(std::span(outstanding.data(), n));
  router::GtidPosition with_hint;
  const router::RoutingSession session =
      session_view(state_, consistency_, login_.user, hints_allowed_, statement_token, with_hint);
  const StatementPlanner::Input input{info, sql, session, snapshot, std::span(outstanding.data(), n), now};
  router::Route route = planner_.plan(input, policy(), digest_ready);
  if (context_.logger.enabled(LogLevel::debug)) {
    context_.logger.debug("session {}: {} -> {} ({})", connection_id_, parser::to_string(info.kind),
                          route.target == Target::replica ? snapshot.replicas[route.replica].name
                          : route.target == Target::master ? std::string("master")
                                                           : std::string("error"),
                          router::to_string(route.reason));
  }
  return route;
}

awaitable<CommandRelay::Outcome> StatementExecutor::relay(Command command, std::string_view frames,
                                                          std::uint8_t reply_sequence, bool cursor, Dispatch& dispatch,
                                                          bool report_failure) {
  const auto wait_timeout = std::chrono::milliseconds(settings_.config->routing.causal_wait_timeout_ms);
  auto outcome =
      co_await dispatcher_.relay(command, frames, reply_sequence, cursor, dispatch, wait_timeout, report_failure);
  if (!outcome.last_gtid.empty()) consistency_.note_committed(outcome.last_gtid);
  co_return outcome;
}

void StatementExecutor::record(const parser::StatementInfo& info, std::string_view sql,
                               const CommandRelay::Outcome& outcome, const Dispatch& dispatch) {
  if (outcome.result != CommandRelay::Result::completed) return;
  const std::uint16_t status = outcome.summary.has_status ? outcome.summary.status_flags : state_.status_flags();
  // A result set ending in an EOF packet (no CLIENT_DEPRECATE_EOF) cannot carry the entries, only
  // the flag: with multiplexing, the flag alone counts as a change.
  const bool flagged_after_rows = dispatcher_.multiplexing() && outcome.summary.column_count > 0 &&
                                  (status & protocol::server_status::session_state_changed) &&
                                  !(login_.capabilities & protocol::capability::deprecate_eof);
  const StatementReply reply{!outcome.summary.error, status,
                             ReplyFacts{outcome.summary.warnings, outcome.summary.last_insert_id,
                                        outcome.state_changed || flagged_after_rows},
                             outcome.schema};
  after_statement(state_, consistency_, info, sql, dispatch.route, dispatch.ref.replica, reply, router::Clock::now());
  // DDL may change what a PREPARE of any statement answers.
  if (!outcome.summary.error && info.kind == parser::StatementKind::ddl) context_.worker.prepare_responses.clear();
  if (dispatch.connection) {
    // The statement ran on this connection, which was in sync before it: it is in sync after it.
    dispatcher_.backends().follow(*dispatch.connection, state_);
    backend::SyncedState& synced = dispatch.connection->synced();
    synced.in_transaction = (status & protocol::server_status::in_trans) != 0;
    // The client changed which variables its session tracks: last_gtid goes back in before the
    // next statement (BackendSet::sync).
    const auto& changed = info.session.set_session_variable;
    if (std::find(changed.begin(), changed.end(), "session_track_system_variables") != changed.end()) {
      synced.tracks_session = false;
    }
  }
}

awaitable<bool> StatementExecutor::answer_explain(std::string_view statement) {
  const auto now = router::Clock::now();
  auto topology = context_.health.snapshot(now);
  const router::ReplicaSnapshot* snapshot = &topology->routing;
  router::GtidPosition no_token;
  const router::RoutingSession session = session_view(state_, consistency_, login_.user, hints_allowed_, nullptr, no_token);
  auto explanation = explain::explain(statement, session, *snapshot, policy(), *settings_.config, now);
  const router::BindReason bound = binding();
  explanation.session.connections =
      !dispatcher_.multiplexing() ? std::string("own (multiplexing off)")
      : bound == router::BindReason::none
          ? std::string("multiplexed (borrowed per statement)")
          : "multiplexed, bound (" + std::string(router::to_string(bound)) + ")";
  const std::uint16_t status = state_.status_flags();
  frames_.clear();
  protocol::append_text_result_set(frames_, explain::explanation_result_set(explanation),
                                   protocol::ResultSetFormat{login_.capabilities, status, 0}, 1);
  std::error_code ec;
  co_await client_.write(frames_, ec);
  co_return !ec;
}

awaitable<bool> StatementExecutor::run_query(const protocol::Packet& packet) {
  std::string_view sql = std::string_view(packet.payload).substr(1);
  if (auto target = explain::explain_route_target(sql)) co_return co_await answer_explain(*target);
  if (auto statement = consistency_statement(sql)) co_return co_await answer_consistency(*statement);
  parser::StatementInfo info = parser::classify(sql);
  std::optional<router::GtidPosition> hinted;
  if (!co_await apply_token_hint(info, hinted)) co_return true;
  const router::GtidPosition* statement_token = hinted ? &*hinted : nullptr;
  std::uint8_t reply_sequence = 0;
  const std::string_view frames = command_frames(packet, reply_sequence);
  const bool count_digest = context_.config.metrics.top_digests > 0;
  std::size_t digest_slot = metrics::DigestTable::none;
  if (count_digest) {
    const parser::Digest& d = planner_.digest_of(sql);
    digest_slot = context_.metrics.digests.count(d.hash, d.text);
  }
  // Read only when the statement's digest is counted (its latency goes there).
  const auto started = digest_slot != metrics::DigestTable::none ? std::chrono::steady_clock::now()
                                                                   : std::chrono::steady_clock::time_point{};
  router::Route route = decide(info, sql, count_digest, statement_token);
  for (int attempt = 0;; ++attempt) {
    Dispatch dispatch = co_await dispatcher_.acquire(route, reply_sequence, state_);
    if (!dispatch.connection) co_return true;
    // A read on a replica that fails before any byte reached the client is retried on another
    // eligible replica, then on the master: the client sees no error.
    const bool retryable = dispatch.ref.replica && attempt < max_read_attempts - 1 && !state_.in_transaction() &&
                           state_.autocommit() && !state_.transaction_replica();
    auto outcome = co_await relay(Command::query, frames, reply_sequence, false, dispatch, !retryable);
    if (outcome.wait_timed_out) {
      if (!co_await master_has_reached(*dispatch.route.wait_for, reply_sequence)) co_return true;
      route = router::Route{Target::master, router::Reason::causal_wait_timeout, 0, dispatch.route.rule};
      continue;
    }
    if (outcome.result == CommandRelay::Result::backend_failed && !outcome.bytes_to_client && retryable &&
        !outcome.timed_out) {
      metrics::bump(context_.metrics.read_retries);
      route = attempt == 0 ? decide(info, sql, count_digest, statement_token)
                           : router::Route{Target::master, router::Reason::no_eligible_replica, 0, {}};
      context_.logger.info("session {}: retrying a read after a replica failure ({})", connection_id_,
                           router::to_string(route.reason));
      continue;
    }
    record(info, sql, outcome, dispatch);
    if (digest_slot != metrics::DigestTable::none) {
      context_.metrics.digests.finish(digest_slot, dispatch.ref.replica.has_value(),
                                      std::chrono::steady_clock::now() - started, outcome.summary.rows_sent,
                                      outcome.summary.affected_rows);
    }
    co_return session_goes_on(outcome);
  }
}

awaitable<std::optional<CommandRelay::Outcome>> StatementExecutor::on_master(const protocol::Packet& packet,
                                                                            Dispatch& dispatch) {
  const auto command = static_cast<Command>(static_cast<std::uint8_t>(packet.payload[0]));
  std::uint8_t reply_sequence = 0;
  const std::string_view frames = command_frames(packet, reply_sequence);
  const router::Route route{Target::master, router::Reason::session_state, 0, {}};
  dispatch = co_await dispatcher_.acquire(route, reply_sequence, state_);
  if (!dispatch.connection) co_return std::nullopt;
  auto outcome = co_await relay(command, frames, reply_sequence, false, dispatch);
  if (outcome.result == CommandRelay::Result::completed && outcome.summary.has_status) {
    state_.note_status(outcome.summary.status_flags);
  }
  co_return outcome;
}

std::string_view StatementExecutor::command_frames(const protocol::Packet& packet, std::uint8_t& reply_sequence) {
  const std::string_view raw = client_.reader().last_frames();
  constexpr std::size_t header_size = 4;
  if (packet.sequence_id == 0 && packet.payload.size() < protocol::max_frame_payload &&
      raw.size() == header_size + packet.payload.size()) {
    reply_sequence = 1;
    return raw;
  }
  frames_.clear();
  reply_sequence = protocol::append_frames(frames_, packet.payload, 0);
  return frames_;
}

bool StatementExecutor::session_goes_on(const CommandRelay::Outcome& outcome) {
  if (outcome.result == CommandRelay::Result::client_failed) return false;
  // A backend that broke mid-response leaves the client's stream cut: only a close is clean.
  return !(outcome.result == CommandRelay::Result::backend_failed && outcome.bytes_to_client);
}

awaitable<bool> StatementExecutor::run_on_master(const protocol::Packet& packet) {
  Dispatch dispatch;
  auto outcome = co_await on_master(packet, dispatch);
  co_return !outcome || session_goes_on(*outcome);
}

awaitable<bool> StatementExecutor::run_ping(const protocol::Packet& packet) {
  // A multiplexed session that holds no connection answers itself: a ping must not cost a
  // pooled connection (drivers ping before every borrow from their own pools).
  if (!dispatcher_.multiplexing() || dispatcher_.backends().holds_any()) co_return co_await run_on_master(packet);
  co_return co_await reply_ok(static_cast<std::uint8_t>(packet.last_sequence_id + 1));
}

awaitable<bool> StatementExecutor::reply_ok(std::uint8_t sequence) {
  const std::string ok = protocol::make_ok_frame(sequence, state_.status_flags());
  std::error_code ec;
  co_await client_.write(ok, ec);
  co_return !ec;
}

awaitable<bool> StatementExecutor::run_set_option(const protocol::Packet& packet) {
  Dispatch dispatch;
  auto outcome = co_await on_master(packet, dispatch);
  if (!outcome) co_return true;
  if (outcome->result == CommandRelay::Result::completed && !outcome->summary.error && dispatch.connection) {
    set_option_used_ = true;
    dispatch.connection->synced().discard = true;
  }
  co_return session_goes_on(*outcome);
}

awaitable<bool> StatementExecutor::run_init_db(const protocol::Packet& packet) {
  Dispatch dispatch;
  auto outcome = co_await on_master(packet, dispatch);
  if (!outcome) co_return true;
  if (outcome->result == CommandRelay::Result::completed && !outcome->summary.error) {
    state_.set_schema(packet.payload.substr(1));
    dispatch.connection->synced().schema = state_.schema();
  }
  co_return session_goes_on(*outcome);
}

awaitable<bool> StatementExecutor::run_reset_connection(const protocol::Packet& packet) {
  // Replica connections are reset (or reopened) when next used; the master resets its own session.
  for (auto& [ref, connection] : dispatcher_.backends().open_connections()) {
    if (!ref.replica) continue;
    if (dispatcher_.multiplexing()) {
      connection->synced().needs_reset = true;
    } else {
      co_await connection->quit();
      dispatcher_.backends().drop(ref);
    }
  }
  Dispatch dispatch;
  auto outcome = co_await on_master(packet, dispatch);
  if (!outcome) co_return true;
  if (outcome->result == CommandRelay::Result::completed && !outcome->summary.error) {
    state_.reset(state_.schema());
    statements_.clear();
    consistency_.reset();
    const std::uint64_t epoch = new_epoch();
    dispatcher_.new_epoch(epoch);
    backend::SyncedState fresh;
    fresh.schema = state_.schema();
    fresh.owner = epoch;
    dispatch.connection->synced() = std::move(fresh);
    dispatch.connection->statements().clear();
  }
  co_return session_goes_on(*outcome);
}

}  // namespace rwproxy::session
