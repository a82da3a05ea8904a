#include "replay/table.h"

#include <cmath>
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

using ::testing::HasSubstr;

constexpr TransitionShape kShape{3, 2};

// Transitions whose reward encodes their index, so order is visible.
Transitions Numbered(int64_t first, int64_t n) {
  Transitions t;
  t.shape = kShape;
  for (int64_t i = first; i < first + n; ++i) {
    const float v = static_cast<float>(i);
    const float obs[3] = {v, v, v};
    const float act[2] = {-v, v};
    const float next[3] = {v + 1, v + 1, v + 1};
    t.Append(obs, act, v, next, false, i % 7 == 6, static_cast<uint64_t>(i));
  }
  return t;
}

TEST(TableTest, MemoryIsKnownUpFront) {
  auto table = Table::Create("reach-v2", kShape, 100);
  ASSERT_TRUE(table.ok());
  EXPECT_EQ((*table)->MemoryBytes(), 100 * kShape.BytesPerTransition());
  EXPECT_EQ((*table)->size(), 0);
}

TEST(TableTest, RejectsBadCreation) {
  EXPECT_FALSE(Table::Create("", kShape, 10).ok());
  EXPECT_FALSE(Table::Create("t", kShape, 0).ok());
  EXPECT_FALSE(Table::Create("t", TransitionShape{0, 1}, 10).ok());
}

TEST(TableTest, RingBufferKeepsTheNewest) {
  auto table = *Table::Create("t", kShape, 5);
  ASSERT_TRUE(table->Insert(Numbered(0, 3)).ok());
  ASSERT_TRUE(table->Insert(Numbered(3, 4)).ok());
  EXPECT_EQ(table->size(), 5);
  EXPECT_EQ(table->inserted_total(), 7);
  Transitions snap = table->Snapshot();
  ASSERT_EQ(snap.size, 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(snap.reward[i], static_cast<float>(i + 2));
  EXPECT_EQ(snap.obs[3 * 4], 6.0f);
  EXPECT_EQ(snap.truncated[4], 1.0f);  // index 6
  EXPECT_EQ(snap.policy_version[0], 2u);
}

TEST(TableTest, OversizedBatchKeepsItsLastRows) {
  auto table = *Table::Create("t", kShape, 4);
  ASSERT_TRUE(table->Insert(Numbered(0, 10)).ok());
  Transitions snap = table->Snapshot();
  EXPECT_EQ(snap.reward, (std::vector<float>{6, 7, 8, 9}));
}

TEST(TableTest, InvalidBatchStoresNothing) {
  auto table = *Table::Create("t", kShape, 10);
  Transitions bad = Numbered(0, 3);
  bad.reward[1] = std::nanf("");
  absl::Status status = table->Insert(bad);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("reward"));
  Transitions wrong_flag = Numbered(0, 2);
  wrong_flag.terminal[0] = 0.5f;
  EXPECT_FALSE(table->Insert(wrong_flag).ok());
  Transitions short_obs = Numbered(0, 2);
  short_obs.obs.pop_back();
  EXPECT_FALSE(table->Insert(short_obs).ok());
  Transitions other_shape = Numbered(0, 2);
  other_shape.shape.obs_dim = 4;
  EXPECT_FALSE(table->Insert(other_shape).ok());
  EXPECT_EQ(table->size(), 0);
  EXPECT_EQ(table->inserted_total(), 0);
}

TEST(TableTest, SamplesComeFromStoredRowsIntact) {
  auto table = *Table::Create("t", kShape, 50);
  ASSERT_TRUE(table->Insert(Numbered(100, 20)).ok());
  std::mt19937_64 rng(7);
  Transitions out = Transitions::Zeros(kShape, 400);
  ASSERT_TRUE(table->SampleInto(400, rng, &out, 0).ok());
  std::set<int> seen;
  for (int i = 0; i < 400; ++i) {
    const float v = out.reward[i];
    ASSERT_GE(v, 100.0f);
    ASSERT_LT(v, 120.0f);
    EXPECT_EQ(out.obs[3 * i + 2], v);
    EXPECT_EQ(out.action[2 * i], -v);
    EXPECT_EQ(out.next_obs[3 * i], v + 1);
    EXPECT_EQ(out.policy_version[i], static_cast<uint64_t>(v));
    seen.insert(static_cast<int>(v));
  }
  EXPECT_EQ(seen.size(), 20u) << "400 uniform draws over 20 rows should hit every row";
  EXPECT_EQ(table->sampled_total(), 400);
}

TEST(TableTest, SamplingIsRoughlyUniform) {
  auto table = *Table::Create("t", kShape, 10);
  ASSERT_TRUE(table->Insert(Numbered(0, 10)).ok());
  std::mt19937_64 rng(1);
  Transitions out = Transitions::Zeros(kShape, 20000);
  ASSERT_TRUE(table->SampleInto(20000, rng, &out, 0).ok());
  std::vector<int> hist(10, 0);
  for (float r : out.reward) ++hist[static_cast<int>(r)];
  // 2000 expected per row; 6 standard deviations is about ±255.
  for (int h : hist) EXPECT_NEAR(h, 2000, 255);
}

TEST(TableTest, EmptyTableCannotBeSampled) {
  auto table = *Table::Create("t", kShape, 10);
  std::mt19937_64 rng(1);
  Transitions out = Transitions::Zeros(kShape, 1);
  EXPECT_EQ(table->SampleInto(1, rng, &out, 0).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(table->SampleInto(2, rng, &out, 0).ok()) << "output too small";
}

TEST(TableTest, RestoreRoundTrip) {
  auto table = *Table::Create("t", kShape, 6);
  ASSERT_TRUE(table->Insert(Numbered(0, 9)).ok());
  auto copy = *Table::Create("t", kShape, 6);
  ASSERT_TRUE(copy->Restore(table->Snapshot(), table->inserted_total(), 4).ok());
  EXPECT_EQ(copy->Snapshot().reward, table->Snapshot().reward);
  EXPECT_EQ(copy->inserted_total(), 9);
  EXPECT_EQ(copy->sampled_total(), 4);
  // The ring continues where it left off.
  ASSERT_TRUE(copy->Insert(Numbered(9, 1)).ok());
  ASSERT_TRUE(table->Insert(Numbered(9, 1)).ok());
  EXPECT_EQ(copy->Snapshot().reward, table->Snapshot().reward);
  auto small = *Table::Create("t", kShape, 2);
  EXPECT_FALSE(small->Restore(table->Snapshot(), 10, 0).ok());
}

TEST(TableTest, ConcurrentInsertsAndSamplesStayConsistent) {
  auto table = *Table::Create("t", kShape, 1000);
  ASSERT_TRUE(table->Insert(Numbered(0, 10)).ok());
  std::vector<std::thread> threads;
  for (int w = 0; w < 3; ++w) {
    threads.emplace_back([&table, w] {
      for (int i = 0; i < 200; ++i) ASSERT_TRUE(table->Insert(Numbered(w * 1000 + i * 4, 4)).ok());
    });
  }
  for (int s = 0; s < 2; ++s) {
    threads.emplace_back([&table, s] {
      std::mt19937_64 rng(s);
      Transitions out = Transitions::Zeros(kShape, 32);
      for (int i = 0; i < 200; ++i) {
        ASSERT_TRUE(table->SampleInto(32, rng, &out, 0).ok());
        for (int r = 0; r < 32; ++r) ASSERT_EQ(out.obs[3 * r], out.reward[r]) << "torn row";
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(table->inserted_total(), 10 + 3 * 200 * 4);
  EXPECT_EQ(table->size(), 1000);
}

}  // namespace
}  // namespace taco
