// End to end through the parser: classify(sql) and digest(sql) → decide() → target and reason.
// Each row is one statement in one session context; the replica index is always 1 (rotation 1
// over two idle replicas, and sessions that remember replica 1).
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "parser/classifier.hpp"
#include "parser/digest.hpp"
#include "tests/router/router_test_support.hpp"

namespace rwproxy::router {
namespace {

using namespace test;

enum class Context {
  idle,                   // autocommit, no recent write, two healthy replicas
  recent_write,           // wrote 10 ms ago, inside the 1 s window
  no_hints,               // hints not allowed for this user
  in_transaction,         // BEGIN ran on the master
  read_only_transaction,  // START TRANSACTION READ ONLY ran on replica 1
  after_replica_read,     // the previous statement ran on replica 1
  pinned,                 // LOCK TABLES / GET_LOCK / unparsed SET earlier
  temp_table,             // CREATE TEMPORARY TABLE tmp earlier
  with_rules,             // the [[rules]] below
  replicas_down,
  replicas_down_error,    // ... with no_eligible_replica = "error"
  replicas_lagging,
  causal_replicas_behind,     // consistency = "causal", wrote 0-1-10, both replicas at 0-1-5
  causal_replica_caught_up,   // ... replica 1 has applied 0-1-10
  causal_replicas_far_behind, // ... both replicas 2 s behind (max lag 5 s): waiting is pointless
};

const char* name_of(Context c) {
  switch (c) {
    case Context::idle: return "idle";
    case Context::recent_write: return "recent_write";
    case Context::no_hints: return "no_hints";
    case Context::in_transaction: return "in_transaction";
    case Context::read_only_transaction: return "read_only_transaction";
    case Context::after_replica_read: return "after_replica_read";
    case Context::pinned: return "pinned";
    case Context::temp_table: return "temp_table";
    case Context::with_rules: return "with_rules";
    case Context::replicas_down: return "replicas_down";
    case Context::replicas_down_error: return "replicas_down_error";
    case Context::replicas_lagging: return "replicas_lagging";
    case Context::causal_replicas_behind: return "causal_replicas_behind";
    case Context::causal_replica_caught_up: return "causal_replica_caught_up";
    case Context::causal_replicas_far_behind: return "causal_replicas_far_behind";
  }
  return "?";
}

std::vector<Rule> example_rules() {
  Rule inventory = rule("inventory_on_master", RuleRoute::master);
  inventory.table = "shop.inventory";
  Rule reports = rule("reports_on_replicas", RuleRoute::replica);
  reports.digest_regex = std::regex("FROM report_[a-z]+");
  reports.max_replica_lag_ms = 60'000;
  Rule reporting_user = rule("reporting_user", RuleRoute::replica);
  reporting_user.user = "reporting";
  return {inventory, reports, reporting_user};
}

void apply(Context context, Scenario& s) {
  switch (context) {
    case Context::idle: break;
    case Context::recent_write: s.session.last_write = t0 - 10ms; break;
    case Context::no_hints: s.session.hints_allowed = false; break;
    case Context::in_transaction: s.session.in_transaction = true; break;
    case Context::read_only_transaction:
      s.session.in_transaction = true;
      s.session.transaction_replica = 1;
      break;
    case Context::after_replica_read: s.session.last_replica = 1; break;
    case Context::pinned: s.session.pinned = true; break;
    case Context::temp_table: s.temporary_tables = {"tmp"}; break;
    case Context::with_rules: s.policy.rules = example_rules(); break;
    case Context::replicas_down: s.replicas = snapshot({down(replica("r0")), down(replica("r1"))}); break;
    case Context::causal_replicas_behind:
    case Context::causal_replica_caught_up:
      s.policy.consistency = Consistency::causal;
      s.session.last_write = t0 - 10ms;
      s.write_position = gtids("0-1-10");
      s.replicas = snapshot({applied(replica("r0"), "0-1-5"), applied(replica("r1"), "0-1-5")});
      if (context == Context::causal_replica_caught_up) s.replicas.replicas[1].applied = gtids("0-1-10");
      break;
    case Context::causal_replicas_far_behind:
      s.policy.consistency = Consistency::causal;
      s.policy.max_replica_lag_ms = 5000;
      s.write_position = gtids("0-1-10");
      s.replicas = snapshot({with_lag(applied(replica("r0"), "0-1-5"), 2000), with_lag(applied(replica("r1"), "0-1-5"), 2000)});
      break;
    case Context::replicas_down_error:
      s.replicas = snapshot({down(replica("r0")), down(replica("r1"))});
      s.policy.error_when_no_replica = true;
      break;
    case Context::replicas_lagging:
      s.replicas = snapshot({lagging(replica("r0"), 4000), lagging(replica("r1"), 2500)});
      break;
  }
}

struct EndToEndCase {
  const char* sql;
  Context context;
  Target target;
  Reason reason;
};

constexpr Target M = Target::master;
constexpr Target R = Target::replica;
constexpr Target E = Target::error;

const EndToEndCase cases[] = {
    // reads
    {"SELECT * FROM orders WHERE id = 1", Context::idle, R, Reason::read},
    {"select * from orders where id = 1", Context::idle, R, Reason::read},
    {"TABLE orders", Context::idle, R, Reason::read},
    {"WITH c AS (SELECT 1) SELECT * FROM c", Context::idle, R, Reason::read},
    {"EXPLAIN SELECT * FROM orders", Context::idle, R, Reason::read},
    {"DESCRIBE orders", Context::idle, R, Reason::read},
    {"SHOW TABLES", Context::idle, R, Reason::read},
    {"SELECT 'FOR UPDATE' FROM orders", Context::idle, R, Reason::read},
    {"SELECT * FROM orders WHERE note = 'x; DROP TABLE y'", Context::idle, R, Reason::read},
    {"SELECT @@autocommit", Context::idle, R, Reason::read},
    // writes
    {"INSERT INTO orders VALUES (1)", Context::idle, M, Reason::write},
    {"UPDATE orders SET a = 1 WHERE id = 2", Context::idle, M, Reason::write},
    {"DELETE FROM orders WHERE id = 2", Context::idle, M, Reason::write},
    {"REPLACE INTO orders VALUES (1)", Context::idle, M, Reason::write},
    {"CREATE TABLE x (a INT)", Context::idle, M, Reason::write},
    {"CALL refresh_totals()", Context::idle, M, Reason::write},
    {"SHOW SLAVE STATUS", Context::idle, M, Reason::write},
    {"SELECT 1; CREATE TABLE y (a INT)", Context::idle, M, Reason::write},
    // reads that only the master can answer
    {"SELECT * FROM orders FOR UPDATE", Context::idle, M, Reason::locking_read},
    {"SELECT * FROM orders FOR SHARE", Context::idle, M, Reason::locking_read},
    {"SELECT * FROM orders LOCK IN SHARE MODE", Context::idle, M, Reason::locking_read},
    {"SELECT * FROM t1 UNION SELECT * FROM t2 FOR UPDATE", Context::idle, M, Reason::locking_read},
    {"SELECT LAST_INSERT_ID()", Context::idle, M, Reason::master_only_function},
    {"SELECT GET_LOCK('a', 1)", Context::idle, M, Reason::master_only_function},
    {"SELECT SQL_CALC_FOUND_ROWS * FROM orders LIMIT 10", Context::idle, M, Reason::master_only_function},
    {"SELECT a INTO @x FROM orders LIMIT 1", Context::idle, M, Reason::select_into},
    {"SELECT 1 INTO OUTFILE '/tmp/x'", Context::idle, M, Reason::select_into},
    {"SELECT @x", Context::idle, M, Reason::user_variable},
    {"SELECT @x := 1", Context::idle, M, Reason::user_variable},
    // session state and transaction control
    {"SET autocommit = 0", Context::idle, M, Reason::session_state},
    {"SET NAMES utf8mb4", Context::idle, M, Reason::session_state},
    {"/*!40101 SET NAMES utf8 */", Context::idle, M, Reason::session_state},
    {"USE shop", Context::idle, M, Reason::session_state},
    {"PREPARE s FROM 'SELECT 1'", Context::idle, M, Reason::session_state},
    {"LOCK TABLES orders READ", Context::idle, M, Reason::session_state},
    {"BEGIN", Context::idle, M, Reason::transaction_control},
    {"START TRANSACTION READ WRITE", Context::idle, M, Reason::transaction_control},
    {"COMMIT", Context::idle, M, Reason::transaction_control},
    {"ROLLBACK", Context::idle, M, Reason::transaction_control},
    {"SAVEPOINT a", Context::idle, M, Reason::transaction_control},
    {"XA START 'x'", Context::idle, M, Reason::transaction_control},
    {"START TRANSACTION READ ONLY; SELECT 1", Context::idle, M, Reason::transaction_control},
    // cannot tell
    {"FROBNICATE the database", Context::idle, M, Reason::unknown_statement},
    {"SELECT 'unterminated", Context::idle, M, Reason::unknown_statement},
    {"", Context::idle, M, Reason::unknown_statement},
    // hints
    {"/* rwproxy:master */ SELECT * FROM orders", Context::idle, M, Reason::hint},
    {"SELECT /* rwproxy:master */ * FROM orders", Context::idle, M, Reason::hint},
    {"/* rwproxy:replica */ SELECT * FROM orders", Context::idle, R, Reason::hint},
    {"/* rwproxy:replica */ SELECT * FROM orders", Context::recent_write, R, Reason::hint},
    {"/* rwproxy:replica */ INSERT INTO orders VALUES (1)", Context::idle, M, Reason::write},
    {"/* rwproxy:replica */ SELECT * FROM orders FOR UPDATE", Context::idle, M, Reason::locking_read},
    {"/* rwproxy:master */ SELECT * FROM orders", Context::no_hints, R, Reason::read},
    {"/* rwproxy:replica */ SELECT * FROM orders", Context::replicas_down, M, Reason::no_eligible_replica},
    // read-after-write window
    {"SELECT * FROM orders", Context::recent_write, M, Reason::read_after_write_window},
    {"INSERT INTO orders VALUES (1)", Context::recent_write, M, Reason::write},
    {"START TRANSACTION READ ONLY", Context::recent_write, M, Reason::read_after_write_window},
    // transactions
    {"SELECT * FROM orders", Context::in_transaction, M, Reason::in_transaction},
    {"START TRANSACTION READ ONLY", Context::idle, R, Reason::read_only_transaction},
    {"SELECT * FROM orders", Context::read_only_transaction, R, Reason::read_only_transaction},
    {"COMMIT", Context::read_only_transaction, R, Reason::read_only_transaction},
    {"COMMIT AND CHAIN", Context::read_only_transaction, R, Reason::read_only_transaction},
    {"INSERT INTO orders VALUES (1)", Context::read_only_transaction, R, Reason::read_only_transaction},
    {"CREATE TABLE x (a INT)", Context::read_only_transaction, M, Reason::in_transaction},
    {"LOCK TABLES orders READ", Context::read_only_transaction, M, Reason::in_transaction},
    {"BEGIN", Context::read_only_transaction, M, Reason::in_transaction},
    {"COMMIT; INSERT INTO orders VALUES (1)", Context::read_only_transaction, M, Reason::in_transaction},
    // diagnostics
    {"SHOW WARNINGS", Context::idle, M, Reason::diagnostics},
    {"SHOW WARNINGS", Context::after_replica_read, R, Reason::diagnostics},
    {"SELECT ROW_COUNT()", Context::after_replica_read, R, Reason::diagnostics},
    {"SELECT FOUND_ROWS()", Context::after_replica_read, R, Reason::diagnostics},
    {"INSERT INTO audit (n) VALUES (ROW_COUNT())", Context::after_replica_read, M, Reason::master_only_function},
    // pins and temporary tables
    {"SELECT * FROM orders", Context::pinned, M, Reason::session_pinned},
    {"/* rwproxy:replica */ SELECT * FROM orders", Context::pinned, M, Reason::session_pinned},
    {"SELECT * FROM TMP", Context::temp_table, M, Reason::temp_table},
    {"SELECT * FROM shop.tmp t JOIN orders o ON o.id = t.id", Context::temp_table, M, Reason::temp_table},
    {"SELECT * FROM orders", Context::temp_table, R, Reason::read},
    // rules
    {"SELECT * FROM inventory WHERE sku = 'a'", Context::with_rules, M, Reason::rule},
    {"SELECT * FROM `shop`.`inventory`", Context::with_rules, M, Reason::rule},
    {"SELECT * FROM warehouse.inventory", Context::with_rules, R, Reason::read},
    {"SELECT SUM(x) FROM report_daily WHERE d > '2024-01-01'", Context::with_rules, R, Reason::rule},
    {"INSERT INTO report_daily VALUES (1)", Context::with_rules, M, Reason::write},
    {"SELECT * FROM orders", Context::with_rules, R, Reason::read},
    // no replica can take it
    {"SELECT * FROM orders", Context::replicas_down, M, Reason::no_eligible_replica},
    {"SELECT * FROM orders", Context::replicas_down_error, E, Reason::no_eligible_replica},
    {"INSERT INTO orders VALUES (1)", Context::replicas_down_error, M, Reason::write},
    {"SELECT * FROM orders", Context::replicas_lagging, M, Reason::replica_lag},
    {"SELECT * FROM orders", Context::causal_replicas_behind, R, Reason::causal_wait},
    {"SELECT * FROM orders", Context::causal_replica_caught_up, R, Reason::causal_read},
    {"INSERT INTO orders VALUES (1)", Context::causal_replicas_behind, M, Reason::write},
    {"START TRANSACTION READ ONLY", Context::causal_replicas_behind, R, Reason::causal_wait},
    {"SELECT * FROM orders", Context::causal_replicas_far_behind, M, Reason::causal_replicas_behind},
};

TEST(RouterClassifyTest, StatementsRouteEndToEnd) {
  for (const EndToEndCase& c : cases) {
    SCOPED_TRACE(std::string("[") + name_of(c.context) + "] " + c.sql);
    Scenario s;
    s.rotation = 1;
    apply(c.context, s);
    s.statement = parser::classify(c.sql);
    s.digest_text = parser::digest(c.sql).text;
    const Route route = s.route();
    EXPECT_EQ(route.target, c.target) << ::testing::PrintToString(route);
    EXPECT_EQ(route.reason, c.reason) << ::testing::PrintToString(route);
    if (c.target == Target::replica) {
      EXPECT_EQ(route.replica, 1u);
    }
  }
}

TEST(RouterClassifyTest, ReportingUserRuleSendsItsReadsToReplicasEvenAfterAWrite) {
  Scenario s;
  s.rotation = 1;
  apply(Context::with_rules, s);
  s.user = "reporting";
  s.session.last_write = t0;
  s.statement = parser::classify("SELECT * FROM orders");
  const Route route = s.route();
  EXPECT_TRUE(goes_to_replica(route, 1, Reason::rule));
  EXPECT_EQ(route.rule, std::optional<std::size_t>(2));
}

TEST(RouterClassifyTest, TheEndToEndTableProducesEveryReason) {
  std::set<Reason> covered;
  for (const EndToEndCase& c : cases) covered.insert(c.reason);
  // causal_wait_timeout is the executor's, after a wait the router asked for ran out.
  covered.insert(Reason::causal_wait_timeout);
  for (Reason reason : all_reasons()) EXPECT_TRUE(covered.count(reason)) << to_string(reason);
}

}  // namespace
}  // namespace rwproxy::router
