#include "replay/replay_buffer.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

constexpr TransitionShape kShape{2, 1};

Transitions Constant(float value, int64_t n) {
  Transitions t;
  t.shape = kShape;
  const float obs[2] = {value, value};
  const float act[1] = {value};
  for (int64_t i = 0; i < n; ++i) t.Append(obs, act, value, obs, false, false, 0);
  return t;
}

TEST(ReplayBufferTest, SamplesInTheRequestedOrderAndCounts) {
  auto buffer = *ReplayBuffer::Create({"a", "b", "c"}, kShape, 100);
  EXPECT_EQ(buffer->MemoryBytes(), 3 * 100 * kShape.BytesPerTransition());
  ASSERT_TRUE(buffer->Insert("a", Constant(1, 10)).ok());
  ASSERT_TRUE(buffer->Insert("b", Constant(2, 10)).ok());
  ASSERT_TRUE(buffer->Insert("c", Constant(3, 10)).ok());
  std::mt19937_64 rng(0);
  auto batch = buffer->Sample({{"c", 2}, {"a", 3}, {"b", 1}}, rng);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->reward, (std::vector<float>{3, 3, 1, 1, 1, 2}));
  EXPECT_EQ(buffer->TotalSize(), 30);
}

TEST(ReplayBufferTest, UnknownOrEmptyTaskFailsWithoutSampling) {
  auto buffer = *ReplayBuffer::Create({"a", "b"}, kShape, 10);
  ASSERT_TRUE(buffer->Insert("a", Constant(1, 5)).ok());
  std::mt19937_64 rng(0);
  auto unknown = buffer->Sample({{"a", 1}, {"zzz", 1}}, rng);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(unknown.status().message()), testing::HasSubstr("holds: a, b"));
  auto empty = buffer->Sample({{"a", 1}, {"b", 1}}, rng);
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(buffer->table("a")->sampled_total(), 0);
  EXPECT_EQ(buffer->Insert("zzz", Constant(1, 1)).code(), absl::StatusCode::kNotFound);
}

TEST(ReplayBufferTest, DuplicateTasksAreRejected) {
  EXPECT_FALSE(ReplayBuffer::Create({"a", "a"}, kShape, 10).ok());
  EXPECT_FALSE(ReplayBuffer::Create({}, kShape, 10).ok());
}

}  // namespace
}  // namespace taco
