// `rwproxy --explain` over a real MariaDB general query log tells the truth: a script of client
// sessions (transactions, autocommit = 0, the read-after-write window, temporary tables, GET_LOCK,
// LOCK TABLES, a user variable assigned in a query, SQL and binary prepared statements,
// COM_INIT_DB, COM_CHANGE_USER) runs straight against the master with general_log = ON;
// --explain reads that log; the same script then runs through rwproxy, one connection per log
// thread, in the same order and with the same pause; the tester's counts by target and reason
// must equal the deltas of rwproxy_routed_statements_total{target,reason}. (MariaDB does not log
// COM_RESET_CONNECTION, so the script has none: --explain cannot see one.)
//
// Timing is made unambiguous: read_after_write_window_ms = 1500, reads that follow a write come
// within milliseconds (the log's whole seconds make that 0 or 1000 ms: inside), and the reads
// meant to be outside it follow a 3.5 s pause (2500 ms or more by the log: outside).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "proxy/explain/statement_reader.hpp"
#include "tests/integration/support/environment.hpp"
#include "tests/integration/support/polling.hpp"
#include "tests/integration/support/prepared_statement.hpp"
#include "tests/integration/support/replica_proxy_test.hpp"
#include "tests/integration/support/topology_control.hpp"

namespace rwproxy::test {
namespace {

using namespace std::chrono_literals;

// "target reason" -> statements.
using RouteCounts = std::map<std::string, double>;

enum class StepKind { query, prepared, init_db, change_user, pause };

struct Step {
  std::size_t session = 0;
  StepKind kind = StepKind::query;
  std::string sql;     // the query, the statement to prepare, or the schema
  long long param = 0;  // the one parameter of a prepared statement
};

Step query(std::size_t session, std::string sql) { return Step{session, StepKind::query, std::move(sql), 0}; }
Step prepared(std::size_t session, std::string sql, long long param) {
  return Step{session, StepKind::prepared, std::move(sql), param};
}
Step init_db(std::size_t session, std::string schema) { return Step{session, StepKind::init_db, std::move(schema), 0}; }
Step change_user(std::size_t session) { return Step{session, StepKind::change_user, "", 0}; }
Step pause() { return Step{0, StepKind::pause, "", 0}; }

constexpr std::size_t kSessions = 7;

// The sessions interleave; each comment says what the proxy must do with the statement.
std::vector<Step> script(const std::string& schema) {
  return {
      query(0, "BEGIN"),
      query(6, "SELECT * FROM er_orders"),                      // read
      query(0, "SELECT * FROM er_orders WHERE id = 9"),         // in_transaction
      query(1, "SET autocommit = 0"),                           // session_state
      query(0, "SELECT 1"),                                     // in_transaction
      query(1, "SELECT COUNT(*) FROM er_orders"),               // in_transaction (autocommit=0)
      query(2, "CREATE TEMPORARY TABLE er_tmp (id INT)"),       // write
      query(0, "COMMIT"),                                       // in_transaction
      query(2, "INSERT INTO er_tmp VALUES (1)"),                // write
      query(0, "SELECT 2"),                                     // read: the transaction only read
      query(1, "COMMIT"),                                       // in_transaction
      query(3, "SELECT GET_LOCK('er_replay', 0)"),              // master_only_function
      query(0, "INSERT INTO er_events (v) VALUES (1)"),         // write
      query(2, "SELECT * FROM er_tmp"),                         // temp_table
      query(0, "SELECT 3"),                                     // read_after_write_window
      query(3, "SELECT 7"),                                     // session_pinned (user_lock)
      query(1, "SELECT 5"),                                     // in_transaction
      query(4, "SELECT @er_total := COUNT(*) FROM er_orders"),  // user_variable
      query(2, "SELECT * FROM er_orders"),                      // read_after_write_window
      query(4, "SELECT 8"),                                     // session_pinned (state_change) with multiplexing
      prepared(5, "SELECT v FROM er_orders WHERE id = ?", 9),   // prepare + execute: read, read
      query(1, "SET autocommit = 1"),                           // in_transaction
      prepared(5, "UPDATE er_orders SET v = v + 1 WHERE id = ?", 9),  // write, write
      query(1, "SELECT 6"),                                     // read
      query(5, "SELECT v FROM er_orders WHERE id = 9"),         // read_after_write_window
      init_db(5, schema),                                       // session_state (COM_INIT_DB)
      query(6, "LOCK TABLES er_orders READ"),                   // session_state
      query(5, "PREPARE er_s FROM 'SELECT 1'"),                 // session_state
      query(6, "SELECT COUNT(*) FROM er_orders"),               // session_pinned (lock_tables)
      query(5, "EXECUTE er_s"),                                 // session_pinned (sql_prepare)
      change_user(6),                                           // a new session: not routed
      query(6, "UNLOCK TABLES"),                                // session_state
      query(3, "SELECT RELEASE_LOCK('er_replay')"),             // session_pinned
      pause(),
      query(0, "SELECT 4"),                                     // read: out of the window
      query(2, "SELECT * FROM er_orders"),                      // read: out of the window
      query(5, "SELECT 10"),                                    // session_pinned
      query(6, "SELECT * FROM er_orders"),                      // read
  };
}

// Runs the script on `connections` (one per session), as a client would; `login` is what a
// change of user logs in as.
void run_script(const std::vector<Step>& steps, std::vector<std::unique_ptr<MysqlConnection>>& connections,
                const ConnectOptions& login) {
  for (const Step& step : steps) {
    SCOPED_TRACE(step.sql);
    switch (step.kind) {
      case StepKind::pause: std::this_thread::sleep_for(3500ms); break;
      case StepKind::query: {
        const MultiResult result = connections[step.session]->query_all(step.sql);
        ASSERT_FALSE(result.error) << step.sql << ": " << *result.error;
        break;
      }
      case StepKind::prepared: {
        PreparedStatement statement(*connections[step.session], step.sql);
        statement.execute({step.param});
        if (mysql_stmt_field_count(statement.handle()) > 0) statement.fetch_all_as_text();
        statement.close();
        break;
      }
      case StepKind::init_db:
        ASSERT_EQ(mysql_select_db(connections[step.session]->handle(), step.sql.c_str()), 0)
            << connections[step.session]->last_error();
        break;
      case StepKind::change_user:
        ASSERT_EQ(mysql_change_user(connections[step.session]->handle(), login.user.c_str(), login.password.c_str(),
                                    login.database->c_str()),
                  0)
            << connections[step.session]->last_error();
        break;
    }
  }
}

// The lines of the threads in `keep` (and the header): a line without a time of its own gets the
// time of a dropped line before it, so the kept lines carry the same times as in the full log.
std::string filter_log(const std::string& log, const std::set<std::uint64_t>& keep) {
  std::istringstream in(log);
  std::string out;
  std::string carried_time;
  bool keeping = true;  // the header, and continuation lines of kept entries
  for (std::string line; std::getline(in, line);) {
    const auto entry = explain::parse_log_line(line);
    if (!entry) {
      if (keeping) out += line + "\n";
      continue;
    }
    keeping = keep.contains(entry->thread);
    if (!keeping) {
      if (!entry->time.empty()) carried_time = std::string(entry->time);
      continue;
    }
    if (entry->time.empty() && !carried_time.empty() && line.starts_with("\t\t")) {
      line = carried_time + "\t" + line.substr(2);
    }
    carried_time.clear();
    out += line + "\n";
  }
  return out;
}

// How many of `threads` have a Quit entry in `log`.
std::size_t quits(const std::string& log, const std::set<std::uint64_t>& threads) {
  std::istringstream in(log);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    const auto entry = explain::parse_log_line(line);
    if (entry && entry->command == "Quit" && threads.contains(entry->thread)) ++n;
  }
  return n;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct CommandOutput {
  int status = -1;
  std::string out;
};

CommandOutput run_command(const std::string& command) {
  CommandOutput result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) result.out.append(buffer, n);
  result.status = ::pclose(pipe);
  return result;
}

// The summary lines "# <target>\t<reason>\t<count>" of --explain, for master and replica.
RouteCounts explained_counts(const std::string& output) {
  RouteCounts counts;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    for (const std::string target : {"master", "replica"}) {
      const std::string prefix = "# " + target + "\t";
      if (!line.starts_with(prefix)) continue;
      const std::string rest = line.substr(prefix.size());
      const auto tab = rest.find('\t');
      counts[target + " " + rest.substr(0, tab)] = std::stod(rest.substr(tab + 1));
    }
  }
  return counts;
}

// rwproxy_routed_statements_total by "target reason", non-zero deltas only.
RouteCounts routed_deltas(const MetricsText& before, const MetricsText& after) {
  RouteCounts deltas;
  for (const MetricSample& sample : after.samples()) {
    if (sample.name != "rwproxy_routed_statements_total") continue;
    const double delta = sample.value - before.sum(sample.name, sample.labels);
    if (delta != 0) deltas[sample.labels.at("target") + " " + sample.labels.at("reason")] += delta;
  }
  return deltas;
}

std::string describe(const RouteCounts& counts) {
  std::string out;
  for (const auto& [route, n] : counts) out += "  " + route + ": " + std::to_string(static_cast<long long>(n)) + "\n";
  return out;
}

class ExplainReplayTest : public ReplicaProxyTest {
 protected:
  ProxySettings proxy_settings() override {
    ProxySettings settings = ReplicaProxyTest::proxy_settings();
    settings.values["routing.read_after_write_window_ms"] = "1500";
    return settings;
  }

  void TearDown() override {
    if (admin_) admin_->query_all("SET GLOBAL general_log = OFF");
    ReplicaProxyTest::TearDown();
  }

  // Runs the script straight on the master with the general log on; returns the log of the
  // script's own threads.
  std::string record(const std::vector<Step>& steps) {
    const std::filesystem::path path = artifact_path(current_test_name() + ".general.log");
    std::filesystem::remove(path);
    ConnectOptions admin = master_options();
    admin.user = topology_.admin.user;
    admin.password = topology_.admin.password;
    admin_ = connect(admin);
    admin_->execute("SET GLOBAL log_output = 'FILE'");
    admin_->execute("SET GLOBAL general_log_file = '" + path.string() + "'");
    admin_->execute("SET GLOBAL general_log = ON");
    std::set<std::uint64_t> threads;
    {
      std::vector<std::unique_ptr<MysqlConnection>> sessions;
      for (std::size_t i = 0; i < kSessions; ++i) {
        sessions.push_back(connect(master_options(topology_.app_db)));
        threads.insert(mysql_thread_id(sessions.back()->handle()));
      }
      run_script(steps, sessions, master_options(topology_.app_db));
    }
    // The Quit entries are written as the server closes the connections: wait for the last one.
    const bool all_quit = poll_until(10s, [&] { return quits(read_file(path), threads) == kSessions; });
    admin_->execute("SET GLOBAL general_log = OFF");
    EXPECT_TRUE(all_quit) << read_file(path);
    const std::string filtered = filter_log(read_file(path), threads);
    std::ofstream(artifact_path(current_test_name() + ".replayed.log")) << filtered;
    return filtered;
  }

  std::unique_ptr<MysqlConnection> admin_;
};

TEST_F(ExplainReplayTest, TesterDecisionsEqualTheProxysRoutingMetrics) {
  create_table_everywhere("er_orders", "id INT PRIMARY KEY, v INT NOT NULL", "INSERT INTO er_orders VALUES (9, 0)");
  create_table_everywhere("er_events", "id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL");
  const std::vector<Step> steps = script(topology_.app_db);

  const std::string log = record(steps);
  ASSERT_FALSE(HasFailure());
  const std::filesystem::path log_path = artifact_path(current_test_name() + ".replayed.log");
  const CommandOutput explained = run_command(required_env("RWPROXY_BIN") + " --config '" +
                                              proxy().config_path().string() + "' --explain '" + log_path.string() +
                                              "' 2>/dev/null");
  ASSERT_TRUE(WIFEXITED(explained.status) && WEXITSTATUS(explained.status) == 0) << explained.out;
  const RouteCounts expected = explained_counts(explained.out);

  // The log was read as the sessions it holds: every command of the script is a line (a prepared
  // step is a Prepare and an Execute) but a change of user, which starts a session.
  std::size_t statements = 0;
  std::size_t sessions = kSessions;
  for (const Step& step : steps) {
    switch (step.kind) {
      case StepKind::prepared: statements += 2; break;
      case StepKind::change_user: ++sessions; break;
      case StepKind::pause: break;
      default: ++statements; break;
    }
  }
  EXPECT_NE(explained.out.find("# " + std::to_string(statements) + " statement(s) in " + std::to_string(sessions) +
                               " session(s)"),
            std::string::npos)
      << explained.out;
  // Decisions a session-blind tester gets wrong.
  EXPECT_GE(expected.count("master in_transaction") ? expected.at("master in_transaction") : 0, 7) << explained.out;
  EXPECT_GE(expected.count("master read_after_write_window") ? expected.at("master read_after_write_window") : 0, 3)
      << explained.out;
  EXPECT_GE(expected.count("master session_pinned") ? expected.at("master session_pinned") : 0, 5) << explained.out;
  EXPECT_EQ(expected.count("master temp_table") ? expected.at("master temp_table") : 0, 1) << explained.out;
  EXPECT_GE(expected.count("replica read") ? expected.at("replica read") : 0, 7) << explained.out;

  ASSERT_TRUE(replicas_caught_up(topology_, 30s));
  const MetricsText before = metrics();
  {
    std::vector<std::unique_ptr<MysqlConnection>> sessions;
    for (std::size_t i = 0; i < kSessions; ++i) sessions.push_back(connect_proxy());
    run_script(steps, sessions, app_options(topology_.app_db));
  }
  const RouteCounts routed = routed_deltas(before, metrics());
  EXPECT_EQ(routed, expected) << "the proxy routed:\n"
                              << describe(routed) << "--explain said:\n"
                              << describe(expected) << "\n--explain output:\n"
                              << explained.out << "\nproxy log:\n"
                              << proxy().log_tail();
}

}  // namespace
}  // namespace rwproxy::test
