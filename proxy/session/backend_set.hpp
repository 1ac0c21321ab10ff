// The backend connections a client session holds: the master's and one per replica the router
// sends reads to. A connection is brought to the session's state (schema, replayed SETs) before
// each statement it runs, sending only the difference, in one round trip.
//
// Without multiplexing the session opens its connections and keeps them. With multiplexing it
// borrows them from its worker's pools (backend::BackendPools) and gives them back after each
// statement, unless something binds the session to them (see router::BindReason).
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "metrics/worker_counters.hpp"
#include "proxy/asio.hpp"
#include "proxy/backend/backend_connection.hpp"
#include "proxy/backend/backend_directory.hpp"
#include "proxy/backend/connection_pool.hpp"
#include "proxy/net/tls_context.hpp"
#include "proxy/config/config.hpp"
#include "proxy/protocol/constants.hpp"
#include "proxy/session/session_state.hpp"

namespace rwproxy::session {

// Which backend: the master (whichever backend that is now: see BackendSet::set_master), or the
// replica at backend slot `replica` (backend::BackendDirectory; the snapshot's index too).
struct BackendRef {
  std::optional<std::size_t> replica;
  bool is_master() const { return !replica; }
  bool operator==(const BackendRef&) const = default;
};

class BackendSet {
 public:
  struct Acquired {
    backend::BackendConnection* connection = nullptr;  // null on failure
    protocol::ErrPacket error;                         // why, for the client
  };

  // `pools`: this worker's pools, or null when no session multiplexes.
  BackendSet(const config::Config& config, const backend::BackendDirectory& directory,
             const net::BackendTlsContexts& tls, metrics::WorkerCounters& metrics, backend::BackendPools* pools)
      : config_(config),
        directory_(directory),
        tls_(tls),
        metrics_(metrics),
        pools_(pools),
        replicas_(config::max_backends) {}
  ~BackendSet();
  BackendSet(const BackendSet&) = delete;
  BackendSet& operator=(const BackendSet&) = delete;

  // At login. `login`: what new connections log in with. `multiplexing`: borrow from the pools.
  // A client that negotiated session tracking keeps the variables it tracks and last_gtid is
  // added to them; otherwise last_gtid alone is tracked (and the relay strips it).
  void start(const protocol::ClientHandshake::Settings& login, bool multiplexing);
  // A new session state begins (login, COM_RESET_CONNECTION, COM_CHANGE_USER): `epoch` is unique
  // in the process, so a connection tells this state's replay sequence from an earlier one's.
  void set_epoch(std::uint64_t epoch) { epoch_ = epoch; }
  bool multiplexing() const { return pooled_; }
  // Which backend slot BackendRef{} (the master) means from now on. A held master connection to
  // another backend is closed: the master changed (a promotion). Returns whether one was.
  bool set_master(std::size_t slot);
  std::optional<std::size_t> master_slot() const { return master_slot_; }
  // The backend slot `ref` names now.
  std::size_t slot_of(BackendRef ref) const { return index(ref); }
  // Closes the held replica connections whose slot `keep` rejects.
  void drop_replicas_unless(const auto& keep) {
    for (std::size_t i = 0; i < replicas_.size(); ++i) {
      if (replicas_[i] && !keep(i)) drop(BackendRef{i});
    }
  }

  backend::BackendConnection* find(BackendRef ref);
  // The connection for `ref`: held, borrowed or opened (with `login`), synced to `state`.
  // With `idle_only`, only a held or idle pooled connection will do: none opens (error 1429).
  awaitable<Acquired> acquire(BackendRef ref, const protocol::ClientHandshake::Settings& login,
                              const SessionState& state, bool idle_only = false);
  // Closes the connection for `ref` (broken, or its stream is in an unknown place).
  void drop(BackendRef ref);
  // Multiplexing: gives every held connection back to the pool.
  void release_all();
  // Session end. Held connections go back to the pool (reset first when `bound`: they hold state
  // of this session) or, without multiplexing, get COM_QUIT.
  awaitable<void> quit_all(bool bound = false);
  // Records that `connection` now holds `state`'s schema and SETs (after a sync, or after a
  // statement ran on it in sync): it follows this session's replay sequence from here on.
  void follow(backend::BackendConnection& connection, const SessionState& state) const;
  // Every held connection with its ref.
  std::vector<std::pair<BackendRef, backend::BackendConnection*>> open_connections();
  bool holds_any() const;
  // The names of the backends it holds connections to, comma-separated (master first).
  std::string held_names() const;

  backend::BackendAddress address(BackendRef ref) const;

 private:
  std::unique_ptr<backend::BackendConnection>& slot(BackendRef ref) {
    return ref.replica ? replicas_[*ref.replica] : master_;
  }
  std::size_t index(BackendRef ref) const { return ref.replica ? *ref.replica : master_slot_.value_or(0); }
  metrics::BackendCounters& counters(BackendRef ref) { return metrics_.backends[index(ref)]; }
  backend::ConnectionPool& pool(BackendRef ref) { return pools_->at(index(ref)); }
  bool tracks_session_on(BackendRef ref) const { return pooled_ || ref.is_master(); }

  awaitable<backend::BackendConnection::ConnectResult> open(BackendRef ref,
                                                            const protocol::ClientHandshake::Settings& login,
                                                            const SessionState& state);
  // Multiplexing: an idle pooled connection that suits `state`, a new one, or one that comes
  // back within pool.acquire_timeout_ms. `reused` says it was idle in the pool.
  awaitable<backend::BackendConnection::ConnectResult> borrow(BackendRef ref,
                                                              const protocol::ClientHandshake::Settings& login,
                                                              const SessionState& state, bool& reused);
  // How well an idle connection suits `state` (higher: less to send; negative: unusable).
  int suitability(const backend::BackendConnection& connection, const SessionState& state) const;
  // An idle pooled connection that suits `state` (one the server closed is replaced); null if none.
  std::unique_ptr<backend::BackendConnection> take_idle(BackendRef ref, const SessionState& state);
  // What bringing `connection` to `state` takes: the commands go to commands_ (empty: nothing).
  struct SyncPlan {
    bool reset = false;             // COM_RESET_CONNECTION first
    bool ends_transaction = false;  // a reset or a ROLLBACK ends a READ ONLY transaction left open
    bool track = false;             // our session_track_* settings are (re)applied
    std::size_t replay_from = 0;    // the session's replay entries [replay_from, end) are sent
  };
  SyncPlan plan_sync(BackendRef ref, backend::BackendConnection& connection, const SessionState& state);
  // Sends commands_ pipelined (one round trip) and records the connection's new state.
  awaitable<protocol::ErrPacket> sync(BackendRef ref, backend::BackendConnection& connection,
                                      const SessionState& state, SyncPlan plan);

  const config::Config& config_;
  const backend::BackendDirectory& directory_;
  const net::BackendTlsContexts& tls_;
  metrics::WorkerCounters& metrics_;
  backend::BackendPools* pools_;
  bool pooled_ = false;
  backend::PoolKey key_;
  std::uint64_t epoch_ = 0;
  std::string tracking_;  // the COM_QUERY payload that sets our session_track_* settings
  std::vector<std::string> commands_;  // sync's pipelined commands (reused)
  std::unique_ptr<backend::BackendConnection> master_;
  std::optional<std::size_t> master_slot_;  // the backend master_ (and BackendRef{}) is
  std::vector<std::unique_ptr<backend::BackendConnection>> replicas_;
};

}  // namespace rwproxy::session
