#include "proxy/session/backend_set.hpp"

#include <fmt/format.h>

#include "proxy/backend/internal_command.hpp"

namespace rwproxy::session {

backend::BackendAddress BackendSet::address(BackendRef ref) const {
  const config::Backend* b = ref.replica ? config_.replicas()[*ref.replica] : config_.master();
  return backend::BackendAddress{b->name, b->host, b->port};
}

backend::BackendConnection* BackendSet::find(BackendRef ref) { return slot(ref).get(); }

BackendSet::~BackendSet() {
  for (auto& [ref, connection] : open_connections()) drop(ref);
}

void BackendSet::drop(BackendRef ref) {
  if (slot(ref)) metrics::add(counters(ref).open_connections, -1);
  slot(ref).reset();
}

std::vector<std::pair<BackendRef, backend::BackendConnection*>> BackendSet::open_connections() {
  std::vector<std::pair<BackendRef, backend::BackendConnection*>> out;
  if (master_) out.emplace_back(BackendRef{}, master_.get());
  for (std::size_t i = 0; i < replicas_.size(); ++i) {
    if (replicas_[i]) out.emplace_back(BackendRef{i}, replicas_[i].get());
  }
  return out;
}

awaitable<void> BackendSet::quit_all() {
  for (auto& [ref, connection] : open_connections()) {
    co_await connection->quit();
    drop(ref);
  }
}

awaitable<BackendSet::Acquired> BackendSet::acquire(BackendRef ref, const protocol::ClientHandshake::Settings& login,
                                                    const SessionState& state) {
  Acquired result;
  auto& connection = slot(ref);
  if (!connection) {
    auto settings = login;
    settings.database = state.schema();
    // The master reports each commit's GTID in its OK packets (session tracking), whether or not
    // the client asked for session tracking; the relay strips it for clients that did not.
    if (ref.is_master()) settings.capabilities |= protocol::capability::session_track;
    const backend::BackendAddress target = address(ref);  // named: no temporaries in co_await (GCC 12)
    auto opened = co_await backend::BackendConnection::connect(
        target, std::move(settings), std::chrono::milliseconds(config_.timeouts.connect_timeout_ms),
        config_.proxy.max_packet_size);
    if (!opened.connection) {
      if (protocol::proxy_error::is_unreachable(opened.error.error_code)) metrics::bump(counters(ref).connect_errors);
      result.error = std::move(opened.error);
      co_return result;
    }
    connection = std::move(opened.connection);
    connection->set_serial(++opened_);
    metrics::add(counters(ref).open_connections, 1);
    connection->synced().schema = state.schema();
  }
  protocol::ErrPacket error = co_await sync(ref, *connection, state);
  if (error.error_code != 0) {
    drop(ref);
    result.error = std::move(error);
    co_return result;
  }
  result.connection = connection.get();
  co_return result;
}

awaitable<protocol::ErrPacket> BackendSet::sync(BackendRef ref, backend::BackendConnection& connection,
                                                const SessionState& state) {
  backend::SyncedState& synced = connection.synced();
  auto failure = [&](const backend::InternalResult& r, std::string_view what) {
    return protocol::ErrPacket{r.io_failed ? protocol::proxy_error::backend_lost : r.summary.error_code, "HY000",
                               fmt::format("rwproxy: cannot bring backend '{}' to the session's state ({}): {}",
                                           connection.address().name, what, r.error_message)};
  };
  if (ref.replica && synced.in_transaction && state.transaction_replica() != ref.replica) {
    // A READ ONLY transaction the session left (e.g. by DDL on the master): end it here, or this
    // connection would keep reading from its old snapshot.
    std::string payload(1, static_cast<char>(protocol::Command::query));
    payload += "ROLLBACK";
    auto r = co_await backend::run_internal_command(connection, payload);
    if (!r.ok()) co_return failure(r, "ROLLBACK");
    synced.in_transaction = false;
  }
  if (ref.is_master() && !synced.tracks_last_gtid &&
      (connection.capabilities() & protocol::capability::session_track)) {
    auto r = co_await backend::run_internal_command(connection, track_last_gtid_);
    if (!r.ok()) co_return failure(r, "session_track_system_variables");
    synced.tracks_last_gtid = true;
  }
  if (!state.schema().empty() && synced.schema != state.schema()) {
    std::string payload(1, static_cast<char>(protocol::Command::init_db));
    payload += state.schema();
    auto r = co_await backend::run_internal_command(connection, payload);
    if (!r.ok()) co_return failure(r, "schema");
    synced.schema = state.schema();
  }
  for (const ReplayEntry& entry : state.replay()) {
    if (entry.sequence <= synced.replay_applied) continue;
    std::string payload(1, static_cast<char>(protocol::Command::query));
    payload += entry.sql;
    auto r = co_await backend::run_internal_command(connection, payload);
    if (!r.ok()) co_return failure(r, entry.sql);
    synced.replay_applied = entry.sequence;
  }
  co_return protocol::ErrPacket{0, "00000", {}};
}

}  // namespace rwproxy::session
