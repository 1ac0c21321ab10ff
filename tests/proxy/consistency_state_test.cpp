#include "proxy/session/consistency_state.hpp"

#include <gtest/gtest.h>

namespace rwproxy::session {
namespace {

router::GtidPosition pos(std::string_view text) { return router::GtidPosition::parse(text).value(); }

TEST(ConsistencyStateTest, CommittedGtidsAccumulatePerDomain) {
  ConsistencyState state;
  EXPECT_TRUE(state.note_committed("0-1-5"));
  EXPECT_TRUE(state.note_committed("0-1-7"));
  EXPECT_TRUE(state.note_committed("1-1-2"));
  EXPECT_TRUE(state.note_committed("0-1-6"));  // an older one never lowers the position
  EXPECT_FALSE(state.note_committed("garbage"));
  EXPECT_EQ(state.writes().to_string(), "0-1-7,1-1-2");
}

TEST(ConsistencyStateTest, TheTokenCoversWritesPresentedTokenAndReads) {
  ConsistencyState state;
  state.note_committed("0-1-7");
  state.present_token(pos("2-3-4"));
  router::Route read(router::Target::replica, router::Reason::read, 1);
  read.covers = pos("0-1-9");
  state.note_replica_read(read);
  EXPECT_EQ(state.token_position().to_string(), "0-1-9,2-3-4");
}

TEST(ConsistencyStateTest, FillsTheRoutersView) {
  ConsistencyState state;
  router::RoutingSession empty;
  state.fill(empty);
  EXPECT_EQ(empty.write_position, nullptr);
  EXPECT_EQ(empty.token_position, nullptr);
  EXPECT_EQ(empty.read_floor, nullptr);
  EXPECT_FALSE(empty.home_replica);

  state.note_committed("0-1-7");
  state.present_token(pos("0-1-8"));
  router::Route read(router::Target::replica, router::Reason::read, 1);
  read.covers = pos("0-1-6");
  state.note_replica_read(read);
  router::RoutingSession view;
  state.fill(view);
  ASSERT_NE(view.write_position, nullptr);
  EXPECT_EQ(view.write_position->to_string(), "0-1-7");
  EXPECT_EQ(view.token_position->to_string(), "0-1-8");
  EXPECT_EQ(view.read_floor->to_string(), "0-1-6");
  EXPECT_EQ(view.home_replica, std::optional<std::size_t>(1));
}

TEST(ConsistencyStateTest, ResetForgetsTheTokenAndReplicaButNotTheWrites) {
  ConsistencyState state;
  state.note_committed("0-1-7");
  state.present_token(pos("0-1-8"));
  state.note_replica_read(router::Route(router::Target::replica, router::Reason::read, 0));
  state.reset();
  router::RoutingSession view;
  state.fill(view);
  EXPECT_EQ(view.token_position, nullptr);
  EXPECT_FALSE(view.home_replica);
  ASSERT_NE(view.write_position, nullptr);
}

TEST(ConsistencyStateTest, MasterReadsDoNotMoveTheSession) {
  ConsistencyState state;
  state.note_replica_read(router::Route(router::Target::master, router::Reason::write));
  router::RoutingSession view;
  state.fill(view);
  EXPECT_FALSE(view.home_replica);
}

}  // namespace
}  // namespace rwproxy::session
