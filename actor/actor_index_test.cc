#include "actor/actor_index.h"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

class ActorIndexTest : public testing::Test {
 protected:
  void SetUp() override {
    unsetenv("TACO_ACTOR_INDEX");
    unsetenv("JOB_COMPLETION_INDEX");
    // ctest runs each test as its own process, side by side: one folder per test and process.
    dir_ = testing::TempDir() + "/actor_index_test_" +
           testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
           std::to_string(getpid());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override {
    unsetenv("TACO_ACTOR_INDEX");
    unsetenv("JOB_COMPLETION_INDEX");
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string dir_;
};

TEST_F(ActorIndexTest, ReplicasSharingAFolderTakeTheLowestFreeIndices) {
  auto a = ResolveActorIndex(dir_);
  auto b = ResolveActorIndex(dir_);
  auto c = ResolveActorIndex(dir_);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->index(), 0);
  EXPECT_EQ(b->index(), 1);
  EXPECT_EQ(c->index(), 2);
  {
    // A replica that dies frees its index, and the next start takes it back.
    ActorIndexClaim gone = std::move(*b);
  }
  auto restarted = ResolveActorIndex(dir_);
  ASSERT_TRUE(restarted.ok());
  EXPECT_EQ(restarted->index(), 1);
}

TEST_F(ActorIndexTest, AnotherProcessHoldingAnIndexKeepsIt) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto held = ResolveActorIndex(dir_);
    const char ok = held.ok() && held->index() == 0 ? 'y' : 'n';
    if (write(ready[1], &ok, 1) != 1) _exit(1);
    pause();  // holds index 0 until killed
    _exit(0);
  }
  char ok = 0;
  ASSERT_EQ(read(ready[0], &ok, 1), 1);
  EXPECT_EQ(ok, 'y');
  auto mine = ResolveActorIndex(dir_);
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->index(), 1);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  close(ready[0]);
  close(ready[1]);
  auto after = ResolveActorIndex(dir_);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->index(), 0);
}

TEST_F(ActorIndexTest, VariablesComeFirstAndAreChecked) {
  setenv("JOB_COMPLETION_INDEX", "3", 1);
  auto job = ResolveActorIndex(dir_);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->index(), 3);
  EXPECT_EQ(job->source(), "JOB_COMPLETION_INDEX");
  setenv("TACO_ACTOR_INDEX", "5", 1);
  auto explicit_index = ResolveActorIndex(dir_);
  ASSERT_TRUE(explicit_index.ok());
  EXPECT_EQ(explicit_index->index(), 5);
  setenv("TACO_ACTOR_INDEX", "-1", 1);
  EXPECT_THAT(ResolveActorIndex(dir_).status().message(), testing::HasSubstr("TACO_ACTOR_INDEX"));
  setenv("TACO_ACTOR_INDEX", "seven", 1);
  EXPECT_EQ(ResolveActorIndex(dir_).status().code(), absl::StatusCode::kInvalidArgument);
  unsetenv("TACO_ACTOR_INDEX");
  unsetenv("JOB_COMPLETION_INDEX");
  EXPECT_EQ(ResolveActorIndex("").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace taco
