// The backend connections of one client session: the master's and, opened lazily, one per
// replica the router sends reads to. A connection is brought to the session's state (schema,
// replayed SETs) before each statement it runs.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "metrics/worker_counters.hpp"
#include "proxy/asio.hpp"
#include "proxy/backend/backend_connection.hpp"
#include "proxy/config/config.hpp"
#include "proxy/protocol/constants.hpp"
#include "proxy/session/session_state.hpp"

namespace rwproxy::session {

// Which backend: the master, or replica `index` (as in config.replicas() and the snapshot).
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

  BackendSet(const config::Config& config, metrics::WorkerCounters& metrics)
      : config_(config), metrics_(metrics), replicas_(config.replicas().size()) {}

  // Whether the client negotiated session tracking itself: then it keeps the variables it tracks
  // and last_gtid is added to them; otherwise last_gtid alone is tracked (and stripped).
  void set_client_tracks_session(bool tracks) {
    track_last_gtid_ = std::string(1, static_cast<char>(protocol::Command::query)) +
                       (tracks ? "SET SESSION session_track_system_variables = CONCAT_WS(',', "
                                 "NULLIF(@@session.session_track_system_variables, ''), 'last_gtid')"
                               : "SET SESSION session_track_system_variables = 'last_gtid'");
  }
  ~BackendSet();
  BackendSet(const BackendSet&) = delete;
  BackendSet& operator=(const BackendSet&) = delete;

  backend::BackendConnection* find(BackendRef ref);
  // The connection for `ref`, opened if needed (with `login`), synced to `state`.
  awaitable<Acquired> acquire(BackendRef ref, const protocol::ClientHandshake::Settings& login,
                              const SessionState& state);
  void drop(BackendRef ref);
  // Sends COM_QUIT on every connection and forgets them.
  awaitable<void> quit_all();
  // Every open connection with its ref.
  std::vector<std::pair<BackendRef, backend::BackendConnection*>> open_connections();

  backend::BackendAddress address(BackendRef ref) const;

 private:
  std::unique_ptr<backend::BackendConnection>& slot(BackendRef ref) {
    return ref.replica ? replicas_[*ref.replica] : master_;
  }
  awaitable<protocol::ErrPacket> sync(BackendRef ref, backend::BackendConnection& connection,
                                      const SessionState& state);

  metrics::BackendCounters& counters(BackendRef ref) { return metrics_.backends[ref.replica ? 1 + *ref.replica : 0]; }

  const config::Config& config_;
  metrics::WorkerCounters& metrics_;
  std::string track_last_gtid_ = std::string(1, static_cast<char>(protocol::Command::query)) +
                                "SET SESSION session_track_system_variables = 'last_gtid'";
  std::uint64_t opened_ = 0;  // connections this session has opened (their serials)
  std::unique_ptr<backend::BackendConnection> master_;
  std::vector<std::unique_ptr<backend::BackendConnection>> replicas_;
};

}  // namespace rwproxy::session
