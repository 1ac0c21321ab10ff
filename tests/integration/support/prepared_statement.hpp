// RAII server-side prepared statement (COM_STMT_PREPARE / EXECUTE / FETCH / CLOSE).
#pragma once

#include <mysql.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tests/integration/support/mysql_connection.hpp"

namespace rwproxy::test {

// A parameter value: NULL, an integer, a string, or a DATE.
using Param = std::variant<std::nullptr_t, long long, std::string, MYSQL_TIME>;

MYSQL_TIME make_date(unsigned year, unsigned month, unsigned day);

class PreparedStatement {
 public:
  PreparedStatement(MysqlConnection& connection, std::string_view sql);  // throws QueryFailed
  ~PreparedStatement();
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;

  MYSQL_STMT* handle() { return stmt_; }
  MysqlError last_error() const;

  void use_read_only_cursor(unsigned long prefetch_rows);  // before execute()
  void execute(const std::vector<Param>& params = {});     // throws QueryFailed
  // The next row of the current result (nullopt at its end), each column converted to text by
  // the client library; throws QueryFailed.
  std::optional<Row> fetch_row_as_text();
  Rows fetch_all_as_text();
  // COM_STMT_CLOSE now (the destructor does it otherwise); throws QueryFailed.
  void close();

 private:
  struct TextColumn {
    std::string buffer = std::string(256, '\0');
    unsigned long length = 0;
    my_bool is_null = 0;
    my_bool truncated = 0;
  };
  void bind_text_result();
  std::string column_value(unsigned index);

  MYSQL_STMT* stmt_ = nullptr;
  std::vector<TextColumn> columns_;  // bound after each execute(), on the first fetch
  bool result_bound_ = false;
};

}  // namespace rwproxy::test
