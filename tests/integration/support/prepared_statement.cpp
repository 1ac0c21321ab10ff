#include "tests/integration/support/prepared_statement.hpp"

#include <memory>

namespace rwproxy::test {
namespace {

MYSQL_BIND bind_param(const Param& param, unsigned long& length) {
  MYSQL_BIND bind{};
  if (std::holds_alternative<std::nullptr_t>(param)) {
    bind.buffer_type = MYSQL_TYPE_NULL;
  } else if (auto* number = std::get_if<long long>(&param)) {
    bind.buffer_type = MYSQL_TYPE_LONGLONG;
    bind.buffer = const_cast<long long*>(number);
  } else if (auto* text = std::get_if<std::string>(&param)) {
    length = text->size();
    bind.buffer_type = MYSQL_TYPE_STRING;
    bind.buffer = const_cast<char*>(text->data());
    bind.buffer_length = length;
    bind.length = &length;
  } else {
    bind.buffer_type = MYSQL_TYPE_DATE;
    bind.buffer = const_cast<MYSQL_TIME*>(&std::get<MYSQL_TIME>(param));
  }
  return bind;
}

}  // namespace

MYSQL_TIME make_date(unsigned year, unsigned month, unsigned day) {
  MYSQL_TIME date{};
  date.year = year;
  date.month = month;
  date.day = day;
  date.time_type = MYSQL_TIMESTAMP_DATE;
  return date;
}

PreparedStatement::PreparedStatement(MysqlConnection& connection, std::string_view sql)
    : stmt_(mysql_stmt_init(connection.handle())) {
  if (stmt_ == nullptr) throw QueryFailed("mysql_stmt_init", connection.last_error());
  if (mysql_stmt_prepare(stmt_, sql.data(), sql.size()) != 0) {
    MysqlError error = last_error();
    mysql_stmt_close(stmt_);
    stmt_ = nullptr;
    throw QueryFailed("prepare " + std::string(sql), error);
  }
}

PreparedStatement::~PreparedStatement() {
  if (stmt_ != nullptr) mysql_stmt_close(stmt_);
}

MysqlError PreparedStatement::last_error() const {
  return {mysql_stmt_errno(stmt_), mysql_stmt_sqlstate(stmt_), mysql_stmt_error(stmt_)};
}

void PreparedStatement::use_read_only_cursor(unsigned long prefetch_rows) {
  unsigned long cursor = CURSOR_TYPE_READ_ONLY;
  if (mysql_stmt_attr_set(stmt_, STMT_ATTR_CURSOR_TYPE, &cursor) != 0 ||
      mysql_stmt_attr_set(stmt_, STMT_ATTR_PREFETCH_ROWS, &prefetch_rows) != 0) {
    throw QueryFailed("mysql_stmt_attr_set", last_error());
  }
}

void PreparedStatement::execute(const std::vector<Param>& params) {
  if (params.size() != mysql_stmt_param_count(stmt_)) {
    throw std::runtime_error("statement takes " + std::to_string(mysql_stmt_param_count(stmt_)) +
                             " parameter(s), given " + std::to_string(params.size()));
  }
  std::vector<unsigned long> lengths(params.size());
  std::vector<MYSQL_BIND> binds;
  for (std::size_t i = 0; i < params.size(); ++i) binds.push_back(bind_param(params[i], lengths[i]));
  if (!binds.empty() && mysql_stmt_bind_param(stmt_, binds.data()) != 0) {
    throw QueryFailed("mysql_stmt_bind_param", last_error());
  }
  if (mysql_stmt_execute(stmt_) != 0) throw QueryFailed("mysql_stmt_execute", last_error());
  result_bound_ = false;
}

void PreparedStatement::bind_text_result() {
  std::unique_ptr<MYSQL_RES, decltype(&mysql_free_result)> metadata(mysql_stmt_result_metadata(stmt_),
                                                                     &mysql_free_result);
  if (!metadata) throw std::runtime_error("the statement has no result set");
  columns_.assign(mysql_num_fields(metadata.get()), TextColumn{});
  std::vector<MYSQL_BIND> binds;
  for (TextColumn& column : columns_) {
    MYSQL_BIND& bind = binds.emplace_back();
    bind.buffer_type = MYSQL_TYPE_STRING;
    bind.buffer = column.buffer.data();
    bind.buffer_length = column.buffer.size();
    bind.length = &column.length;
    bind.is_null = &column.is_null;
    bind.error = &column.truncated;
  }
  if (mysql_stmt_bind_result(stmt_, binds.data()) != 0) throw QueryFailed("mysql_stmt_bind_result", last_error());
  result_bound_ = true;
}

std::string PreparedStatement::column_value(unsigned index) {
  const TextColumn& column = columns_[index];
  if (column.length <= column.buffer.size()) return column.buffer.substr(0, column.length);
  std::string value(column.length, '\0');  // MYSQL_DATA_TRUNCATED: fetch the whole column
  MYSQL_BIND whole{};
  whole.buffer_type = MYSQL_TYPE_STRING;
  whole.buffer = value.data();
  whole.buffer_length = value.size();
  if (mysql_stmt_fetch_column(stmt_, &whole, index, 0) != 0) throw QueryFailed("mysql_stmt_fetch_column", last_error());
  return value;
}

std::optional<Row> PreparedStatement::fetch_row_as_text() {
  if (!result_bound_) bind_text_result();
  const int status = mysql_stmt_fetch(stmt_);
  if (status == MYSQL_NO_DATA) return std::nullopt;
  if (status == 1) throw QueryFailed("mysql_stmt_fetch", last_error());
  Row row;
  for (unsigned i = 0; i < columns_.size(); ++i) {
    if (columns_[i].is_null) {
      row.emplace_back(std::nullopt);
    } else {
      row.emplace_back(column_value(i));
    }
  }
  return row;
}

Rows PreparedStatement::fetch_all_as_text() {
  Rows rows;
  while (auto row = fetch_row_as_text()) rows.push_back(std::move(*row));
  return rows;
}

void PreparedStatement::close() {
  MYSQL_STMT* stmt = stmt_;
  stmt_ = nullptr;
  if (mysql_stmt_close(stmt) != 0) throw std::runtime_error("mysql_stmt_close failed");
}

}  // namespace rwproxy::test
