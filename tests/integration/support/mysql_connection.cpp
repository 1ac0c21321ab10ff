#include "tests/integration/support/mysql_connection.hpp"

#include <memory>
#include <sstream>

namespace rwproxy::test {
namespace {

struct FreeResult {
  void operator()(MYSQL_RES* result) const { mysql_free_result(result); }
};
using ResultPtr = std::unique_ptr<MYSQL_RES, FreeResult>;

}  // namespace

std::ostream& operator<<(std::ostream& out, const MysqlError& error) {
  return out << "error " << error.code << " (" << error.sql_state << "): " << error.message;
}

QueryFailed::QueryFailed(std::string_view what_failed, MysqlError error)
    : std::runtime_error([&] {
        std::ostringstream text;
        text << what_failed << ": " << error;
        return text.str();
      }()),
      error_(std::move(error)) {}

MysqlConnection::MysqlConnection(const ConnectOptions& options) : mysql_(mysql_init(nullptr)) {
  if (mysql_ == nullptr) throw std::runtime_error("mysql_init failed");
  unsigned timeout = options.read_timeout_s;
  unsigned connect_timeout = 10;
  mysql_options(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_options(mysql_, MYSQL_OPT_READ_TIMEOUT, &timeout);
  mysql_options(mysql_, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
  unsigned local_infile = options.local_infile ? 1 : 0;
  mysql_options(mysql_, MYSQL_OPT_LOCAL_INFILE, &local_infile);
  if (options.max_allowed_packet != 0) {
    unsigned long max_packet = options.max_allowed_packet;
    mysql_options(mysql_, MYSQL_OPT_MAX_ALLOWED_PACKET, &max_packet);
  }
  if (options.tls) {
    const ConnectOptions::Tls& tls = *options.tls;
    my_bool enforce = 1;
    mysql_options(mysql_, MYSQL_OPT_SSL_ENFORCE, &enforce);
    if (!tls.ca.empty()) mysql_options(mysql_, MYSQL_OPT_SSL_CA, tls.ca.c_str());
    if (!tls.certificate.empty()) mysql_options(mysql_, MYSQL_OPT_SSL_CERT, tls.certificate.c_str());
    if (!tls.key.empty()) mysql_options(mysql_, MYSQL_OPT_SSL_KEY, tls.key.c_str());
    my_bool verify = tls.verify_server_name ? 1 : 0;
    mysql_options(mysql_, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
  }
  if (!options.default_auth.empty()) mysql_options(mysql_, MYSQL_DEFAULT_AUTH, options.default_auth.c_str());
  const unsigned long flags = options.multi_statements ? CLIENT_MULTI_STATEMENTS : 0;
  connected_ = mysql_real_connect(mysql_, options.host.c_str(), options.user.c_str(), options.password.c_str(),
                                  options.database ? options.database->c_str() : nullptr, options.port, nullptr,
                                  flags) != nullptr;
}

MysqlConnection::~MysqlConnection() { mysql_close(mysql_); }

std::optional<std::string> MysqlConnection::tls_cipher() {
  const char* cipher = mysql_get_ssl_cipher(mysql_);
  if (cipher == nullptr) return std::nullopt;
  return std::string(cipher);
}

MysqlError MysqlConnection::last_error() const {
  return {mysql_errno(mysql_), mysql_sqlstate(mysql_), mysql_error(mysql_)};
}

ResultSet MysqlConnection::read_result() {
  ResultSet set;
  ResultPtr result(mysql_store_result(mysql_));
  if (result) {
    set.has_rows = true;
    set.rows = fetch_rows(result.get());
  } else if (mysql_field_count(mysql_) != 0) {
    throw QueryFailed("mysql_store_result", last_error());
  } else {
    set.affected_rows = mysql_affected_rows(mysql_);
  }
  return set;
}

Rows MysqlConnection::query(std::string_view sql) {
  MultiResult all = query_all(sql);
  if (all.error) throw QueryFailed(sql, *all.error);
  if (all.results.size() != 1) {
    throw std::runtime_error(std::string(sql) + ": expected one result, got " + std::to_string(all.results.size()));
  }
  return std::move(all.results.front().rows);
}

std::uint64_t MysqlConnection::execute(std::string_view sql) {
  MultiResult all = query_all(sql);
  if (all.error) throw QueryFailed(sql, *all.error);
  if (all.results.size() != 1 || all.results.front().has_rows) {
    throw std::runtime_error(std::string(sql) + ": expected a single OK, got rows or several results");
  }
  return all.results.front().affected_rows;
}

std::optional<std::string> MysqlConnection::scalar(std::string_view sql) {
  Rows rows = query(sql);
  if (rows.size() != 1 || rows.front().size() != 1) {
    throw std::runtime_error(std::string(sql) + ": expected one row of one column, got " +
                             std::to_string(rows.size()) + " row(s)");
  }
  return rows.front().front();
}

MultiResult MysqlConnection::query_all(std::string_view sql) {
  MultiResult all;
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
    all.error = last_error();
    return all;
  }
  for (;;) {
    all.results.push_back(read_result());
    const int next = mysql_next_result(mysql_);
    if (next == -1) break;
    if (next > 0) {
      all.error = last_error();
      break;
    }
  }
  return all;
}

::testing::AssertionResult MysqlConnection::expect_error(std::string_view sql, unsigned code) {
  MultiResult all = query_all(sql);
  if (!all.error) {
    return ::testing::AssertionFailure() << sql << ": succeeded, expected error " << code;
  }
  if (all.error->code != code) {
    return ::testing::AssertionFailure() << sql << ": " << *all.error << ", expected error " << code;
  }
  return ::testing::AssertionSuccess();
}

int MysqlConnection::server_id() {
  const auto id = scalar("SELECT @@server_id");
  if (!id) throw std::runtime_error("@@server_id is NULL");
  return std::stoi(*id);
}

Rows fetch_rows(MYSQL_RES* result) {
  Rows rows;
  const unsigned columns = mysql_num_fields(result);
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    const unsigned long* lengths = mysql_fetch_lengths(result);
    Row& out = rows.emplace_back();
    for (unsigned i = 0; i < columns; ++i) {
      if (row[i] == nullptr) {
        out.emplace_back(std::nullopt);
      } else {
        out.emplace_back(std::string(row[i], lengths[i]));
      }
    }
  }
  return rows;
}

}  // namespace rwproxy::test
