// Runs the taco binary as a user would and checks exit codes and messages.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

using ::testing::HasSubstr;

struct Result {
  int exit_code;
  std::string output;  // stdout and stderr together
};

Result RunTaco(const std::string& args) {
  const std::string command = std::string(TACO_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  Result result{-1, ""};
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string WriteConfig(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(CliTest, HelpListsSubcommands) {
  Result r = RunTaco("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* sub : {"version", "check-config", "train-local", "up", "replay", "learner",
                          "actor", "eval", "render", "transfer"}) {
    EXPECT_THAT(r.output, HasSubstr(sub));
  }
}

TEST(CliTest, VersionNamesEveryLibrary) {
  Result r = RunTaco("version");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* lib : {"taco ", "LibTorch ", "MuJoCo 2.", "gRPC 1.", "protobuf 3."}) {
    EXPECT_THAT(r.output, HasSubstr(lib));
  }
}

TEST(CliTest, ShippedConfigIsValid) {
  Result r = RunTaco("check-config configs/mt10.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("10 tasks"));
}

TEST(CliTest, UnknownKeyExitsTwoNamingKeyAndFile) {
  const std::string path = WriteConfig("unknown.yaml", "trainer:\n  batch_sise: 12\n");
  Result r = RunTaco("check-config " + path);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr(path + ":2: unknown key 'trainer.batch_sise'"));
}

TEST(CliTest, BadValueExitsTwoNamingKeyValueAndFile) {
  const std::string path = WriteConfig("bad.yaml", "algorithm:\n  discount: 1.5\n");
  Result r = RunTaco("check-config " + path);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr(path));
  EXPECT_THAT(r.output, HasSubstr("'algorithm.discount' has value '1.5'"));
}

TEST(CliTest, BadOverrideExitsTwo) {
  Result r = RunTaco("check-config configs/mt10.yaml --set trainer.batch_size=zero");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("trainer.batch_size"));
}

TEST(CliTest, MissingConfigFileExitsTwo) {
  Result r = RunTaco("check-config /nonexistent.yaml");
  EXPECT_EQ(r.exit_code, 2);
}

TEST(CliTest, ActorIndexIsAutoOrInRange) {
  for (const char* bad : {"2", "-1", "first"}) {
    Result r = RunTaco(std::string("actor configs/smoke.yaml --index ") + bad);
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_THAT(r.output, HasSubstr("neither auto nor in 0..1 (topology.actors)")) << bad;
  }
}

TEST(CliTest, PlaintextListenerOnANonLoopbackAddressIsRefused) {
  Result r = RunTaco("replay configs/smoke.yaml --shard 0 --listen 0.0.0.0:0");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("refusing to listen on 0.0.0.0:0 without TLS"));
}

TEST(CliTest, TlsWithoutACaForTheClientsIsAConfigError) {
  Result r = RunTaco(
      "check-config configs/smoke.yaml --set security.tls_cert=a.pem --set security.tls_key=a.key");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("security.ca_cert"));
}

TEST(CliTest, UnknownSubcommandExitsTwo) { EXPECT_EQ(RunTaco("frobnicate").exit_code, 2); }

TEST(CliTest, TrainLocalWritesLogsCheckpointsAndResumes) {
  const std::string out = testing::TempDir() + "/train_local_cli";
  std::filesystem::remove_all(out);
  const std::string common =
      " --set run.output_dir=" + out +
      " --set trainer.exploration_steps=300 --set trainer.log_interval_env_steps=200"
      " --set trainer.eval_interval_env_steps=400 --set env.max_episode_steps=50"
      " --set metrics.base_port=0";
  Result first =
      RunTaco("train-local configs/smoke.yaml --set trainer.total_env_steps=600" + common);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_THAT(first.output, HasSubstr("[train] 600/600 env steps"));
  EXPECT_THAT(first.output, HasSubstr("[eval] 400 env steps"));
  EXPECT_THAT(first.output, HasSubstr("done: 600 env steps, 150 updates"));
  EXPECT_THAT(first.output, HasSubstr("metrics on 127.0.0.1:"));
  const std::string run = out + "/smoke";
  EXPECT_TRUE(std::filesystem::exists(run + "/progress.csv"));
  EXPECT_TRUE(std::filesystem::exists(run + "/eval.csv"));
  EXPECT_TRUE(std::filesystem::exists(run + "/checkpoints/learner.ckpt"));

  Result resumed =
      RunTaco("train-local configs/smoke.yaml --resume --set trainer.total_env_steps=800" + common);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_THAT(resumed.output, HasSubstr("resumed from"));
  EXPECT_THAT(resumed.output, HasSubstr("done: 800 env steps"));
}

TEST(CliTest, TransferIsNotBuiltAndSaysSo) {
  Result r = RunTaco("transfer configs/mt10.yaml");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.output, HasSubstr("not implemented yet"));
}

}  // namespace
}  // namespace taco
