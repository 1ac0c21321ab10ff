// `rwproxy --config FILE --explain STATEMENTS_FILE`: the routing decision for every statement of
// a file (plain lines or a general query log, see statement_reader.hpp) under a given config, so
// a rule change can be tried before it ships.
//
// Each statement is routed in a fresh session: autocommit, no transaction, no recent write,
// nothing pinned. In a general log the session has the thread's user and schema (from Connect,
// Init DB and USE), so [[rules]] on user and schema apply. `EXPLAIN ROUTE <sql>` lines are
// explained as <sql>. Output, one line per statement:
//
//   target<TAB>reason<TAB>rule<TAB>digest
//   replica	read	-	SELECT * FROM orders WHERE id = ?
//   master	rule	reports_on_master	SELECT SUM(total) FROM orders
//
// target is master, replica or error; rule is as rule_summary() writes it ("-" when none);
// tabs and line breaks inside the digest are written as spaces.
#pragma once

#include <cstddef>
#include <istream>
#include <ostream>

#include "proxy/config/config.hpp"
#include "router/replica_snapshot.hpp"
#include "router/routing_policy.hpp"

namespace rwproxy::explain {

struct ExplainFileSummary {
  std::size_t statements = 0;
  std::size_t to_master = 0;
  std::size_t to_replica = 0;
  std::size_t errors = 0;    // target error: no_eligible_replica = "error" and no replica may serve
  bool general_log = false;  // the input was read as a general query log
};

// Every configured replica up, lag 0, with its configured weight.
router::ReplicaSnapshot healthy_snapshot(const config::Config& config);

// With healthy_snapshot(config).
ExplainFileSummary explain_file(std::istream& in, std::ostream& out, const router::RoutingPolicy& policy,
                                const config::Config& config);
ExplainFileSummary explain_file(std::istream& in, std::ostream& out, const router::RoutingPolicy& policy,
                                const config::Config& config, const router::ReplicaSnapshot& replicas);

}  // namespace rwproxy::explain
