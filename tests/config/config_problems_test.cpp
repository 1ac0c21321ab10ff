#include <gtest/gtest.h>

#include "proxy/config/config_problem.hpp"

namespace rwproxy::config {
namespace {

TEST(FormatProblemsTest, OneLinePerProblem) {
  const std::vector<ConfigProblem> problems = {
      {"backends[2].port", "must be between 1 and 65535 (got 0)", "rwproxy.toml"},
      {"", "TOML syntax error at line 3, column 5: oops", "other.toml"},
  };
  EXPECT_EQ(format_problems(problems),
            "rwproxy.toml: backends[2].port: must be between 1 and 65535 (got 0)\n"
            "other.toml: TOML syntax error at line 3, column 5: oops\n");
}

TEST(FormatProblemsTest, NothingForNoProblems) {
  EXPECT_EQ(format_problems({}), "");
}

}  // namespace
}  // namespace rwproxy::config
