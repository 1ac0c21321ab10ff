// ServerStatements: a backend connection's prepared statements by SQL text, least recently used
// evicted past the cap; PrepareResponseCache: PREPARE answers by account, capabilities, schema
// and text, and the PREPARE_OK it writes for a client's id.
#include "proxy/backend/server_statements.hpp"

#include <gtest/gtest.h>

#include "proxy/protocol/frame_reader.hpp"
#include "proxy/session/prepare_response_cache.hpp"

namespace rwproxy::backend {
namespace {

TEST(ServerStatementsTest, FindsByTextAndEvictsTheLeastRecentlyUsed) {
  ServerStatements statements(2);
  EXPECT_EQ(statements.find("SELECT 1"), nullptr);
  EXPECT_FALSE(statements.add("SELECT 1", 10));
  EXPECT_FALSE(statements.add("SELECT 2", 11));
  ASSERT_NE(statements.find("SELECT 1"), nullptr);  // now the most recently used
  EXPECT_EQ(statements.find("SELECT 1")->id, 10u);
  EXPECT_EQ(statements.add("SELECT 3", 12), std::optional<std::uint32_t>(11)) << "SELECT 2 was used least recently";
  EXPECT_EQ(statements.find("SELECT 2"), nullptr);
  EXPECT_EQ(statements.size(), 2u);
  statements.find("SELECT 3")->param_types = std::string("\x08\x00", 2);
  EXPECT_EQ(statements.find("SELECT 3")->param_types, std::string("\x08\x00", 2));
  statements.clear();
  EXPECT_EQ(statements.size(), 0u);
  EXPECT_EQ(statements.find("SELECT 1"), nullptr);
}

TEST(ServerStatementsTest, PreparingTheSameTextAgainReplacesTheOldId) {
  ServerStatements statements(4);
  statements.add("SELECT ?", 5);
  EXPECT_EQ(statements.add("SELECT ?", 9), std::optional<std::uint32_t>(5));
  EXPECT_EQ(statements.find("SELECT ?")->id, 9u);
  EXPECT_EQ(statements.size(), 1u);
}

}  // namespace
}  // namespace rwproxy::backend

namespace rwproxy::session {
namespace {

TEST(PrepareResponseCacheTest, KeysSeparateAccountsCapabilitiesCharsetsSchemasAndSettings) {
  const std::string a = PrepareResponseCache::key("app", 0x200, 45, "shop", 7, "SELECT ?");
  EXPECT_NE(a, PrepareResponseCache::key("report", 0x200, 45, "shop", 7, "SELECT ?"));
  EXPECT_NE(a, PrepareResponseCache::key("app", 0x1200, 45, "shop", 7, "SELECT ?"));
  EXPECT_NE(a, PrepareResponseCache::key("app", 0x200, 8, "shop", 7, "SELECT ?"));
  EXPECT_NE(a, PrepareResponseCache::key("app", 0x200, 45, "crm", 7, "SELECT ?"));
  EXPECT_NE(a, PrepareResponseCache::key("app", 0x200, 45, "shop", 8, "SELECT ?"));
  EXPECT_NE(PrepareResponseCache::key("ap", 0x200, 45, "pshop", 7, "SELECT ?"),
            PrepareResponseCache::key("app", 0x200, 45, "shop", 7, "SELECT ?"));
  EXPECT_EQ(a, PrepareResponseCache::key("app", 0x200, 45, "shop", 7, "SELECT ?"));
}

TEST(PrepareResponseCacheTest, BoundedAndCleared) {
  PrepareResponseCache cache(2);
  cache.add("a", PrepareResponse{1, 0, 0, {}});
  cache.add("b", PrepareResponse{2, 0, 0, {}});
  ASSERT_NE(cache.find("a"), nullptr);  // a is now the most recently used
  cache.add("c", PrepareResponse{3, 0, 0, {}});
  EXPECT_EQ(cache.find("b"), nullptr);
  ASSERT_NE(cache.find("a"), nullptr);
  EXPECT_EQ(cache.find("a")->params, 1);
  cache.clear();
  EXPECT_EQ(cache.find("a"), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(PrepareResponseCacheTest, TheClientGetsItsOwnIdAndTheServersMetadata) {
  PrepareResponse response;
  response.params = 1;
  response.columns = 1;
  response.warnings = 0;
  response.packets = {"param-def", "column-def"};
  std::string frames;
  append_prepare_response(frames, 0x01020304, response);
  protocol::FrameReader reader(1 << 20);
  reader.feed(protocol::as_bytes(frames));
  std::error_code ec;
  auto ok = reader.next(ec);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->sequence_id, 1);
  EXPECT_EQ(ok->payload, std::string("\x00\x04\x03\x02\x01\x01\x00\x01\x00\x00\x00\x00", 12));
  auto param = reader.next(ec);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->sequence_id, 2);
  EXPECT_EQ(param->payload, "param-def");
  auto column = reader.next(ec);
  ASSERT_TRUE(column);
  EXPECT_EQ(column->sequence_id, 3);
  EXPECT_EQ(column->payload, "column-def");
  EXPECT_FALSE(reader.next(ec));
}

}  // namespace
}  // namespace rwproxy::session
