// EXPLAIN ROUTE is recognised on tokens: comments, case and spacing don't matter; strings,
// backticked names and MySQL's own EXPLAIN/DESCRIBE are left alone.
#include "proxy/explain/explain_statement.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>

namespace rwproxy::explain {
namespace {

struct Case {
  std::string_view sql;
  std::optional<std::string_view> target;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.sql; }

class ExplainRouteTarget : public testing::TestWithParam<Case> {};

TEST_P(ExplainRouteTarget, Recognises) {
  EXPECT_EQ(explain_route_target(GetParam().sql), GetParam().target);
}

INSTANTIATE_TEST_SUITE_P(
    Matches, ExplainRouteTarget,
    testing::Values(Case{"EXPLAIN ROUTE SELECT 1", "SELECT 1"},
                    Case{"explain route select * from t", "select * from t"},
                    Case{"Explain Route\n\tSELECT 1 ;  \n", "SELECT 1 ;"},
                    Case{"/* app */ -- note\n# more\nEXPLAIN ROUTE SELECT 1", "SELECT 1"},
                    Case{"EXPLAIN /* between */ ROUTE SELECT 1", "SELECT 1"},
                    Case{"EXPLAIN ROUTE /* rwproxy:master */ SELECT 1", "/* rwproxy:master */ SELECT 1"},
                    Case{"EXPLAIN ROUTE (SELECT 1) UNION (SELECT 2)", "(SELECT 1) UNION (SELECT 2)"},
                    Case{"EXPLAIN ROUTE INSERT INTO t VALUES ('EXPLAIN ROUTE')", "INSERT INTO t VALUES ('EXPLAIN ROUTE')"},
                    Case{"EXPLAIN ROUTE WITH a AS (SELECT 1) SELECT * FROM a", "WITH a AS (SELECT 1) SELECT * FROM a"},
                    Case{"EXPLAIN ROUTE EXPLAIN SELECT 1", "EXPLAIN SELECT 1"}));

INSTANTIATE_TEST_SUITE_P(
    DoesNotMatch, ExplainRouteTarget,
    testing::Values(Case{"", std::nullopt},
                    Case{"EXPLAIN ROUTE", std::nullopt},
                    Case{"EXPLAIN ROUTE   ", std::nullopt},
                    Case{"EXPLAIN ROUTE ;", std::nullopt},
                    Case{"EXPLAIN ROUTE /* nothing */", std::nullopt},
                    Case{"EXPLAIN SELECT 1", std::nullopt},
                    Case{"EXPLAIN route_table", std::nullopt},
                    Case{"EXPLAIN route", std::nullopt},             // DESCRIBE of table `route`
                    Case{"EXPLAIN route id", std::nullopt},          // ... one of its columns
                    Case{"EXPLAIN route 'i%'", std::nullopt},        // ... columns LIKE 'i%'
                    Case{"EXPLAIN `route` SELECT 1", std::nullopt},  // backticked: a name
                    Case{"DESCRIBE ROUTE SELECT 1", std::nullopt},
                    Case{"SELECT 'EXPLAIN ROUTE SELECT 1'", std::nullopt},
                    Case{"SELECT `EXPLAIN ROUTE SELECT 1` FROM t", std::nullopt},
                    Case{"-- EXPLAIN ROUTE SELECT 1", std::nullopt},
                    Case{"/* EXPLAIN ROUTE SELECT 1 */ SELECT 2", std::nullopt},
                    Case{"/*!EXPLAIN ROUTE SELECT 1*/", std::nullopt},
                    Case{"EXPLAIN /*!ROUTE*/ SELECT 1", std::nullopt},
                    Case{"EXPLAIN 'ROUTE' SELECT 1", std::nullopt},
                    Case{"EXPLAIN ROUTE 'unterminated", std::nullopt}));

}  // namespace
}  // namespace rwproxy::explain
