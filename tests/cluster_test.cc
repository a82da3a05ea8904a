// `taco up` on a small config as separate processes on loopback: transitions
// reach both shards, the learner updates, new parameter versions reach the
// actors and the evaluator, shutdown is clean, and a second run resumes.
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/testing/test_certificates.h"
#include "tests/cluster_checks.h"
#include "tests/subprocess.h"

namespace taco {
namespace {

namespace fs = std::filesystem;

TEST(ClusterTest, UpTrainsStopsCleanlyAndResumes) {
  const fs::path dir = fs::path(testing::TempDir()) / "cluster";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path config =
      WriteSmallClusterConfig(dir, "small", "checkpoint: {interval_minutes: 600}\n").config;

  Subprocess first({TACO_BINARY, "up", config.string(), "--duration", "45"},
                   (dir / "up1.log").string());
  ASSERT_EQ(first.Wait(240), 0) << first.Log();
  const fs::path logs = dir / "small" / "logs";

  // Transitions reached both shards (their final checkpoints hold them).
  EXPECT_GT(CheckpointedTransitions(dir / "small" / "replay" / "shard-0"), 0);
  EXPECT_GT(CheckpointedTransitions(dir / "small" / "replay" / "shard-1"), 0);
  // The learner updated and checkpointed at shutdown.
  const int64_t updates =
      LargestMatch(ReadText(logs / "learner.log"), "checkpoint at (\\d+) updates");
  EXPECT_GT(updates, 0) << ReadText(logs / "learner.log");
  EXPECT_TRUE(fs::exists(dir / "small" / "checkpoints" / "learner.ckpt"));
  // New parameter versions reached both actors and the evaluator.
  for (const char* actor : {"actor-0.log", "actor-1.log"}) {
    EXPECT_GT(LargestMatch(ReadText(logs / actor), "parameter version (\\d+)"), 1)
        << ReadText(logs / actor);
  }
  const std::string eval = ReadText(dir / "small" / "eval.csv");
  EXPECT_GT(LargestMatch(eval, "\\n(\\d+),mean,"), 0) << eval;
  // A clean stop: no restarts, no crashes.
  EXPECT_THAT(first.Log(), testing::Not(testing::HasSubstr("restarting")));
  EXPECT_THAT(first.Log(), testing::HasSubstr("[up] stopped"));

  Subprocess second({TACO_BINARY, "up", config.string(), "--resume", "--duration", "15"},
                    (dir / "up2.log").string());
  ASSERT_EQ(second.Wait(180), 0) << second.Log();
  const std::string learner = ReadText(logs / "learner.log");
  EXPECT_THAT(learner, testing::HasSubstr("resumed from"));
  EXPECT_GE(LargestMatch(learner, "checkpoint at (\\d+) updates"), updates);
}

// The same cluster with TLS (mutual) and a bearer token on every gRPC call.
TEST(ClusterTest, UpTrainsWithMutualTlsAndToken) {
  const fs::path dir = fs::path(testing::TempDir()) / "cluster-tls";
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto certs = MakeTestCertificates((dir / "certs").string());
  ASSERT_TRUE(certs.ok()) << certs.status();
  const std::string token = WriteTestFile((dir / "token").string(), "cluster-token-7\n");
  const fs::path config =
      WriteSmallClusterConfig(dir, "tls",
                              "security: {tls_cert: " + certs->cert + ", tls_key: " + certs->key +
                                  ", ca_cert: " + certs->ca + ", client_ca: " + certs->ca +
                                  ", token_file: " + token + "}\n")
          .config;
  Subprocess up({TACO_BINARY, "up", config.string(), "--duration", "45"},
                (dir / "up.log").string());
  ASSERT_EQ(up.Wait(180), 0) << up.Log();
  const fs::path logs = dir / "tls" / "logs";
  EXPECT_GT(LargestMatch(ReadText(logs / "learner.log"), "checkpoint at (\\d+) updates"), 0)
      << ReadText(logs / "learner.log");
  EXPECT_GT(LargestMatch(ReadText(logs / "actor-0.log"), "parameter version (\\d+)"), 1)
      << ReadText(logs / "actor-0.log");
  EXPECT_THAT(ReadText(logs / "actor-0.log"), testing::Not(testing::HasSubstr("UNAUTHENTICATED")));
}

// The transfer phase on the cluster: actors explore with π_explore while
// the learner trains only the value functions, then act with the released
// policy.
TEST(ClusterTest, TransferPhaseRunsOnTheCluster) {
  const fs::path dir = fs::path(testing::TempDir()) / "cluster-transfer";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path config = WriteSmallClusterConfig(dir, "mtrl").config;
  Subprocess mtrl({TACO_BINARY, "train-local", config.string(), "--set", "metrics.base_port=0",
                   "--set", "trainer.total_env_steps=400"},
                  (dir / "mtrl.log").string());
  ASSERT_EQ(mtrl.Wait(120), 0) << mtrl.Log();
  Subprocess transfer({TACO_BINARY, "transfer", config.string(), "--cluster", "--duration", "30",
                       "--from", (dir / "mtrl" / "checkpoints" / "learner.ckpt").string(), "--set",
                       "tasks=[door-close-v2]", "--set", "run.name=transfer", "--set",
                       "transfer.exploration_steps=600", "--set", "topology.replay_shards=1"},
                      (dir / "transfer.log").string());
  ASSERT_EQ(transfer.Wait(180), 0) << transfer.Log();
  const fs::path logs = dir / "transfer" / "logs";
  EXPECT_THAT(ReadText(logs / "learner.log"), testing::HasSubstr("(2 source tasks)"));
  EXPECT_THAT(ReadText(logs / "learner.log"),
              testing::HasSubstr("600 exploration steps stored; the policy is released"));
  // An actor that first hears from the learner after the release never
  // explores (a slow start under load): at least one must have, and every
  // one that explored must have stopped.
  int explored = 0;
  for (const char* actor : {"actor-0.log", "actor-1.log"}) {
    const std::string log = ReadText(logs / actor);
    if (log.find("exploring with pi_explore over 2 source tasks") == std::string::npos) continue;
    ++explored;
    EXPECT_THAT(log, testing::HasSubstr("exploration over at version")) << log;
  }
  EXPECT_GE(explored, 1) << ReadText(logs / "actor-0.log") << ReadText(logs / "actor-1.log");
  EXPECT_THAT(ReadText(dir / "transfer" / "run.json"),
              testing::HasSubstr("\"kind\": \"transfer\""));
  EXPECT_THAT(transfer.Log(), testing::Not(testing::HasSubstr("restarting")));
}

}  // namespace
}  // namespace taco
