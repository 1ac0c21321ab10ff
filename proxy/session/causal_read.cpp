// StatementExecutor's read-your-writes parts: consistency tokens (the proxy's own statements and
// the per-statement hint), and the master's position after a wait on a replica timed out.
#include <fmt/format.h>

#include "proxy/backend/gtid_wait.hpp"
#include "proxy/backend/internal_command.hpp"
#include "proxy/protocol/frame_reader.hpp"
#include "proxy/protocol/result_set_writer.hpp"
#include "proxy/session/statement_executor.hpp"
#include "router/consistency_token.hpp"

namespace rwproxy::session {

using protocol::Command;
using router::Target;

awaitable<bool> StatementExecutor::answer_consistency(const ConsistencyStatement& statement) {
  const std::uint16_t status = state_.status_flags();
  frames_.clear();
  if (statement.kind == ConsistencyStatement::Kind::get_token) {
    protocol::TextResultSet result;
    protocol::ResultColumn column;
    column.name = std::string(consistency_token_function) + "()";
    result.columns.push_back(std::move(column));
    result.rows = {{router::encode_consistency_token(consistency_.token_position())}};
    protocol::append_text_result_set(frames_, result, protocol::ResultSetFormat{login_.capabilities, status, 0}, 1);
  } else {
    std::optional<router::GtidPosition> position;
    if (!statement.value || statement.value->empty()) {
      position = router::GtidPosition{};
    } else {
      position = router::decode_consistency_token(*statement.value);
    }
    if (!position) {
      metrics::bump(context_.metrics.tokens_malformed);
      const protocol::ErrPacket error{
          protocol::proxy_error::bad_token, "42000",
          fmt::format("rwproxy: malformed consistency token '{}' (expected what SELECT rwproxy_consistency_token() "
                      "returns, e.g. 'rwp1.0-1-100')",
                      statement.value->substr(0, 100))};
      co_return co_await dispatcher_.reply_error(1, error);
    }
    if (!position->empty()) metrics::bump(context_.metrics.tokens_valid);
    consistency_.present_token(std::move(*position));
    frames_ = protocol::make_ok_frame(1, status);
  }
  std::error_code ec;
  co_await client_.write(frames_, ec);
  co_return !ec;
}

awaitable<bool> StatementExecutor::apply_token_hint(const parser::StatementInfo& info,
                                                    std::optional<router::GtidPosition>& token) {
  if (!hints_allowed_) co_return true;
  const std::string* value = info.hint.find(consistency_token_hint);
  if (!value) co_return true;
  token = router::decode_consistency_token(*value);
  if (token) {
    metrics::bump(context_.metrics.tokens_valid);
    co_return true;
  }
  metrics::bump(context_.metrics.tokens_malformed);
  const protocol::ErrPacket error{protocol::proxy_error::token_unreachable, "HY000",
                                  fmt::format("rwproxy: malformed consistency token '{}' in a hint; the statement "
                                              "did not run",
                                              value->substr(0, 100))};
  co_await dispatcher_.reply_error(1, error);
  co_return false;
}

awaitable<bool> StatementExecutor::master_has_reached(const router::GtidPosition& wanted, std::uint8_t reply_sequence) {
  auto acquired = co_await dispatcher_.acquire_master(state_);
  if (!acquired.connection) {
    co_await dispatcher_.reply_error(reply_sequence, acquired.error);
    co_return false;
  }
  // A position the master itself has not reached comes from a token of another cluster (or a
  // corrupt one): say so rather than serve data older than the token claims.
  const std::string payload = backend::binlog_position_payload();
  auto position = co_await backend::run_internal_command(*acquired.connection, payload);
  if (position.io_failed) {
    dispatcher_.backends().drop(BackendRef{});
    const protocol::ErrPacket error{protocol::proxy_error::backend_lost, "70100",
                                    "rwproxy: lost connection to the master while checking its GTID position"};
    co_await dispatcher_.reply_error(reply_sequence, error);
    co_return false;
  }
  const auto parsed = router::GtidPosition::parse(position.first_value.value_or(""));
  if (!parsed || parsed->covers(wanted)) co_return true;
  metrics::bump(context_.metrics.tokens_unreachable);
  const protocol::ErrPacket error{
      protocol::proxy_error::token_unreachable, "HY000",
      fmt::format("rwproxy: consistency position {} is ahead of the master ({}): the token comes from another "
                  "cluster or is corrupt; the statement did not run",
                  wanted.to_string(), parsed->to_string())};
  co_await dispatcher_.reply_error(reply_sequence, error);
  co_return false;
}

}  // namespace rwproxy::session
