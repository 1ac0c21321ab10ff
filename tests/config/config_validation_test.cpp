// Each kind of problem, with the key path it is reported at.
#include <gtest/gtest.h>

#include "problem_matchers.hpp"
#include "proxy/config/config_loader.hpp"

namespace rwproxy::config {
namespace {

using testing::load;
using testing::load_with_minimal;

LoadResult load_with_users(std::string_view users) {
  return load(std::string(users) + std::string(testing::minimal_backends));
}

LoadResult load_with_backends(std::string_view backends) {
  return load(std::string(backends) + std::string(testing::minimal_users));
}

TEST(UnknownKeyTest, InASection) {
  const LoadResult result = load_with_minimal("[proxy]\nlisten_prot = 6033\n");
  EXPECT_PROBLEM(result, "proxy.listen_prot", "unknown key (did you mean \"listen_port\"?)");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

TEST(UnknownKeyTest, InAnArrayElement) {
  const LoadResult result = load_with_users("[[users]]\nname = \"a\"\npasword = \"x\"\n");
  EXPECT_PROBLEM(result, "users[0].pasword", "unknown key (did you mean \"password\"?)");
}

TEST(UnknownKeyTest, SectionAndTopLevelKey) {
  const LoadResult result = load_with_minimal("debug = true\n[proxxy]\nlisten_port = 1\n");
  EXPECT_PROBLEM(result, "debug", "unknown key");
  EXPECT_PROBLEM(result, "proxxy", "unknown key (did you mean \"proxy\"?)");
  EXPECT_EQ(result.problems.size(), 2u) << testing::describe(result);
}

TEST(UnknownKeyTest, NoSuggestionForUnrelatedNames) {
  const LoadResult result = load_with_minimal("[timeouts]\nfoo = 1\n");
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].message, "unknown key");
}

TEST(WrongTypeTest, IntegerGivenAsString) {
  const LoadResult result = load_with_minimal("[proxy]\nlisten_port = \"6033\"\n");
  EXPECT_PROBLEM(result, "proxy.listen_port", "expected an integer, got a string");
}

TEST(WrongTypeTest, StringGivenAsInteger) {
  const LoadResult result = load_with_backends("[[backends]]\nrole = \"master\"\nhost = 1\n");
  EXPECT_PROBLEM(result, "backends[0].host", "expected a string, got an integer");
}

TEST(WrongTypeTest, FloatForInteger) {
  const LoadResult result = load_with_minimal("[timeouts]\nconnect_timeout_ms = 1.5\n");
  EXPECT_PROBLEM(result, "timeouts.connect_timeout_ms",
                 "expected an integer, got a floating-point number");
}

TEST(WrongTypeTest, SectionOfTheWrongShape) {
  const LoadResult result = load(R"(
proxy = 1
[backends]
role = "master"
[[users]]
name = "app"
password = "x"
)");
  EXPECT_PROBLEM(result, "proxy", "expected a table ([proxy]), got an integer");
  EXPECT_PROBLEM(result, "backends", "expected an array of tables ([[backends]]), got a table");
  EXPECT_EQ(result.problems.size(), 2u) << testing::describe(result);
}

TEST(WrongTypeTest, ArrayElementThatIsNotATable) {
  const LoadResult result = load_with_users("users = [\"app\"]\n");
  EXPECT_PROBLEM(result, "users[0]", "expected a table, got a string");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

TEST(WrongTypeTest, PasswordOfWrongTypeIsReportedOnce) {
  const LoadResult result = load_with_users("[[users]]\nname = \"a\"\npassword = 1234\n");
  EXPECT_PROBLEM(result, "users[0].password", "expected a string");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

struct RangeCase {
  std::string_view section;
  std::string_view key;
  std::int64_t lowest;
  std::int64_t highest;
};

class RangeTest : public ::testing::TestWithParam<RangeCase> {
 protected:
  LoadResult load_value(std::int64_t value) const {
    const RangeCase& c = GetParam();
    if (c.section == "backends") {
      return load_with_backends("[[backends]]\nrole = \"master\"\n" + std::string(c.key) +
                                " = " + std::to_string(value) + "\n");
    }
    if (c.section == "rules") {
      return load_with_minimal("[[rules]]\nname = \"r\"\ntable = \"t\"\nroute = \"any\"\n" +
                               std::string(c.key) + " = " + std::to_string(value) + "\n");
    }
    return load_with_minimal("[" + std::string(c.section) + "]\n" + std::string(c.key) +
                             " = " + std::to_string(value) + "\n");
  }
  std::string key_path() const {
    const RangeCase& c = GetParam();
    const bool array = c.section == "backends" || c.section == "rules";
    return std::string(c.section) + (array ? "[0]." : ".") + std::string(c.key);
  }
};

TEST_P(RangeTest, BoundsAreInclusive) {
  const RangeCase& c = GetParam();
  EXPECT_TRUE(load_value(c.lowest).ok()) << testing::describe(load_value(c.lowest));
  EXPECT_TRUE(load_value(c.highest).ok()) << testing::describe(load_value(c.highest));
}

TEST_P(RangeTest, OutsideIsReported) {
  const RangeCase& c = GetParam();
  const std::string range = "must be between " + std::to_string(c.lowest) + " and " +
                            std::to_string(c.highest);
  EXPECT_PROBLEM(load_value(c.lowest - 1), key_path(), range);
  EXPECT_PROBLEM(load_value(c.highest + 1), key_path(), range);
}

INSTANTIATE_TEST_SUITE_P(
    AllIntegerKeys, RangeTest,
    ::testing::Values(RangeCase{"proxy", "listen_port", 0, 65535},
                      RangeCase{"proxy", "worker_threads", 0, 1024},
                      RangeCase{"proxy", "max_packet_size", 1024, 1073741824},
                      RangeCase{"proxy", "max_client_connections", 1, 1000000},
                      RangeCase{"timeouts", "connect_timeout_ms", 1, 4294967295},
                      RangeCase{"timeouts", "handshake_timeout_ms", 1, 4294967295},
                      RangeCase{"timeouts", "client_idle_timeout_ms", 0, 4294967295},
                      RangeCase{"timeouts", "shutdown_timeout_ms", 0, 4294967295},
                      RangeCase{"backends", "port", 1, 65535},
                      RangeCase{"backends", "weight", 1, 1000},
                      // max_replica_lag_ms and readmit_replica_lag_ms depend on each other:
                      // routing_config_test.cpp tests their bounds.
                      RangeCase{"routing", "read_after_write_window_ms", 0, 3600000},
                      RangeCase{"routing", "replica_retry_interval_ms", 100, 3600000},
                      RangeCase{"routing", "causal_wait_timeout_ms", 1, 3600000},
                      RangeCase{"rules", "max_replica_lag_ms", 1, 86400000}));

TEST(StringValueTest, EmptyOrMalformedStrings) {
  const LoadResult result = load(R"(
[proxy]
listen_address = "localhost"
server_version = ""
[[backends]]
name = ""
role = "primary"
host = ""
[[users]]
name = ""
password = "x"
)");
  EXPECT_PROBLEM(result, "proxy.listen_address", "IPv4 or IPv6 address");
  EXPECT_PROBLEM(result, "proxy.server_version", "non-empty");
  EXPECT_PROBLEM(result, "backends[0].name", "must not be empty");
  EXPECT_PROBLEM(result, "backends[0].role", R"(must be "master" or "replica" (got "primary"))");
  EXPECT_PROBLEM(result, "backends[0].host", "must not be empty");
  EXPECT_PROBLEM(result, "users[0].name", "must not be empty");
}

TEST(BackendsTest, NoMaster) {
  const LoadResult result = load_with_backends("[[backends]]\nport = 1\n");
  EXPECT_PROBLEM(result, "backends", "no backend has role = \"master\"");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

TEST(BackendsTest, NoBackends) {
  EXPECT_PROBLEM(load_with_backends(""), "backends", "no backends");
  EXPECT_PROBLEM(load_with_backends("backends = []\n"), "backends", "no backends");
}

TEST(BackendsTest, MoreThanOneMaster) {
  const LoadResult result = load_with_backends(R"(
[[backends]]
role = "master"
port = 1
[[backends]]
port = 2
[[backends]]
role = "master"
port = 3
)");
  EXPECT_PROBLEM(result, "backends[2].role", "a second master (backends[0] is one already)");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

TEST(BackendsTest, DuplicateNames) {
  const LoadResult result = load_with_backends(R"(
[[backends]]
name = "db"
role = "master"
port = 1
[[backends]]
name = "db"
port = 2
)");
  EXPECT_PROBLEM(result, "backends[1].name", "duplicate backend name \"db\" (also backends[0])");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

TEST(BackendsTest, InvalidValuesCauseNoFollowOnProblems) {
  const LoadResult result = load_with_backends(R"(
[[backends]]
name = "db"
role = "master"
port = 70000
[[backends]]
name = 5
role = "mastr"
port = 3306
[[backends]]
name = "db"
port = 3307
)");
  EXPECT_PROBLEM(result, "backends[0].port", "(got 70000)");
  EXPECT_PROBLEM(result, "backends[1].name", "expected a string");
  EXPECT_PROBLEM(result, "backends[1].role", "(got \"mastr\")");
  EXPECT_PROBLEM(result, "backends[2].name", "duplicate backend name \"db\" (also backends[0])");
  EXPECT_EQ(result.problems.size(), 4u) << testing::describe(result);
}

TEST(BackendsTest, InvalidRoleHidesNoMasterProblem) {
  const LoadResult result = load_with_backends("[[backends]]\nrole = \"primary\"\n");
  EXPECT_PROBLEM(result, "backends[0].role", "(got \"primary\")");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

TEST(BackendsTest, DuplicateHostAndPort) {
  const LoadResult result = load_with_backends(R"(
[[backends]]
role = "master"
port = 23306
[[backends]]
host = "127.0.0.1"
port = 23307
[[backends]]
port = 23306
)");
  EXPECT_PROBLEM(result, "backends[2]", "duplicate host:port 127.0.0.1:23306 (also backends[0])");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

TEST(BackendsTest, SamePortOnAnotherHostIsFine) {
  const LoadResult result = load_with_backends(R"(
[[backends]]
role = "master"
host = "a"
[[backends]]
host = "b"
)");
  EXPECT_TRUE(result.ok()) << testing::describe(result);
}

TEST(UsersTest, BothPasswordAndHash) {
  const LoadResult result = load_with_users(R"(
[[users]]
name = "app"
password = "x"
password_hash = "*6C7A370C07660BC788681B3238D93E08BD74303C"
)");
  EXPECT_PROBLEM(result, "users[0]", "set exactly one of password or password_hash (both are set)");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

TEST(UsersTest, NeitherPasswordNorHash) {
  const LoadResult result = load_with_users("[[users]]\nname = \"app\"\n");
  EXPECT_PROBLEM(result, "users[0]", "(neither is set)");
}

TEST(UsersTest, MalformedHash) {
  const LoadResult result = load_with_users(R"(
[[users]]
name = "a"
password = "x"
[[users]]
name = "b"
password_hash = "6C7A370C07660BC788681B3238D93E08BD74303C"
)");
  EXPECT_PROBLEM(result, "users[1].password_hash", "\"*\" followed by 40 hex digits");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

TEST(UsersTest, DuplicateNames) {
  const LoadResult result = load_with_users(R"(
[[users]]
name = "app"
password = "x"
[[users]]
name = "other"
password = "y"
[[users]]
name = "app"
password = "z"
)");
  EXPECT_PROBLEM(result, "users[2].name", "duplicate user name \"app\" (also users[0])");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

TEST(UsersTest, NameIsRequired) {
  const LoadResult result = load_with_users("[[users]]\npassword = \"x\"\n");
  EXPECT_PROBLEM(result, "users[0].name", "missing required key");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

TEST(UsersTest, NoUsers) {
  EXPECT_PROBLEM(load_with_users(""), "users", "no users");
}

}  // namespace
}  // namespace rwproxy::config
