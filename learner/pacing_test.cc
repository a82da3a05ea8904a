#include "learner/pacing.h"

#include <gtest/gtest.h>

#include <random>

namespace taco {
namespace {

PacingOptions Options(int64_t total, int64_t warmup, int64_t ratio, int64_t lead, int shards,
                      int64_t largest_insert = 64) {
  PacingOptions o;
  o.largest_insert = largest_insert;
  o.total_env_steps = total;
  o.exploration_steps = warmup;
  o.env_steps_per_update = ratio;
  o.lead = lead;
  o.shards = shards;
  return o;
}

TEST(PacerTest, UpdatesFollowTheStoredStepsAfterTheWarmUp) {
  Pacer pacer(Options(10'000, 1'000, 10, 100, 1));
  pacer.Observe(0, {7, 0, 999});
  EXPECT_EQ(pacer.AllowedUpdates(), 0);
  pacer.Observe(0, {7, 0, 1'250});
  EXPECT_EQ(pacer.env_steps(), 1'250);
  EXPECT_EQ(pacer.AllowedUpdates(), 25);
  EXPECT_EQ(pacer.FinalUpdates(), 900);
  EXPECT_FALSE(pacer.Complete(25));
}

TEST(PacerTest, TheBudgetCapsUpdatesAndEndsTheRun) {
  Pacer pacer(Options(2'000, 500, 5, 100, 1));
  pacer.Observe(0, {3, 0, 2'300});  // shards may overshoot a little
  EXPECT_EQ(pacer.AllowedUpdates(), 300);
  EXPECT_FALSE(pacer.Complete(299));
  EXPECT_TRUE(pacer.Complete(300));
  // Nothing more is granted past the budget.
  EXPECT_LE(pacer.InsertLimit(0, 300, 0), 2'300);
}

TEST(PacerTest, ARestartedShardAddsOnlyWhatItStoresAfterItsRestore) {
  Pacer pacer(Options(1'000'000, 0, 1, 100, 2));
  pacer.Observe(0, {11, 0, 5'000});
  pacer.Observe(1, {22, 0, 4'000});
  ASSERT_EQ(pacer.env_steps(), 9'000);
  // Shard 0 restarts from a checkpoint taken at 3,000: the 2,000 it lost were
  // collected all the same and stay counted.
  pacer.Observe(0, {12, 3'000, 3'000});
  EXPECT_EQ(pacer.env_steps(), 9'000);
  pacer.Observe(0, {12, 3'000, 3'500});
  EXPECT_EQ(pacer.env_steps(), 9'500);
}

TEST(PacerTest, LimitsLieALeadAboveWhatTheNextUpdateNeeds) {
  Pacer pacer(Options(1'000'000, 5'000, 1, 8'192, 2));
  EXPECT_EQ(pacer.InsertLimit(0, 0, 0), -1);  // not seen yet
  pacer.Observe(0, {1, 0, 2'000});
  pacer.Observe(1, {2, 0, 1'000});
  // The learner waits for 5,001 stored: each shard may take all that is
  // missing, and the lead on top.
  EXPECT_EQ(pacer.InsertLimit(0, 0, 0), 2'000 + 2'001 + 8'192);
  EXPECT_EQ(pacer.InsertLimit(1, 0, 0), 1'000 + 2'001 + 8'192);
}

TEST(PacerTest, NothingIsGrantedBeyondTheBudgetButTheLastInsertFits) {
  Pacer pacer(Options(10'000, 1'000, 1, 8'192, 2, 64));
  pacer.Observe(0, {1, 0, 4'000});
  pacer.Observe(1, {2, 0, 5'990});
  // 10 steps short of the budget, learner waiting: one insert's worth.
  EXPECT_EQ(pacer.InsertLimit(0, 8'995, 0), 4'000 + 64);
  // Early on the lead stops at the budget.
  Pacer early(Options(5'000, 1'000, 1, 8'192, 1, 64));
  early.Observe(0, {1, 0, 500});
  EXPECT_EQ(early.InsertLimit(0, 0, 0), 5'000);
}

TEST(PacerTest, ALearnerThatFallsBehindHoldsTheActorsBack) {
  Pacer pacer(Options(1'000'000, 1'000, 1, 500, 1));
  pacer.Observe(0, {1, 0, 5'000});
  // At 10 updates the next needs 1,011 stored: 5,000 are, beyond the lead.
  EXPECT_LT(pacer.InsertLimit(0, 10, 0), 5'000);
  // Caught up to 4,000 updates, the shard may take the lead again.
  EXPECT_EQ(pacer.InsertLimit(0, 4'000, 0), 5'000 + 1 + 500);
}

TEST(PacerTest, CountsSurviveALearnerRestart) {
  Pacer before(Options(100'000, 100, 1, 100, 2));
  before.Observe(0, {5, 0, 700});
  before.Observe(1, {6, 0, 300});
  Pacer after(Options(100'000, 100, 1, 100, 2));
  ASSERT_TRUE(after.Parse(before.Serialize()).ok());
  EXPECT_EQ(after.env_steps(), 1'000);
  after.Observe(0, {5, 0, 750});    // the same shard went on
  after.Observe(1, {9, 200, 260});  // this one restarted meanwhile
  EXPECT_EQ(after.env_steps(), 1'000 + 50 + 60);
}

TEST(PacerTest, ParseRefusesDamagedTextAndKeepsItsCounts) {
  Pacer pacer(Options(100, 0, 1, 10, 1));
  pacer.Observe(0, {1, 0, 40});
  for (const char* bad :
       {"", "taco-pacing 2\nenv_steps 3\n", "taco-pacing 1\n", "taco-pacing 1\nenv_steps -3\n",
        "taco-pacing 1\nenv_steps 3\nshard x\n", "taco-pacing 1\nenv_steps 3\nshard 0 1 -5\n"}) {
    EXPECT_FALSE(pacer.Parse(bad).ok()) << bad;
  }
  EXPECT_EQ(pacer.env_steps(), 40);
}

// A whole run simulated: actors step tasks drawn at random, each task
// living on one shard, and insert batches only within their shard's limit;
// the learner updates at the ratio and grants limits from its counts. For
// every combination of warm-up, shards, ratio, batch and lead the run must
// reach its budget, and actors must never be held back while the learner
// waits.
TEST(PacerTest, NoCombinationStalls) {
  std::mt19937 rng(3);
  int combinations = 0;
  for (int64_t warmup : {0, 600, 5'000, 20'000}) {
    for (int shards : {1, 2, 5}) {
      for (int64_t ratio : {1, 10}) {
        for (int64_t insert : {1, 64, 500}) {
          for (int64_t lead : {500, 8'192}) {
            if (lead < insert) continue;
            ++combinations;
            const int64_t total = warmup + 3'000;
            Pacer pacer(Options(total, warmup, ratio, lead, shards, insert));
            std::vector<int64_t> stored(static_cast<size_t>(shards), 0);
            std::vector<int64_t> limit(static_cast<size_t>(shards), warmup + lead);
            int64_t updates = 0;
            int64_t idle_rounds = 0;
            for (int round = 0; round < 200'000 && !pacer.Complete(updates); ++round) {
              // Actors: one insert to the shard of a random task.
              const size_t s = std::uniform_int_distribution<size_t>(0, stored.size() - 1)(rng);
              bool moved = false;
              if (stored[s] + insert <= limit[s]) {
                stored[s] += insert;
                moved = true;
              }
              // The learner: polls, updates as allowed, grants.
              for (int k = 0; k < shards; ++k)
                pacer.Observe(k, {1 + static_cast<uint64_t>(k), 0, stored[static_cast<size_t>(k)]});
              if (updates < pacer.AllowedUpdates()) {
                ++updates;
                moved = true;
              }
              for (int k = 0; k < shards; ++k)
                limit[static_cast<size_t>(k)] = pacer.InsertLimit(k, updates, 0);
              idle_rounds = moved ? 0 : idle_rounds + 1;
              // The actors never run further ahead than the lead allows.
              ASSERT_LE(pacer.env_steps(),
                        warmup + (updates + 1) * ratio + shards * (lead + insert));
              ASSERT_LT(idle_rounds, 50)
                  << "stalled: warmup " << warmup << " shards " << shards << " ratio " << ratio
                  << " insert " << insert << " lead " << lead << " at " << pacer.env_steps()
                  << " steps, " << updates << " updates";
            }
            EXPECT_TRUE(pacer.Complete(updates))
                << "warmup " << warmup << " shards " << shards << " ratio " << ratio;
            // The budget is overshot by at most one insert per shard.
            EXPECT_LE(pacer.env_steps(), total + shards * insert);
            EXPECT_EQ(updates, pacer.FinalUpdates());
          }
        }
      }
    }
  }
  EXPECT_GT(combinations, 100);
}

}  // namespace
}  // namespace taco
