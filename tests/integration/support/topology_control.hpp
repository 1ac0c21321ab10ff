// What the tests do to the MariaDB topology itself, as rwadmin or through scripts/topology.sh:
// replication delay and threads, server pids for kill -STOP / -9, waiting for replicas, repair.
#pragma once

#include <sys/types.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "tests/integration/support/mysql_connection.hpp"
#include "tests/integration/support/topology.hpp"

namespace rwproxy::test {

// The repository (RWPROXY_SOURCE_DIR if set, else found from this file's path).
std::filesystem::path source_dir();

// Runs `scripts/topology.sh ARGS` with the test environment (state dir, base port); its output
// goes to the artifact topology-script.log. Success iff it exits 0.
::testing::AssertionResult run_topology_script(std::string_view args);

// Backend names as topology.sh and the generated proxy config spell them: master, replica1, ...
std::string replica_name(std::size_t index);  // 0 -> "replica1"
int replica_server_id(std::size_t index);     // 0 -> 2

// The pid of a running server from its pid file in the topology state dir; throws if missing.
pid_t server_pid(std::string_view name);

ConnectOptions admin_options(const Topology& topology, std::uint16_t port);
std::unique_ptr<MysqlConnection> admin_connection(const Topology& topology, std::uint16_t port);

// STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = seconds; START SLAVE on replica `index`.
void set_master_delay(const Topology& topology, std::size_t index, int seconds);

// Every replica has applied the master's binlog as it is now (MASTER_GTID_WAIT as rwadmin).
::testing::AssertionResult replicas_caught_up(const Topology& topology, std::chrono::seconds timeout);

// Puts replication back however a test left it, whatever happens in the test: on destruction
// every replica gets MASTER_DELAY = 0 and START SLAVE, then `topology.sh wait-replication`.
class ReplicationRestorer {
 public:
  explicit ReplicationRestorer(const Topology& topology) : topology_(topology) {}
  ~ReplicationRestorer();
  ReplicationRestorer(const ReplicationRestorer&) = delete;
  ReplicationRestorer& operator=(const ReplicationRestorer&) = delete;

 private:
  Topology topology_;
};

}  // namespace rwproxy::test
