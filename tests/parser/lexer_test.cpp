#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "exact_buffer.hpp"
#include "parser/lexer.hpp"

namespace rwproxy::parser {
namespace {

using testing::ExactBuffer;

struct Lexed {
  TokenKind kind;
  std::string text;
  bool operator==(const Lexed&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Lexed& t) {
  return os << "{" << static_cast<int>(t.kind) << ", \"" << t.text << "\"}";
}

// All tokens of `sql`, lexed from an exactly-sized buffer.
std::vector<Lexed> lex(std::string_view sql) {
  const ExactBuffer buffer(sql);
  Lexer lexer(buffer.view());
  std::vector<Lexed> out;
  for (std::size_t guard = 0; guard <= sql.size() + 1; ++guard) {
    const Token t = lexer.next();
    if (t.kind == TokenKind::end) return out;
    out.push_back({t.kind, std::string(t.text)});
  }
  ADD_FAILURE() << "lexer did not terminate on: " << sql;
  return out;
}

using K = TokenKind;

TEST(Lexer, EmptyAndBlankInput) {
  EXPECT_TRUE(lex("").empty());
  EXPECT_TRUE(lex(" \t\r\n\f\v").empty());
}

TEST(Lexer, WordsKeywordsAndPunctuation) {
  EXPECT_EQ(lex("SELECT a.b, (c) FROM t;"),
            (std::vector<Lexed>{{K::identifier, "SELECT"}, {K::identifier, "a"}, {K::dot, "."},
                                {K::identifier, "b"}, {K::comma, ","}, {K::left_paren, "("},
                                {K::identifier, "c"}, {K::right_paren, ")"},
                                {K::identifier, "FROM"}, {K::identifier, "t"},
                                {K::semicolon, ";"}}));
  const ExactBuffer b("select Select sbtest1");
  Lexer lexer(b.view());
  EXPECT_EQ(lexer.next().keyword, Keyword::select);
  EXPECT_EQ(lexer.next().keyword, Keyword::select);
  EXPECT_EQ(lexer.next().keyword, Keyword::none);
}

TEST(Lexer, QuotedStringsAndEscapes) {
  EXPECT_EQ(lex(R"('a''b' 'c\'d' "e""f" "g\"h" 'x\\')"),
            (std::vector<Lexed>{{K::string, "'a''b'"}, {K::string, R"('c\'d')"},
                                {K::string, R"("e""f")"}, {K::string, R"("g\"h")"},
                                {K::string, R"('x\\')"}}));
}

TEST(Lexer, PrefixedLiterals) {
  EXPECT_EQ(lex("N'x' _utf8mb4'y' _binary\"z\" X'0F' x'ab' B'01' b'1' 0x1F 0b101"),
            (std::vector<Lexed>{{K::string, "N'x'"}, {K::string, "_utf8mb4'y'"},
                                {K::string, "_binary\"z\""}, {K::hex_number, "X'0F'"},
                                {K::hex_number, "x'ab'"}, {K::bit_number, "B'01'"},
                                {K::bit_number, "b'1'"}, {K::hex_number, "0x1F"},
                                {K::bit_number, "0b101"}}));
}

TEST(Lexer, Numbers) {
  EXPECT_EQ(lex("1 12.5 .5 1e10 1.5E-3 1. 123abc 1.5abc 0xZZ 0X1"),
            (std::vector<Lexed>{{K::number, "1"}, {K::number, "12.5"}, {K::number, ".5"},
                                {K::number, "1e10"}, {K::number, "1.5E-3"}, {K::number, "1."},
                                {K::identifier, "123abc"}, {K::number, "1.5"},
                                {K::identifier, "abc"}, {K::identifier, "0xZZ"},
                                {K::identifier, "0X1"}}));
}

TEST(Lexer, BacktickedIdentifiers) {
  EXPECT_EQ(lex("`a b` `x``y` `select`"),
            (std::vector<Lexed>{{K::quoted_identifier, "`a b`"},
                                {K::quoted_identifier, "`x``y`"},
                                {K::quoted_identifier, "`select`"}}));
  const ExactBuffer b("`select`");
  EXPECT_EQ(Lexer(b.view()).next().keyword, Keyword::none);  // quoted: never a keyword
}

TEST(Lexer, Variables) {
  EXPECT_EQ(lex("@a @a.b @'q v' @`w` @\"d\" @@version @@session.sql_mode @@GLOBAL.x @ @@"),
            (std::vector<Lexed>{{K::user_variable, "@a"}, {K::user_variable, "@a.b"},
                                {K::user_variable, "@'q v'"}, {K::user_variable, "@`w`"},
                                {K::user_variable, "@\"d\""}, {K::system_variable, "@@version"},
                                {K::system_variable, "@@session.sql_mode"},
                                {K::system_variable, "@@GLOBAL.x"}, {K::op, "@"}, {K::op, "@@"}}));
}

TEST(Lexer, Operators) {
  EXPECT_EQ(lex("a<=>b := <= >= <> != << >> && || -> ->> = < > + * / % ^ ~ ! | & ? :"),
            (std::vector<Lexed>{
                {K::identifier, "a"}, {K::op, "<=>"}, {K::identifier, "b"}, {K::op, ":="},
                {K::op, "<="}, {K::op, ">="}, {K::op, "<>"}, {K::op, "!="}, {K::op, "<<"},
                {K::op, ">>"}, {K::op, "&&"}, {K::op, "||"}, {K::op, "->"}, {K::op, "->>"},
                {K::op, "="}, {K::op, "<"}, {K::op, ">"}, {K::op, "+"}, {K::op, "*"},
                {K::op, "/"}, {K::op, "%"}, {K::op, "^"}, {K::op, "~"}, {K::op, "!"},
                {K::op, "|"}, {K::op, "&"}, {K::placeholder, "?"}, {K::op, ":"}}));
}

TEST(Lexer, LineComments) {
  EXPECT_EQ(lex("a -- c\nb # d\nc--"),
            (std::vector<Lexed>{{K::identifier, "a"}, {K::line_comment, "-- c"},
                                {K::identifier, "b"}, {K::line_comment, "# d"},
                                {K::identifier, "c"}, {K::line_comment, "--"}}));
  // "--" needs whitespace or a control character after it: 1--1 is 1 - -1.
  EXPECT_EQ(lex("1--1"), (std::vector<Lexed>{{K::number, "1"}, {K::op, "-"}, {K::op, "-"},
                                             {K::number, "1"}}));
  EXPECT_EQ(lex("--\tx"), (std::vector<Lexed>{{K::line_comment, "--\tx"}}));
}

TEST(Lexer, BlockCommentsAndOptimizerHints) {
  EXPECT_EQ(lex("/* a */ SELECT /*+ MAX_EXECUTION_TIME(1) */ 1 /**/ /*/ x */"),
            (std::vector<Lexed>{{K::block_comment, "/* a */"}, {K::identifier, "SELECT"},
                                {K::optimizer_hint, "/*+ MAX_EXECUTION_TIME(1) */"},
                                {K::number, "1"}, {K::block_comment, "/**/"},
                                {K::block_comment, "/*/ x */"}}));
}

TEST(Lexer, ExecutableCommentsAreCode) {
  EXPECT_EQ(lex("/*!40101 SET NAMES utf8 */;"),
            (std::vector<Lexed>{{K::identifier, "SET"}, {K::identifier, "NAMES"},
                                {K::identifier, "utf8"}, {K::semicolon, ";"}}));
  EXPECT_EQ(lex("/*M!100616 SET x=1*/"),
            (std::vector<Lexed>{{K::identifier, "SET"}, {K::identifier, "x"}, {K::op, "="},
                                {K::number, "1"}}));
  EXPECT_EQ(lex("/*!SELECT*/ 1"),
            (std::vector<Lexed>{{K::identifier, "SELECT"}, {K::number, "1"}}));
  EXPECT_EQ(lex("/*!50100 '*/' */"), (std::vector<Lexed>{{K::string, "'*/'"}}));
  // MariaDB dumps start with a client-side sandbox marker: code, but harmless.
  EXPECT_FALSE(lex("/*!999999\\- enable the sandbox mode */").empty());
}

TEST(Lexer, UnterminatedInputIsOneErrorToken) {
  for (std::string_view sql : {"'abc", "\"abc", "`abc", "/* abc", "/*+ abc", "x'ab", "b'01",
                               "N'x", "_utf8'x", "@'abc", "@`a", "'abc\\", "'a''", "/*"}) {
    const auto tokens = lex(sql);
    ASSERT_EQ(tokens.size(), 1u) << sql;
    EXPECT_EQ(tokens[0].kind, K::error) << sql;
    EXPECT_EQ(tokens[0].text, sql) << sql;
  }
  const auto tokens = lex("SELECT 'abc");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[1], (Lexed{K::error, "'abc"}));
  const auto exec = lex("/*!40101 SET a=1");  // executable comment never closed
  ASSERT_FALSE(exec.empty());
  EXPECT_EQ(exec.back().kind, K::error);
}

TEST(Lexer, UnicodeIdentifiers) {
  EXPECT_EQ(lex("SELECT 名前 FROM `テーブル` WHERE ñame = 'ü'"),
            (std::vector<Lexed>{{K::identifier, "SELECT"}, {K::identifier, "名前"},
                                {K::identifier, "FROM"}, {K::quoted_identifier, "`テーブル`"},
                                {K::identifier, "WHERE"}, {K::identifier, "ñame"}, {K::op, "="},
                                {K::string, "'ü'"}}));
}

TEST(Lexer, NulAndControlBytesAreSingleTokens) {
  const std::string sql("a\0b\x01", 4);
  const auto tokens = lex(sql);
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[1].kind, K::op);
  EXPECT_EQ(tokens[1].text, std::string(1, '\0'));
}

// Every prefix of tricky text, each in an exactly-sized buffer: ASan reports any overread;
// tokens must be in order, inside the input, and the lexer must always terminate.
TEST(Lexer, EveryPrefixStaysInBounds) {
  const std::string_view samples[] = {
      R"(SELECT 'a\'b', "c""d", `e``f`, x'0F', b'1', 0x1F, 1.5e-3, @v, @'w', @@session.x -- c)",
      "/*!40101 SET @a:=1 */; /*M!100101 SELECT 1*/ /*+ h */ # x\n SELECT _utf8mb4'z' ->> '$.a'",
      "SELECT 1--1, 2 -- \n, '\\", "/*! /* */ */ `", "N'", "@", "@@", "0x", "0b", ".", "1e", "1e+",
  };
  for (std::string_view sample : samples) {
    for (std::size_t n = 0; n <= sample.size(); ++n) {
      const ExactBuffer buffer(sample.substr(0, n));
      const std::string_view sql = buffer.view();
      Lexer lexer(sql);
      std::size_t last_end = 0, guard = 0;
      for (Token t = lexer.next(); t.kind != TokenKind::end; t = lexer.next()) {
        const auto begin = static_cast<std::size_t>(t.text.data() - sql.data());
        ASSERT_GE(begin, last_end);
        ASSERT_LE(begin + t.text.size(), sql.size());
        last_end = begin + t.text.size();
        ASSERT_LE(++guard, n + 1) << "no progress on prefix " << n;
      }
    }
  }
}

}  // namespace
}  // namespace rwproxy::parser
