#include "router/router.hpp"

#include <algorithm>

#include "parser/char_class.hpp"
#include "router/replica_selector.hpp"

namespace rwproxy::router {

namespace {

using parser::StatementInfo;
using parser::StatementKind;
using parser::TransactionEffect;

Route to_master(Reason reason) { return Route{Target::master, reason, 0, std::nullopt}; }

bool touches_temporary_table(const StatementInfo& info, const RoutingSession& session) {
  if (!session.temporary_tables || session.temporary_tables->empty()) return false;
  for (const parser::TableRef& table : info.tables) {
    const std::string name = parser::chars::lower(table.name);
    if (std::find(session.temporary_tables->begin(), session.temporary_tables->end(), name) !=
        session.temporary_tables->end()) {
      return true;
    }
  }
  return false;
}

// Statements that only the master may run, whatever hints or rules say.
std::optional<Reason> master_only(const StatementInfo& info) {
  if (info.has_error_token || info.kind == StatementKind::unknown) return Reason::unknown_statement;
  if (info.session.select_into) return Reason::select_into;
  if (info.locking_read) return Reason::locking_read;
  if (info.master_only_function || info.calc_found_rows) return Reason::master_only_function;
  switch (info.kind) {
    case StatementKind::set:
    case StatementKind::use:
    case StatementKind::prepare:
    case StatementKind::execute:
    case StatementKind::deallocate:
    case StatementKind::lock_tables:
    case StatementKind::unlock_tables:
      return Reason::session_state;
    case StatementKind::begin:
    case StatementKind::commit:
    case StatementKind::rollback:
    case StatementKind::savepoint:
    case StatementKind::xa:
      return Reason::transaction_control;
    default:
      break;
  }
  if (info.writes) return Reason::write;
  // Before read_only_safe: the classifier clears it for `SELECT @v := ...`.
  if (info.reads_user_variable || info.session.assigns_user_variable) return Reason::user_variable;
  if (!info.read_only_safe) return Reason::write;
  return std::nullopt;
}

// What a read must see, by GTID position: the session's own writes (causal), a token it
// presented and, with monotonic reads, what it has read before. `causal` says whether the first
// two play a part (the floor alone keeps a plain read a plain read).
struct Required {
  GtidPosition position;
  bool causal = false;
};

std::optional<Required> required_position(const RoutingSession& session, const ReplicaSnapshot& replicas,
                                          Consistency mode, bool monotonic) {
  if (mode == Consistency::none) return std::nullopt;
  Required required;
  if (mode == Consistency::causal && session.write_position) required.position.merge(*session.write_position);
  if (session.token_position) required.position.merge(*session.token_position);
  required.causal = !required.position.empty();
  if (monotonic && session.read_floor) required.position.merge(*session.read_floor);
  // What the session read on its replica may be newer than that replica's position when the
  // read was routed: its latest known position bounds it better (a replica's position only grows).
  if (monotonic && session.home_replica && *session.home_replica < replicas.replicas.size()) {
    const auto& home = replicas.replicas[*session.home_replica].applied;
    if (home && session.read_floor) required.position.merge(*home);
  }
  if (required.position.empty()) return std::nullopt;
  return required;
}

Route on_replica(const RouteInput& in, std::size_t replica, Reason reason) {
  Route route{Target::replica, reason, replica, std::nullopt};
  route.covers = in.replicas.replicas[replica].applied;
  return route;
}

// A read that may go to a replica: one known to have applied what the session must see, else
// one that waits for it first, else the fallback the policy says.
Route replica_or_fallback(const RouteInput& in, const RoutingPolicy& policy, Reason reason,
                          std::optional<std::uint32_t> max_lag_ms, Consistency mode) {
  const auto home = policy.monotonic_reads ? in.session.home_replica : std::nullopt;
  const auto required = required_position(in.session, in.replicas, mode, policy.monotonic_reads);
  if (required) {
    ReplicaChoice covered = choose_replica(in.replicas, in.outstanding, max_lag_ms, in.rotation, &required->position, home);
    if (covered.replica) {
      return on_replica(in, *covered.replica, required->causal && reason == Reason::read ? Reason::causal_read : reason);
    }
  }
  ReplicaChoice choice = choose_replica(in.replicas, in.outstanding, max_lag_ms, in.rotation, nullptr, home);
  if (choice.replica && !required) return on_replica(in, *choice.replica, reason);
  if (choice.replica) {
    const std::uint32_t lag_limit = std::min(max_lag_ms.value_or(policy.max_replica_lag_ms), policy.causal_wait_timeout_ms);
    ReplicaChoice waiting = choose_replica(in.replicas, in.outstanding, lag_limit, in.rotation, nullptr, home);
    if (!waiting.replica) return to_master(Reason::causal_replicas_behind);
    Route route{Target::replica, Reason::causal_wait, *waiting.replica, std::nullopt};
    route.wait_for = required->position;
    route.covers = required->position;
    return route;
  }
  Reason fallback = choice.lag_excluded_any ? Reason::replica_lag : Reason::no_eligible_replica;
  return Route{policy.error_when_no_replica ? Target::error : Target::master, fallback, 0, std::nullopt};
}

bool in_read_after_write_window(const RouteInput& in, const RoutingPolicy& policy, Consistency mode) {
  return mode == Consistency::window && in.session.last_write &&
         in.now - *in.session.last_write < policy.read_after_write_window;
}

// The replica refuses writes inside a READ ONLY transaction, except after the transaction has
// ended: statements that commit it implicitly (DDL, LOCK TABLES, BEGIN, ...), texts with several
// statements that write ("COMMIT; INSERT ..."), and statements the classifier could not follow.
bool may_write_outside_read_only_transaction(const StatementInfo& info) {
  if (info.transaction == TransactionEffect::implicit_commit) return true;
  if (info.kind == StatementKind::begin && info.transaction != TransactionEffect::begin_read_only) return true;
  if (info.kind == StatementKind::unknown || info.has_error_token) return true;
  return info.statement_count > 1 && info.writes;
}

std::optional<Route> session_constraint(const RouteInput& in) {
  const StatementInfo& info = in.statement;
  const RoutingSession& session = in.session;
  if (session.transaction_replica && !may_write_outside_read_only_transaction(info)) {
    return Route{Target::replica, Reason::read_only_transaction, *session.transaction_replica, std::nullopt};
  }
  if (session.in_transaction || !session.autocommit) return to_master(Reason::in_transaction);
  if (info.reads_diagnostics) {
    if (!session.last_replica) return to_master(Reason::diagnostics);
    // A write that reads diagnostics (INSERT ... ROW_COUNT()) is routed as the write it is.
    if (!info.writes) return Route{Target::replica, Reason::diagnostics, *session.last_replica, std::nullopt};
  }
  if (session.pinned) return to_master(Reason::session_pinned);
  return std::nullopt;
}

}  // namespace

Route decide(const RouteInput& in, const RoutingPolicy& policy) {
  const StatementInfo& info = in.statement;
  if (auto route = session_constraint(in)) return *route;
  if (info.transaction == TransactionEffect::begin_read_only && info.statement_count == 1) {
    if (in_read_after_write_window(in, policy, policy.consistency)) return to_master(Reason::read_after_write_window);
    Route route = replica_or_fallback(in, policy, Reason::read_only_transaction, std::nullopt, policy.consistency);
    return route.target == Target::error ? to_master(route.reason) : route;
  }
  if (auto reason = master_only(info)) return to_master(*reason);
  if (touches_temporary_table(info, in.session)) return to_master(Reason::temp_table);

  if (in.session.hints_allowed && info.hint.target != parser::HintTarget::none) {
    if (info.hint.target == parser::HintTarget::master) return to_master(Reason::hint);
    return replica_or_fallback(in, policy, Reason::hint, std::nullopt, policy.consistency);
  }
  std::optional<std::uint32_t> rule_lag;
  Consistency mode = policy.consistency;
  std::optional<std::size_t> any_rule;
  if (auto index = match_rule(policy.rules, info, in.digest_text, in.session.user, in.session.schema)) {
    const Rule& rule = policy.rules[*index];
    mode = rule.consistency.value_or(policy.consistency);
    Route route;
    if (rule.route == RuleRoute::master) {
      route = to_master(Reason::rule);
    } else if (rule.route == RuleRoute::replica) {
      route = replica_or_fallback(in, policy, Reason::rule, rule.max_replica_lag_ms, mode);
    }
    if (rule.route != RuleRoute::any) {
      route.rule = index;
      return route;
    }
    rule_lag = rule.max_replica_lag_ms;
    any_rule = index;
  }
  if (in_read_after_write_window(in, policy, mode)) return to_master(Reason::read_after_write_window);
  Route route = replica_or_fallback(in, policy, Reason::read, rule_lag, mode);
  if (any_rule && mode != policy.consistency) route.rule = any_rule;
  return route;
}

}  // namespace rwproxy::router
