// `rwproxy --config FILE --explain STATEMENTS_FILE`: where the proxy would send every statement
// of a file (plain lines or a general query log, see statement_reader.hpp) under a given config,
// and why, so that a rule or routing change can be tried before it ships.
//
// Sessions. The statements are replayed the way the proxy would see them, through the proxy's own
// session logic (SessionReplay): transactions and autocommit, the read-after-write window, the
// consistency mode, pins, temporary tables, user variables, SQL and binary prepared statements.
// In a general log each thread is a session of its own, with the user and schema of its Connect
// entry (Init DB and USE change the schema, Reset connection starts it afresh, Change user starts
// a new session as the new user, Quit ends it; a thread whose Connect is not in the log starts
// with no user and no schema). MariaDB does not log COM_RESET_CONNECTION: after a reset that the
// log does not show, the session keeps its state (pins, temporary tables) where the proxy's
// starts afresh. The threads' entries interleave in log order. The Prepare or Execute entry a
// server writes right after an SQL-level PREPARE or EXECUTE of the same thread (MariaDB logs the
// statement it prepares or runs) is no command of the client's and gets no line.
// In a plain file (one statement per line) the statements in order are one session.
//
// Time. A statement's time is the log's time of its entry: microseconds in a MySQL log; whole
// seconds in a MariaDB log (printed only when it changes, so a read-after-write decision within a
// second of read_after_write_window_ms is uncertain). A plain file has no time: every statement
// is taken to run at the same instant (a read after a write is inside the window).
//
// Replicas. Every configured replica is up with lag 0 (healthy_snapshot) and no GTID position
// known: in consistency "causal" a read after the session's write (or with a token) goes to a
// replica that waits for that position (causal_wait), and the wait is taken to succeed. Every
// statement is taken to succeed; see server_model.hpp for how the server's replies are modelled.
//
// Output, one line per statement, tab-separated, then the summary (replay_summary.hpp):
//
//   target<TAB>reason<TAB>rule<TAB>thread<TAB>facts<TAB>digest
//   master	transaction_control	-	12	-	BEGIN
//   master	in_transaction	-	12	in_transaction	SELECT ?
//   master	read_after_write_window	-	12	recent_write=120ms	SELECT ?
//   replica	read	-	13	-	SELECT * FROM orders WHERE id = ?
//   master	session_pinned	-	14	pinned=user_lock	SELECT ?
//
// target is master, replica, error (ERR 1105) or proxy (answered by the proxy itself: the
// consistency-token statements, a malformed token; reason "-"); reason is the router's reason
// name (as in metrics); rule is as rule_summary() writes it ("-" when none); thread is the log's
// thread id (0 in a plain file); facts are the session facts that decided (session_facts.hpp),
// plus "explain_route" for an `EXPLAIN ROUTE <sql>` line (explained as <sql> in the session, not
// run, not counted as routed), "com_stmt_prepare" / "com_stmt_execute" for a log's Prepare and
// Execute entries. Init DB and Reset connection entries are lines too ("Init DB <schema>",
// "Reset connection": the proxy sends COM_INIT_DB and COM_RESET_CONNECTION to the master, reason
// session_state). Tabs and line breaks inside the digest are
// written as spaces.
#pragma once

#include <istream>
#include <ostream>

#include "proxy/config/config.hpp"
#include "proxy/explain/replay_summary.hpp"
#include "router/replica_snapshot.hpp"
#include "router/routing_policy.hpp"

namespace rwproxy::explain {

// Every configured replica up, lag 0, with its configured weight.
router::ReplicaSnapshot healthy_snapshot(const config::Config& config);

// With healthy_snapshot(config).
ExplainFileSummary explain_file(std::istream& in, std::ostream& out, const router::RoutingPolicy& policy,
                                const config::Config& config);
ExplainFileSummary explain_file(std::istream& in, std::ostream& out, const router::RoutingPolicy& policy,
                                const config::Config& config, const router::ReplicaSnapshot& replicas);

}  // namespace rwproxy::explain
