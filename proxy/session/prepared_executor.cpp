// StatementExecutor: the binary prepared-statement commands (COM_STMT_*).
#include "parser/classifier.hpp"
#include "proxy/backend/internal_command.hpp"
#include "proxy/protocol/bytes.hpp"
#include "proxy/protocol/frame_reader.hpp"
#include "proxy/session/statement_executor.hpp"

namespace rwproxy::session {

using protocol::Command;
using router::Target;

namespace {

std::optional<std::uint32_t> statement_id(const protocol::Packet& packet) {
  protocol::Reader r(protocol::as_bytes(packet.payload));
  r.skip(1);
  std::uint32_t id = r.u32();
  return r.ok() ? std::optional(id) : std::nullopt;
}

std::string with_statement_id(std::string_view payload, std::uint32_t id) {
  std::string out(payload);
  for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<char>((id >> (8 * i)) & 0xff);
  return out;
}

}  // namespace

awaitable<bool> StatementExecutor::run_prepare(const protocol::Packet& packet) {
  std::string sql = packet.payload.substr(1);
  parser::StatementInfo info = parser::classify(sql);
  Dispatch dispatch;
  auto outcome = co_await on_master(packet, dispatch);
  if (!outcome) co_return true;
  if (outcome->result == CommandRelay::Result::completed && !outcome->summary.error) {
    statements_.add(outcome->summary.statement_id, std::move(sql), std::move(info), outcome->summary.param_count);
  }
  co_return session_goes_on(*outcome);
}

awaitable<std::optional<std::uint32_t>> StatementExecutor::prepare_on(backend::BackendConnection& connection,
                                                                     PreparedStatement& statement, std::size_t replica) {
  if (auto id = statement.replica_id_on(replica, connection.serial())) co_return id;
  std::string payload(1, static_cast<char>(Command::stmt_prepare));
  payload += statement.sql;
  auto result = co_await backend::run_internal_command(connection, payload);
  if (result.io_failed) dispatcher_.backends().drop(BackendRef{replica});
  if (!result.ok()) co_return std::nullopt;
  // A new connection (the old one died): it has seen none of the client's parameter types.
  statement.replica_ids[replica] = result.summary.statement_id;
  statement.replica_connections[replica] = connection.serial();
  statement.replica_types_version[replica] = 0;
  co_return statement.replica_ids[replica];
}

awaitable<bool> StatementExecutor::run_execute(const protocol::Packet& packet) {
  auto id = statement_id(packet);
  PreparedStatement* statement = id ? statements_.find(*id) : nullptr;
  ExecuteRequest request;
  if (!statement || !parse_execute(packet.payload, statement->param_count, request)) {
    co_return co_await run_on_master(packet);  // the server reports the unknown statement
  }
  if (request.new_params_bound) {
    statement->param_types = packet.payload.substr(request.types_offset, 2u * statement->param_count);
    ++statement->types_version;
  }
  router::Route route = statement->long_data_pending
                            ? router::Route{Target::master, router::Reason::session_state, 0, {}}
                            : decide(statement->info, statement->sql);
  const std::uint8_t first_sequence = static_cast<std::uint8_t>(packet.last_sequence_id + 1);
  for (int attempt = 0;; ++attempt) {
    Dispatch dispatch = co_await acquire(route, first_sequence);
    if (!dispatch.connection) co_return true;
    std::uint32_t backend_id = statement->master_id;
    if (dispatch.ref.replica) {
      auto replica_id = co_await prepare_on(*dispatch.connection, *statement, *dispatch.ref.replica);
      if (!replica_id) {
        context_.logger.warn("session {}: cannot prepare on replica '{}', using the master", connection_id_,
                             dispatch.connection->address().name);
        const router::Route to_master{Target::master, router::Reason::no_eligible_replica, 0, route.rule};
        dispatch = co_await acquire(to_master, first_sequence);
        if (!dispatch.connection) co_return true;
      } else {
        backend_id = *replica_id;
      }
    }
    std::uint32_t& seen = dispatch.ref.replica ? statement->replica_types_version[*dispatch.ref.replica]
                                               : statement->master_types_version;
    std::string_view add_types =
        !request.new_params_bound && seen != statement->types_version ? statement->param_types : std::string_view{};
    seen = statement->types_version;
    frames_.clear();
    const std::uint8_t reply_sequence =
        backend_id == *id && add_types.empty()
            ? protocol::append_frames(frames_, packet.payload, 0)
            : protocol::append_frames(frames_, rewrite_execute(packet.payload, request, backend_id, add_types), 0);
    // A read-only execute that failed on a replica before any byte reached the client is retried
    // elsewhere, like a text read (prepared there first: ids are per connection).
    const bool retryable = dispatch.ref.replica && attempt < max_read_attempts - 1 && !request.cursor() &&
                           !state_.in_transaction() && state_.autocommit() && !state_.transaction_replica();
    auto outcome =
        co_await relay(Command::stmt_execute, frames_, reply_sequence, request.cursor(), dispatch, !retryable);
    if (outcome.result == CommandRelay::Result::backend_failed && !outcome.bytes_to_client && retryable &&
        !outcome.timed_out) {
      metrics::bump(context_.metrics.read_retries);
      route = attempt == 0 ? decide(statement->info, statement->sql)
                           : router::Route{Target::master, router::Reason::no_eligible_replica, 0, {}};
      context_.logger.info("session {}: retrying a prepared read after a replica failure ({})", connection_id_,
                           router::to_string(route.reason));
      continue;
    }
    if (outcome.wait_timed_out) {
      // The replica ran it (its rows were dropped); the master runs it under its own statement id
      // (a replica connection dropped meanwhile prepares it again, with types, when next used).
      if (!co_await master_has_reached(*dispatch.route.wait_for, first_sequence)) co_return true;
      route = router::Route{Target::master, router::Reason::causal_wait_timeout, 0, dispatch.route.rule};
      continue;
    }
    record(statement->info, {}, outcome, dispatch);
    statement->last_replica = dispatch.ref.replica;
    statement->long_data_pending = false;
    co_return session_goes_on(outcome);
  }
}

awaitable<bool> StatementExecutor::run_fetch_or_reset(const protocol::Packet& packet) {
  const auto command = static_cast<Command>(static_cast<std::uint8_t>(packet.payload[0]));
  auto id = statement_id(packet);
  PreparedStatement* statement = id ? statements_.find(*id) : nullptr;
  if (!statement) co_return co_await run_on_master(packet);
  if (command == Command::stmt_reset) statement->long_data_pending = false;
  const BackendRef ref{statement->last_replica};
  backend::BackendConnection* connection = dispatcher_.backends().find(ref);
  if (!ref.replica || !connection || !statement->replica_ids[*ref.replica]) co_return co_await run_on_master(packet);
  // The cursor (or the statement's state) lives on the replica that ran the last EXECUTE.
  Dispatch dispatch{ref, router::Route{Target::replica, router::Reason::read, *ref.replica, {}}, connection};
  frames_.clear();
  const std::uint8_t reply_sequence =
      protocol::append_frames(frames_, with_statement_id(packet.payload, *statement->replica_ids[*ref.replica]), 0);
  auto outcome = co_await relay(command, frames_, reply_sequence, false, dispatch);
  co_return session_goes_on(outcome);
}

awaitable<bool> StatementExecutor::run_close(const protocol::Packet& packet) {
  auto id = statement_id(packet);
  if (PreparedStatement* statement = id ? statements_.find(*id) : nullptr) {
    for (std::size_t i = 0; i < statement->replica_ids.size(); ++i) {
      backend::BackendConnection* connection = dispatcher_.backends().find(BackendRef{i});
      const auto replica_id = connection ? statement->replica_id_on(i, connection->serial()) : std::nullopt;
      if (!replica_id) continue;
      const std::string close = with_statement_id(packet.payload, *replica_id);
      auto result = co_await backend::run_internal_command(*connection, close);
      if (result.io_failed) dispatcher_.backends().drop(BackendRef{i});
    }
    statements_.erase(*id);
  }
  co_return co_await run_on_master(packet);  // COM_STMT_CLOSE has no response
}

awaitable<bool> StatementExecutor::run_send_long_data(const protocol::Packet& packet) {
  auto id = statement_id(packet);
  if (PreparedStatement* statement = id ? statements_.find(*id) : nullptr) statement->long_data_pending = true;
  co_return co_await run_on_master(packet);  // no response; the EXECUTE that follows runs on the master
}

}  // namespace rwproxy::session
