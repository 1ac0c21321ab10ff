// --explain: one line per statement, target<TAB>reason<TAB>rule<TAB>thread<TAB>facts<TAB>digest,
// then the summary lines (# ...).
#include "proxy/explain/explain_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>

#include "tests/explain/explain_test_support.hpp"

namespace rwproxy::explain {
namespace {

using namespace test;

// The statement lines only.
std::string without_summary(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("#")) out += line + "\n";
  }
  return out;
}

struct FileRun {
  std::string output;
  ExplainFileSummary summary;
};

FileRun run(const std::string& input, const router::RoutingPolicy& policy, const config::Config& config) {
  std::istringstream in(input);
  std::ostringstream out;
  FileRun result;
  result.summary = explain_file(in, out, policy, config);
  result.output = without_summary(out.str());
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
  // One session, all at one instant: after the INSERT every read is inside the window unless
  // something of higher precedence decides; the EXPLAIN ROUTE line is explained, not run.
  EXPECT_EQ(r.output,
            "replica\tread\t-\t0\t-\tSELECT * FROM orders WHERE id = ?\n"
            "master\twrite\t-\t0\t-\tINSERT INTO orders(id) VALUES (...)\n"
            "master\thint\t-\t0\trecent_write=0ms\t/* rwproxy:master */ SELECT ?\n"
            "master\trule\treports_on_master\t0\trecent_write=0ms\tSELECT SUM(total) FROM daily_report WHERE day = ?\n"
            "master\twrite\treports_on_master (overridden)\t0\trecent_write=0ms\tUPDATE daily_report SET total = ?\n"
            "master\tread_after_write_window\t-\t0\texplain_route recent_write=0ms\tSELECT name FROM products\n"
            "master\ttransaction_control\t-\t0\trecent_write=0ms\tBEGIN\n");
  EXPECT_FALSE(r.summary.general_log);
  EXPECT_EQ(r.summary.statements, 6u);
  EXPECT_EQ(r.summary.to_master, 5u);
  EXPECT_EQ(r.summary.to_replica, 1u);
  EXPECT_EQ(r.summary.errors, 0u);
  EXPECT_EQ(r.summary.not_routed, 1u);
  EXPECT_EQ(r.summary.sessions, 1u);
}

TEST(ExplainFile, PlainFileIsOneSession) {
  // BEGIN opens a transaction for the lines after it.
  const FileRun r = run("BEGIN\nINSERT INTO t VALUES (1)\nSELECT * FROM t\n", policy(), topology());
  EXPECT_EQ(r.output,
            "master\ttransaction_control\t-\t0\t-\tBEGIN\n"
            "master\tin_transaction\t-\t0\tin_transaction\tINSERT INTO t VALUES (...)\n"
            "master\tin_transaction\t-\t0\tin_transaction\tSELECT * FROM t\n");
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
  EXPECT_EQ(out.str(),
            "error\tno_eligible_replica\t-\t0\t-\tSELECT ?\n"
            "# 1 statement(s) in 1 session(s); 1 read(s), 0 of them (0.0%) to a replica\n"
            "# error\tno_eligible_replica\t1\n");
  EXPECT_EQ(summary.errors, 1u);
}

TEST(ExplainFile, DigestKeepsToOneLine) {
  // The first comment stays in the digest; its tab and line break must not break the table.
  const FileRun r = run("\t\t    5 Query\t/* two\tcolumns\nand lines */ SELECT 1\n", policy(), topology());
  EXPECT_EQ(r.output, "replica\tread\t-\t5\t-\t/* two columns and lines */ SELECT ?\n");
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
            "master\tsession_state\t-\t12\t-\tSET NAMES utf8mb4\n"
            "replica\tread\t-\t12\t-\tSELECT id, total FROM orders WHERE id = ?\n"
            "master\trule\tanalytics_on_master\t13\t-\tSELECT COUNT(*) FROM events\n"
            "replica\tread\t-\t12\tcom_stmt_prepare\tSELECT * FROM orders WHERE id = ?\n"
            "replica\tread\t-\t12\tcom_stmt_execute\tSELECT * FROM orders WHERE id = ?\n"
            "master\tsession_state\t-\t13\t-\tInit DB shop\n"
            "replica\tread\t-\t13\t-\tSELECT COUNT(*) FROM events\n"
            "master\tsession_state\t-\t13\t-\tUSE analytics\n"
            "master\trule\tanalytics_on_master\t13\t-\tSELECT COUNT(*) FROM events\n"
            // user batch has hints = false: its hint is ignored and its rule applies
            "replica\trule\tbatch_to_replica\t14\t-\t/* rwproxy:master */ SELECT * FROM orders\n"
            "master\twrite\t-\t12\t-\tUPDATE orders SET total = ? WHERE id = ?\n");
  EXPECT_TRUE(r.summary.general_log);
  EXPECT_EQ(r.summary.statements, 11u);
  EXPECT_EQ(r.summary.sessions, 3u);
}

}  // namespace
}  // namespace rwproxy::explain
