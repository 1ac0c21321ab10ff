// RAII client connection (MariaDB Connector/C) with the few helpers the tests need. Failed queries
// throw QueryFailed, which gtest reports with the SQL and the server's error.
#pragma once

#include <mysql.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rwproxy::test {

using Row = std::vector<std::optional<std::string>>;  // nullopt = SQL NULL
using Rows = std::vector<Row>;

struct ConnectOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string user;
  std::string password;
  std::optional<std::string> database;
  bool multi_statements = false;
  bool local_infile = false;
  unsigned long max_allowed_packet = 0;  // 0 = the client library's default
  unsigned read_timeout_s = 60;
  // TLS: required when set (the connection fails rather than go on in clear text).
  struct Tls {
    std::string ca;                 // CA file to verify the server with ("": no verification)
    bool verify_server_name = false;  // the certificate must name the host connected to
    std::string certificate;        // a client certificate and its key (both or neither)
    std::string key;
  };
  std::optional<Tls> tls;
  // The authentication plugin the client starts with ("": the library's default,
  // mysql_native_password), e.g. "caching_sha2_password" as MySQL 8 connectors do.
  std::string default_auth;
};

struct MysqlError {
  unsigned code = 0;
  std::string sql_state;
  std::string message;
};
std::ostream& operator<<(std::ostream& out, const MysqlError& error);

class QueryFailed : public std::runtime_error {
 public:
  QueryFailed(std::string_view what_failed, MysqlError error);
  const MysqlError& error() const { return error_; }

 private:
  MysqlError error_;
};

struct ResultSet {
  bool has_rows = false;  // a result set (possibly empty), not an OK packet
  Rows rows;
  std::uint64_t affected_rows = 0;
};

struct MultiResult {
  std::vector<ResultSet> results;   // in order, up to the first error
  std::optional<MysqlError> error;  // the statement that failed, if one did
};

class MysqlConnection {
 public:
  explicit MysqlConnection(const ConnectOptions& options);  // see connected() / last_error()
  ~MysqlConnection();
  MysqlConnection(const MysqlConnection&) = delete;
  MysqlConnection& operator=(const MysqlConnection&) = delete;

  bool connected() const { return connected_; }
  MysqlError last_error() const;
  MYSQL* handle() { return mysql_; }
  // The TLS cipher of the connection; nullopt in clear text.
  std::optional<std::string> tls_cipher();

  Rows query(std::string_view sql);
  std::uint64_t execute(std::string_view sql);               // no rows expected; affected rows
  std::optional<std::string> scalar(std::string_view sql);   // exactly one row of one column
  MultiResult query_all(std::string_view sql);               // every result (multi-statements, CALL)
  // Success iff `sql` fails with `code`; the message says what happened instead.
  ::testing::AssertionResult expect_error(std::string_view sql, unsigned code);
  int server_id();

 private:
  ResultSet read_result();  // the current result of the last statement

  MYSQL* mysql_ = nullptr;
  bool connected_ = false;
};

// Rows of a stored result.
Rows fetch_rows(MYSQL_RES* result);

}  // namespace rwproxy::test
