// The server's replies as --explain models them: status flags, GTIDs, session-state changes.
#include "proxy/explain/server_model.hpp"

#include <gtest/gtest.h>

#include "parser/classifier.hpp"
#include "proxy/protocol/constants.hpp"

namespace rwproxy::explain {
namespace {

namespace status = protocol::server_status;

ServerModel::Reply run(ServerModel& server, std::string_view sql, bool tracking = true) {
  return server.run(parser::classify(sql), tracking);
}

bool in_transaction(const ServerModel::Reply& r) { return r.reply.status_flags & status::in_trans; }
bool autocommit(const ServerModel::Reply& r) { return r.reply.status_flags & status::autocommit; }

TEST(ServerModel, AutocommitWriteCommitsAtOnce) {
  ServerModel server;
  const auto r = run(server, "INSERT INTO t VALUES (1)");
  EXPECT_TRUE(r.committed_write);
  EXPECT_FALSE(in_transaction(r));
  EXPECT_TRUE(autocommit(r));
  EXPECT_FALSE(run(server, "SELECT * FROM t").committed_write);
}

TEST(ServerModel, TransactionCommitsItsWritesAtCommit) {
  ServerModel server;
  EXPECT_TRUE(in_transaction(run(server, "BEGIN")));
  const auto write = run(server, "UPDATE t SET v = 1");
  EXPECT_TRUE(in_transaction(write));
  EXPECT_FALSE(write.committed_write);
  const auto commit = run(server, "COMMIT");
  EXPECT_FALSE(in_transaction(commit));
  EXPECT_TRUE(commit.committed_write);
}

TEST(ServerModel, RollbackAndReadOnlyTransactionsCommitNothing) {
  ServerModel server;
  run(server, "START TRANSACTION");
  run(server, "DELETE FROM t");
  EXPECT_FALSE(run(server, "ROLLBACK").committed_write);
  run(server, "START TRANSACTION");
  run(server, "SELECT * FROM t");
  EXPECT_FALSE(run(server, "COMMIT").committed_write);
}

TEST(ServerModel, DdlCommitsTheOpenTransaction) {
  ServerModel server;
  run(server, "BEGIN");
  const auto ddl = run(server, "CREATE TABLE t2 (id INT)");
  EXPECT_FALSE(in_transaction(ddl));
  EXPECT_TRUE(ddl.committed_write);
}

TEST(ServerModel, AutocommitOffOpensATransactionAtTheFirstTable) {
  ServerModel server;
  const auto off = run(server, "SET autocommit = 0");
  EXPECT_FALSE(autocommit(off));
  EXPECT_FALSE(in_transaction(off));
  EXPECT_FALSE(in_transaction(run(server, "SELECT 1")));
  EXPECT_TRUE(in_transaction(run(server, "INSERT INTO t VALUES (1)")));
  const auto commit = run(server, "COMMIT");
  EXPECT_TRUE(commit.committed_write);
  EXPECT_FALSE(autocommit(commit));
  run(server, "UPDATE t SET v = 2");
  const auto on = run(server, "SET autocommit = 1");  // commits the open transaction
  EXPECT_TRUE(on.committed_write);
  EXPECT_TRUE(autocommit(on));
  EXPECT_FALSE(in_transaction(on));
}

TEST(ServerModel, StateChangeFlaggedOnlyForSessionChangesAmongSeveralStatements) {
  ServerModel server;
  EXPECT_TRUE(run(server, "SELECT 1; SET sql_mode = ''").reply.facts.state_changed);
  EXPECT_TRUE(run(server, "DO 1; USE other").reply.facts.state_changed);
  EXPECT_FALSE(run(server, "DO 1; USE other", false).reply.facts.state_changed);  // no session tracking
  EXPECT_FALSE(run(server, "SET sql_mode = ''").reply.facts.state_changed);       // its text explains it
  // MariaDB does not track user variables.
  EXPECT_FALSE(run(server, "SELECT @a := 1").reply.facts.state_changed);
  EXPECT_FALSE(run(server, "SELECT id INTO @v FROM t LIMIT 1").reply.facts.state_changed);
}

TEST(ServerModel, WhatWritesTheBinlog) {
  EXPECT_TRUE(writes_binlog(parser::classify("REPLACE INTO t VALUES (1)")));
  EXPECT_TRUE(writes_binlog(parser::classify("ALTER TABLE t ADD COLUMN c INT")));
  EXPECT_FALSE(writes_binlog(parser::classify("CREATE TEMPORARY TABLE tmp (id INT)")));
  EXPECT_FALSE(writes_binlog(parser::classify("SELECT * FROM t FOR UPDATE")));
  EXPECT_FALSE(writes_binlog(parser::classify("SET NAMES utf8mb4")));
}

TEST(GtidSequence, OneMasterDomainInCommitOrder) {
  GtidSequence gtids;
  EXPECT_EQ(gtids.next(), "0-1-1");
  EXPECT_EQ(gtids.next(), "0-1-2");
}

}  // namespace
}  // namespace rwproxy::explain
