// One scenario per Reason, and a check that the table leaves none out: adding a Reason without a
// scenario that produces it fails here.
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "tests/router/router_test_support.hpp"

namespace rwproxy::router {
namespace {

using namespace test;

struct ReasonCase {
  std::string name;
  std::function<void(Scenario&)> setup;
  Target target;
  Reason reason;
};

const std::vector<ReasonCase>& reason_cases() {
  static const std::vector<ReasonCase> cases = {
      {"plain read", [](Scenario&) {}, Target::replica, Reason::read},
      {"insert", [](Scenario& s) { s.statement = write_statement(); }, Target::master, Reason::write},
      {"for update", [](Scenario& s) { s.statement.locking_read = true; }, Target::master, Reason::locking_read},
      {"last_insert_id", [](Scenario& s) { s.statement.master_only_function = true; }, Target::master,
       Reason::master_only_function},
      {"into @v", [](Scenario& s) { s.statement.session.select_into = true; }, Target::master, Reason::select_into},
      {"reads @v", [](Scenario& s) { s.statement.reads_user_variable = true; }, Target::master, Reason::user_variable},
      {"set names", [](Scenario& s) { s.statement = statement_of_kind(StatementKind::set); }, Target::master,
       Reason::session_state},
      {"commit",
       [](Scenario& s) { s.statement = statement_of_kind(StatementKind::commit, TransactionEffect::commit); },
       Target::master, Reason::transaction_control},
      {"unknown", [](Scenario& s) { s.statement = StatementInfo{}; }, Target::master, Reason::unknown_statement},
      {"show warnings after replica",
       [](Scenario& s) {
         s.statement = statement_of_kind(StatementKind::show);
         s.statement.reads_diagnostics = true;
         s.session.last_replica = 1;
       },
       Target::replica, Reason::diagnostics},
      {"in transaction", [](Scenario& s) { s.session.in_transaction = true; }, Target::master,
       Reason::in_transaction},
      {"begin read only", [](Scenario& s) { s.statement = begin_read_only(); }, Target::replica,
       Reason::read_only_transaction},
      {"read after write", [](Scenario& s) { s.session.last_write = t0 - 1ms; }, Target::master,
       Reason::read_after_write_window},
      {"pinned", [](Scenario& s) { s.session.pinned = true; }, Target::master, Reason::session_pinned},
      {"temp table",
       [](Scenario& s) {
         s.temporary_tables = {"orders"};
         s.statement = read_statement({{"", "ORDERS"}});
       },
       Target::master, Reason::temp_table},
      {"master hint", [](Scenario& s) { s.statement.hint.target = parser::HintTarget::master; }, Target::master,
       Reason::hint},
      {"master rule", [](Scenario& s) { s.policy.rules = {rule("r", RuleRoute::master)}; }, Target::master,
       Reason::rule},
      {"no replicas, error mode",
       [](Scenario& s) {
         s.replicas = snapshot({});
         s.policy.error_when_no_replica = true;
       },
       Target::error, Reason::no_eligible_replica},
      {"all lagging", [](Scenario& s) { s.replicas = snapshot({lagging(replica("r0"), 9000)}); }, Target::master,
       Reason::replica_lag},
      {"causal, a replica has applied the write",
       [](Scenario& s) {
         s.policy.consistency = Consistency::causal;
         s.write_position = gtids("0-1-10");
         s.replicas = snapshot({applied(replica("r0"), "0-1-9"), applied(replica("r1"), "0-1-10")});
       },
       Target::replica, Reason::causal_read},
      {"causal, no replica known to have applied the write",
       [](Scenario& s) {
         s.policy.consistency = Consistency::causal;
         s.write_position = gtids("0-1-10");
       },
       Target::replica, Reason::causal_wait},
      {"causal, every replica further behind than a wait would last",
       [](Scenario& s) {
         s.policy.consistency = Consistency::causal;
         s.policy.max_replica_lag_ms = 5000;
         s.write_position = gtids("0-1-10");
         s.replicas = snapshot({with_lag(replica("r0"), 1200), with_lag(replica("r1"), 900)});
       },
       Target::master, Reason::causal_replicas_behind},
  };
  return cases;
}

TEST(RouterReasonCoverageTest, EachScenarioProducesItsReason) {
  for (const ReasonCase& c : reason_cases()) {
    SCOPED_TRACE(c.name);
    Scenario s;
    s.rotation = 1;
    c.setup(s);
    const Route route = s.route();
    EXPECT_EQ(route.target, c.target) << ::testing::PrintToString(route);
    EXPECT_EQ(route.reason, c.reason) << ::testing::PrintToString(route);
  }
}

TEST(RouterReasonCoverageTest, EveryReasonHasAScenario) {
  std::set<Reason> covered;
  for (const ReasonCase& c : reason_cases()) covered.insert(c.reason);
  covered.insert(Reason::causal_wait_timeout);  // the executor's, once a wait the router asked for ran out
  for (Reason reason : all_reasons()) EXPECT_TRUE(covered.count(reason)) << to_string(reason) << " has no scenario";
}

}  // namespace
}  // namespace rwproxy::router
