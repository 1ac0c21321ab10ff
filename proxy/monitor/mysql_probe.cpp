#include "proxy/monitor/mysql_probe.hpp"

#include <mysql.h>

#include <cstring>

namespace rwproxy::monitor {

namespace {

unsigned int whole_seconds(std::chrono::milliseconds ms) {
  return static_cast<unsigned int>(std::max<long long>(1, (ms.count() + 999) / 1000));
}

struct ResultGuard {
  MYSQL_RES* result;
  ~ResultGuard() {
    if (result) mysql_free_result(result);
  }
};

}  // namespace

MysqlProbe::~MysqlProbe() {
  if (mysql_) mysql_close(mysql_);
}

bool MysqlProbe::last_failure_was_access_denied() const {
  switch (last_errno_) {
    case 1044:  // ER_DBACCESS_DENIED_ERROR
    case 1045:  // ER_ACCESS_DENIED_ERROR
    case 1142:  // ER_TABLEACCESS_DENIED_ERROR
    case 1227:  // ER_SPECIFIC_ACCESS_DENIED_ERROR
    case 1251:  // CR_AUTH_PLUGIN_CANNOT_LOAD / not supported
      return true;
    default:
      return false;
  }
}

void MysqlProbe::fail() {
  if (mysql_) {
    last_errno_ = mysql_errno(mysql_);
    last_error_ = mysql_error(mysql_);
    mysql_close(mysql_);
    mysql_ = nullptr;
  }
}

bool MysqlProbe::connect() {
  mysql_ = mysql_init(nullptr);
  if (!mysql_) {
    last_error_ = "out of memory";
    return false;
  }
  unsigned int seconds = whole_seconds(target_.timeout);
  mysql_optionsv(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &seconds);
  mysql_optionsv(mysql_, MYSQL_OPT_READ_TIMEOUT, &seconds);
  mysql_optionsv(mysql_, MYSQL_OPT_WRITE_TIMEOUT, &seconds);
  my_bool no = 0;
  mysql_optionsv(mysql_, MYSQL_OPT_RECONNECT, &no);
  mysql_optionsv(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (target_.tls) {
    my_bool enforce = 1;
    mysql_optionsv(mysql_, MYSQL_OPT_SSL_ENFORCE, &enforce);
    my_bool verify = target_.verify ? 1 : 0;
    mysql_optionsv(mysql_, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
    if (!target_.ca.empty()) mysql_optionsv(mysql_, MYSQL_OPT_SSL_CA, target_.ca.c_str());
    if (!target_.certificate.empty()) {
      mysql_optionsv(mysql_, MYSQL_OPT_SSL_CERT, target_.certificate.c_str());
      mysql_optionsv(mysql_, MYSQL_OPT_SSL_KEY, target_.private_key.c_str());
    }
  }
  if (!mysql_real_connect(mysql_, target_.host.c_str(), target_.user.c_str(), target_.password.c_str(), nullptr,
                          target_.port, nullptr, 0)) {
    fail();
    return false;
  }
  return true;
}

bool MysqlProbe::check() {
  if (!mysql_ && !connect()) return false;
  if (mysql_ping(mysql_) != 0) {
    fail();
    return false;
  }
  return true;
}

bool MysqlProbe::execute(const std::string& sql) {
  if (!mysql_ && !connect()) return false;
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
    fail();
    return false;
  }
  ResultGuard guard{mysql_store_result(mysql_)};
  return true;
}

std::optional<std::string> MysqlProbe::scalar(const std::string& sql) {
  if (!mysql_ && !connect()) return std::nullopt;
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
    fail();
    return std::nullopt;
  }
  ResultGuard guard{mysql_store_result(mysql_)};
  if (!guard.result) return std::nullopt;
  MYSQL_ROW row = mysql_fetch_row(guard.result);
  if (!row || !row[0]) return std::nullopt;
  return std::string(row[0], mysql_fetch_lengths(guard.result)[0]);
}

std::optional<ReplicationStatus> MysqlProbe::replication_status() {
  if (!mysql_ && !connect()) return std::nullopt;
  static constexpr std::string_view sql = "SHOW ALL SLAVES STATUS";
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
    fail();
    return std::nullopt;
  }
  ResultGuard guard{mysql_store_result(mysql_)};
  if (!guard.result) return std::nullopt;
  MYSQL_ROW row = mysql_fetch_row(guard.result);
  if (!row) return std::nullopt;
  ReplicationStatus status;
  const unsigned int columns = mysql_num_fields(guard.result);
  MYSQL_FIELD* fields = mysql_fetch_fields(guard.result);
  for (unsigned int i = 0; i < columns; ++i) {
    std::string_view name(fields[i].name);
    const char* value = row[i];
    if (name == "Slave_IO_Running") {
      status.io_running = value && std::strcmp(value, "Yes") == 0;
      status.io_connecting = value && std::strcmp(value, "Connecting") == 0;
    }
    else if (name == "Slave_SQL_Running") status.sql_running = value && std::strcmp(value, "Yes") == 0;
    else if (name == "Seconds_Behind_Master" && value) status.seconds_behind_master = std::strtoul(value, nullptr, 10);
    else if (name == "Last_Error" && value) status.last_error = value;
  }
  return status;
}

}  // namespace rwproxy::monitor
