// rwproxy between libmysqlclient and a real MariaDB master: everything a client does must come
// back exactly as the master answered it, and be served by the master (server_id 1).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <string>

#include "tests/integration/support/environment.hpp"
#include "tests/integration/support/mysql_connection.hpp"
#include "tests/integration/support/prepared_statement.hpp"
#include "tests/integration/support/proxy_test.hpp"

namespace rwproxy::test {
namespace {

using std::nullopt;

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// Bytes of every value (zeros, quotes, backslashes included), the same for the same seed.
std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 engine(seed);
  std::string bytes(size, '\0');
  for (char& byte : bytes) byte = static_cast<char>(engine() & 0xff);
  return bytes;
}

::testing::AssertionResult same_bytes(const std::optional<std::string>& actual, const std::string& expected) {
  if (!actual) return ::testing::AssertionFailure() << "got NULL";
  if (actual->size() != expected.size()) {
    return ::testing::AssertionFailure() << "got " << actual->size() << " bytes, expected " << expected.size();
  }
  const auto diff = std::mismatch(actual->begin(), actual->end(), expected.begin());
  if (diff.first != actual->end()) {
    return ::testing::AssertionFailure() << "first difference at byte " << (diff.first - actual->begin());
  }
  return ::testing::AssertionSuccess();
}

class ProxyHopTest : public ProxyTest {
 protected:
  // The admin account too: unlike the app user it can tell an unknown database from a forbidden one.
  ProxySettings proxy_settings() override {
    ProxySettings settings = ProxyTest::proxy_settings();
    settings.users_toml = users_with_passwords();
    return settings;
  }

  std::unique_ptr<MysqlConnection> connect_app_db(ConnectOptions options) {
    options.database = topology_.app_db;
    return connect(options);
  }
  std::unique_ptr<MysqlConnection> connect_app_db() { return connect_app_db(app_options()); }

  void recreate_table(MysqlConnection& connection, const std::string& name, const std::string& columns) {
    connection.execute("DROP TABLE IF EXISTS " + name);
    connection.execute("CREATE TABLE " + name + " (" + columns + ")");
  }
};

TEST_F(ProxyHopTest, RowsWrittenAndReadThroughTheProxyLiveOnTheMaster) {
  auto connection = connect_app_db();
  EXPECT_EQ(connection->server_id(), master_server_id);
  recreate_table(*connection, "hop_rows", "id INT PRIMARY KEY, name VARCHAR(32) NOT NULL, note TEXT NULL");
  EXPECT_EQ(connection->execute("INSERT INTO hop_rows VALUES (1, 'one', NULL), (2, 'two', 'x'), (3, 'three', '')"),
            3u);

  const Rows expected{{"1", "one", nullopt}, {"2", "two", "x"}, {"3", "three", ""}};
  const std::string select = "SELECT id, name, note FROM hop_rows ORDER BY id";
  EXPECT_EQ(connection->query(select), expected);
  auto master = connect(master_options(topology_.app_db));
  EXPECT_EQ(master->query(select), expected);
  EXPECT_EQ(connection->query("SELECT @@server_id, COUNT(*) FROM hop_rows"), (Rows{{"1", "3"}}));
}

TEST_F(ProxyHopTest, ServerErrorsPassThroughAndTheConnectionGoesOn) {
  auto connection = connect_app_db();
  EXPECT_TRUE(connection->expect_error("SELECT * FROM hop_no_such_table", 1146));
  EXPECT_EQ(connection->last_error().sql_state, "42S02");
  EXPECT_EQ(connection->last_error().message, "Table '" + topology_.app_db + ".hop_no_such_table' doesn't exist");
  EXPECT_EQ(connection->server_id(), master_server_id);

  EXPECT_TRUE(connection->expect_error("SELEC 1", 1064));
  EXPECT_EQ(connection->last_error().sql_state, "42000");
  EXPECT_TRUE(contains(connection->last_error().message, "You have an error in your SQL syntax"))
      << connection->last_error();
  EXPECT_EQ(connection->query("SELECT 'still here', @@server_id"), (Rows{{"still here", "1"}}));
}

TEST_F(ProxyHopTest, UseAndInitDbChangeTheDefaultDatabase) {
  auto connection = connect(app_options());
  EXPECT_EQ(connection->scalar("SELECT DATABASE()"), nullopt);

  connection->execute("USE " + topology_.app_db);
  EXPECT_EQ(connection->scalar("SELECT DATABASE()"), topology_.app_db);

  ASSERT_EQ(mysql_select_db(connection->handle(), "sbtest"), 0) << connection->last_error();  // COM_INIT_DB
  EXPECT_EQ(connection->scalar("SELECT DATABASE()"), "sbtest");

  // The app user has no rights there: the master answers "access denied" before "unknown".
  EXPECT_NE(mysql_select_db(connection->handle(), "hop_no_such_db"), 0);
  EXPECT_EQ(connection->last_error().code, 1044u) << connection->last_error();
  EXPECT_EQ(connection->scalar("SELECT DATABASE()"), "sbtest");
  EXPECT_EQ(connection->server_id(), master_server_id);
}

TEST_F(ProxyHopTest, ConnectsWithADefaultDatabase) {
  auto connection = connect_app_db();
  EXPECT_EQ(connection->query("SELECT DATABASE(), @@server_id"), (Rows{{topology_.app_db, "1"}}));

  ConnectOptions unknown_db = app_options("hop_no_such_db");
  unknown_db.user = topology_.admin.user;  // has global rights, so the master says "unknown database"
  unknown_db.password = topology_.admin.password;
  MysqlConnection refused(unknown_db);
  EXPECT_FALSE(refused.connected());
  EXPECT_EQ(refused.last_error().code, 1049u) << refused.last_error();
  EXPECT_EQ(refused.last_error().message, "Unknown database 'hop_no_such_db'");

  MysqlConnection denied(app_options("hop_no_such_db"));
  EXPECT_FALSE(denied.connected());
  EXPECT_EQ(denied.last_error().code, 1044u) << denied.last_error();
  expect_proxy_serves();
}

TEST_F(ProxyHopTest, MultiStatementsReturnEveryResult) {
  ConnectOptions options = app_options();
  options.multi_statements = true;
  auto connection = connect_app_db(options);
  recreate_table(*connection, "hop_multi", "id INT PRIMARY KEY");

  MultiResult all = connection->query_all(
      "SELECT 1 AS a; INSERT INTO hop_multi VALUES (1), (2); "
      "SELECT @@server_id, COUNT(*) FROM hop_multi; SELECT 'last'");
  ASSERT_FALSE(all.error) << *all.error;
  ASSERT_EQ(all.results.size(), 4u);
  EXPECT_TRUE(all.results[0].has_rows);
  EXPECT_EQ(all.results[0].rows, (Rows{{"1"}}));
  EXPECT_FALSE(all.results[1].has_rows);
  EXPECT_EQ(all.results[1].affected_rows, 2u);
  EXPECT_EQ(all.results[2].rows, (Rows{{"1", "2"}}));
  EXPECT_EQ(all.results[3].rows, (Rows{{"last"}}));

  // An error stops the batch; what came before it is delivered, and the connection goes on.
  all = connection->query_all("SELECT 1; SELECT * FROM hop_no_such_table; SELECT 3");
  ASSERT_TRUE(all.error);
  EXPECT_EQ(all.error->code, 1146u);
  ASSERT_EQ(all.results.size(), 1u);
  EXPECT_EQ(all.results[0].rows, (Rows{{"1"}}));
  EXPECT_EQ(connection->server_id(), master_server_id);
}

TEST_F(ProxyHopTest, CallReturnsTwoResultSetsAndAFinalOk) {
  auto connection = connect_app_db();
  connection->execute("DROP PROCEDURE IF EXISTS hop_two_results");
  connection->execute(
      "CREATE PROCEDURE hop_two_results(IN n INT) BEGIN "
      "SELECT n AS a, n * 2 AS b; SELECT 'second' AS c, @@server_id AS server; END");

  MultiResult all = connection->query_all("CALL hop_two_results(21)");
  ASSERT_FALSE(all.error) << *all.error;
  ASSERT_EQ(all.results.size(), 3u);
  EXPECT_EQ(all.results[0].rows, (Rows{{"21", "42"}}));
  EXPECT_EQ(all.results[1].rows, (Rows{{"second", "1"}}));
  EXPECT_FALSE(all.results[2].has_rows);  // the CALL's own OK
  EXPECT_EQ(connection->query("SELECT 'after call'"), (Rows{{"after call"}}));
}

TEST_F(ProxyHopTest, ThirtyTwoMebibyteBlobsRoundTripIntact) {
  constexpr std::size_t blob_size = 32 * 1024 * 1024;
  constexpr std::size_t piece = 1024 * 1024;
  ConnectOptions options = app_options();
  options.max_allowed_packet = 128 * 1024 * 1024;
  auto connection = connect_app_db(options);
  recreate_table(*connection, "hop_blob", "id INT PRIMARY KEY, data LONGBLOB NOT NULL");
  const std::string sent_in_pieces = random_bytes(blob_size, 1);
  const std::string sent_in_one_query = random_bytes(blob_size, 2);

  {  // Row 1: COM_STMT_SEND_LONG_DATA in 1 MiB pieces, then COM_STMT_EXECUTE.
    PreparedStatement insert(*connection, "INSERT INTO hop_blob VALUES (1, ?)");
    MYSQL_BIND bind{};
    bind.buffer_type = MYSQL_TYPE_LONG_BLOB;
    ASSERT_EQ(mysql_stmt_bind_param(insert.handle(), &bind), 0) << insert.last_error();
    for (std::size_t offset = 0; offset < blob_size; offset += piece) {
      ASSERT_EQ(mysql_stmt_send_long_data(insert.handle(), 0, sent_in_pieces.data() + offset, piece), 0)
          << insert.last_error();
    }
    ASSERT_EQ(mysql_stmt_execute(insert.handle()), 0) << insert.last_error();
    EXPECT_EQ(mysql_stmt_affected_rows(insert.handle()), 1u);
  }
  {  // Row 2: one COM_QUERY of ~33 MiB, i.e. several 16 MiB frames from the client.
    std::string escaped(2 * blob_size + 1, '\0');
    escaped.resize(mysql_real_escape_string(connection->handle(), escaped.data(), sent_in_one_query.data(),
                                            sent_in_one_query.size()));
    EXPECT_EQ(connection->execute("INSERT INTO hop_blob VALUES (2, '" + escaped + "')"), 1u);
  }

  // Text protocol: each row is a >16 MiB packet from the server.
  Rows rows = connection->query("SELECT id, data FROM hop_blob ORDER BY id");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(same_bytes(rows[0][1], sent_in_pieces));
  EXPECT_TRUE(same_bytes(rows[1][1], sent_in_one_query));
  rows.clear();

  // Binary protocol.
  PreparedStatement select(*connection, "SELECT data FROM hop_blob WHERE id = ?");
  select.execute({2LL});
  Rows binary_rows = select.fetch_all_as_text();
  ASSERT_EQ(binary_rows.size(), 1u);
  EXPECT_TRUE(same_bytes(binary_rows[0][0], sent_in_one_query));

  // What the master stored, asked directly.
  auto master = connect(master_options(topology_.app_db));
  EXPECT_EQ(master->query("SELECT id, LENGTH(data) FROM hop_blob ORDER BY id"),
            (Rows{{"1", std::to_string(blob_size)}, {"2", std::to_string(blob_size)}}));
  EXPECT_EQ(connection->server_id(), master_server_id);
}

TEST_F(ProxyHopTest, HundredThousandRowsStoredAndStreamed) {
  constexpr long long row_count = 100000;
  auto connection = connect_app_db();

  const Rows rows = connection->query("SELECT seq FROM seq_1_to_100000");
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(row_count));
  for (long long i = 0; i < row_count; ++i) {
    ASSERT_EQ(rows[i][0], std::to_string(i + 1)) << "row " << i;
  }

  // mysql_use_result: rows are read from the socket while the proxy is still relaying them.
  ASSERT_EQ(mysql_query(connection->handle(), "SELECT seq, REPEAT('x', 100) FROM seq_1_to_100000"), 0)
      << connection->last_error();
  MYSQL_RES* result = mysql_use_result(connection->handle());
  ASSERT_NE(result, nullptr) << connection->last_error();
  long long count = 0;
  long long sum = 0;
  bool padding_intact = true;
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    ++count;
    sum += std::stoll(row[0]);
    padding_intact = padding_intact && std::string(row[1]) == std::string(100, 'x');
  }
  EXPECT_EQ(mysql_errno(connection->handle()), 0u) << connection->last_error();
  mysql_free_result(result);
  EXPECT_EQ(count, row_count);
  EXPECT_EQ(sum, row_count * (row_count + 1) / 2);
  EXPECT_TRUE(padding_intact);
  EXPECT_EQ(connection->server_id(), master_server_id);
}

TEST_F(ProxyHopTest, PreparedStatementsWithParametersAreReusable) {
  auto connection = connect_app_db();
  recreate_table(*connection, "hop_ps",
                 "id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, born DATE NULL, note VARCHAR(20) NULL");
  {
    PreparedStatement insert(*connection, "INSERT INTO hop_ps VALUES (?, ?, ?, ?)");
    insert.execute({1LL, std::string("ada"), make_date(1815, 12, 10), nullptr});
    EXPECT_EQ(mysql_stmt_affected_rows(insert.handle()), 1u);
    insert.execute({2LL, std::string("grace"), make_date(1906, 12, 9), std::string("cobol")});
    insert.execute({3LL, std::string("edsger"), nullptr, std::string("")});
    insert.close();
  }

  PreparedStatement select(*connection,
                           "SELECT id, name, born, note, @@server_id FROM hop_ps WHERE id >= ? ORDER BY id");
  select.execute({2LL});
  EXPECT_EQ(select.fetch_all_as_text(),
            (Rows{{"2", "grace", "1906-12-09", "cobol", "1"}, {"3", "edsger", nullopt, "", "1"}}));
  select.execute({1LL});
  EXPECT_EQ(select.fetch_all_as_text(), (Rows{{"1", "ada", "1815-12-10", nullopt, "1"},
                                              {"2", "grace", "1906-12-09", "cobol", "1"},
                                              {"3", "edsger", nullopt, "", "1"}}));

  // Typed results: binary-protocol integers and dates as the client library decodes them.
  PreparedStatement typed(*connection, "SELECT id, born, note FROM hop_ps WHERE id = ?");
  typed.execute({1LL});
  int id = 0;
  MYSQL_TIME born{};
  my_bool note_is_null = 0;
  char note[8];
  MYSQL_BIND result[3]{};
  result[0].buffer_type = MYSQL_TYPE_LONG;
  result[0].buffer = &id;
  result[1].buffer_type = MYSQL_TYPE_DATE;
  result[1].buffer = &born;
  result[2].buffer_type = MYSQL_TYPE_STRING;
  result[2].buffer = note;
  result[2].buffer_length = sizeof note;
  result[2].is_null = &note_is_null;
  ASSERT_EQ(mysql_stmt_bind_result(typed.handle(), result), 0) << typed.last_error();
  ASSERT_EQ(mysql_stmt_fetch(typed.handle()), 0) << typed.last_error();
  EXPECT_EQ(id, 1);
  EXPECT_EQ(born.year, 1815u);
  EXPECT_EQ(born.month, 12u);
  EXPECT_EQ(born.day, 10u);
  EXPECT_TRUE(note_is_null);
  EXPECT_EQ(mysql_stmt_fetch(typed.handle()), MYSQL_NO_DATA);
  typed.close();

  try {
    PreparedStatement missing(*connection, "SELECT * FROM hop_no_such_table WHERE id = ?");
    ADD_FAILURE() << "preparing against a missing table succeeded";
  } catch (const QueryFailed& failed) {
    EXPECT_EQ(failed.error().code, 1146u) << failed.what();
  }
  EXPECT_EQ(connection->server_id(), master_server_id);
}

TEST_F(ProxyHopTest, PreparedStatementWithAReadOnlyCursorFetchesInBatches) {
  auto connection = connect_app_db();
  PreparedStatement cursor(*connection, "SELECT seq, seq * 2 FROM seq_1_to_1000 WHERE seq > ?");
  cursor.use_read_only_cursor(100);
  cursor.execute({0LL});

  auto first = cursor.fetch_row_as_text();
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, (Row{"1", "2"}));
  // With an open cursor the connection is free for other commands between COM_STMT_FETCHes
  // (without one, this query would fail with "commands out of sync").
  EXPECT_EQ(connection->server_id(), master_server_id);
  Rows rest = cursor.fetch_all_as_text();
  ASSERT_EQ(rest.size(), 999u);
  for (std::size_t i = 0; i < rest.size(); ++i) {
    ASSERT_EQ(rest[i], (Row{std::to_string(i + 2), std::to_string(2 * (i + 2))})) << "row " << i + 1;
  }

  cursor.execute({990LL});  // the same statement, a new cursor
  Rows tail = cursor.fetch_all_as_text();
  ASSERT_EQ(tail.size(), 10u);
  EXPECT_EQ(tail.front(), (Row{"991", "1982"}));
  EXPECT_EQ(tail.back(), (Row{"1000", "2000"}));
  cursor.close();
  EXPECT_EQ(connection->server_id(), master_server_id);
}

TEST_F(ProxyHopTest, LoadDataLocalInfile) {
  constexpr int row_count = 5000;
  const auto path = artifact_path(current_test_name() + ".tsv");
  {
    std::ofstream file(path);
    for (int id = 1; id <= row_count; ++id) file << id << "\tname-" << id << "\n";
  }
  ConnectOptions options = app_options();
  options.local_infile = true;
  auto connection = connect_app_db(options);
  recreate_table(*connection, "hop_infile", "id INT PRIMARY KEY, name VARCHAR(32) NOT NULL");

  EXPECT_EQ(connection->execute("LOAD DATA LOCAL INFILE '" + path.string() + "' INTO TABLE hop_infile (id, name)"),
            static_cast<std::uint64_t>(row_count));
  EXPECT_EQ(connection->query("SELECT COUNT(*), SUM(id), @@server_id FROM hop_infile"),
            (Rows{{"5000", "12502500", "1"}}));
  EXPECT_EQ(connection->scalar("SELECT name FROM hop_infile WHERE id = 4321"), "name-4321");

  // A file the client cannot open: the client reports it (errno 2) after sending the server an
  // empty file, and the conversation must still be in step afterwards.
  EXPECT_TRUE(connection->expect_error("LOAD DATA LOCAL INFILE '/nonexistent/hop_missing.tsv' INTO TABLE hop_infile",
                                       2));
  EXPECT_TRUE(contains(connection->last_error().message, "not found")) << connection->last_error();
  EXPECT_EQ(connection->query("SELECT COUNT(*), @@server_id FROM hop_infile"), (Rows{{"5000", "1"}}));
}

TEST_F(ProxyHopTest, PasswordsAreChecked) {
  ConnectOptions wrong_password = app_options();
  wrong_password.password = "not-the-password";
  MysqlConnection refused(wrong_password);
  EXPECT_FALSE(refused.connected());
  EXPECT_EQ(refused.last_error().code, 1045u) << refused.last_error();
  EXPECT_TRUE(contains(refused.last_error().message, "Access denied for user '" + topology_.app.user + "'"))
      << refused.last_error();

  ConnectOptions unknown_user = app_options();
  unknown_user.user = "hop_nobody";
  MysqlConnection stranger(unknown_user);
  EXPECT_FALSE(stranger.connected());
  EXPECT_EQ(stranger.last_error().code, 1045u) << stranger.last_error();

  auto connection = connect(app_options());
  EXPECT_EQ(connection->query("SELECT CURRENT_USER(), @@server_id"), (Rows{{topology_.app.user + "@%", "1"}}));
}

TEST_F(ProxyHopTest, PingChangeUserResetConnectionAndStat) {
  auto connection = connect_app_db();
  MYSQL* mysql = connection->handle();
  EXPECT_EQ(mysql_ping(mysql), 0) << connection->last_error();

  connection->execute("SET @hop_var = 42");
  connection->execute("CREATE TEMPORARY TABLE hop_temp (id INT)");
  ASSERT_EQ(mysql_change_user(mysql, topology_.app.user.c_str(), topology_.app.password.c_str(), "sbtest"), 0)
      << connection->last_error();
  EXPECT_EQ(connection->query("SELECT DATABASE(), CURRENT_USER(), @@server_id"),
            (Rows{{"sbtest", topology_.app.user + "@%", "1"}}));
  EXPECT_EQ(connection->scalar("SELECT @hop_var"), nullopt);  // a new session on the master
  EXPECT_TRUE(connection->expect_error("SELECT * FROM " + topology_.app_db + ".hop_temp", 1146));

  connection->execute("SET @hop_var = 7");
  connection->execute("CREATE TEMPORARY TABLE hop_temp (id INT)");
  ASSERT_EQ(mysql_reset_connection(mysql), 0) << connection->last_error();
  EXPECT_EQ(connection->scalar("SELECT @hop_var"), nullopt);
  EXPECT_TRUE(connection->expect_error("SELECT * FROM hop_temp", 1146));
  EXPECT_EQ(connection->query("SELECT DATABASE(), @@server_id"), (Rows{{"sbtest", "1"}}));

  const char* stat = mysql_stat(mysql);
  ASSERT_NE(stat, nullptr) << connection->last_error();
  EXPECT_TRUE(contains(stat, "Uptime: ")) << stat;
  EXPECT_TRUE(contains(stat, "Threads: ")) << stat;
  EXPECT_EQ(mysql_ping(mysql), 0) << connection->last_error();
  EXPECT_EQ(connection->server_id(), master_server_id);

  EXPECT_NE(mysql_change_user(mysql, topology_.app.user.c_str(), "not-the-password", nullptr), 0);
  EXPECT_EQ(connection->last_error().code, 1045u) << connection->last_error();
  expect_proxy_serves();
}

// A config user with only its mysql.user-style hash: the proxy recovers SHA1(password) from the
// client's scramble and must still log in to the master as that user.
class HashedPasswordTest : public ProxyTest {
 protected:
  ProxySettings proxy_settings() override {
    auto master = connect(master_options());
    const auto hash = master->scalar("SELECT PASSWORD('" + topology_.app.password + "')");
    if (!hash || hash->size() != 41 || hash->front() != '*') throw std::runtime_error("unexpected PASSWORD() result");
    ProxySettings settings = ProxyTest::proxy_settings();
    settings.users_toml = "[[users]]\nname = \"" + topology_.app.user + "\"\npassword_hash = \"" + *hash + "\"\n";
    return settings;
  }
};

TEST_F(HashedPasswordTest, UserConfiguredByHashReachesTheMaster) {
  auto connection = connect(app_options(topology_.app_db));
  EXPECT_EQ(connection->query("SELECT CURRENT_USER(), @@server_id"), (Rows{{topology_.app.user + "@%", "1"}}));

  ASSERT_EQ(mysql_change_user(connection->handle(), topology_.app.user.c_str(), topology_.app.password.c_str(),
                              "sbtest"),
            0)
      << connection->last_error();
  EXPECT_EQ(connection->query("SELECT DATABASE(), @@server_id"), (Rows{{"sbtest", "1"}}));

  ConnectOptions wrong_password = app_options();
  wrong_password.password = "not-the-password";
  MysqlConnection refused(wrong_password);
  EXPECT_FALSE(refused.connected());
  EXPECT_EQ(refused.last_error().code, 1045u) << refused.last_error();
}

}  // namespace
}  // namespace rwproxy::test
