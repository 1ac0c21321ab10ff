#include <gtest/gtest.h>

#include "parser/splitter.hpp"

namespace rwproxy::parser {
namespace {

using V = std::vector<std::string_view>;

TEST(Splitter, SplitsOutsideQuotesAndComments) {
  EXPECT_EQ(split_statements("SELECT 1; SELECT ';' /* ; */ -- ;\n; SELECT `a;b`"),
            (V{"SELECT 1", "SELECT ';'", "SELECT `a;b`"}));
  EXPECT_EQ(split_statements(""), V{});
  EXPECT_EQ(split_statements(" ;; /* x */ ;"), V{});
  EXPECT_EQ(split_statements("SELECT 1;"), V{"SELECT 1"});
}

TEST(Splitter, ExecutableCommentsAreCode) {
  EXPECT_EQ(split_statements("/*!40101 SET NAMES utf8 */; /*!40014 SET a=1 */;"),
            (V{"SET NAMES utf8", "SET a=1"}));
}

TEST(Splitter, StoredProgramBodiesAreNotSplit) {
  const std::string_view proc = "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END";
  EXPECT_EQ(split_statements(proc), V{proc});
  EXPECT_EQ(split_statements("BEGIN NOT ATOMIC SELECT 1; END"), V{"BEGIN NOT ATOMIC SELECT 1; END"});
  EXPECT_EQ(split_statements("BEGIN; SELECT 1"), (V{"BEGIN", "SELECT 1"}));
}

}  // namespace
}  // namespace rwproxy::parser
