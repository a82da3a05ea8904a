// The wire contract survives serialisation with every field intact.
#include <google/protobuf/util/message_differencer.h>

#include "common/codec.h"
#include "gtest/gtest.h"
#include "taco/v1/health.pb.h"
#include "taco/v1/parameters.pb.h"
#include "taco/v1/replay.pb.h"

namespace taco {
namespace {

using google::protobuf::util::MessageDifferencer;

template <typename Message>
Message RoundTrip(const Message& in) {
  std::string wire;
  EXPECT_TRUE(in.SerializeToString(&wire));
  Message out;
  EXPECT_TRUE(out.ParseFromString(wire));
  return out;
}

TEST(ProtoTest, TransitionBatchRoundTripKeepsPackedArrays) {
  v1::TransitionBatch batch;
  batch.set_task("push-v2");
  batch.set_actor_id("actor-3");
  batch.set_sequence(42);
  batch.set_size(2);
  batch.set_obs_dim(39);
  batch.set_action_dim(4);
  std::vector<float> obs(2 * 39);
  for (size_t i = 0; i < obs.size(); ++i) obs[i] = 0.5f * static_cast<float>(i);
  batch.set_obs(*EncodeFloat32(obs, {2, 39}));
  batch.set_reward(*EncodeFloat32(std::vector<float>{1.0f, 9.5f}, {2}));
  batch.set_terminal(*EncodeFloat32(std::vector<float>{0.0f, 0.0f}, {2}));
  batch.set_truncated(*EncodeFloat32(std::vector<float>{0.0f, 1.0f}, {2}));
  batch.set_policy_version(7);

  v1::InsertRequest request;
  *request.mutable_batch() = batch;
  const v1::InsertRequest copy = RoundTrip(request);
  EXPECT_TRUE(MessageDifferencer::Equals(request, copy));
  auto decoded = DecodeFloat32(copy.batch().obs(), {2, 39});
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, obs);
  auto truncated = DecodeFloat32(copy.batch().truncated(), {2});
  EXPECT_EQ((*truncated)[1], 1.0f);
}

TEST(ProtoTest, ParameterChunkRoundTrip) {
  v1::ParameterChunk chunk;
  chunk.set_version(9);
  chunk.set_chunk_index(1);
  chunk.set_chunk_count(3);
  chunk.add_tasks("reach-v2");
  v1::TensorSlice* slice = chunk.add_slices();
  slice->mutable_tensor()->set_name("actor.fc0.weight");
  slice->mutable_tensor()->add_shape(5);
  slice->mutable_tensor()->add_shape(400);
  slice->mutable_tensor()->add_shape(39);
  slice->mutable_tensor()->set_data(*EncodeFloat32(std::vector<float>(100, 0.25f), {100}));
  slice->set_offset(200);
  slice->set_total_elements(5 * 400 * 39);
  EXPECT_TRUE(MessageDifferencer::Equals(chunk, RoundTrip(chunk)));
}

TEST(ProtoTest, ReplayInfoAndHealthRoundTrip) {
  v1::InfoResponse info;
  info.set_shard_index(1);
  info.set_shard_count(2);
  v1::TaskInfo* task = info.add_tasks();
  task->set_task("door-open-v2");
  task->set_size(100);
  task->set_capacity(1000);
  v1::ActorSequence* seq = info.add_sequences();
  seq->set_actor_id("a");
  seq->set_task("door-open-v2");
  seq->set_last_sequence(17);
  EXPECT_TRUE(MessageDifferencer::Equals(info, RoundTrip(info)));

  v1::HealthCheckResponse health;
  health.set_status(v1::HealthCheckResponse::SERVING);
  health.set_api("taco.v1");
  EXPECT_TRUE(MessageDifferencer::Equals(health, RoundTrip(health)));
}

TEST(ProtoTest, GarbageDoesNotParseAsABatch) {
  v1::TransitionBatch batch;
  EXPECT_FALSE(batch.ParseFromString(std::string("\xff\xff\xff\xff\xff", 5)));
}

}  // namespace
}  // namespace taco
