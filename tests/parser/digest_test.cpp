#include <string>

#include <gtest/gtest.h>

#include "exact_buffer.hpp"
#include "parser/digest.hpp"

namespace rwproxy::parser {
namespace {

std::string text_of(std::string_view sql, std::size_t max = 1024) {
  const testing::ExactBuffer buffer(sql);
  return digest(buffer.view(), max).text;
}

TEST(Digest, SysbenchStatements) {
  EXPECT_EQ(text_of("SELECT c FROM sbtest1 WHERE id=5021"), "SELECT c FROM sbtest1 WHERE id = ?");
  EXPECT_EQ(text_of("UPDATE sbtest1 SET k=k+1 WHERE id=5"),
            "UPDATE sbtest1 SET k = k + ? WHERE id = ?");
  EXPECT_EQ(text_of("INSERT INTO sbtest3 (id, k, c, pad) VALUES (5020, 4992, 'a', 'b')"),
            "INSERT INTO sbtest3(id, k, c, pad) VALUES (...)");
}

TEST(Digest, SpacingAndCaseDoNotMatter) {
  const std::string expected = "SELECT a, COUNT(*) FROM t WHERE b IN (...) GROUP BY a";
  EXPECT_EQ(text_of("select a,count(*) from t where b in (1,2) group by a"), expected);
  EXPECT_EQ(text_of("SELECT   a ,\n\tCOUNT( * )  FROM t WHERE b IN(3)GROUP BY a"), expected);
}

TEST(Digest, LiteralsBecomePlaceholders) {
  EXPECT_EQ(text_of("SELECT 'a', \"b\", 1.5e3, x'ff', 0x1F, b'1', _utf8mb4'c', N'd', ?"),
            "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?");
  EXPECT_EQ(text_of("SELECT _binary 'x'"), "SELECT ?");
  EXPECT_EQ(text_of("SELECT a - 1, -1, a-(-2), 3 + +4 FROM t WHERE x = -5"),
            "SELECT a - ?, ?, a - (?), ? + ? FROM t WHERE x = ?");
  EXPECT_EQ(text_of("SELECT * FROM t WHERE a IS NULL AND b = TRUE"),
            "SELECT * FROM t WHERE a IS NULL AND b = TRUE");
}

TEST(Digest, ListsCollapse) {
  EXPECT_EQ(text_of("SELECT * FROM t WHERE id IN (1, 2, 3, -4, NULL)"),
            "SELECT * FROM t WHERE id IN (...)");
  EXPECT_EQ(text_of("SELECT * FROM t WHERE (a, b) IN ((1, 2), (3, 4))"),
            "SELECT * FROM t WHERE (a, b) IN (...)");
  EXPECT_EQ(text_of("SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE x = 1)"),
            "SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE x = ?)");
  // Batch inserts digest like single-row ones, literal rows or not.
  EXPECT_EQ(text_of("INSERT INTO t VALUES (1,'a'),(2,'b'),(3,'c')"), "INSERT INTO t VALUES (...)");
  EXPECT_EQ(text_of("INSERT INTO t VALUES (1, NOW()), (2, NOW()) ON DUPLICATE KEY UPDATE a=VALUES(a)"),
            "INSERT INTO t VALUES (?, NOW()) ON DUPLICATE KEY UPDATE a = VALUES (a)");
}

TEST(Digest, CommentsFirstKeptRestDropped) {
  EXPECT_EQ(text_of("/* rwproxy:master   app=x */ SELECT 1 /* two */ -- three"),
            "/* rwproxy:master app=x */ SELECT ?");
  EXPECT_EQ(text_of("SELECT 1 -- trailing\n"), "SELECT ? /* trailing */");
  EXPECT_EQ(text_of("SELECT /*+ BKA(t) */ a FROM t"), "SELECT /*+ BKA(t) */ a FROM t");
  EXPECT_EQ(text_of("/*!40101 SET NAMES utf8 */"), "SET NAMES utf8");
}

TEST(Digest, MultiStatementAndTrailingSemicolon) {
  EXPECT_EQ(text_of("SELECT 1;"), "SELECT ?");
  EXPECT_EQ(text_of("SET NAMES utf8mb4;;SELECT 2 ; "), "SET NAMES utf8mb4; SELECT ?");
}

TEST(Digest, ErrorTokens) {
  EXPECT_EQ(text_of("SELECT 'abc"), "SELECT ?");
  EXPECT_EQ(text_of("SELECT 1 /* open"), "SELECT ?");
  EXPECT_EQ(text_of("SELECT `open"), "SELECT `open");
}

TEST(Digest, CappedAtTokenBoundary) {
  std::string sql = "SELECT ";
  for (int i = 0; i < 500; ++i) sql += "column_" + std::to_string(i) + ", ";
  sql += "x FROM t";
  for (std::size_t max : {0u, 1u, 3u, 10u, 64u, 1024u}) {
    const std::string d = text_of(sql, max);
    EXPECT_LE(d.size(), max);
    if (max >= 3) {
      EXPECT_TRUE(d.ends_with("...")) << d;
    }
  }
  EXPECT_EQ(text_of(sql, 30), "SELECT column_0, column_1, ...");
  EXPECT_EQ(text_of("SELECT 1", 8), "SELECT ?");  // exactly fits: not cut
}

TEST(Digest, HashIsFnv1aOfText) {
  const Digest a = digest("SELECT c FROM sbtest1 WHERE id=1");
  const Digest b = digest("select c from sbtest1 where id = 2");
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.hash, b.hash);
  EXPECT_EQ(a.hash, fnv1a64(a.text));
  EXPECT_EQ(fnv1a64(""), 14695981039346656037ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_NE(digest("SELECT c FROM sbtest2 WHERE id=1").hash, a.hash);
}

}  // namespace
}  // namespace rwproxy::parser
