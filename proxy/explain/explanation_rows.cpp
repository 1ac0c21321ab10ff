#include "proxy/explain/explanation_rows.hpp"

#include <string_view>

namespace rwproxy::explain {

namespace {

std::string yes_no(bool value) { return value ? "yes" : "no"; }

std::string hint_value(const RouteExplanation& e) {
  std::string value;
  switch (e.info.hint.target) {
    case parser::HintTarget::none: return "none";
    case parser::HintTarget::master: value = "master"; break;
    case parser::HintTarget::replica: value = "replica"; break;
  }
  if (!e.session.hints_allowed) value += " (ignored: hints are off for this user)";
  return value;
}

std::string tables_value(const parser::StatementInfo& info) {
  if (info.tables.empty()) return "-";
  std::string out;
  for (const parser::TableRef& table : info.tables) {
    if (!out.empty()) out += ", ";
    if (!table.schema.empty()) out += table.schema + ".";
    out += table.name;
  }
  return out;
}

std::string read_after_write_value(const SessionExplanation& s) {
  const std::string window = std::to_string(s.read_after_write_window.count()) + " ms";
  if (s.read_after_write_window.count() == 0) return "off";
  if (s.read_after_write_remaining) {
    return std::to_string(s.read_after_write_remaining->count()) + " ms left of " + window;
  }
  if (!s.wrote_before) return "inactive (no write in this session)";
  return "inactive (last write more than " + window + " ago)";
}

std::string replica_value(const ReplicaExplanation& r) {
  std::string out = r.name + ": " + (r.up ? "up" : "down") + ", lag ";
  out += r.lag_ms ? std::to_string(*r.lag_ms) + " ms" : std::string("unknown");
  out += r.eligible ? ", eligible" : ", excluded (" + r.excluded_because + ")";
  if (r.applied) out += ", at " + (r.applied->empty() ? std::string("(empty position)") : *r.applied);
  if (r.chosen) out += ", chosen";
  return out;
}

}  // namespace

std::string hash_hex(std::uint64_t hash) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, hash >>= 4) out[i] = digits[hash & 0xf];
  return out;
}

std::string rule_summary(const RouteExplanation& e) {
  if (!e.rule) return "-";
  switch (e.rule_effect) {
    case RuleEffect::none: return "-";
    case RuleEffect::decided: return *e.rule;
    case RuleEffect::lag_limit:
      return e.rule_max_replica_lag_ms
                 ? *e.rule + " (route = any, max_replica_lag_ms = " + std::to_string(*e.rule_max_replica_lag_ms) + ")"
                 : *e.rule + " (route = any)";
    case RuleEffect::overridden: return *e.rule + " (overridden)";
  }
  return "-";
}

std::vector<ExplanationRow> explanation_rows(const RouteExplanation& e) {
  const parser::StatementInfo& info = e.info;
  std::vector<ExplanationRow> rows = {
      {"statement", e.statement},
      {"kind", std::string(parser::to_string(info.kind))},
      {"target", e.target},
      {"backend", e.backend.empty() ? "- (ERR 1105 to the client)" : e.backend},
      {"reason", std::string(router::to_string(e.route.reason))},
      {"because", std::string(describe(e.route.reason))},
      {"rule", rule_summary(e)},
      {"hint", hint_value(e)},
      {"digest", e.digest.text},
      {"digest_hash", hash_hex(e.digest.hash)},
      {"tables", tables_value(info)},
      {"writes", yes_no(info.writes)},
      {"read_only_safe", yes_no(info.read_only_safe)},
      {"locking_read", yes_no(info.locking_read)},
      {"master_only_function", yes_no(info.master_only_function || info.calc_found_rows)},
      {"user_variable", yes_no(info.reads_user_variable || info.session.assigns_user_variable)},
      {"statements", std::to_string(info.statement_count)},
      {"in_transaction", yes_no(e.session.in_transaction)},
      {"autocommit", yes_no(e.session.autocommit)},
      {"read_only_transaction", e.session.read_only_transaction_replica.value_or("-")},
      {"read_after_write_window", read_after_write_value(e.session)},
      {"pinned", yes_no(e.session.pinned)},
      {"connections", e.session.connections.empty() ? "-" : e.session.connections},
      {"consistency", e.session.consistency},
      {"session_position", e.session.write_position.empty() ? "-" : e.session.write_position},
      {"consistency_token", e.session.token_position.empty() ? "-" : e.session.token_position},
      {"monotonic_reads", e.session.monotonic_reads
                              ? "on, floor " + (e.session.read_floor.empty() ? std::string("-") : e.session.read_floor) +
                                    ", home replica " + e.session.home_replica.value_or("-")
                              : std::string("off")},
      {"wait_for", e.route.wait_for ? e.route.wait_for->to_string() : "-"},
      {"max_replica_lag_ms", std::to_string(e.max_replica_lag_ms)},
  };
  if (e.replicas.empty()) rows.push_back({"replica", "- (none configured)"});
  for (const ReplicaExplanation& replica : e.replicas) rows.push_back({"replica", replica_value(replica)});
  return rows;
}

protocol::TextResultSet explanation_result_set(const RouteExplanation& explanation) {
  protocol::TextResultSet result;
  result.columns = {protocol::ResultColumn{"field"}, protocol::ResultColumn{"value"}};
  for (ExplanationRow& row : explanation_rows(explanation)) {
    result.rows.push_back({std::move(row.field), std::move(row.value)});
  }
  return result;
}

}  // namespace rwproxy::explain
