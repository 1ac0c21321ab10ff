// elect_writer: which backend takes the writes, with and without [monitor] follow_writer.
#include "router/writer_election.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace rwproxy::router {
namespace {

WriterCandidate candidate(bool up, std::optional<bool> writable, bool configured_master = false, bool active = true) {
  return WriterCandidate{active, up, writable, configured_master};
}

TEST(WriterElection, WithoutFollowWriterTheConfiguredMasterTakesWritesWhatever_read_onlySays) {
  const std::vector<WriterCandidate> c{candidate(true, false), candidate(true, false, true), candidate(true, true)};
  const WriterElection e = elect_writer(c, false, 1);
  ASSERT_TRUE(e.master);
  EXPECT_EQ(*e.master, 1u);
  EXPECT_EQ(e.problem, WriterProblem::none);
}

TEST(WriterElection, WithoutFollowWriterAConfiguredMasterDownOrOfflineIsMasterDown) {
  const std::vector<WriterCandidate> down{candidate(true, false), candidate(false, std::nullopt, true)};
  EXPECT_EQ(elect_writer(down, false, 1).problem, WriterProblem::master_down);
  const std::vector<WriterCandidate> offline{candidate(true, false), candidate(true, true, true, false)};
  EXPECT_EQ(elect_writer(offline, false, 1).problem, WriterProblem::master_down);
}

TEST(WriterElection, FollowWriterPicksTheOnlyWritableBackendThatIsUp) {
  // The configured master (0) is down; replica 2 was promoted.
  const std::vector<WriterCandidate> c{candidate(false, true, true), candidate(true, false), candidate(true, true)};
  const WriterElection e = elect_writer(c, true, 0);
  ASSERT_TRUE(e.master);
  EXPECT_EQ(*e.master, 2u);
  EXPECT_EQ(e.problem, WriterProblem::none);
  EXPECT_EQ(e.writable, std::vector<std::size_t>{2});
}

TEST(WriterElection, FollowWriterRefusesWritesInASplitBrainAndNamesBoth) {
  const std::vector<WriterCandidate> c{candidate(true, true, true), candidate(true, false), candidate(true, true)};
  const WriterElection e = elect_writer(c, true, 0);
  EXPECT_FALSE(e.master);
  EXPECT_EQ(e.problem, WriterProblem::split_brain);
  EXPECT_EQ(e.writable, (std::vector<std::size_t>{0, 2}));
}

TEST(WriterElection, FollowWriterWithNoWritableBackendIsNoWriter) {
  const std::vector<WriterCandidate> c{candidate(false, true, true), candidate(true, false), candidate(true, false)};
  const WriterElection e = elect_writer(c, true, 0);
  EXPECT_FALSE(e.master);
  EXPECT_EQ(e.problem, WriterProblem::no_writer);
}

TEST(WriterElection, FollowWriterKeepsTheCurrentMasterUntilItsFirstCheck) {
  const std::vector<WriterCandidate> c{candidate(true, std::nullopt, true), candidate(true, std::nullopt),
                                       candidate(true, false)};
  const WriterElection e = elect_writer(c, true, 0);
  ASSERT_TRUE(e.master);
  EXPECT_EQ(*e.master, 0u);
  EXPECT_EQ(e.problem, WriterProblem::none);
}

TEST(WriterElection, AnOfflineWritableBackendIsNotACandidate) {
  const std::vector<WriterCandidate> c{candidate(true, true, true, false), candidate(true, true)};
  const WriterElection e = elect_writer(c, true, 0);
  ASSERT_TRUE(e.master);
  EXPECT_EQ(*e.master, 1u);
}

}  // namespace
}  // namespace rwproxy::router
