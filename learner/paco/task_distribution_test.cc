#include "learner/paco/task_distribution.h"

#include <numeric>

#include "gtest/gtest.h"

namespace paco {
namespace {

TEST(TaskDistributionTest, GroupsShareProbabilityEvenly) {
  // Groups {0,1,2}, {3}, {4,5}: each group 1/3, split within.
  auto p = GroupDistribution({{0, 1, 2}, {3}, {4, 5}}, 6);
  ASSERT_TRUE(p.ok());
  EXPECT_DOUBLE_EQ((*p)[0], 1.0 / 9);
  EXPECT_DOUBLE_EQ((*p)[3], 1.0 / 3);
  EXPECT_DOUBLE_EQ((*p)[5], 1.0 / 6);
  EXPECT_NEAR(std::accumulate(p->begin(), p->end(), 0.0), 1.0, 1e-12);
}

TEST(TaskDistributionTest, GroupsMustPartitionTheTasks) {
  EXPECT_FALSE(GroupDistribution({{0, 1}, {1, 2}}, 3).ok());
  EXPECT_FALSE(GroupDistribution({{0, 1}}, 3).ok());
  EXPECT_FALSE(GroupDistribution({{0, 5}}, 3).ok());
  EXPECT_FALSE(GroupDistribution({}, 3).ok());
}

TEST(TaskDistributionTest, TacoWeightsDoubleThreeTasks) {
  std::vector<double> w(10, 1.0);
  w[2] = w[4] = w[7] = 2.0;
  auto p = WeightDistribution(w);
  ASSERT_TRUE(p.ok());
  EXPECT_DOUBLE_EQ((*p)[2], 2.0 / 13);
  EXPECT_DOUBLE_EQ((*p)[0], 1.0 / 13);
  EXPECT_FALSE(WeightDistribution({0.0, 0.0}).ok());
  EXPECT_FALSE(WeightDistribution({1.0, -1.0}).ok());
}

TEST(TaskDistributionTest, BatchCountsSumExactlyAndFollowP) {
  EXPECT_EQ(BatchCounts(UniformDistribution(10), 1280), std::vector<int64_t>(10, 128));
  const std::vector<int64_t> three = BatchCounts(UniformDistribution(3), 100);
  EXPECT_EQ(three, (std::vector<int64_t>{34, 33, 33}));
  std::vector<double> w(10, 1.0);
  w[2] = w[4] = w[7] = 2.0;
  const std::vector<int64_t> taco = BatchCounts(*WeightDistribution(w), 1280);
  EXPECT_EQ(std::accumulate(taco.begin(), taco.end(), int64_t{0}), 1280);
  EXPECT_NEAR(taco[2], 2 * taco[0], 1);
  EXPECT_EQ(BatchCounts({0.5, 0.0, 0.5}, 7)[1], 0);
}

}  // namespace
}  // namespace paco
