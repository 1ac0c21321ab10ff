// --explain: one line per statement, target<TAB>reason<TAB>rule<TAB>digest.
#include "proxy/explain/explain_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>

#include "tests/explain/explain_test_support.hpp"

namespace rwproxy::explain {
namespace {

using namespace test;

struct FileRun {
  std::string output;
  ExplainFileSummary summary;
};

FileRun run(const std::string& input, const router::RoutingPolicy& policy, const config::Config& config) {
  std::istringstream in(input);
  std::ostringstream out;
  FileRun result;
  result.summary = explain_file(in, out, policy, config);
  result.output = out.str();
  return result;
}

TEST(HealthySnapshot, EveryReplicaUpWithoutLag) {
  config::Config config = topology();
  config.backends[2].weight = 3;
  const router::ReplicaSnapshot snapshot = healthy_snapshot(config);
  ASSERT_EQ(snapshot.replicas.size(), 2u);
  EXPECT_EQ(snapshot.replicas[0].name, "replica1");
  EXPECT_EQ(snapshot.replicas[1].weight, 3u);
  for (const auto& r : snapshot.replicas) {
    EXPECT_TRUE(r.up);
    EXPECT_TRUE(r.lag_admitted);
    EXPECT_EQ(r.lag_ms, 0u);
  }
}

TEST(ExplainFile, PlainLines) {
  router::RoutingPolicy rules = policy();
  router::Rule reports = rule("reports_on_master", router::RuleRoute::master);
  reports.table = "daily_report";
  rules.rules = {reports};
  const FileRun r = run(
      "SELECT * FROM orders WHERE id = 1\n"
      "\n"
      "-- a comment line\n"
      "INSERT INTO orders (id) VALUES (2), (3);\n"
      "/* rwproxy:master */ SELECT 1\n"
      "SELECT SUM(total) FROM daily_report WHERE day = '2026-01-01'\n"
      "UPDATE daily_report SET total = 0\n"
      "EXPLAIN ROUTE SELECT name FROM products\n"
      "BEGIN\n",
      rules, topology());
  EXPECT_EQ(r.output,
            "replica\tread\t-\tSELECT * FROM orders WHERE id = ?\n"
            "master\twrite\t-\tINSERT INTO orders(id) VALUES (...)\n"
            "master\thint\t-\t/* rwproxy:master */ SELECT ?\n"
            "master\trule\treports_on_master\tSELECT SUM(total) FROM daily_report WHERE day = ?\n"
            "master\twrite\treports_on_master (overridden)\tUPDATE daily_report SET total = ?\n"
            "replica\tread\t-\tSELECT name FROM products\n"
            "master\ttransaction_control\t-\tBEGIN\n");
  EXPECT_FALSE(r.summary.general_log);
  EXPECT_EQ(r.summary.statements, 7u);
  EXPECT_EQ(r.summary.to_master, 5u);
  EXPECT_EQ(r.summary.to_replica, 2u);
  EXPECT_EQ(r.summary.errors, 0u);
}

TEST(ExplainFile, SessionIsFreshForEveryStatement) {
  // A write then a read: the read is not held on the master by the read-after-write window,
  // and BEGIN does not open a transaction for the next line.
  const FileRun r = run("BEGIN\nINSERT INTO t VALUES (1)\nSELECT * FROM t\n", policy(), topology());
  EXPECT_EQ(r.output,
            "master\ttransaction_control\t-\tBEGIN\n"
            "master\twrite\t-\tINSERT INTO t VALUES (...)\n"
            "replica\tread\t-\tSELECT * FROM t\n");
}

TEST(ExplainFile, GivenSnapshot) {
  router::RoutingPolicy p = policy();
  p.error_when_no_replica = true;
  router::ReplicaSnapshot down = replicas();
  down.replicas[0].up = false;
  down.replicas[1].up = false;
  std::istringstream in("SELECT 1\n");
  std::ostringstream out;
  const ExplainFileSummary summary = explain_file(in, out, p, topology(), down);
  EXPECT_EQ(out.str(), "error\tno_eligible_replica\t-\tSELECT ?\n");
  EXPECT_EQ(summary.errors, 1u);
}

TEST(ExplainFile, DigestKeepsToOneLine) {
  // The first comment stays in the digest; its tab and line break must not break the table.
  const FileRun r = run("\t\t    5 Query\t/* two\tcolumns\nand lines */ SELECT 1\n", policy(), topology());
  EXPECT_EQ(r.output, "replica\tread\t-\t/* two columns and lines */ SELECT ?\n");
}

TEST(ExplainFile, GeneralLogExcerpt) {
  config::Config config = topology();
  router::RoutingPolicy p = policy();
  router::Rule analytics = rule("analytics_on_master", router::RuleRoute::master);
  analytics.schema = "analytics";
  router::Rule batch = rule("batch_to_replica", router::RuleRoute::replica);
  batch.user = "batch";
  p.rules = {analytics, batch};
  const FileRun r = run(
      "/usr/sbin/mariadbd, Version: 10.11.6-MariaDB-log (MariaDB Server). started with:\n"
      "Tcp port: 3306  Unix socket: /run/mysqld/mysqld.sock\n"
      "Time\t\t    Id Command\tArgument\n"
      "231123 23:13:55\t    12 Connect\tapp@10.0.0.5 on shop using TCP/IP\n"
      "\t\t    12 Query\tSET NAMES utf8mb4\n"
      "\t\t    12 Query\tSELECT id, total\n"
      "FROM orders\n"
      "WHERE id = 7\n"
      "\t\t    13 Connect\treport@10.0.0.6 on analytics using TCP/IP\n"
      "231123 23:13:56\t    13 Query\tSELECT COUNT(*) FROM events\n"
      "\t\t    12 Prepare\tSELECT * FROM orders WHERE id=?\n"
      "\t\t    12 Execute\tSELECT * FROM orders WHERE id=5\n"
      "\t\t    12 Close stmt\t\n"
      "\t\t    13 Init DB\tshop\n"
      "\t\t    13 Query\tSELECT COUNT(*) FROM events\n"
      "\t\t    13 Query\tUSE analytics\n"
      "\t\t    13 Query\tSELECT COUNT(*) FROM events\n"
      "\t\t    14 Connect\tbatch@10.0.0.7 on shop using TCP/IP\n"
      "\t\t    14 Query\t/* rwproxy:master */ SELECT * FROM orders\n"
      "\t\t    12 Query\tUPDATE orders SET total = 0 WHERE id = 7\n"
      "\t\t    12 Quit\t\n",
      p, config);
  EXPECT_EQ(r.output,
            "master\tsession_state\t-\tSET NAMES utf8mb4\n"
            "replica\tread\t-\tSELECT id, total FROM orders WHERE id = ?\n"
            "master\trule\tanalytics_on_master\tSELECT COUNT(*) FROM events\n"
            "replica\tread\t-\tSELECT * FROM orders WHERE id = ?\n"
            "replica\tread\t-\tSELECT * FROM orders WHERE id = ?\n"
            "replica\tread\t-\tSELECT COUNT(*) FROM events\n"
            "master\tsession_state\t-\tUSE analytics\n"
            "master\trule\tanalytics_on_master\tSELECT COUNT(*) FROM events\n"
            // user batch has hints = false: its hint is ignored and its rule applies
            "replica\trule\tbatch_to_replica\t/* rwproxy:master */ SELECT * FROM orders\n"
            "master\twrite\t-\tUPDATE orders SET total = ? WHERE id = ?\n");
  EXPECT_TRUE(r.summary.general_log);
  EXPECT_EQ(r.summary.statements, 10u);
}

}  // namespace
}  // namespace rwproxy::explain
