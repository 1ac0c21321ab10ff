// WorkerPool::balanced: where a client accepted by one worker is served. It stays there unless
// another worker has fewer clients by more than an eighth of that worker's count.
#include <gtest/gtest.h>

#include <sstream>

#include "proxy/server/worker_pool.hpp"

namespace rwproxy::server {
namespace {

class WorkerBalance : public ::testing::Test {
 protected:
  void give(std::size_t worker, int clients) {
    for (int i = 0; i < clients; ++i) pool_.at(worker).add_client();
  }
  std::size_t placed(std::size_t accepted_by) { return pool_.balanced(pool_.at(accepted_by)).index(); }

  std::ostringstream log_;
  Logger logger_{LogLevel::info, log_};
  WorkerPool pool_{3, logger_};
};

TEST_F(WorkerBalance, AClientStaysWhereItWasAcceptedWhenTheWorkersAreEven) {
  EXPECT_EQ(placed(0), 0u);
  EXPECT_EQ(placed(2), 2u);
  give(0, 4);
  give(1, 4);
  give(2, 4);
  EXPECT_EQ(placed(1), 1u);
}

TEST_F(WorkerBalance, FewLongLivedClientsAreSpreadEvenly) {
  // Eight sysbench connections that the kernel's hash sent mostly to worker 0.
  give(0, 3);
  give(1, 3);
  give(2, 2);
  EXPECT_EQ(placed(0), 2u);
  EXPECT_EQ(placed(1), 2u);
  EXPECT_EQ(placed(2), 2u);
}

TEST_F(WorkerBalance, ManyClientsMoveOnlyPastAnEighthMore) {
  give(0, 90);
  give(1, 80);  // slack 80 / 8 = 10
  give(2, 85);
  EXPECT_EQ(placed(0), 0u) << "90 is within 80 + 10";
  pool_.at(0).add_client();
  EXPECT_EQ(placed(0), 1u) << "91 is past 80 + 10: the least loaded worker takes it";
  pool_.at(0).remove_client();
  pool_.at(0).remove_client();
  EXPECT_EQ(pool_.at(0).clients(), 89u);
}

}  // namespace
}  // namespace rwproxy::server
