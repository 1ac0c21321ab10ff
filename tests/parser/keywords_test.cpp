#include <gtest/gtest.h>

#include "parser/keywords.hpp"

namespace rwproxy::parser {
namespace {

TEST(Keywords, LookupIsCaseInsensitive) {
  EXPECT_EQ(lookup_keyword("select").keyword, Keyword::select);
  EXPECT_EQ(lookup_keyword("SeLeCt").keyword, Keyword::select);
  EXPECT_EQ(lookup_keyword("LAST_INSERT_ID").keyword, Keyword::last_insert_id);
  EXPECT_EQ(lookup_keyword("sql_calc_found_rows").keyword, Keyword::sql_calc_found_rows);
}

TEST(Keywords, NonKeywords) {
  for (std::string_view w : {"", "sbtest1", "selec", "selectx", "c", "x_", "_", "名前",
                             "a_very_long_identifier_that_is_longer_than_any_keyword_at_all"})
    EXPECT_EQ(lookup_keyword(w).keyword, Keyword::none) << w;
}

TEST(Keywords, ClassesDriveTheDigest) {
  EXPECT_EQ(lookup_keyword("in").cls, KeywordClass::reserved);
  EXPECT_EQ(lookup_keyword("count").cls, KeywordClass::function);
  EXPECT_EQ(lookup_keyword("commit").cls, KeywordClass::statement);
  EXPECT_EQ(lookup_keyword("status").cls, KeywordClass::context);
  EXPECT_EQ(lookup_keyword("between").keyword, Keyword::other);
}

TEST(Keywords, MasterOnlyFunctions) {
  for (std::string_view w : {"LAST_INSERT_ID", "GET_LOCK", "RELEASE_LOCK", "RELEASE_ALL_LOCKS",
                             "IS_FREE_LOCK", "IS_USED_LOCK", "FOUND_ROWS", "ROW_COUNT", "NEXTVAL",
                             "SETVAL", "LASTVAL", "MASTER_GTID_WAIT", "MASTER_POS_WAIT"})
    EXPECT_TRUE(is_master_only_function(lookup_keyword(w).keyword)) << w;
  for (std::string_view w : {"SLEEP", "UUID", "RAND", "NOW", "COUNT"})
    EXPECT_FALSE(is_master_only_function(lookup_keyword(w).keyword)) << w;
}

}  // namespace
}  // namespace rwproxy::parser
