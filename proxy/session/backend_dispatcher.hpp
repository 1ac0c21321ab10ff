// The session's way to its backends: takes a routing decision to a connection (held, borrowed
// from the worker's pool or opened, and brought to the session's state), relays the command's
// response, handles a backend that failed, and after each client command gives the connections
// back to the pool unless something binds the session to them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "proxy/asio.hpp"
#include "proxy/net/packet_channel.hpp"
#include "proxy/session/backend_set.hpp"
#include "proxy/session/command_relay.hpp"
#include "proxy/session/session_context.hpp"
#include "proxy/session/session_state.hpp"
#include "router/bind_reason.hpp"
#include "router/route.hpp"

namespace rwproxy::session {

struct Dispatch {
  BackendRef ref;
  router::Route route;
  backend::BackendConnection* connection = nullptr;  // null: the client got an ERR
};

class BackendDispatcher {
 public:
  BackendDispatcher(SessionContext context, net::PacketChannel& client, std::uint32_t connection_id);

  // At login (and COM_CHANGE_USER): who new connections log in as, whether the session
  // multiplexes, and the number of its (new) session state.
  void start(const protocol::ClientHandshake::Settings& login, bool multiplexing, std::uint64_t epoch);
  // COM_RESET_CONNECTION succeeded: a new session state begins.
  void new_epoch(std::uint64_t epoch) { backends_.set_epoch(epoch); }

  BackendSet& backends() { return backends_; }
  bool multiplexing() const { return backends_.multiplexing(); }
  std::string held_backends() const { return backends_.held_names(); }

  // The master's connection for `state`; the error says why there is none (nothing is sent to
  // the client).
  awaitable<BackendSet::Acquired> acquire_master(const SessionState& state);
  // Opens/syncs the routed backend; a replica that fails is reported and the master used instead.
  // On total failure the client has been sent an ERR and `connection` is null.
  awaitable<Dispatch> acquire(router::Route route, std::uint8_t reply_sequence, const SessionState& state);
  // Relays `frames` to the dispatched backend (behind MASTER_GTID_WAIT when the route says
  // wait_for: see relay_after_wait); on backend failure drops it and, with `report_failure`,
  // tells the client.
  awaitable<CommandRelay::Outcome> relay(protocol::Command command, std::string_view frames,
                                         std::uint8_t reply_sequence, bool cursor, Dispatch& dispatch,
                                         std::chrono::milliseconds causal_wait_timeout, bool report_failure = true);
  awaitable<bool> reply_error(std::uint8_t sequence, const protocol::ErrPacket& error);

  // After each client command: with multiplexing, the connections go back to the pool unless
  // `binding` says the session is bound to them (counted in metrics when it becomes bound).
  void finish_command(router::BindReason binding);
  router::BindReason binding() const { return binding_; }
  // Session end (or change of user).
  awaitable<void> close();
  // Closes held replica connections that `topology` no longer sends reads to (drained, offline,
  // removed, promoted), except the one an open READ ONLY transaction runs on while it drains.
  // Returns whether one was kept for its transaction (check again after it).
  bool release_unserving(const backend::TopologySnapshot& topology, std::optional<std::size_t> transaction_replica);
  // Whether the last acquire_master() ended the client's transaction (the master changed): the
  // session is then out of it. Reading clears it.
  bool take_transaction_lost() { return std::exchange(transaction_lost_, false); }

 private:
  // Runs `frames` on a replica behind MASTER_GTID_WAIT (route.wait_for). When the wait times out
  // the read's response is drained and the outcome says wait_timed_out: the caller runs the
  // statement on the master (causal_wait_timeout).
  awaitable<CommandRelay::Outcome> relay_after_wait(protocol::Command command, std::string_view frames,
                                                    std::uint8_t reply_sequence, bool cursor, Dispatch& dispatch,
                                                    std::chrono::milliseconds wait_timeout);
  CommandRelay::SessionTracking tracking_for(const Dispatch& dispatch) const;
  protocol::ErrPacket writes_refused(const backend::TopologySnapshot& topology) const;
  awaitable<void> on_backend_failure(const CommandRelay::Outcome& outcome, Dispatch& dispatch,
                                     std::uint8_t reply_sequence, bool report_failure);

  SessionContext context_;
  net::PacketChannel& client_;
  std::uint32_t connection_id_;
  protocol::ClientHandshake::Settings login_;
  BackendSet backends_;
  CommandRelay relay_;
  router::BindReason binding_ = router::BindReason::none;
  backend::BackendHealth::CachedSnapshot topology_cache_;
  bool transaction_lost_ = false;
}; 

}  // namespace rwproxy::session
