#include "tests/integration/support/write_stream.hpp"

namespace rwproxy::test {

MasterWriteStream::MasterWriteStream(ConnectOptions master, std::string table, std::chrono::milliseconds period,
                                     std::chrono::milliseconds max_duration)
    : thread_([this, master = std::move(master), table = std::move(table), period, max_duration] {
        run(master, table, period, max_duration);
      }) {}

MasterWriteStream::~MasterWriteStream() { stop(); }

void MasterWriteStream::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void MasterWriteStream::run(ConnectOptions master, std::string table, std::chrono::milliseconds period,
                            std::chrono::milliseconds max_duration) {
  const auto end = std::chrono::steady_clock::now() + max_duration;
  MysqlConnection connection(master);
  const std::string insert = "INSERT INTO " + table + " (v) VALUES (1)";
  auto next = std::chrono::steady_clock::now();
  while (!stopping_ && std::chrono::steady_clock::now() < end) {
    if (connection.connected() && mysql_real_query(connection.handle(), insert.data(), insert.size()) == 0) {
      ++writes_;
    } else {
      ++errors_;
    }
    next += period;
    std::this_thread::sleep_until(next);
  }
}

}  // namespace rwproxy::test
