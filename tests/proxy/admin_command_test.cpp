// parse_admin_command: the admin interface's statements, and what it refuses.
#include "proxy/admin/admin_command.hpp"

#include <gtest/gtest.h>

namespace rwproxy::admin {
namespace {

TEST(AdminCommand, ShowCommandsAreCaseInsensitiveWithATrailingSemicolon) {
  EXPECT_EQ(parse_admin_command("show backends;").kind, CommandKind::show_backends);
  EXPECT_EQ(parse_admin_command("SHOW SESSIONS").kind, CommandKind::show_sessions);
  EXPECT_EQ(parse_admin_command("Show Processlist").kind, CommandKind::show_sessions);
  EXPECT_EQ(parse_admin_command("SHOW CONFIG").kind, CommandKind::show_config);
  EXPECT_EQ(parse_admin_command("show status").kind, CommandKind::show_status);
  EXPECT_EQ(parse_admin_command("help").kind, CommandKind::help);
  EXPECT_EQ(parse_admin_command("RELOAD CONFIG").kind, CommandKind::reload_config);
}

TEST(AdminCommand, DigestsWithALimitAndProxySqlsTableNames) {
  const AdminCommand limited = parse_admin_command("SHOW QUERY DIGESTS LIMIT 5");
  EXPECT_EQ(limited.kind, CommandKind::show_digests);
  EXPECT_EQ(limited.number, 5u);
  EXPECT_EQ(parse_admin_command("select * from stats_mysql_query_digest").kind, CommandKind::show_digests);
  const AdminCommand reset = parse_admin_command("SELECT * FROM stats_mysql_query_digest_reset");
  EXPECT_EQ(reset.kind, CommandKind::reset_digests);
  EXPECT_TRUE(reset.show_and_reset);
  const AdminCommand plain_reset = parse_admin_command("RESET QUERY DIGESTS");
  EXPECT_EQ(plain_reset.kind, CommandKind::reset_digests);
  EXPECT_FALSE(plain_reset.show_and_reset);
  EXPECT_EQ(parse_admin_command("SHOW QUERY DIGESTS LIMIT x").kind, CommandKind::invalid);
}

TEST(AdminCommand, ProxySqlTableNamesAnswerAsTheShowForms) {
  EXPECT_EQ(parse_admin_command("SELECT * FROM runtime_mysql_servers").kind, CommandKind::show_backends);
  EXPECT_EQ(parse_admin_command("select * from stats_mysql_connection_pool;").kind, CommandKind::show_backends);
  EXPECT_EQ(parse_admin_command("SELECT * FROM stats_mysql_processlist").kind, CommandKind::show_sessions);
  EXPECT_EQ(parse_admin_command("SELECT * FROM mysql_users").kind, CommandKind::invalid);
}

TEST(AdminCommand, BackendStatesWithPlainOrQuotedNames) {
  const AdminCommand drain = parse_admin_command("DRAIN BACKEND replica1");
  EXPECT_EQ(drain.kind, CommandKind::set_state);
  EXPECT_EQ(drain.name, "replica1");
  EXPECT_EQ(drain.state, "drain");
  const AdminCommand offline = parse_admin_command("offline backend `Replica-2`;");
  EXPECT_EQ(offline.state, "offline");
  EXPECT_EQ(offline.name, "Replica-2");
  EXPECT_EQ(parse_admin_command("ONLINE BACKEND 'r 3'").name, "r 3");
  EXPECT_EQ(parse_admin_command("DRAIN BACKEND").kind, CommandKind::invalid);
  EXPECT_EQ(parse_admin_command("DRAIN BACKEND 'unterminated").kind, CommandKind::invalid);
}

TEST(AdminCommand, WeightsWithOrWithoutEqualsWithinRange) {
  const AdminCommand w = parse_admin_command("SET BACKEND replica2 WEIGHT 3");
  EXPECT_EQ(w.kind, CommandKind::set_weight);
  EXPECT_EQ(w.name, "replica2");
  EXPECT_EQ(w.number, 3u);
  EXPECT_EQ(parse_admin_command("set backend replica2 weight = 0").number, 0u);
  EXPECT_EQ(parse_admin_command("SET BACKEND replica2 WEIGHT 1001").kind, CommandKind::invalid);
  EXPECT_EQ(parse_admin_command("SET BACKEND replica2 WEIGHT -1").kind, CommandKind::invalid);
  EXPECT_EQ(parse_admin_command("SET BACKEND replica2 LAG 3").kind, CommandKind::invalid);
}

TEST(AdminCommand, WhatClientLibrariesSendIsAnswered) {
  EXPECT_EQ(parse_admin_command("select @@version_comment limit 1").kind, CommandKind::version_comment);
  EXPECT_EQ(parse_admin_command("SET NAMES utf8mb4").kind, CommandKind::ignored_set);
  EXPECT_EQ(parse_admin_command("SET autocommit=1").kind, CommandKind::ignored_set);
}

TEST(AdminCommand, AnythingElseIsRefusedWithAReason) {
  for (const char* text : {"", ";", "SELECT @@server_id", "INSERT INTO t VALUES (1)", "SHOW DATABASES", "DROP TABLE x"}) {
    const AdminCommand c = parse_admin_command(text);
    EXPECT_EQ(c.kind, CommandKind::invalid) << text;
    EXPECT_FALSE(c.error.empty()) << text;
  }
}

}  // namespace
}  // namespace rwproxy::admin
