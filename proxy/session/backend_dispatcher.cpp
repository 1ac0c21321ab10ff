#include "proxy/session/backend_dispatcher.hpp"

#include <fmt/format.h>

#include "proxy/backend/gtid_wait.hpp"
#include "proxy/backend/internal_command.hpp"
#include "proxy/protocol/frame_reader.hpp"
#include "proxy/protocol/generic_packets.hpp"

namespace rwproxy::session {

using protocol::Command;
using router::Target;

BackendDispatcher::BackendDispatcher(SessionContext context, net::PacketChannel& client, std::uint32_t connection_id)
    : context_(context),
      client_(client),
      connection_id_(connection_id),
      backends_(context.config, context.health.directory(), context.backend_tls, context.metrics,
                &context.worker.pools),
      relay_(context.worker.relay_buffers, context.worker.deadlines) {}

void BackendDispatcher::start(const protocol::ClientHandshake::Settings& login, bool multiplexing,
                              std::uint64_t epoch) {
  login_ = login;
  backends_.start(login, multiplexing);
  backends_.set_epoch(epoch);
  binding_ = router::BindReason::none;
}

protocol::ErrPacket BackendDispatcher::writes_refused(const backend::TopologySnapshot& topology) const {
  const backend::BackendDirectory& directory = context_.health.directory();
  std::string names;
  for (std::size_t slot : topology.writable) names += (names.empty() ? "'" : ", '") + directory.at(slot).name + "'";
  const std::string cause =
      topology.problem == router::WriterProblem::split_brain
          ? fmt::format("split brain: {} all have read_only=OFF; writes go nowhere until only one is writable", names)
          : "no backend that is up has read_only=OFF (the master is down or read-only, and no replica was promoted)";
  return protocol::ErrPacket{protocol::proxy_error::no_writer, "HY000", "rwproxy: writes refused: " + cause};
}

awaitable<BackendSet::Acquired> BackendDispatcher::acquire_master(const SessionState& state) {
  const backend::TopologySnapshot& topology = context_.health.snapshot(router::Clock::now(), topology_cache_);
  BackendSet::Acquired refused;
  if (!topology.master) {
    metrics::bump(context_.metrics.writes_refused[static_cast<std::size_t>(topology.problem)]);
    refused.error = writes_refused(topology);
    co_return refused;
  }
  const bool held = backends_.find(BackendRef{}) != nullptr;
  const std::optional<std::size_t> before = backends_.master_slot();
  if (backends_.set_master(*topology.master) && before) {
    context_.logger.info("session {}: master changed from '{}' to '{}': its connection to the old one was closed",
                         connection_id_, context_.health.directory().at(*before).name,
                         context_.health.directory().at(*topology.master).name);
    if (state.in_transaction()) {
      // Never replayed: the client learns that its transaction is gone and runs it again.
      transaction_lost_ = true;
      refused.error = protocol::ErrPacket{
          protocol::proxy_error::backend_lost, "70100",
          fmt::format("rwproxy: the master changed from '{}' to '{}' during this transaction: it was not committed "
                      "and is not replayed; run it again",
                      context_.health.directory().at(*before).name,
                      context_.health.directory().at(*topology.master).name)};
      co_return refused;
    }
  }
  if (!held && topology.problem == router::WriterProblem::master_down) {
    // Fail at once rather than wait for a connect timeout on a master the monitor sees down; but
    // a pooled connection that still works is used (an overloaded host can fail the monitor's
    // checks while the master serves).
    if (backends_.multiplexing()) {
      auto pooled = co_await backends_.acquire(BackendRef{}, login_, state, true);
      if (pooled.connection) co_return pooled;
    }
    metrics::bump(context_.metrics.writes_refused[static_cast<std::size_t>(topology.problem)]);
    const auto address = backends_.address(BackendRef{});
    refused.error = protocol::ErrPacket{protocol::proxy_error::backend_unavailable, "HY000",
                                        fmt::format("rwproxy: master '{}' ({}:{}) is unavailable (down according to "
                                                    "the backend monitor, or offline); writes fail until it is back",
                                                    address.name, address.host, address.port)};
    co_return refused;
  }
  co_return co_await backends_.acquire(BackendRef{}, login_, state);
}

bool BackendDispatcher::release_unserving(const backend::TopologySnapshot& topology,
                                          std::optional<std::size_t> transaction_replica) {
  bool kept = false;
  auto keep = [&](std::size_t slot) {
    if (slot >= topology.backends.size()) return false;
    if (topology.routing.replicas[slot].serving) return true;
    // A drained backend lets the open transaction finish; an offline one does not.
    const backend::BackendStatus& b = topology.backends[slot];
    const bool finishing = slot == transaction_replica && b.present && b.admin == backend::AdminState::drain;
    kept |= finishing;
    return finishing;
  };
  backends_.drop_replicas_unless(keep);
  return kept;
}

awaitable<Dispatch> BackendDispatcher::acquire(router::Route route, std::uint8_t reply_sequence,
                                               const SessionState& state) {
  Dispatch dispatch{BackendRef{}, route, nullptr};
  if (route.target == Target::error) {
    const protocol::ErrPacket error{protocol::proxy_error::no_replica, "HY000",
                                    fmt::format("rwproxy: no replica may serve this read ({})",
                                                router::to_string(route.reason))};
    co_await reply_error(reply_sequence, error);
    co_return dispatch;
  }
  if (route.target == Target::replica) {
    dispatch.ref = BackendRef{route.replica};
    auto acquired = co_await backends_.acquire(dispatch.ref, login_, state);
    if (acquired.connection) {
      dispatch.connection = acquired.connection;
      context_.metrics.routed(Target::replica, dispatch.route.reason);
      co_return dispatch;
    }
    context_.logger.warn("session {}: replica '{}' unavailable ({}), using the master", connection_id_,
                         backends_.address(dispatch.ref).name, acquired.error.message);
    if (protocol::proxy_error::is_unreachable(acquired.error.error_code)) {
      context_.health.report_failure(route.replica, router::Clock::now());
    }
    dispatch.ref = BackendRef{};
    dispatch.route = router::Route{Target::master, router::Reason::no_eligible_replica, 0, route.rule};
  }
  auto acquired = co_await acquire_master(state);
  if (!acquired.connection) {
    co_await reply_error(reply_sequence, acquired.error);
    co_return dispatch;
  }
  dispatch.connection = acquired.connection;
  context_.metrics.routed(Target::master, dispatch.route.reason);
  co_return dispatch;
}

CommandRelay::SessionTracking BackendDispatcher::tracking_for(const Dispatch& dispatch) const {
  CommandRelay::SessionTracking tracking;
  tracking.read_state =
      dispatch.connection && (dispatch.connection->capabilities() & protocol::capability::session_track);
  tracking.strip = tracking.read_state && !(login_.capabilities & protocol::capability::session_track);
  return tracking;
}

awaitable<CommandRelay::Outcome> BackendDispatcher::relay(Command command, std::string_view frames,
                                                          std::uint8_t reply_sequence, bool cursor, Dispatch& dispatch,
                                                          std::chrono::milliseconds causal_wait_timeout,
                                                          bool report_failure) {
  metrics::BackendCounters& counters = context_.metrics.backends[backends_.slot_of(dispatch.ref)];
  metrics::bump(counters.statements);
  metrics::add(counters.busy_connections, 1);
  const std::optional<std::size_t> started_on = dispatch.ref.replica;  // a timed-out wait moves it to the master
  if (started_on) context_.health.statement_started(*started_on);
  const auto started = std::chrono::steady_clock::now();
  const auto timeout = std::chrono::milliseconds(context_.config.timeouts.query_timeout_ms);
  CommandRelay::Outcome outcome;
  if (dispatch.route.wait_for && dispatch.ref.replica) {
    outcome = co_await relay_after_wait(command, frames, reply_sequence, cursor, dispatch, causal_wait_timeout);
  } else {
    outcome = co_await relay_.run(command, frames, reply_sequence, cursor, *dispatch.connection, client_, timeout,
                                  tracking_for(dispatch));
  }
  context_.metrics.latency[dispatch.ref.replica ? 1 : 0].observe(std::chrono::steady_clock::now() - started);
  if (started_on) context_.health.statement_finished(*started_on);
  metrics::add(counters.busy_connections, -1);
  if (outcome.result == CommandRelay::Result::backend_failed) {
    co_await on_backend_failure(outcome, dispatch, reply_sequence, report_failure);
  } else if (outcome.result == CommandRelay::Result::client_failed && dispatch.connection) {
    // The response stopped somewhere in the middle: the connection cannot serve anyone again.
    backends_.drop(dispatch.ref);
    dispatch.connection = nullptr;
  }
  co_return outcome;
}

awaitable<void> BackendDispatcher::on_backend_failure(const CommandRelay::Outcome& outcome, Dispatch& dispatch,
                                                      std::uint8_t reply_sequence, bool report_failure) {
  metrics::BackendCounters& counters = context_.metrics.backends[backends_.slot_of(dispatch.ref)];
  const std::string name = dispatch.connection->address().name;
  backends_.drop(dispatch.ref);  // closing it is what stops a statement past its timeout
  dispatch.connection = nullptr;
  if (outcome.timed_out) {
    context_.logger.warn("session {}: statement on backend '{}' exceeded timeouts.query_timeout_ms", connection_id_,
                         name);
    // The statement ran too long: report it, whatever retry policy says (a retry would double it).
    if (!outcome.bytes_to_client) {
      const protocol::ErrPacket error{
          protocol::proxy_error::statement_timeout, "70100",
          fmt::format("rwproxy: query timeout: backend '{}' sent nothing for {} ms (timeouts.query_timeout_ms); "
                      "its connection was closed",
                      name, context_.config.timeouts.query_timeout_ms)};
      co_await reply_error(reply_sequence, error);
    }
    co_return;
  }
  metrics::bump(counters.lost_connections);
  context_.logger.warn("session {}: backend '{}' failed during a command", connection_id_, name);
  if (dispatch.ref.replica) context_.health.report_failure(*dispatch.ref.replica, router::Clock::now());
  if (!outcome.bytes_to_client && report_failure) {
    const protocol::ErrPacket error{protocol::proxy_error::backend_lost, "70100",
                                    "rwproxy: lost connection to backend '" + name + "' during query"};
    co_await reply_error(reply_sequence, error);
  }
}

awaitable<CommandRelay::Outcome> BackendDispatcher::relay_after_wait(Command command, std::string_view frames,
                                                                     std::uint8_t reply_sequence, bool cursor,
                                                                     Dispatch& dispatch,
                                                                     std::chrono::milliseconds wait_timeout) {
  CommandRelay::Outcome failed;
  failed.result = CommandRelay::Result::backend_failed;
  backend::BackendConnection& replica = *dispatch.connection;
  const auto query_timeout = std::chrono::milliseconds(context_.config.timeouts.query_timeout_ms);
  const router::GtidPosition wanted = *dispatch.route.wait_for;
  std::string pipelined;
  protocol::append_frames(pipelined, backend::gtid_wait_payload(wanted, wait_timeout), 0);
  pipelined.append(frames);
  const auto started = std::chrono::steady_clock::now();
  std::error_code ec;
  co_await replica.channel().write(pipelined, ec);
  if (ec) co_return failed;
  auto waited = co_await backend::read_internal_response(replica, Command::query);
  context_.metrics.causal_wait.observe(std::chrono::steady_clock::now() - started);
  if (waited.io_failed) co_return failed;
  const CommandRelay::SessionTracking tracking = tracking_for(dispatch);
  if (waited.first_value == std::optional<std::string>("0")) {
    metrics::bump(context_.metrics.causal_waits_reached);
    co_return co_await relay_.relay_response(command, reply_sequence, cursor, replica, client_, query_timeout,
                                             tracking, false);
  }
  // Timed out (or refused): the read ran on a replica that may be stale; its rows are dropped.
  metrics::bump(context_.metrics.causal_waits_timed_out);
  auto drained = co_await relay_.relay_response(command, reply_sequence, cursor, replica, client_, query_timeout,
                                                tracking, true);
  const std::string replica_name = replica.address().name;  // the connection may be dropped below
  if (drained.result != CommandRelay::Result::completed) {
    backends_.drop(dispatch.ref);
    dispatch.connection = nullptr;
  } else if (drained.summary.has_status) {
    // A START TRANSACTION READ ONLY that ran there anyway must not leave its snapshot open for the
    // session's next reads on this connection: the next sync rolls it back.
    replica.synced().in_transaction = (drained.summary.status_flags & protocol::server_status::in_trans) != 0;
    // Whatever else it changed there is not the session's: the next user resets it.
    if (drained.state_changed) replica.synced().needs_reset = true;
  }
  context_.logger.info("session {}: replica '{}' did not reach {} within {} ms{}{}; the master serves the read",
                       connection_id_, replica_name, wanted.to_string(), wait_timeout.count(),
                       waited.error_message.empty() ? "" : ": ", waited.error_message);
  CommandRelay::Outcome timed_out;
  timed_out.wait_timed_out = true;
  co_return timed_out;
}

awaitable<bool> BackendDispatcher::reply_error(std::uint8_t sequence, const protocol::ErrPacket& error) {
  std::error_code ec;
  const std::string frame = protocol::make_err_frame(sequence, error.error_code, error.sql_state, error.message);
  co_await client_.write(frame, ec);
  co_return !ec;
}

void BackendDispatcher::finish_command(router::BindReason binding) {
  if (!backends_.multiplexing()) return;
  if (binding != binding_) {
    if (binding_ == router::BindReason::none) {
      metrics::add(context_.metrics.bound_sessions, 1);
    } else if (binding == router::BindReason::none) {
      metrics::add(context_.metrics.bound_sessions, -1);
    }
    if (binding != router::BindReason::none) metrics::bump(context_.metrics.session_pins[static_cast<std::size_t>(binding)]);
    binding_ = binding;
  }
  if (binding == router::BindReason::none) backends_.release_all();
}

awaitable<void> BackendDispatcher::close() {
  const bool bound = binding_ != router::BindReason::none;
  if (bound && backends_.multiplexing()) metrics::add(context_.metrics.bound_sessions, -1);
  binding_ = router::BindReason::none;
  co_await backends_.quit_all(bound);
}

}  // namespace rwproxy::session
