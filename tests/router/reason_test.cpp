#include "router/reason.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

namespace rwproxy::router {
namespace {

TEST(ReasonTest, AllReasonsListsEveryValueOnceInDeclarationOrder) {
  const auto reasons = all_reasons();
  ASSERT_EQ(reasons.size(), reason_count);
  for (std::size_t i = 0; i < reasons.size(); ++i) EXPECT_EQ(static_cast<std::size_t>(reasons[i]), i);
  EXPECT_EQ(reasons.front(), Reason::read);
  EXPECT_EQ(reasons.back(), Reason::causal_replicas_behind);
}

TEST(ReasonTest, NamesAreUniqueAndSnakeCase) {
  std::set<std::string_view> seen;
  for (Reason reason : all_reasons()) {
    const std::string_view name = to_string(reason);
    SCOPED_TRACE(std::string(name));
    ASSERT_FALSE(name.empty());
    EXPECT_NE(name, "unknown") << "the fallback string must not be used by a real reason";
    EXPECT_TRUE(std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; }));
    EXPECT_NE(name.front(), '_');
    EXPECT_NE(name.back(), '_');
    EXPECT_EQ(name.find("__"), std::string_view::npos);
    EXPECT_TRUE(seen.insert(name).second) << "duplicate name";
  }
  EXPECT_EQ(seen.size(), reason_count);
}

TEST(ReasonTest, NamesMatchTheEnumerators) {
  EXPECT_EQ(to_string(Reason::read), "read");
  EXPECT_EQ(to_string(Reason::write), "write");
  EXPECT_EQ(to_string(Reason::locking_read), "locking_read");
  EXPECT_EQ(to_string(Reason::master_only_function), "master_only_function");
  EXPECT_EQ(to_string(Reason::select_into), "select_into");
  EXPECT_EQ(to_string(Reason::user_variable), "user_variable");
  EXPECT_EQ(to_string(Reason::session_state), "session_state");
  EXPECT_EQ(to_string(Reason::transaction_control), "transaction_control");
  EXPECT_EQ(to_string(Reason::unknown_statement), "unknown_statement");
  EXPECT_EQ(to_string(Reason::diagnostics), "diagnostics");
  EXPECT_EQ(to_string(Reason::in_transaction), "in_transaction");
  EXPECT_EQ(to_string(Reason::read_only_transaction), "read_only_transaction");
  EXPECT_EQ(to_string(Reason::read_after_write_window), "read_after_write_window");
  EXPECT_EQ(to_string(Reason::session_pinned), "session_pinned");
  EXPECT_EQ(to_string(Reason::temp_table), "temp_table");
  EXPECT_EQ(to_string(Reason::hint), "hint");
  EXPECT_EQ(to_string(Reason::rule), "rule");
  EXPECT_EQ(to_string(Reason::no_eligible_replica), "no_eligible_replica");
  EXPECT_EQ(to_string(Reason::replica_lag), "replica_lag");
}

TEST(ReasonTest, OutOfRangeValueHasAFallbackName) {
  EXPECT_EQ(to_string(static_cast<Reason>(reason_count)), "unknown");
}

}  // namespace
}  // namespace rwproxy::router
