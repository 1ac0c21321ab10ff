// A RouteExplanation as `field | value` rows: the result set EXPLAIN ROUTE returns, made to be
// read in the mariadb CLI (one item per row; a row per replica).
#pragma once

#include <string>
#include <vector>

#include "proxy/explain/route_explanation.hpp"
#include "proxy/protocol/result_set_writer.hpp"

namespace rwproxy::explain {

struct ExplanationRow {
  std::string field;
  std::string value;
  bool operator==(const ExplanationRow&) const = default;
};

// statement, kind, target, backend, reason, because, rule, hint, digest, digest_hash, tables,
// writes, read_only_safe, locking_read, master_only_function, user_variable, statements,
// in_transaction, autocommit, read_only_transaction, read_after_write_window, pinned,
// max_replica_lag_ms (the rule's when it sets one), then one `replica` row per replica
// ("replica1: up, lag 12 ms, eligible, chosen").
std::vector<ExplanationRow> explanation_rows(const RouteExplanation& explanation);

// The rows as a two-column (`field`, `value`) text result set.
protocol::TextResultSet explanation_result_set(const RouteExplanation& explanation);

// "1a2b3c4d5e6f7081": the digest hash as 16 lower-case hex digits.
std::string hash_hex(std::uint64_t hash);

// "-", "name", "name (route = any, max_replica_lag_ms = 200)", "name (overridden)".
std::string rule_summary(const RouteExplanation& explanation);

}  // namespace rwproxy::explain
