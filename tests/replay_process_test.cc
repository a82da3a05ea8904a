// A replay shard as its own process: kill -9 loses at most what arrived
// after the last checkpoint, the restart restores it and the per-actor
// sequence numbers, and a writer carries on without storing anything twice.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/replay_client.h"
#include "tests/subprocess.h"

namespace taco {
namespace {

constexpr TransitionShape kShape{39, 4};
const std::vector<std::string> kTasks = {"reach-v2", "push-v2"};

Transitions Batch(float value, int64_t n) {
  Transitions t;
  t.shape = kShape;
  std::vector<float> obs(39, value), act(4, value);
  for (int64_t i = 0; i < n; ++i)
    t.Append(obs.data(), act.data(), value, obs.data(), false, false, 1);
  return t;
}

class ReplayProcessTest : public testing::Test {
 protected:
  void SetUp() override {
    // One folder per test: ctest runs the tests of this fixture side by side.
    dir_ = testing::TempDir() + "/replay_process-" +
           testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    port_ = FreePort();
    config_ = dir_ + "/run.yaml";
    std::ofstream(config_) << "run: {name: kill, output_dir: " << dir_ << "}\n"
                           << "tasks: [reach-v2, push-v2]\n"
                           << "trainer: {replay_capacity: 10000, batch_size: 64}\n"
                           << "topology: {replay_shards: 1, replay_base_port: " << port_
                           << ", learner_port: " << port_ + 1 << "}\n"
                           << "metrics: {enabled: false}\n"
                           << "checkpoint: {interval_minutes: 600}\n";
    address_ = "127.0.0.1:" + std::to_string(port_);
  }

  std::unique_ptr<Subprocess> StartShard() {
    auto shard = std::make_unique<Subprocess>(
        std::vector<std::string>{TACO_BINARY, "replay", config_, "--shard", "0"},
        dir_ + "/shard.log");
    // Ready once Info answers.
    ReplaySamplerOptions so;
    so.shard_addresses = {address_};
    so.tasks = kTasks;
    auto sampler = *ReplaySampler::Create(so);
    // By time, not by tries: a refused call returns at once, and a loaded
    // machine may take seconds to start the process.
    const absl::Time deadline = absl::Now() + absl::Seconds(90);
    while (absl::Now() < deadline) {
      if (sampler->Info(absl::Milliseconds(500)).ok()) return shard;
      absl::SleepFor(absl::Milliseconds(100));
    }
    ADD_FAILURE() << "shard did not come up:\n" << shard->Log();
    return shard;
  }

  std::map<std::string, uint64_t> Sizes() {
    ReplaySamplerOptions so;
    so.shard_addresses = {address_};
    so.tasks = kTasks;
    auto info = (*ReplaySampler::Create(so))->Info(absl::Seconds(5));
    std::map<std::string, uint64_t> sizes;
    if (!info.ok()) return sizes;
    for (const auto& t : (*info)[0].tasks()) sizes[t.task()] = t.size();
    return sizes;
  }

  std::string dir_, config_, address_;
  int port_ = 0;
};

TEST_F(ReplayProcessTest, KillNineLosesOnlyWhatCameAfterTheCheckpoint) {
  auto shard = StartShard();
  ReplayWriterOptions wo;
  wo.shard_addresses = {address_};
  wo.tasks = kTasks;
  wo.actor_id = "actor-0";
  wo.initial_backoff = absl::Milliseconds(20);
  auto writer = *ReplayWriter::Create(wo);
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(writer->Insert("reach-v2", Batch(1, 16), absl::Seconds(5)).ok());
  ASSERT_TRUE(writer->Flush(absl::Seconds(10)).ok());

  auto stub = v1::ReplayService::NewStub(MakeChannel(address_, 1 << 20));
  grpc::ClientContext context;
  v1::CheckpointResponse checkpoint;
  ASSERT_TRUE(stub->Checkpoint(&context, v1::CheckpointRequest(), &checkpoint).ok());

  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(writer->Insert("reach-v2", Batch(2, 16), absl::Seconds(5)).ok());
  ASSERT_TRUE(writer->Flush(absl::Seconds(10)).ok());
  EXPECT_EQ(Sizes()["reach-v2"], 15u * 16);

  shard->Signal(SIGKILL);
  EXPECT_EQ(shard->Wait(10), 128 + SIGKILL);
  shard = StartShard();
  // Exactly the checkpoint: 10 batches; the 5 after it are the documented loss.
  EXPECT_EQ(Sizes()["reach-v2"], 10u * 16);
  ReplaySamplerOptions so;
  so.shard_addresses = {address_};
  so.tasks = kTasks;
  auto info = (*ReplaySampler::Create(so))->Info(absl::Seconds(5));
  ASSERT_TRUE(info.ok());
  ASSERT_EQ((*info)[0].sequences_size(), 1);
  EXPECT_EQ((*info)[0].sequences(0).last_sequence(), 10u);

  // The writer reconnects; its new batches (sequence 16 on) are stored once.
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(writer->Insert("reach-v2", Batch(3, 16), absl::Seconds(5)).ok());
  ASSERT_TRUE(writer->Flush(absl::Seconds(20)).ok());
  EXPECT_EQ(Sizes()["reach-v2"], 13u * 16);

  shard->Signal(SIGTERM);
  EXPECT_EQ(shard->Wait(20), 0) << shard->Log();
  // SIGTERM wrote a final checkpoint: nothing is lost this time.
  shard = StartShard();
  EXPECT_EQ(Sizes()["reach-v2"], 13u * 16);
}

// Peak resident memory of a process, from /proc (kB → bytes).
int64_t PeakMemoryBytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return -1;
}

// One Insert of 60 MB that declares 15M transitions and carries only the
// reward bytes used to make the shard allocate every column from the
// declared size (5 GB) before checking them. It must be refused at the cost
// of the message alone, and the shard must go on serving.
TEST_F(ReplayProcessTest, AHostileInsertCostsNoMoreThanItsOwnBytes) {
  auto shard = StartShard();
  const int64_t before = PeakMemoryBytes(shard->pid());
  ASSERT_GT(before, 0);
  auto stub = v1::ReplayService::NewStub(MakeChannel(address_, 64 << 20));
  grpc::ClientContext context;
  auto stream = stub->Insert(&context);
  v1::InsertRequest request;
  v1::TransitionBatch* batch = request.mutable_batch();
  batch->set_task("reach-v2");
  batch->set_actor_id("hostile");
  batch->set_sequence(1);
  batch->set_size(15'000'000);
  batch->set_obs_dim(39);
  batch->set_action_dim(4);
  batch->mutable_reward()->assign(std::string(60'000'000, '\0'));
  stream->Write(request);
  stream->WritesDone();
  const grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(status.error_message(), testing::HasSubstr("15000000"));
  const int64_t after = PeakMemoryBytes(shard->pid());
  // The message itself passes through gRPC's buffers and the parsed proto:
  // a few copies of 60 MB, never the declared 5 GB.
  EXPECT_LT(after - before, int64_t{300} << 20)
      << "peak memory grew from " << before << " to " << after << " bytes";
  // Still serving, with nothing stored.
  EXPECT_EQ(Sizes()["reach-v2"], 0u);
}

// What the image's HEALTHCHECK and Kubernetes' probes run: `taco health`
// reads where the shard announced itself and asks its grpc.health.v1
// service; an address asks it directly. A dead shard is unhealthy (exit 1).
TEST_F(ReplayProcessTest, TacoHealthFollowsTheShard) {
  const std::string health_file = dir_ + "/health";
  setenv("TACO_HEALTH_FILE", health_file.c_str(), 1);
  auto shard = StartShard();
  CommandResult announced = RunCommand({TACO_BINARY, "health"});
  EXPECT_EQ(announced.exit_code, 0) << announced.output;
  EXPECT_THAT(
      announced.output,
      testing::HasSubstr("SERVING (grpc.health.v1 on 127.0.0.1:" + std::to_string(port_) + ")"));
  CommandResult direct = RunCommand({TACO_BINARY, "health", address_});
  EXPECT_EQ(direct.exit_code, 0) << direct.output;
  shard->Signal(SIGKILL);
  shard->Wait(30);
  CommandResult dead = RunCommand({TACO_BINARY, "health", "--timeout", "1"});
  EXPECT_EQ(dead.exit_code, 1) << dead.output;
  EXPECT_THAT(dead.output, testing::HasSubstr("taco health:"));
  unsetenv("TACO_HEALTH_FILE");
  CommandResult nothing = RunCommand({TACO_BINARY, "health"});
  EXPECT_EQ(nothing.exit_code, 2) << nothing.output;
}

}  // namespace
}  // namespace taco
