// Statements from a plain file or a general query log (MariaDB and MySQL layouts).
#include "proxy/explain/statement_reader.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace rwproxy::explain {
namespace {

std::vector<StatementEntry> read_all(const std::string& text, bool* general_log = nullptr) {
  std::istringstream in(text);
  StatementReader reader(in);
  std::vector<StatementEntry> out;
  while (auto entry = reader.next()) out.push_back(*entry);
  if (general_log) *general_log = reader.general_log();
  return out;
}

TEST(ParseLogLine, MariaDbWithTime) {
  const auto line = parse_log_line("231123 23:13:55\t    12 Query\tSELECT 1");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->thread, 12u);
  EXPECT_EQ(line->command, "Query");
  EXPECT_EQ(line->argument, "SELECT 1");
}

TEST(ParseLogLine, MariaDbWithoutTime) {
  const auto line = parse_log_line("\t\t    7 Init DB\tshop");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->thread, 7u);
  EXPECT_EQ(line->command, "Init DB");
  EXPECT_EQ(line->argument, "shop");
}

TEST(ParseLogLine, MySqlTimestamp) {
  const auto line = parse_log_line("2023-11-23T23:13:55.123456Z\t   42 Execute\tSELECT * FROM t WHERE id=5\r");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->thread, 42u);
  EXPECT_EQ(line->command, "Execute");
  EXPECT_EQ(line->argument, "SELECT * FROM t WHERE id=5");
}

TEST(ParseLogLine, CommandWithoutArgument) {
  const auto line = parse_log_line("\t\t    7 Quit\t");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->command, "Quit");
  EXPECT_EQ(line->argument, "");
  EXPECT_TRUE(parse_log_line("\t\t    7 Quit"));
}

TEST(ParseLogLine, NotAnEntry) {
  EXPECT_FALSE(parse_log_line("SELECT 1"));
  EXPECT_FALSE(parse_log_line("WHERE id = 7"));
  EXPECT_FALSE(parse_log_line("Time\t\t    Id Command\tArgument"));
  EXPECT_FALSE(parse_log_line("Tcp port: 3306  Unix socket: /run/mysqld/mysqld.sock"));
  EXPECT_FALSE(parse_log_line("1 Query\tSELECT 1"));           // a thread id needs the time or tabs first
  EXPECT_FALSE(parse_log_line("231123 23:13:55 Query\tSELECT"));  // no tab after the time
  EXPECT_FALSE(parse_log_line("\t\t    x Query\tSELECT 1"));
  EXPECT_FALSE(parse_log_line("\t\t    7 query\tSELECT 1"));
  EXPECT_FALSE(parse_log_line(""));
}

TEST(ParseConnect, UserAndSchema) {
  auto c = parse_connect("app@10.0.0.5 on shop using TCP/IP");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user, "app");
  EXPECT_EQ(c->schema, "shop");
  c = parse_connect("root@localhost as anonymous on  using Socket");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user, "root");
  EXPECT_EQ(c->schema, "");
  c = parse_connect("app@localhost");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->schema, "");
  EXPECT_FALSE(parse_connect("Access denied for user 'app'@'localhost' (using password: YES)"));
}

TEST(StatementReader, PlainLinesSkipBlanksAndComments) {
  bool log = true;
  const auto entries = read_all("SELECT 1\n\n   \n-- a comment\n# another\n/* block */\n  INSERT INTO t VALUES (1);  \r\n"
                                "/* rwproxy:master */ SELECT 2",
                                &log);
  EXPECT_FALSE(log);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].text, "SELECT 1");
  EXPECT_EQ(entries[0].line, 1u);
  EXPECT_EQ(entries[1].text, "INSERT INTO t VALUES (1);");
  EXPECT_EQ(entries[1].line, 7u);
  EXPECT_EQ(entries[2].text, "/* rwproxy:master */ SELECT 2");
  for (const auto& e : entries) {
    EXPECT_EQ(e.kind, EntryKind::statement);
    EXPECT_EQ(e.thread, 0u);
  }
}

TEST(StatementReader, EmptyInput) {
  bool log = true;
  EXPECT_TRUE(read_all("", &log).empty());
  EXPECT_FALSE(log);
  EXPECT_TRUE(read_all("\n\n").empty());
}

const char* const kMariaDbLog =
    "/usr/sbin/mariadbd, Version: 10.11.6-MariaDB-log (MariaDB Server). started with:\n"
    "Tcp port: 3306  Unix socket: /run/mysqld/mysqld.sock\n"
    "Time\t\t    Id Command\tArgument\n"
    "231123 23:13:55\t    12 Connect\tapp@10.0.0.5 on shop using TCP/IP\n"
    "\t\t    12 Query\tSET NAMES utf8mb4\n"
    "\t\t    12 Query\tSELECT id, total\n"
    "FROM orders\n"
    "\n"
    "WHERE id = 7\n"
    "231123 23:13:56\t    12 Prepare\tSELECT * FROM orders WHERE id=?\n"
    "\t\t    12 Execute\tSELECT * FROM orders WHERE id=5\n"
    "\t\t    12 Close stmt\t\n"
    "\t\t    12 Statistics\t\n"
    "\t\t    12 Quit\t\n";

TEST(StatementReader, GeneralLog) {
  bool log = false;
  const auto entries = read_all(kMariaDbLog, &log);
  EXPECT_TRUE(log);
  ASSERT_EQ(entries.size(), 6u);
  EXPECT_EQ(entries[0].kind, EntryKind::connect);
  EXPECT_EQ(entries[0].text, "app@10.0.0.5 on shop using TCP/IP");
  EXPECT_EQ(entries[0].line, 4u);
  EXPECT_EQ(entries[1].kind, EntryKind::statement);
  EXPECT_EQ(entries[1].text, "SET NAMES utf8mb4");
  EXPECT_EQ(entries[2].text, "SELECT id, total\nFROM orders\n\nWHERE id = 7");
  EXPECT_EQ(entries[2].line, 6u);
  EXPECT_EQ(entries[3].text, "SELECT * FROM orders WHERE id=?");
  EXPECT_EQ(entries[3].line, 10u);
  EXPECT_EQ(entries[4].text, "SELECT * FROM orders WHERE id=5");
  EXPECT_EQ(entries[5].kind, EntryKind::quit);
  for (const auto& e : entries) EXPECT_EQ(e.thread, 12u);
}

TEST(StatementReader, ResetConnectionAndChangeUser) {
  const auto entries = read_all("2023-11-23T23:13:55.123456Z\t    8 Reset connection\t\n"
                                "2023-11-23T23:13:55.223456Z\t    8 Change user\tbatch@10.0.0.5 on shop\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].kind, EntryKind::reset_connection);
  EXPECT_EQ(entries[1].kind, EntryKind::change_user);
  EXPECT_EQ(entries[1].text, "batch@10.0.0.5 on shop");
}

TEST(StatementReader, EntriesCarryTheLogsTime) {
  bool log = false;
  const auto entries = read_all(kMariaDbLog, &log);
  ASSERT_EQ(entries.size(), 6u);
  ASSERT_TRUE(entries[1].time);  // no time of its own: the last one printed
  EXPECT_TRUE(entries[1].time->whole_seconds);
  EXPECT_EQ(entries[1].time->since_epoch, entries[0].time->since_epoch);
  EXPECT_EQ(entries[3].time->since_epoch - entries[0].time->since_epoch, std::chrono::seconds(1));
  EXPECT_EQ(entries[3].command, StatementCommand::prepare);
  EXPECT_EQ(entries[4].command, StatementCommand::execute);
  EXPECT_EQ(entries[1].command, StatementCommand::query);
  EXPECT_FALSE(read_all("SELECT 1\n").front().time);
}

TEST(StatementReader, GeneralLogWithoutHeader) {
  const auto entries = read_all("2023-11-23T23:13:55.123456Z\t    8 Query\tSELECT 1\n"
                                "2023-11-23T23:13:55.223456Z\t    8 Init DB\tshop \n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].text, "SELECT 1");
  EXPECT_EQ(entries[1].kind, EntryKind::init_db);
  EXPECT_EQ(entries[1].text, "shop");
}

}  // namespace
}  // namespace rwproxy::explain
