#include "proxy/session/backend_set.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "proxy/backend/internal_command.hpp"

namespace rwproxy::session {

using backend::BackendConnection;

namespace {

constexpr auto check_after_idle = std::chrono::milliseconds(50);  // peek at connections idle this long

std::string query_payload(std::string_view sql) {
  std::string payload(1, static_cast<char>(protocol::Command::query));
  payload += sql;
  return payload;
}

// Whether the SETs in effect on a connection are the first ones of the session's.
bool is_prefix(const std::vector<std::string>& applied, const std::vector<ReplayEntry>& wanted) {
  if (applied.size() > wanted.size()) return false;
  for (std::size_t i = 0; i < applied.size(); ++i) {
    if (applied[i] != wanted[i].sql) return false;
  }
  return true;
}

}  // namespace

backend::BackendAddress BackendSet::address(BackendRef ref) const {
  const backend::BackendSlot& b = directory_.at(index(ref));
  return backend::BackendAddress{b.name, b.host, b.port, tls_.for_mode(b.tls_mode),
                                 b.tls_mode == config::BackendTlsMode::verify_identity};
}

bool BackendSet::set_master(std::size_t slot) {
  if (master_slot_ == slot) return false;
  const bool dropped = master_ != nullptr;
  drop(BackendRef{});
  master_slot_ = slot;
  return dropped;
}

void BackendSet::start(const protocol::ClientHandshake::Settings& login, bool multiplexing) {
  pooled_ = multiplexing && pools_ != nullptr;
  key_ = backend::PoolKey{login.user, login.capabilities & ~protocol::capability::connect_with_db, login.collation};
  const bool client_tracks = login.capabilities & protocol::capability::session_track;
  const std::string_view variables = client_tracks
                                         ? "CONCAT_WS(',', NULLIF(@@session.session_track_system_variables, ''), "
                                           "'last_gtid')"
                                         : "'last_gtid'";
  // Pooled connections also report every other session-state change, so that a change the
  // proxy cannot follow (a SET inside a procedure) binds the session instead of leaking.
  tracking_ = query_payload(pooled_ ? fmt::format("SET SESSION session_track_system_variables = {}, "
                                                  "session_track_schema = ON, session_track_state_change = ON",
                                                  variables)
                                    : fmt::format("SET SESSION session_track_system_variables = {}", variables));
}

BackendConnection* BackendSet::find(BackendRef ref) { return slot(ref).get(); }

bool BackendSet::holds_any() const {
  if (master_) return true;
  return std::any_of(replicas_.begin(), replicas_.end(), [](const auto& c) { return c != nullptr; });
}

std::string BackendSet::held_names() const {
  std::string out;
  if (master_) out = master_->address().name;
  for (const auto& c : replicas_) {
    if (c) out += (out.empty() ? "" : ",") + c->address().name;
  }
  return out;
}

BackendSet::~BackendSet() {
  for (auto& [ref, connection] : open_connections()) drop(ref);
}

void BackendSet::drop(BackendRef ref) {
  auto& connection = slot(ref);
  if (!connection) return;
  metrics::add(counters(ref).open_connections, -1);
  connection->channel().close();
  connection.reset();
  if (pooled_) pool(ref).release_slot();
}

void BackendSet::release_all() {
  if (!pooled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (master_) pool(BackendRef{}).put(key_, std::move(master_), now);
  for (std::size_t i = 0; i < replicas_.size(); ++i) {
    if (replicas_[i]) pool(BackendRef{i}).put(key_, std::move(replicas_[i]), now);
  }
}

std::vector<std::pair<BackendRef, BackendConnection*>> BackendSet::open_connections() {
  std::vector<std::pair<BackendRef, BackendConnection*>> out;
  if (master_) out.emplace_back(BackendRef{}, master_.get());
  for (std::size_t i = 0; i < replicas_.size(); ++i) {
    if (replicas_[i]) out.emplace_back(BackendRef{i}, replicas_[i].get());
  }
  return out;
}

awaitable<void> BackendSet::quit_all(bool bound) {
  for (auto& [ref, connection] : open_connections()) {
    if (!pooled_ || connection->synced().discard) {
      co_await connection->quit();
      drop(ref);
      continue;
    }
    if (bound || connection->synced().in_transaction) {
      // Locks, a transaction, variables of this session: reset now, so that they do not outlive
      // it in the pool.
      const std::string reset(1, static_cast<char>(protocol::Command::reset_connection));
      auto r = co_await backend::run_internal_command(*connection, reset);
      if (!r.ok()) {
        drop(ref);
        continue;
      }
      metrics::bump(counters(ref).pool_resets);
      connection->synced() = backend::SyncedState{connection->synced().schema};
      connection->statements().clear();
    }
    pool(ref).put(key_, std::move(slot(ref)), std::chrono::steady_clock::now());
  }
}

void BackendSet::follow(BackendConnection& connection, const SessionState& state) const {
  backend::SyncedState& synced = connection.synced();
  if (!state.schema().empty()) synced.schema = state.schema();
  const std::vector<ReplayEntry>& replay = state.replay();
  if (synced.owner != epoch_ || synced.replay_applied != state.replay_sequence() ||
      synced.replay.size() != replay.size()) {
    synced.replay.clear();
    for (const ReplayEntry& entry : replay) synced.replay.push_back(entry.sql);
  }
  synced.owner = epoch_;
  synced.replay_applied = state.replay_sequence();
}

int BackendSet::suitability(const BackendConnection& connection, const SessionState& state) const {
  const backend::SyncedState& synced = connection.synced();
  // A server connection cannot leave its schema: a session without one needs a connection without one.
  if (state.schema().empty() && !synced.schema.empty()) return -1;
  const int same_schema = synced.schema == state.schema() ? 1 : 0;
  if (synced.needs_reset) return same_schema;
  if (synced.owner == epoch_) return 6 + same_schema;
  if (!is_prefix(synced.replay, state.replay())) return same_schema;
  return (synced.replay.size() == state.replay().size() ? 4 : 2) + same_schema;
}

awaitable<BackendConnection::ConnectResult> BackendSet::open(BackendRef ref,
                                                             const protocol::ClientHandshake::Settings& login,
                                                             const SessionState& state) {
  auto settings = login;
  settings.database = state.schema();
  // The master reports each commit's GTID in its OK packets (session tracking), whether or not
  // the client asked for session tracking; the relay strips it for clients that did not.
  if (tracks_session_on(ref)) settings.capabilities |= protocol::capability::session_track;
  const backend::BackendAddress target = address(ref);  // named: no temporaries in co_await (GCC 12)
  auto opened = co_await BackendConnection::connect(target, std::move(settings),
                                                    std::chrono::milliseconds(config_.timeouts.connect_timeout_ms),
                                                    config_.proxy.max_packet_size);
  if (!opened.connection) {
    if (protocol::proxy_error::is_unreachable(opened.error.error_code)) metrics::bump(counters(ref).connect_errors);
    co_return opened;
  }
  metrics::add(counters(ref).open_connections, 1);
  opened.connection->synced().schema = state.schema();
  opened.connection->statements().set_cap(config_.pool.max_statements_per_connection);
  co_return opened;
}

std::unique_ptr<BackendConnection> BackendSet::take_idle(BackendRef ref, const SessionState& state) {
  backend::ConnectionPool& from = pool(ref);
  for (;;) {
    backend::ConnectionPool::Clock::time_point since;
    auto score = [&](const BackendConnection& c) { return suitability(c, state); };
    auto idle = from.take(key_, score, &since);
    if (!idle) return nullptr;
    if (std::chrono::steady_clock::now() - since < check_after_idle || !idle->looks_closed()) return idle;
    // Closed by the server while idle (restart, wait_timeout): replaced, nothing was sent.
    metrics::add(counters(ref).open_connections, -1);
    metrics::bump(counters(ref).lost_connections);
    idle->channel().close();
    from.release_slot();
  }
}

awaitable<BackendConnection::ConnectResult> BackendSet::borrow(BackendRef ref,
                                                               const protocol::ClientHandshake::Settings& login,
                                                               const SessionState& state, bool& reused) {
  backend::ConnectionPool& from = pool(ref);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.pool.acquire_timeout_ms);
  bool waited = false;
  for (;;) {
    if (auto idle = take_idle(ref, state)) {
      reused = true;
      co_return BackendConnection::ConnectResult{std::move(idle), {}};
    }
    reused = false;
    if (from.reserve()) {
      auto opened = co_await open(ref, login, state);
      if (!opened.connection) from.release_slot();
      co_return opened;
    }
    if (auto evicted = from.evict()) {  // an idle connection of another user or schema makes room
      metrics::add(counters(ref).open_connections, -1);
      co_await evicted->quit();
      continue;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!waited) metrics::bump(counters(ref).pool_waits);
    waited = true;
    bool woken = false;
    if (left.count() > 0) woken = co_await from.wait(left);  // no co_await inside || (GCC 12)
    if (!woken) {
      metrics::bump(counters(ref).pool_wait_timeouts);
      const backend::BackendAddress target = address(ref);
      BackendConnection::ConnectResult failed;
      failed.error = protocol::ErrPacket{
          protocol::proxy_error::pool_exhausted, "HY000",
          fmt::format("rwproxy: no connection to backend '{}' became free within pool.acquire_timeout_ms ({} ms): "
                      "all {} of this worker's connections are in use (pool.max_connections_per_backend)",
                      target.name, config_.pool.acquire_timeout_ms, from.open())};
      co_return failed;
    }
  }
}

awaitable<BackendSet::Acquired> BackendSet::acquire(BackendRef ref, const protocol::ClientHandshake::Settings& login,
                                                    const SessionState& state, bool idle_only) {
  Acquired result;
  for (int attempt = 0;; ++attempt) {
    auto& connection = slot(ref);
    bool reused = false;
    if (!connection && pooled_) {
      connection = take_idle(ref, state);  // the common case: no coroutine, no wait
      reused = connection != nullptr;
    }
    if (!connection && idle_only) {
      result.error = protocol::ErrPacket{protocol::proxy_error::backend_unavailable, "HY000",
                                         "rwproxy: no open connection to backend '" + address(ref).name + "'"};
      co_return result;
    }
    if (!connection) {
      BackendConnection::ConnectResult got;  // no co_await in a conditional expression (GCC 12)
      if (pooled_) {
        got = co_await borrow(ref, login, state, reused);
      } else {
        got = co_await open(ref, login, state);
      }
      if (!got.connection) {
        result.error = std::move(got.error);
        co_return result;
      }
      connection = std::move(got.connection);
    }
    SyncPlan plan = plan_sync(ref, *connection, state);
    if (commands_.empty()) {  // already in the session's state: nothing to send
      follow(*connection, state);
      result.connection = connection.get();
      co_return result;
    }
    protocol::ErrPacket error = co_await sync(ref, *connection, state, plan);
    if (error.error_code == 0) {
      result.connection = connection.get();
      co_return result;
    }
    drop(ref);
    // A pooled connection that broke before anything of the client's was sent on it: another
    // one serves, and the client never knows.
    if (reused && attempt == 0 && protocol::proxy_error::is_unreachable(error.error_code)) {
      metrics::bump(counters(ref).lost_connections);
      continue;
    }
    result.error = std::move(error);
    co_return result;
  }
}

BackendSet::SyncPlan BackendSet::plan_sync(BackendRef ref, BackendConnection& connection, const SessionState& state) {
  const backend::SyncedState& synced = connection.synced();
  const std::vector<ReplayEntry>& replay = state.replay();
  SyncPlan plan;
  plan.reset = synced.needs_reset;
  if (!plan.reset && synced.owner == epoch_) {
    while (plan.replay_from < replay.size() && replay[plan.replay_from].sequence <= synced.replay_applied) {
      ++plan.replay_from;
    }
  } else if (!plan.reset && is_prefix(synced.replay, replay)) {
    plan.replay_from = synced.replay.size();
  } else {
    plan.reset = true;
  }
  commands_.clear();
  plan.ends_transaction = plan.reset;
  if (plan.reset) {
    // Back to a fresh session (variables, temporary tables, statements, locks); the schema stays.
    commands_.emplace_back(1, static_cast<char>(protocol::Command::reset_connection));
  } else if (ref.replica && synced.in_transaction && state.transaction_replica() != ref.replica) {
    // A READ ONLY transaction the session left (e.g. by DDL on the master): end it here, or this
    // connection would keep reading from its old snapshot.
    commands_.push_back(query_payload("ROLLBACK"));
    plan.ends_transaction = true;
  }
  if (!state.schema().empty() && synced.schema != state.schema()) {
    std::string payload(1, static_cast<char>(protocol::Command::init_db));
    payload += state.schema();
    commands_.push_back(std::move(payload));
  }
  for (std::size_t i = plan.replay_from; i < replay.size(); ++i) commands_.push_back(query_payload(replay[i].sql));
  // After the replayed SETs, which may set session_track_* themselves.
  plan.track = tracks_session_on(ref) && (plan.reset || !synced.tracks_session) &&
               (connection.capabilities() & protocol::capability::session_track);
  if (plan.track) commands_.push_back(tracking_);
  return plan;
}

awaitable<protocol::ErrPacket> BackendSet::sync(BackendRef ref, BackendConnection& connection,
                                                const SessionState& state, SyncPlan plan) {
  backend::SyncedState& synced = connection.synced();
  auto r = co_await backend::run_pipelined(connection, commands_);
  if (!r.result.ok()) {
    const std::string& failed = commands_[r.failed];
    const std::string what = failed.front() == static_cast<char>(protocol::Command::query) ? failed.substr(1)
                             : failed.front() == static_cast<char>(protocol::Command::init_db)
                                 ? std::string("schema")
                                 : std::string("COM_RESET_CONNECTION");
    co_return protocol::ErrPacket{
        r.result.io_failed ? protocol::proxy_error::backend_lost : r.result.summary.error_code, "HY000",
        fmt::format("rwproxy: cannot bring backend '{}' to the session's state ({}): {}", connection.address().name,
                    what, r.result.io_failed ? std::string("connection lost") : r.result.error_message)};
  }
  if (plan.reset) {
    metrics::bump(counters(ref).pool_resets);
    synced.needs_reset = false;
    synced.tracks_session = false;
    synced.replay.clear();
    synced.owner = 0;
    connection.statements().clear();
  }
  if (plan.ends_transaction) synced.in_transaction = false;
  follow(connection, state);
  if (plan.track) synced.tracks_session = true;
  co_return protocol::ErrPacket{0, "00000", {}};
}

}  // namespace rwproxy::session
