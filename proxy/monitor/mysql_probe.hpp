// The monitor's connection to one backend, over libmysqlclient (MariaDB Connector/C), with
// short timeouts. Reconnects on the next check after any failure.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

struct st_mysql;

namespace rwproxy::monitor {

struct ProbeTarget {
  std::string host;
  std::uint16_t port = 0;
  std::string user;
  std::string password;
  std::chrono::milliseconds timeout{1000};
  // TLS as [backend_tls] says for this backend. Connector/C checks the chain and the host name
  // together: both verify modes verify both here.
  bool tls = false;
  bool verify = false;
  std::string ca;           // empty: the system's CAs
  std::string certificate;  // client certificate and key, if configured
  std::string private_key;
};

// One row of SHOW ALL SLAVES STATUS, the columns the monitor uses.
struct ReplicationStatus {
  bool io_running = false;
  bool io_connecting = false;  // the IO thread is (re)connecting to its master
  bool sql_running = false;
  std::optional<std::uint32_t> seconds_behind_master;
  std::string last_error;
};

class MysqlProbe {
 public:
  explicit MysqlProbe(ProbeTarget target) : target_(std::move(target)) {}
  ~MysqlProbe();
  MysqlProbe(const MysqlProbe&) = delete;
  MysqlProbe& operator=(const MysqlProbe&) = delete;

  // Connects if needed and pings. False (and disconnected) on failure.
  bool check();
  // Runs a statement; false on error (the connection is dropped).
  bool execute(const std::string& sql);
  // First column of the first row; nullopt on error or no row / NULL.
  std::optional<std::string> scalar(const std::string& sql);
  // SHOW ALL SLAVES STATUS; nullopt on error or when the server replicates from nobody.
  std::optional<ReplicationStatus> replication_status();

  const std::string& last_error() const { return last_error_; }
  // The last failure was the server refusing the monitor's account (1044, 1045, ...): a
  // configuration problem, not evidence that the backend is down.
  bool last_failure_was_access_denied() const;

 private:
  bool connect();
  void fail();

  ProbeTarget target_;
  st_mysql* mysql_ = nullptr;
  std::string last_error_;
  unsigned int last_errno_ = 0;
};

}  // namespace rwproxy::monitor
