// COM_STMT_EXECUTE parsing and per-backend rewriting, byte for byte; the statement table.
#include "proxy/session/prepared_statements.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>

#include "parser/classifier.hpp"

namespace rwproxy::session {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

// COM_STMT_EXECUTE, statement 0x00000105, flags as given, iteration count 1.
std::string header(std::uint8_t flags = 0x00) { return bytes({0x17, 0x05, 0x01, 0x00, 0x00, flags, 1, 0, 0, 0}); }
// Three parameters: NULL bitmap (none NULL).
const std::string null_bitmap = bytes({0x00});
// LONGLONG, VAR_STRING, LONG.
const std::string three_types = bytes({0x08, 0x00, 0xfd, 0x00, 0x03, 0x00});
// 7, "ab", 9.
const std::string three_values = bytes({7, 0, 0, 0, 0, 0, 0, 0, 2, 'a', 'b', 9, 0, 0, 0});

std::string with_types() { return header() + null_bitmap + bytes({0x01}) + three_types + three_values; }
std::string without_types() { return header() + null_bitmap + bytes({0x00}) + three_values; }

TEST(ParseExecute, NoParameters) {
  ExecuteRequest request;
  ASSERT_TRUE(parse_execute(header(), 0, request));
  EXPECT_EQ(request.statement_id, 0x105u);
  EXPECT_EQ(request.flags, 0);
  EXPECT_FALSE(request.cursor());
  EXPECT_FALSE(request.new_params_bound);
  EXPECT_EQ(request.types_offset, 10u);
}

TEST(ParseExecute, ThreeParametersWithTypes) {
  ExecuteRequest request;
  ASSERT_TRUE(parse_execute(with_types(), 3, request));
  EXPECT_EQ(request.statement_id, 0x105u);
  EXPECT_TRUE(request.new_params_bound);
  EXPECT_EQ(request.types_offset, 12u);
  EXPECT_EQ(with_types().substr(request.types_offset, 6), three_types);
}

TEST(ParseExecute, ThreeParametersWithoutTypes) {
  ExecuteRequest request;
  ASSERT_TRUE(parse_execute(without_types(), 3, request));
  EXPECT_FALSE(request.new_params_bound);
  EXPECT_EQ(request.types_offset, 12u);  // right after the new_params_bound flag
}

TEST(ParseExecute, NineParametersHaveATwoByteNullBitmap) {
  const std::string payload = header() + bytes({0x00, 0x00, 0x00});
  ExecuteRequest request;
  ASSERT_TRUE(parse_execute(payload, 9, request));
  EXPECT_FALSE(request.new_params_bound);
  EXPECT_EQ(request.types_offset, 13u);
}

TEST(ParseExecute, CursorFlag) {
  ExecuteRequest request;
  ASSERT_TRUE(parse_execute(header(0x01), 0, request));
  EXPECT_EQ(request.flags, 0x01);
  EXPECT_TRUE(request.cursor());
}

TEST(ParseExecute, TruncatedPayloadsAreRejected) {
  ExecuteRequest request;
  const std::string full = with_types();
  EXPECT_FALSE(parse_execute("", 0, request));
  EXPECT_FALSE(parse_execute(full.substr(0, 1), 0, request));
  EXPECT_FALSE(parse_execute(full.substr(0, 5), 0, request));   // inside the statement id
  EXPECT_FALSE(parse_execute(full.substr(0, 9), 0, request));   // inside the iteration count
  EXPECT_FALSE(parse_execute(full.substr(0, 10), 3, request));  // no NULL bitmap
  EXPECT_FALSE(parse_execute(full.substr(0, 11), 3, request));  // no new_params_bound flag
  EXPECT_FALSE(parse_execute(full.substr(0, 14), 3, request));  // types cut short
  EXPECT_TRUE(parse_execute(full.substr(0, 18), 3, request));   // all types (values not checked)
}

TEST(RewriteExecute, ReplacesTheIdLittleEndian) {
  const std::string payload = with_types();
  ExecuteRequest request;
  ASSERT_TRUE(parse_execute(payload, 3, request));
  std::string expected = payload;
  expected.replace(1, 4, bytes({0x0d, 0x0c, 0x0b, 0x0a}));
  EXPECT_EQ(rewrite_execute(payload, request, 0x0a0b0c0d, {}), expected);
}

TEST(RewriteExecute, InsertsTypesWhenThePacketHasNone) {
  const std::string payload = without_types();
  ExecuteRequest request;
  ASSERT_TRUE(parse_execute(payload, 3, request));
  const std::string expected =
      bytes({0x17, 0x2a, 0x00, 0x00, 0x00, 0x00, 1, 0, 0, 0}) + null_bitmap + bytes({0x01}) + three_types + three_values;
  EXPECT_EQ(rewrite_execute(payload, request, 42, three_types), expected);
}

TEST(RewriteExecute, KeepsTheClientsTypesWhenItSentThem) {
  const std::string payload = with_types();
  ExecuteRequest request;
  ASSERT_TRUE(parse_execute(payload, 3, request));
  const std::string other_types = bytes({0x0f, 0x00, 0x0f, 0x00, 0x0f, 0x00});
  std::string expected = payload;
  expected.replace(1, 4, bytes({42, 0, 0, 0}));
  EXPECT_EQ(rewrite_execute(payload, request, 42, other_types), expected);
}

TEST(RewriteExecute, NoTypesToAddLeavesThePacketAsIs) {
  const std::string payload = without_types();
  ExecuteRequest request;
  ASSERT_TRUE(parse_execute(payload, 3, request));
  std::string expected = payload;
  expected.replace(1, 4, bytes({0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(rewrite_execute(payload, request, 0xffffffff, {}), expected);
}

TEST(RewriteExecute, CursorFlagAndValuesAreKept) {
  const std::string payload = header(0x01);
  ExecuteRequest request;
  ASSERT_TRUE(parse_execute(payload, 0, request));
  EXPECT_EQ(rewrite_execute(payload, request, 0x105, {}), payload);
}

TEST(PreparedStatementTable, AddAssignsFreshIdsAndFindEraseClearWork) {
  PreparedStatements statements;
  EXPECT_EQ(statements.find(1), nullptr);
  PreparedStatement& s = statements.add("SELECT * FROM t WHERE id = ?", parser::classify("SELECT * FROM t WHERE id = ?"), 1);
  EXPECT_EQ(s.id, 1u);
  EXPECT_EQ(s.param_count, 1);
  EXPECT_EQ(s.sql, "SELECT * FROM t WHERE id = ?");
  EXPECT_EQ(s.info.kind, parser::StatementKind::select);
  EXPECT_FALSE(s.last_replica);
  EXPECT_FALSE(s.long_data_pending);
  EXPECT_FALSE(s.cursor_open);

  const std::uint32_t second = statements.add("UPDATE t SET a = ?", parser::classify("UPDATE t SET a = ?"), 1).id;
  EXPECT_EQ(second, 2u);
  EXPECT_EQ(statements.size(), 2u);
  ASSERT_NE(statements.find(1), nullptr);
  EXPECT_EQ(statements.find(1)->sql, "SELECT * FROM t WHERE id = ?");
  ASSERT_NE(statements.find(2), nullptr);
  EXPECT_EQ(statements.find(2)->sql, "UPDATE t SET a = ?");

  statements.erase(1);
  EXPECT_EQ(statements.find(1), nullptr);
  EXPECT_EQ(statements.size(), 1u);
  statements.erase(99);  // unknown: nothing happens
  EXPECT_EQ(statements.size(), 1u);
  EXPECT_EQ(statements.add("SELECT 1", parser::classify("SELECT 1"), 0).id, 3u) << "a closed id is not reused";
  statements.clear();
  EXPECT_EQ(statements.size(), 0u);
  EXPECT_EQ(statements.find(2), nullptr);
}

TEST(PreparedStatementTable, TheSameTextPreparedTwiceIsTwoStatements) {
  PreparedStatements statements;
  const std::uint32_t a = statements.add("SELECT ?", parser::classify("SELECT ?"), 1).id;
  const std::uint32_t b = statements.add("SELECT ?", parser::classify("SELECT ?"), 1).id;
  EXPECT_NE(a, b);
  EXPECT_EQ(statements.size(), 2u);
}

TEST(PreparedStatementTable, CursorsAndLongDataBindTheSession) {
  PreparedStatements statements;
  PreparedStatement& s = statements.add("SELECT * FROM t", parser::classify("SELECT * FROM t"), 0);
  EXPECT_EQ(statements.binding(), router::BindReason::none) << "an open statement alone binds nothing";
  s.cursor_open = true;
  EXPECT_EQ(statements.binding(), router::BindReason::cursor);
  s.cursor_open = false;
  s.long_data_pending = true;
  EXPECT_EQ(statements.binding(), router::BindReason::long_data);
  statements.erase(s.id);
  EXPECT_EQ(statements.binding(), router::BindReason::none);
}

}  // namespace
}  // namespace rwproxy::session
