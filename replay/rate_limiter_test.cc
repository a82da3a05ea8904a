#include "replay/rate_limiter.h"

#include <atomic>
#include <random>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

using ::testing::HasSubstr;

constexpr absl::Duration kNoWait = absl::ZeroDuration();

TEST(RateLimiterTest, MinSizeGatesSampling) {
  auto limiter = *RateLimiter::Create(RateLimiterOptions::MinSize(10), 100, 100);
  EXPECT_EQ(limiter->AcquireSample(1, kNoWait).code(), absl::StatusCode::kDeadlineExceeded);
  ASSERT_TRUE(limiter->AcquireInsert(9, kNoWait).ok());
  EXPECT_FALSE(limiter->AcquireSample(1, kNoWait).ok());
  ASSERT_TRUE(limiter->AcquireInsert(1, kNoWait).ok());
  EXPECT_TRUE(limiter->AcquireSample(100, kNoWait).ok());
  EXPECT_EQ(limiter->samples(), 100);
}

TEST(RateLimiterTest, RatioIsHeldWithinTheErrorBuffer) {
  // Two samples per insert, centred at 2 * 4 = 8, ±6.
  auto limiter = *RateLimiter::Create(RateLimiterOptions::SampleToInsertRatio(2.0, 4, 6.0), 1, 4);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(limiter->AcquireInsert(1, kNoWait).ok());
  // d = 8: sampling 4 gives 4 >= min_diff 2; another 4 would reach 0 < 2.
  ASSERT_TRUE(limiter->AcquireSample(4, kNoWait).ok());
  EXPECT_FALSE(limiter->AcquireSample(4, kNoWait).ok());
  ASSERT_TRUE(limiter->AcquireSample(2, kNoWait).ok());
  // d = 2: inserts allowed up to d <= 14, i.e. 6 more inserts.
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(limiter->AcquireInsert(1, kNoWait).ok()) << i;
  EXPECT_EQ(limiter->AcquireInsert(1, kNoWait).code(), absl::StatusCode::kDeadlineExceeded);
}

TEST(RateLimiterTest, RejectsSettingsThatCanDeadlock) {
  auto narrow = RateLimiter::Create(RateLimiterOptions::SampleToInsertRatio(1.0, 10, 2.0), 1, 8);
  ASSERT_FALSE(narrow.ok());
  EXPECT_THAT(std::string(narrow.status().message()), HasSubstr("deadlock"));
  auto cannot_fill =
      RateLimiter::Create(RateLimiterOptions::SampleToInsertRatio(1.0, 10, 50.0), 100, 1);
  ASSERT_FALSE(cannot_fill.ok());
  EXPECT_THAT(std::string(cannot_fill.status().message()), HasSubstr("min_size_to_sample"));
  EXPECT_FALSE(RateLimiter::Create(RateLimiterOptions::SampleToInsertRatio(0.0, 1, 10), 1, 1).ok());
  EXPECT_FALSE(RateLimiter::Create(RateLimiterOptions::MinSize(0), 1, 1).ok());
}

TEST(RateLimiterTest, AcceptedSettingsNeverDeadlock) {
  // Walk many random interleavings: whenever both wait, the check failed.
  const auto options = RateLimiterOptions::SampleToInsertRatio(3.0, 5, 40.0);
  auto limiter = *RateLimiter::Create(options, 4, 24);
  std::mt19937 rng(3);
  for (int step = 0; step < 5000; ++step) {
    const int64_t n_insert = 1 + rng() % 4;
    const int64_t n_sample = 1 + rng() % 24;
    const bool insert_first = rng() % 2;
    absl::Status a = insert_first ? limiter->AcquireInsert(n_insert, kNoWait)
                                  : limiter->AcquireSample(n_sample, kNoWait);
    if (a.ok()) continue;
    absl::Status b = insert_first ? limiter->AcquireSample(n_sample, kNoWait)
                                  : limiter->AcquireInsert(n_insert, kNoWait);
    ASSERT_TRUE(b.ok()) << "both blocked at inserts=" << limiter->inserts()
                        << " samples=" << limiter->samples();
  }
}

TEST(RateLimiterTest, BlockedSamplerWakesOnInsertAndCountsBlockedTime) {
  auto limiter = *RateLimiter::Create(RateLimiterOptions::MinSize(1), 1, 1);
  std::atomic<bool> sampled{false};
  std::thread sampler([&] {
    ASSERT_TRUE(limiter->AcquireSample(1, absl::Seconds(30)).ok());
    sampled = true;
  });
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_FALSE(sampled.load());
  ASSERT_TRUE(limiter->AcquireInsert(1, kNoWait).ok());
  sampler.join();
  EXPECT_TRUE(sampled.load());
  EXPECT_GT(limiter->sample_blocked_seconds(), 0.02);
}

TEST(RateLimiterTest, CancelReleasesWaiters) {
  auto limiter = *RateLimiter::Create(RateLimiterOptions::MinSize(5), 1, 1);
  std::thread waiter([&] {
    EXPECT_EQ(limiter->AcquireSample(1, absl::Seconds(30)).code(), absl::StatusCode::kCancelled);
  });
  absl::SleepFor(absl::Milliseconds(20));
  limiter->Cancel();
  waiter.join();
  EXPECT_EQ(limiter->AcquireInsert(1, kNoWait).code(), absl::StatusCode::kCancelled);
}

TEST(RateLimiterTest, OversizedRequestIsInvalid) {
  auto limiter = *RateLimiter::Create(RateLimiterOptions::MinSize(1), 2, 2);
  EXPECT_EQ(limiter->AcquireInsert(3, kNoWait).code(), absl::StatusCode::kInvalidArgument);
}

TEST(RateLimiterTest, RestoreSetsCounters) {
  auto limiter = *RateLimiter::Create(RateLimiterOptions::MinSize(10), 1, 1);
  limiter->Restore(10, 3);
  EXPECT_TRUE(limiter->AcquireSample(1, kNoWait).ok());
  EXPECT_EQ(limiter->samples(), 4);
}

}  // namespace
}  // namespace taco
