// A steady stream of writes straight to the master from a background thread (one INSERT every
// `period`), for tests that need replication to have something to apply. Stops on destruction, or
// by itself after `max_duration` so a failing test can never leave it running.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "tests/integration/support/mysql_connection.hpp"

namespace rwproxy::test {

class MasterWriteStream {
 public:
  // `table` must have an AUTO_INCREMENT key and a column `v INT`.
  MasterWriteStream(ConnectOptions master, std::string table, std::chrono::milliseconds period,
                    std::chrono::milliseconds max_duration = std::chrono::seconds(90));
  ~MasterWriteStream();
  MasterWriteStream(const MasterWriteStream&) = delete;
  MasterWriteStream& operator=(const MasterWriteStream&) = delete;

  void stop();
  long writes() const { return writes_.load(); }
  long errors() const { return errors_.load(); }

 private:
  void run(ConnectOptions master, std::string table, std::chrono::milliseconds period,
           std::chrono::milliseconds max_duration);

  std::atomic<bool> stopping_{false};
  std::atomic<long> writes_{0};
  std::atomic<long> errors_{0};
  std::thread thread_;
};

}  // namespace rwproxy::test
