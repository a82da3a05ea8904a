// The replay service over loopback gRPC: validation, acknowledgements,
// reconnects and sharded sampling.
#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/testing/test_certificates.h"
#include "replay/replay_client.h"
#include "replay/replay_server.h"
#include "replay/shard_map.h"
#include "replay/wire.h"

namespace taco {
namespace {

using ::testing::HasSubstr;

constexpr TransitionShape kShape{39, 4};
const std::vector<std::string> kTasks = {
    "reach-v2",       "push-v2",         "pick-place-v2",           "door-open-v2",
    "drawer-open-v2", "drawer-close-v2", "button-press-topdown-v2", "peg-insert-side-v2",
    "window-open-v2", "window-close-v2"};

Transitions Batch(float value, int64_t n) {
  Transitions t;
  t.shape = kShape;
  std::vector<float> obs(kShape.obs_dim, value), act(kShape.action_dim, value);
  for (int64_t i = 0; i < n; ++i) {
    t.Append(obs.data(), act.data(), value, obs.data(), false, false, 3);
  }
  return t;
}

ReplayServerOptions ServerOptions(int index, int count,
                                  const std::string& address = "127.0.0.1:0") {
  ReplayServerOptions o;
  o.shard.shard_index = index;
  o.shard.shard_count = count;
  o.shard.tasks = kTasks;
  o.shard.shape = kShape;
  o.shard.capacity_per_task = 1000;
  o.address = address;
  o.max_message_bytes = 1 << 20;
  o.service.rate_limiter_timeout = absl::Seconds(2);
  return o;
}

std::string Address(const ReplayServer& server) {
  return absl::StrCat("127.0.0.1:", server.port());
}

// A raw insert stream, for sending exactly what a test wants.
class RawStream {
 public:
  explicit RawStream(const std::string& address)
      : stub_(v1::ReplayService::NewStub(MakeChannel(address, 8 << 20))),
        stream_(stub_->Insert(&context_)) {}
  bool Send(const v1::TransitionBatch& batch, v1::InsertAck* ack) {
    v1::InsertRequest request;
    *request.mutable_batch() = batch;
    return stream_->Write(request) && stream_->Read(ack);
  }
  grpc::Status Finish() {
    stream_->WritesDone();
    return stream_->Finish();
  }

 private:
  std::unique_ptr<v1::ReplayService::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::InsertRequest, v1::InsertAck>> stream_;
};

v1::TransitionBatch Proto(const std::string& task, uint64_t seq, const Transitions& t,
                          const std::string& actor = "actor-0") {
  return *ToProto(task, actor, seq, t);
}

int64_t StoredSize(ReplayServer& server) {
  return server.shard()->Info().tasks.empty() ? 0 : [&] {
    int64_t n = 0;
    for (const TaskStats& t : server.shard()->Info().tasks) n += t.size;
    return n;
  }();
}

TEST(ReplayServiceTest, AcknowledgesEachBatchWithTheLastSequence) {
  auto server = *ReplayServer::Start(ServerOptions(0, 1));
  RawStream stream(Address(*server));
  v1::InsertAck ack;
  ASSERT_TRUE(stream.Send(Proto("push-v2", 1, Batch(1, 5)), &ack));
  EXPECT_EQ(ack.last_sequence(), 1u);
  EXPECT_EQ(ack.stored(), 5u);
  ASSERT_TRUE(stream.Send(Proto("push-v2", 2, Batch(1, 3)), &ack));
  ASSERT_TRUE(stream.Send(Proto("push-v2", 2, Batch(1, 3)), &ack));
  EXPECT_EQ(ack.stored(), 0u) << "a re-sent batch is not stored twice";
  EXPECT_TRUE(stream.Finish().ok());
  EXPECT_EQ(StoredSize(*server), 8);
}

struct BadCase {
  const char* name;
  std::function<v1::TransitionBatch()> make;
  grpc::StatusCode code;
  const char* message;
};

TEST(ReplayServiceTest, BadInputIsRejectedByNameAndTheServerKeepsServing) {
  ReplayServerOptions options = ServerOptions(0, 1);
  auto server = *ReplayServer::Start(options);
  const std::vector<BadCase> cases = {
      {"wrong obs shape",
       [] {
         auto b = Proto("reach-v2", 1, Batch(1, 2));
         b.set_obs(b.obs().substr(4));
         return b;
       },
       grpc::StatusCode::INVALID_ARGUMENT, "obs"},
      {"declared dims differ",
       [] {
         auto b = Proto("reach-v2", 1, Batch(1, 2));
         b.set_obs_dim(12);
         return b;
       },
       grpc::StatusCode::INVALID_ARGUMENT, "obs_dim=12"},
      {"NaN reward",
       [] {
         Transitions t = Batch(1, 2);
         auto b = Proto("reach-v2", 1, t);
         float nan = std::nanf("");
         std::string reward = b.reward();
         std::memcpy(&reward[4], &nan, 4);
         b.set_reward(reward);
         return b;
       },
       grpc::StatusCode::INVALID_ARGUMENT, "reward holds a non-finite value"},
      {"Inf action",
       [] {
         auto b = Proto("reach-v2", 1, Batch(1, 1));
         float inf = std::numeric_limits<float>::infinity();
         std::string action = b.action();
         std::memcpy(&action[0], &inf, 4);
         b.set_action(action);
         return b;
       },
       grpc::StatusCode::INVALID_ARGUMENT, "action"},
      {"unknown task", [] { return Proto("fly-v2", 1, Batch(1, 1)); }, grpc::StatusCode::NOT_FOUND,
       "fly-v2"},
      {"size lies",
       [] {
         auto b = Proto("reach-v2", 1, Batch(1, 2));
         b.set_size(1u << 30);
         return b;
       },
       grpc::StatusCode::INVALID_ARGUMENT, "declares size"},
      {"over the message limit", [] { return Proto("reach-v2", 1, Batch(1, 4000)); },
       grpc::StatusCode::RESOURCE_EXHAUSTED, ""},
  };
  for (const BadCase& c : cases) {
    RawStream stream(Address(*server));
    v1::InsertAck ack;
    EXPECT_FALSE(stream.Send(c.make(), &ack)) << c.name;
    grpc::Status status = stream.Finish();
    EXPECT_EQ(status.error_code(), c.code) << c.name << ": " << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(c.message)) << c.name;
    EXPECT_EQ(StoredSize(*server), 0) << c.name;
  }
  // Still serving everyone else.
  RawStream good(Address(*server));
  v1::InsertAck ack;
  ASSERT_TRUE(good.Send(Proto("reach-v2", 1, Batch(2, 2)), &ack));
  EXPECT_EQ(ack.stored(), 2u);
  EXPECT_TRUE(good.Finish().ok());
}

TEST(ReplayServiceTest, SequenceGoingBackwardsOnAStreamIsAnError) {
  auto server = *ReplayServer::Start(ServerOptions(0, 1));
  RawStream stream(Address(*server));
  v1::InsertAck ack;
  ASSERT_TRUE(stream.Send(Proto("reach-v2", 5, Batch(1, 1)), &ack));
  EXPECT_FALSE(stream.Send(Proto("reach-v2", 3, Batch(1, 1)), &ack));
  grpc::Status status = stream.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("goes backwards"));
  EXPECT_EQ(StoredSize(*server), 1);
}

TEST(ReplayServiceTest, WrongShardNamesTheOwner) {
  auto server = *ReplayServer::Start(ServerOptions(0, 2));
  std::string foreign;
  for (const std::string& task : kTasks) {
    if (ShardForTask(task, kTasks, 2) == 1) foreign = task;
  }
  RawStream stream(Address(*server));
  v1::InsertAck ack;
  EXPECT_FALSE(stream.Send(Proto(foreign, 1, Batch(1, 1)), &ack));
  grpc::Status status = stream.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("shard 1 does"));
}

TEST(ReplayServiceTest, WriterAndSamplerAcrossTwoShards) {
  auto shard0 = *ReplayServer::Start(ServerOptions(0, 2));
  auto shard1 = *ReplayServer::Start(ServerOptions(1, 2));
  const std::vector<std::string> addresses = {Address(*shard0), Address(*shard1)};
  ReplayWriterOptions wo;
  wo.shard_addresses = addresses;
  wo.tasks = kTasks;
  wo.actor_id = "actor-7";
  auto writer = *ReplayWriter::Create(wo);
  for (size_t i = 0; i < kTasks.size(); ++i) {
    ASSERT_TRUE(writer->Insert(kTasks[i], Batch(static_cast<float>(i), 20), absl::Seconds(5)).ok());
  }
  ASSERT_TRUE(writer->Flush(absl::Seconds(10)).ok());
  EXPECT_EQ(StoredSize(*shard0) + StoredSize(*shard1), 200);
  EXPECT_GT(StoredSize(*shard0), 0);
  EXPECT_GT(StoredSize(*shard1), 0);

  ReplaySamplerOptions so;
  so.shard_addresses = addresses;
  so.tasks = kTasks;
  auto sampler = *ReplaySampler::Create(so);
  std::vector<TaskCount> counts;
  for (size_t i = 0; i < kTasks.size(); ++i)
    counts.push_back({kTasks[i], static_cast<int64_t>(i + 1)});
  auto batch = sampler->Sample(counts, kShape, absl::Seconds(10));
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->size, 55);
  int64_t row = 0;
  for (size_t i = 0; i < kTasks.size(); ++i) {
    for (size_t r = 0; r <= i; ++r, ++row) {
      EXPECT_EQ(batch->reward[row], static_cast<float>(i)) << kTasks[i];
      EXPECT_EQ(batch->obs[row * 39 + 38], static_cast<float>(i));
    }
  }
  auto info = sampler->Info(absl::Seconds(5));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ((*info)[1].shard_index(), 1u);
}

TEST(ReplayServiceTest, TlsAndTokenGuardEveryCall) {
  auto certs = MakeTestCertificates(testing::TempDir() + "/replay-certs");
  ASSERT_TRUE(certs.ok()) << certs.status();
  SecurityConfig config;
  config.tls_cert = certs->cert;
  config.tls_key = certs->key;
  config.ca_cert = certs->ca;
  config.token_file = WriteTestFile(certs->dir + "/replay.token", "replay-token-42\n");
  ReplayServerOptions o = ServerOptions(0, 1);
  o.security = *MakeServerSecurity(config, o.address);
  auto server = *ReplayServer::Start(o);
  const std::string address = absl::StrCat("localhost:", server->port());

  ReplayWriterOptions wo;
  wo.shard_addresses = {address};
  wo.tasks = kTasks;
  wo.actor_id = "actor-1";
  wo.security = *ClientSecurity::FromConfig(config);
  auto writer = *ReplayWriter::Create(wo);
  ASSERT_TRUE(writer->Insert("reach-v2", Batch(1.0f, 10), absl::Seconds(5)).ok());
  ASSERT_TRUE(writer->Flush(absl::Seconds(10)).ok());
  ReplaySamplerOptions so;
  so.shard_addresses = {address};
  so.tasks = kTasks;
  so.security = wo.security;
  auto sampler = *ReplaySampler::Create(so);
  auto batch = sampler->Sample({{"reach-v2", 4}}, kShape, absl::Seconds(10));
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->size, 4);

  // Without the token: refused for good, nothing stored, nothing served.
  SecurityConfig tls_only = config;
  tls_only.token_file.clear();
  wo.security = *ClientSecurity::FromConfig(tls_only);
  wo.actor_id = "actor-2";
  auto intruder = *ReplayWriter::Create(wo);
  absl::Status inserted = intruder->Insert("reach-v2", Batch(9.0f, 10), absl::Seconds(5));
  if (inserted.ok()) inserted = intruder->Flush(absl::Seconds(10));
  EXPECT_EQ(inserted.code(), absl::StatusCode::kUnauthenticated) << inserted;
  EXPECT_EQ(StoredSize(*server), 10);
  so.security = wo.security;
  auto info = (*ReplaySampler::Create(so))->Info(absl::Seconds(5));
  EXPECT_EQ(info.status().code(), absl::StatusCode::kUnauthenticated) << info.status();
}

TEST(ReplayServiceTest, LargeSamplesArriveInChunks) {
  ReplayServerOptions o = ServerOptions(0, 1);
  o.service.max_transitions_per_message = 100;
  auto server = *ReplayServer::Start(o);
  ReplayWriterOptions wo;
  wo.shard_addresses = {Address(*server)};
  wo.tasks = kTasks;
  wo.actor_id = "a";
  auto writer = *ReplayWriter::Create(wo);
  ASSERT_TRUE(writer->Insert("reach-v2", Batch(1, 500), absl::Seconds(5)).ok());
  ASSERT_TRUE(writer->Insert("push-v2", Batch(2, 500), absl::Seconds(5)).ok());
  ASSERT_TRUE(writer->Flush(absl::Seconds(10)).ok());
  ReplaySamplerOptions so;
  so.shard_addresses = {Address(*server)};
  so.tasks = kTasks;
  auto sampler = *ReplaySampler::Create(so);
  auto batch = sampler->Sample({{"push-v2", 250}, {"reach-v2", 1030}}, kShape, absl::Seconds(10));
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->reward[249], 2.0f);
  EXPECT_EQ(batch->reward[250], 1.0f);
  EXPECT_EQ(batch->reward[1279], 1.0f);
}

TEST(ReplayServiceTest, WriterResendsAfterTheShardRestartsAndStoresOnce) {
  const std::string dir = testing::TempDir() + "/restart_ckpt";
  std::filesystem::remove_all(dir);
  ReplayServerOptions o = ServerOptions(0, 1);
  o.shard.checkpoint_dir = dir;
  auto server = *ReplayServer::Start(o);
  const int port = server->port();
  ReplayWriterOptions wo;
  wo.shard_addresses = {absl::StrCat("127.0.0.1:", port)};
  wo.tasks = kTasks;
  wo.actor_id = "a";
  wo.initial_backoff = absl::Milliseconds(20);
  auto writer = *ReplayWriter::Create(wo);
  ASSERT_TRUE(writer->Insert("reach-v2", Batch(1, 10), absl::Seconds(5)).ok());
  ASSERT_TRUE(writer->Flush(absl::Seconds(10)).ok());
  server->Shutdown(/*final_checkpoint=*/true);
  server.reset();
  // While the shard is away, batches wait in the writer.
  ASSERT_TRUE(writer->Insert("reach-v2", Batch(2, 10), absl::Seconds(5)).ok());
  ASSERT_TRUE(writer->Insert("reach-v2", Batch(3, 10), absl::Seconds(5)).ok());
  o.address = absl::StrCat("127.0.0.1:", port);
  auto restarted = *ReplayServer::Start(o);
  ASSERT_TRUE(writer->Flush(absl::Seconds(20)).ok());
  EXPECT_EQ(StoredSize(*restarted), 30);
  EXPECT_GE(writer->stats().reconnects, 1);
  EXPECT_EQ(writer->stats().unacked, 0);
}

TEST(ReplayServiceTest, SlowShardBlocksTheWriterInsteadOfGrowingMemory) {
  ReplayWriterOptions wo;
  wo.shard_addresses = {"127.0.0.1:1"};  // nothing listens there
  wo.tasks = kTasks;
  wo.actor_id = "a";
  wo.max_unacked_batches = 3;
  auto writer = *ReplayWriter::Create(wo);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(writer->Insert("reach-v2", Batch(1, 1), absl::Seconds(1)).ok());
  absl::Status full = writer->Insert("reach-v2", Batch(1, 1), absl::Milliseconds(50));
  EXPECT_EQ(full.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(writer->stats().unacked, 3);
}

TEST(ReplayServiceTest, CheckpointAndInfoOverGrpc) {
  const std::string dir = testing::TempDir() + "/rpc_ckpt";
  std::filesystem::remove_all(dir);
  ReplayServerOptions o = ServerOptions(0, 1);
  o.shard.checkpoint_dir = dir;
  auto server = *ReplayServer::Start(o);
  auto stub = v1::ReplayService::NewStub(MakeChannel(Address(*server), 1 << 20));
  grpc::ClientContext context;
  v1::CheckpointResponse response;
  ASSERT_TRUE(stub->Checkpoint(&context, v1::CheckpointRequest(), &response).ok());
  EXPECT_TRUE(std::filesystem::exists(response.path() + "/MANIFEST"));
  grpc::ClientContext info_context;
  v1::InfoResponse info;
  ASSERT_TRUE(stub->Info(&info_context, v1::InfoRequest(), &info).ok());
  EXPECT_EQ(info.tasks_size(), 10);
  EXPECT_GT(info.last_checkpoint_unix_s(), 0);
}

}  // namespace
}  // namespace taco
