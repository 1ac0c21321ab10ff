#include "proxy/explain/route_explanation.hpp"

#include <string>

#include "parser/classifier.hpp"
#include "router/router.hpp"

namespace rwproxy::explain {

namespace {

using router::Reason;
using router::Target;

std::string replica_name(const router::ReplicaSnapshot& replicas, const config::Config& config, std::size_t i) {
  if (i < replicas.replicas.size() && !replicas.replicas[i].name.empty()) return replicas.replicas[i].name;
  const auto configured = config.replicas();
  if (i < configured.size()) return configured[i]->name;
  return "replica" + std::to_string(i);
}

std::string backend_name(const router::Route& route, const router::ReplicaSnapshot& replicas,
                         const config::Config& config) {
  switch (route.target) {
    case Target::master: {
      const config::Backend* master = config.master();
      return master ? master->name : "master";
    }
    case Target::replica: return replica_name(replicas, config, route.replica);
    case Target::error: return "";
  }
  return "";
}

// Whether decide() got as far as the [[rules]] and then routed by default (a route = "any" rule):
// the reasons of its last steps, except those of START TRANSACTION READ ONLY, which comes first.
bool default_routing_after_rules(const parser::StatementInfo& info, Reason reason) {
  if (info.transaction == parser::TransactionEffect::begin_read_only && info.statement_count == 1) return false;
  switch (reason) {
    case Reason::read_after_write_window:
    case Reason::read:
    case Reason::causal_read:
    case Reason::causal_wait:
    case Reason::causal_replicas_behind:
    case Reason::replica_lag:
    case Reason::no_eligible_replica:
      return true;
    default:
      return false;
  }
}

void explain_rule(RouteExplanation& out, const router::RoutingSession& session, const router::RoutingPolicy& policy) {
  const auto index = router::match_rule(policy.rules, out.info, out.digest.text, session.user, session.schema);
  if (!index) return;
  const router::Rule& rule = policy.rules[*index];
  out.rule = rule.name;
  out.rule_max_replica_lag_ms = rule.max_replica_lag_ms;
  if (out.route.rule == index) {
    out.rule_effect = RuleEffect::decided;
  } else if (rule.route == router::RuleRoute::any && default_routing_after_rules(out.info, out.route.reason)) {
    out.rule_effect = RuleEffect::lag_limit;
  } else {
    out.rule_effect = RuleEffect::overridden;
  }
}

// The lag limit choose_replica() applied: a deciding or route = "any" rule's own, else the gate.
std::optional<std::uint32_t> rule_lag_override(const RouteExplanation& out) {
  if (out.rule_effect == RuleEffect::decided || out.rule_effect == RuleEffect::lag_limit) {
    return out.rule_max_replica_lag_ms;
  }
  return std::nullopt;
}

ReplicaExplanation explain_replica(const router::ReplicaState& state, std::optional<std::uint32_t> lag_override,
                                   std::uint32_t max_lag_ms, const config::Config& config) {
  ReplicaExplanation out{state.name, state.up, state.lag_ms, state.weight, false, "", false, std::nullopt};
  if (!state.up) {
    out.excluded_because = "down";
  } else if (state.weight == 0) {
    out.excluded_because = "weight 0";
  } else if (lag_override && state.lag_ms) {
    if (*state.lag_ms > *lag_override) out.excluded_because = "lag over " + std::to_string(*lag_override) + " ms";
  } else if (!state.lag_admitted) {
    out.excluded_because = state.lag_ms && *state.lag_ms <= max_lag_ms
                               ? "lagged; readmitted below " + std::to_string(config.routing.readmit_replica_lag_ms) +
                                     " ms"
                               : "lag over " + std::to_string(max_lag_ms) + " ms";
  }
  out.eligible = out.excluded_because.empty();
  return out;
}

SessionExplanation explain_session(const router::RoutingSession& session, const router::ReplicaSnapshot& replicas,
                                   const router::RoutingPolicy& policy, const config::Config& config,
                                   router::Clock::time_point now) {
  SessionExplanation out;
  out.in_transaction = session.in_transaction;
  out.autocommit = session.autocommit;
  if (session.transaction_replica) {
    out.read_only_transaction_replica = replica_name(replicas, config, *session.transaction_replica);
  }
  out.pinned = session.pinned;
  out.hints_allowed = session.hints_allowed;
  out.read_after_write_window = policy.read_after_write_window;
  out.monotonic_reads = policy.monotonic_reads;
  if (session.write_position) out.write_position = session.write_position->to_string();
  if (session.token_position) out.token_position = session.token_position->to_string();
  if (session.read_floor) out.read_floor = session.read_floor->to_string();
  if (session.home_replica) out.home_replica = replica_name(replicas, config, *session.home_replica);
  out.wrote_before = session.last_write.has_value();
  if (session.last_write && now - *session.last_write < policy.read_after_write_window) {
    out.read_after_write_remaining =
        std::chrono::ceil<std::chrono::milliseconds>(policy.read_after_write_window - (now - *session.last_write));
  }
  return out;
}

}  // namespace

std::string_view target_name(Target target) {
  switch (target) {
    case Target::master: return "master";
    case Target::replica: return "replica";
    case Target::error: return "error";
  }
  return "error";
}

std::string_view to_string(RuleEffect effect) {
  switch (effect) {
    case RuleEffect::none: return "none";
    case RuleEffect::decided: return "decided";
    case RuleEffect::lag_limit: return "lag_limit";
    case RuleEffect::overridden: return "overridden";
  }
  return "none";
}

RouteExplanation explain(std::string_view sql, const router::RoutingSession& session,
                         const router::ReplicaSnapshot& replicas, const router::RoutingPolicy& policy,
                         const config::Config& config, router::Clock::time_point now) {
  RouteExplanation out;
  out.statement = std::string(sql);
  out.info = parser::classify(sql);
  out.digest = parser::digest(sql);
  const router::RouteInput input{out.info, out.digest.text, session, replicas, {}, 0, now};
  out.route = router::decide(input, policy);
  out.target = std::string(target_name(out.route.target));
  out.backend = backend_name(out.route, replicas, config);
  explain_rule(out, session, policy);

  const auto lag_override = rule_lag_override(out);
  out.max_replica_lag_ms = lag_override.value_or(policy.max_replica_lag_ms);
  out.session = explain_session(session, replicas, policy, config, now);
  router::Consistency mode = policy.consistency;
  if (out.rule && out.rule_effect != RuleEffect::none) {
    for (const router::Rule& rule : policy.rules) {
      if (rule.name == *out.rule && rule.consistency) mode = *rule.consistency;
    }
  }
  out.session.consistency = std::string(router::to_string(mode));
  for (std::size_t i = 0; i < replicas.replicas.size(); ++i) {
    if (!replicas.replicas[i].serving) continue;  // the master, or a drained, offline or removed backend
    ReplicaExplanation replica =
        explain_replica(replicas.replicas[i], lag_override, policy.max_replica_lag_ms, config);
    if (replicas.replicas[i].applied) replica.applied = replicas.replicas[i].applied->to_string();
    if (replica.name.empty()) replica.name = replica_name(replicas, config, i);
    replica.chosen = out.route.target == Target::replica && out.route.replica == i;
    out.replicas.push_back(std::move(replica));
  }
  return out;
}

std::string_view describe(Reason reason) {
  switch (reason) {
    case Reason::read: return "a plain read, sent to an eligible replica";
    case Reason::write: return "it writes data or schema, so only the master may run it";
    case Reason::locking_read: return "a locking read (FOR UPDATE / FOR SHARE / LOCK IN SHARE MODE) runs on the master";
    case Reason::master_only_function:
      return "it calls a function only the master answers (LAST_INSERT_ID(), GET_LOCK(), FOUND_ROWS(), ...)";
    case Reason::select_into: return "SELECT ... INTO @var / OUTFILE / DUMPFILE runs on the master";
    case Reason::user_variable: return "it reads or assigns user variables, which live on the master connection";
    case Reason::session_state: return "it changes the session (SET, USE, PREPARE, LOCK TABLES, ...): the master runs it";
    case Reason::transaction_control: return "transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, XA) goes to the master";
    case Reason::unknown_statement: return "the classifier could not tell what it does: the master is always safe";
    case Reason::diagnostics: return "it reads the previous statement's diagnostics: sent where that statement ran";
    case Reason::in_transaction: return "the session is inside a transaction (or autocommit is off): the master runs it";
    case Reason::read_only_transaction: return "part of a START TRANSACTION READ ONLY, which runs whole on one replica";
    case Reason::read_after_write_window: return "the session wrote recently: its reads see the master until the window ends";
    case Reason::session_pinned: return "the session is pinned to the master (LOCK TABLES, SQL PREPARE, an unparsed SET)";
    case Reason::temp_table: return "it touches a temporary table, which exists only on the master";
    case Reason::hint: return "a /* rwproxy:master|replica */ hint chose the target";
    case Reason::rule: return "a [[rules]] entry chose the target";
    case Reason::no_eligible_replica: return "a read, but no replica is up: sent to the master (or refused)";
    case Reason::replica_lag: return "a read, but every live replica lags past the limit: sent to the master (or refused)";
    case Reason::causal_read:
      return "the session wrote (or presented a token): sent to a replica known to have applied that GTID position";
    case Reason::causal_wait:
      return "no replica is known to have applied the session's GTID position yet: a replica waits for it first "
             "(MASTER_GTID_WAIT, causal_wait_timeout_ms), else the master serves the read";
    case Reason::causal_wait_timeout:
      return "the replica did not reach the session's GTID position in time: the master served the read";
    case Reason::causal_replicas_behind:
      return "no replica is known to have the session's GTID position and each lags more than a wait would last "
             "(causal_wait_timeout_ms): the master serves the read at once";
  }
  return "";
}

}  // namespace rwproxy::explain
