// StatementExecutor: the binary prepared-statement commands (COM_STMT_*), over the proxy's own
// statement registry. A client's PREPARE is answered from the worker's cache of PREPARE responses
// when the statement is known, else prepared once where the router would send it; EXECUTE
// prepares the statement on the connection that runs it if that connection does not have it yet;
// CLOSE costs no backend round trip.
#include <fmt/format.h>

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

protocol::ErrPacket unknown_statement(std::uint32_t id, std::string_view command) {
  return protocol::ErrPacket{1243, "HY000",
                             fmt::format("Unknown prepared statement handler ({}) given to {}", id, command)};
}

}  // namespace

std::string StatementExecutor::prepare_cache_key(std::string_view sql) const {
  return PrepareResponseCache::key(login_.user, login_.capabilities, login_.collation, state_.schema(),
                                   state_.replay_fingerprint(), sql);
}

std::string StatementExecutor::server_statement_key(std::string_view sql) const {
  // A server statement runs in the schema and the session settings it was prepared with: it is
  // shared only with sessions in the same ones.
  std::string key = state_.schema();
  key.push_back('\0');
  key += std::to_string(state_.replay_fingerprint());
  key.push_back('\0');
  key += sql;
  return key;
}

const std::string& StatementExecutor::server_statement_key(PreparedStatement& statement) const {
  if (statement.server_key.empty() || statement.server_key_fingerprint != state_.replay_fingerprint() ||
      statement.server_key_schema != state_.schema()) {
    statement.server_key = server_statement_key(statement.sql);
    statement.server_key_schema = state_.schema();
    statement.server_key_fingerprint = state_.replay_fingerprint();
  }
  return statement.server_key;
}

awaitable<bool> StatementExecutor::run_prepare(const protocol::Packet& packet) {
  std::string sql = packet.payload.substr(1);
  parser::StatementInfo info = parser::classify(sql);
  std::string key = prepare_cache_key(sql);
  if (const PrepareResponse* known = context_.worker.prepare_responses.find(key)) {
    metrics::bump(context_.metrics.prepares_from_cache);
    const std::uint16_t params = known->params;
    PreparedStatement& statement = statements_.add(std::move(sql), std::move(info), params);
    frames_.clear();
    append_prepare_response(frames_, statement.id, *known);
    std::error_code ec;
    co_await client_.write(frames_, ec);
    co_return !ec;
  }
  // Prepared where the router would send it (a read on a replica), only to learn its metadata:
  // the EXECUTEs prepare it wherever they run.
  router::Route route = decide(info, sql);
  route.wait_for.reset();
  if (route.target == Target::error) route = router::Route{Target::master, route.reason, 0, route.rule};
  for (int attempt = 0;; ++attempt) {
    Dispatch dispatch = co_await dispatcher_.acquire(route, 1, state_);
    if (!dispatch.connection) co_return true;
    std::string payload = packet.payload;  // named: no temporaries in co_await (GCC 12)
    auto prepared = co_await backend::run_internal_command(*dispatch.connection, payload, true);
    if (prepared.io_failed) {
      dispatcher_.backends().drop(dispatch.ref);
      if (dispatch.ref.replica && attempt == 0) {
        route = router::Route{Target::master, router::Reason::no_eligible_replica, 0, route.rule};
        continue;
      }
      const protocol::ErrPacket lost{protocol::proxy_error::backend_lost, "70100",
                                     "rwproxy: lost connection to the backend while preparing the statement"};
      co_return co_await dispatcher_.reply_error(1, lost);
    }
    frames_.clear();
    if (prepared.summary.error || prepared.packets.empty()) {
      // The server's own ERR (syntax, unknown table, privileges), as it sent it.
      protocol::append_frames(frames_, prepared.packets.empty() ? std::string() : prepared.packets.front(), 1);
    } else {
      metrics::bump(context_.metrics.backend_prepares);
      backend::BackendConnection& connection = *dispatch.connection;
      const std::string& ok = prepared.packets.front();
      PrepareResponse response;
      response.columns = prepared.summary.column_count;
      response.params = prepared.summary.param_count;
      if (ok.size() >= 12) {
        response.warnings = static_cast<std::uint16_t>(static_cast<std::uint8_t>(ok[10]) |
                                                       (static_cast<std::uint8_t>(ok[11]) << 8));
      }
      response.packets.assign(prepared.packets.begin() + 1, prepared.packets.end());
      if (auto evicted = connection.statements().add(server_statement_key(sql), prepared.summary.statement_id)) {
        co_await close_server_statement(connection, *evicted);
      }
      PreparedStatement& statement = statements_.add(std::move(sql), std::move(info), response.params);
      append_prepare_response(frames_, statement.id, response);
      context_.worker.prepare_responses.add(std::move(key), std::move(response));
    }
    std::error_code ec;
    co_await client_.write(frames_, ec);
    co_return !ec;
  }
}

awaitable<void> StatementExecutor::close_server_statement(backend::BackendConnection& connection, std::uint32_t id) {
  std::string close(5, '\0');
  close[0] = static_cast<char>(Command::stmt_close);
  close = with_statement_id(close, id);
  co_await backend::run_internal_command(connection, close);  // no reply; a broken connection shows later
}

awaitable<StatementExecutor::OnConnection> StatementExecutor::prepare_on(Dispatch& dispatch,
                                                                         PreparedStatement& statement) {
  OnConnection out;
  backend::BackendConnection& connection = *dispatch.connection;
  const std::string key = server_statement_key(statement);
  if ((out.server = connection.statements().find(key))) co_return out;
  std::string payload(1, static_cast<char>(Command::stmt_prepare));
  payload += statement.sql;
  auto result = co_await backend::run_internal_command(connection, payload, true);
  if (result.io_failed) {
    out.lost = true;
    co_return out;
  }
  if (!result.ok()) {
    out.error_packet = result.packets.empty() ? std::string() : result.packets.front();
    co_return out;
  }
  metrics::bump(context_.metrics.backend_prepares);
  if (auto evicted = connection.statements().add(key, result.summary.statement_id)) {
    co_await close_server_statement(connection, *evicted);
  }
  out.server = connection.statements().find(key);
  co_return out;
}

awaitable<bool> StatementExecutor::run_execute(const protocol::Packet& packet) {
  auto id = statement_id(packet);
  PreparedStatement* statement = id ? statements_.find(*id) : nullptr;
  const std::uint8_t first_sequence = static_cast<std::uint8_t>(packet.last_sequence_id + 1);
  if (!statement) {
    const protocol::ErrPacket unknown = unknown_statement(id.value_or(0), "mysqld_stmt_execute");
    co_return co_await dispatcher_.reply_error(first_sequence, unknown);
  }
  ExecuteRequest request;
  if (!parse_execute(packet.payload, statement->param_count, request)) {
    const protocol::ErrPacket malformed{1210, "HY000", "Incorrect arguments to mysqld_stmt_execute"};
    co_return co_await dispatcher_.reply_error(first_sequence, malformed);
  }
  if (request.new_params_bound) {
    statement->param_types = packet.payload.substr(request.types_offset, 2u * statement->param_count);
  }
  statement->cursor_open = false;
  std::size_t digest_slot = metrics::DigestTable::none;
  if (context_.config.metrics.top_digests > 0) {
    if (statement->digest_text.empty()) {
      const parser::Digest& d = planner_.digest_of(statement->sql);
      statement->digest_hash = d.hash;
      statement->digest_text = d.text;
    }
    digest_slot = context_.metrics.digests.count(statement->digest_hash, statement->digest_text);
  }
  // Read only when the statement's digest is counted (its latency goes there).
  const auto started = digest_slot != metrics::DigestTable::none ? std::chrono::steady_clock::now()
                                                                   : std::chrono::steady_clock::time_point{};
  // Long data lives on the master connection it was sent on: the EXECUTE follows it there.
  router::Route route = statement->long_data_pending
                            ? router::Route{Target::master, router::Reason::session_state, 0, {}}
                            : decide(statement->info, statement->sql);
  for (int attempt = 0;; ++attempt) {
    Dispatch dispatch = co_await dispatcher_.acquire(route, first_sequence, state_);
    if (!dispatch.connection) co_return true;
    // A read-only execute that failed on a replica before any byte reached the client is retried
    // elsewhere, like a text read.
    const bool retryable = dispatch.ref.replica && attempt < max_read_attempts - 1 && !request.cursor() &&
                           !state_.in_transaction() && state_.autocommit() && !state_.transaction_replica();
    OnConnection on;
    on.server = dispatch.connection->statements().find(server_statement_key(*statement));  // usually there
    if (!on.server) on = co_await prepare_on(dispatch, *statement);
    if (on.lost) {
      dispatcher_.backends().drop(dispatch.ref);
      if (attempt < max_read_attempts - 1 && !statement->long_data_pending) {
        // Nothing of the EXECUTE was sent: any statement may go again, on a fresh connection.
        route = dispatch.ref.replica ? router::Route{Target::master, router::Reason::no_eligible_replica, 0, {}}
                                     : route;
        continue;
      }
      const protocol::ErrPacket lost{protocol::proxy_error::backend_lost, "70100",
                                     "rwproxy: lost connection to the backend while preparing the statement"};
      co_return co_await dispatcher_.reply_error(first_sequence, lost);
    }
    if (!on.server) {
      // The server refused to prepare it here (the table was dropped, privileges changed).
      frames_.clear();
      protocol::append_frames(frames_, on.error_packet, first_sequence);
      std::error_code ec;
      co_await client_.write(frames_, ec);
      co_return !ec;
    }
    backend::ServerStatements::Entry& server = *on.server;
    const bool add_types = !request.new_params_bound && statement->param_count > 0 &&
                           server.param_types != statement->param_types;
    server.param_types = statement->param_types;
    frames_.clear();
    const std::string rewritten = rewrite_execute(packet.payload, request, server.id,
                                                  add_types ? std::string_view(statement->param_types)
                                                            : std::string_view{});
    const std::uint8_t reply_sequence = protocol::append_frames(frames_, rewritten, 0);
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
      if (!co_await master_has_reached(*dispatch.route.wait_for, first_sequence)) co_return true;
      route = router::Route{Target::master, router::Reason::causal_wait_timeout, 0, dispatch.route.rule};
      continue;
    }
    record(statement->info, {}, outcome, dispatch);
    if (digest_slot != metrics::DigestTable::none) {
      context_.metrics.digests.finish(digest_slot, dispatch.ref.replica.has_value(),
                                      std::chrono::steady_clock::now() - started, outcome.summary.rows_sent,
                                      outcome.summary.affected_rows);
    }
    statement->last_replica = dispatch.ref.replica;
    statement->long_data_pending = false;
    statement->cursor_open = request.cursor() && outcome.result == CommandRelay::Result::completed &&
                             !outcome.summary.error && (outcome.summary.status_flags & protocol::server_status::cursor_exists);
    co_return session_goes_on(outcome);
  }
}

awaitable<bool> StatementExecutor::run_fetch_or_reset(const protocol::Packet& packet) {
  const auto command = static_cast<Command>(static_cast<std::uint8_t>(packet.payload[0]));
  auto id = statement_id(packet);
  PreparedStatement* statement = id ? statements_.find(*id) : nullptr;
  const std::uint8_t reply_sequence = static_cast<std::uint8_t>(packet.last_sequence_id + 1);
  const std::string_view name = command == Command::stmt_fetch ? "mysqld_stmt_fetch" : "mysqld_stmt_reset";
  if (!statement) {
    const protocol::ErrPacket unknown = unknown_statement(id.value_or(0), name);
    co_return co_await dispatcher_.reply_error(reply_sequence, unknown);
  }
  // The cursor or the long data lives on the connection the statement last used, which the
  // session is still bound to if so.
  const BackendRef ref{statement->last_replica};
  backend::BackendConnection* connection = dispatcher_.backends().find(ref);
  backend::ServerStatements::Entry* server =
      connection ? connection->statements().find(server_statement_key(*statement)) : nullptr;
  const bool open_there = server && (statement->cursor_open || statement->long_data_pending);
  if (command == Command::stmt_reset) {
    statement->long_data_pending = false;
    statement->cursor_open = false;
  }
  if (!open_there) {
    if (command == Command::stmt_fetch) {
      const protocol::ErrPacket no_cursor{1421, "HY000",
                                          "The statement (" + std::to_string(*id) + ") has no open cursor."};
      co_return co_await dispatcher_.reply_error(reply_sequence, no_cursor);
    }
    co_return co_await reply_ok(reply_sequence);
  }
  const router::Route route{ref.replica ? Target::replica : Target::master, router::Reason::session_state,
                            ref.replica.value_or(0), {}};
  Dispatch dispatch{ref, route, connection};
  frames_.clear();
  const std::string rewritten = with_statement_id(packet.payload, server->id);
  const std::uint8_t next = protocol::append_frames(frames_, rewritten, 0);
  auto outcome = co_await relay(command, frames_, next, false, dispatch);
  if (command == Command::stmt_fetch && outcome.summary.has_status &&
      (outcome.summary.status_flags & protocol::server_status::last_row_sent)) {
    statement->cursor_open = false;
  }
  co_return session_goes_on(outcome);
}

awaitable<bool> StatementExecutor::run_close(const protocol::Packet& packet) {
  // The server statements stay prepared on their connections for the next EXECUTE of the same
  // text (closed when a connection's cap evicts them): usually nothing goes to a backend.
  auto id = statement_id(packet);
  PreparedStatement* statement = id ? statements_.find(*id) : nullptr;
  if (statement && (statement->long_data_pending || statement->cursor_open)) {
    // Its long data or cursor lives in the server statement, which another session could execute
    // next: that one is closed on the server (the next EXECUTE prepares the text again).
    if (backend::BackendConnection* connection = dispatcher_.backends().find(BackendRef{statement->last_replica})) {
      if (auto server_id = connection->statements().erase(server_statement_key(*statement))) {
        co_await close_server_statement(*connection, *server_id);
      }
    }
  }
  if (id) statements_.erase(*id);
  co_return true;  // COM_STMT_CLOSE has no response
}

awaitable<bool> StatementExecutor::run_send_long_data(const protocol::Packet& packet) {
  auto id = statement_id(packet);
  PreparedStatement* statement = id ? statements_.find(*id) : nullptr;
  if (!statement) co_return true;  // no response, even for an unknown statement
  // On the master connection the EXECUTE will use; the session stays bound to it (long_data).
  const router::Route route{Target::master, router::Reason::session_state, 0, {}};
  Dispatch dispatch = co_await dispatcher_.acquire(route, 1, state_);
  if (!dispatch.connection) co_return false;  // the client got an ERR it did not expect: end cleanly
  OnConnection on = co_await prepare_on(dispatch, *statement);
  if (on.lost) {
    dispatcher_.backends().drop(dispatch.ref);
    co_return false;
  }
  if (!on.server) co_return true;  // its EXECUTE prepares it again and reports the error
  statement->long_data_pending = true;
  statement->last_replica.reset();
  frames_.clear();
  const std::string rewritten = with_statement_id(packet.payload, on.server->id);
  protocol::append_frames(frames_, rewritten, 0);
  auto outcome = co_await relay(Command::stmt_send_long_data, frames_, 1, false, dispatch);
  co_return session_goes_on(outcome);
}

}  // namespace rwproxy::session
