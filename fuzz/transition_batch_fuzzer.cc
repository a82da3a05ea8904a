// What a replay shard does with one incoming taco.v1.TransitionBatch before
// and while storing it (replay/replay_service.cc, Insert): the ownership
// check, decoding and validation (replay/wire.h), then ReplayShard::Insert.
//
// Input: the serialized message, as it arrives on the Insert stream.
#include <cstdint>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/logging.h"
#include "fuzz/fuzz_util.h"
#include "replay/replay_shard.h"
#include "replay/wire.h"
#include "taco/v1/transition.pb.h"

namespace {

// Small rows keep decoding cheap, so the fuzzer spends its time on the
// checks; the code paths do not depend on the dimensions.
constexpr taco::TransitionShape kShape{3, 2};

taco::ReplayShardOptions Options() {
  taco::ReplayShardOptions o;
  o.tasks = {"reach-v2", "push-v2"};
  o.shape = kShape;
  o.capacity_per_task = 8;
  o.max_insert_batch = 16;
  o.rate_limiter = taco::RateLimiterOptions::MinSize(1);
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  taco::SetLogLevel(taco::LogLevel::kError);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  taco::v1::TransitionBatch batch;
  if (!batch.ParseFromArray(data, static_cast<int>(size))) return 0;

  auto decoded = taco::FromProto(batch, kShape);
  if (decoded.ok()) {
    const taco::Transitions& t = *decoded;
    TACO_FUZZ_CHECK(t.Validate().ok());
    TACO_FUZZ_CHECK(t.shape == kShape && t.size == static_cast<int64_t>(batch.size()));
    for (uint64_t v : t.policy_version) TACO_FUZZ_CHECK(v == batch.policy_version());
    // Accepted payloads are finite float32 columns, so encoding them again
    // reproduces the bytes that came in.
    auto again = taco::ToProto(batch.task(), batch.actor_id(), batch.sequence(), t);
    TACO_FUZZ_CHECK(again.ok());
    TACO_FUZZ_CHECK(again->obs() == batch.obs() && again->action() == batch.action() &&
                    again->reward() == batch.reward() && again->next_obs() == batch.next_obs() &&
                    again->terminal() == batch.terminal() &&
                    again->truncated() == batch.truncated());
  }

  // A fresh shard per input: what one input did must not change the next.
  auto shard = taco::ReplayShard::Create(Options());
  TACO_FUZZ_CHECK(shard.ok());
  if (!(*shard)->CheckOwns(batch.task()).ok() || !decoded.ok()) return 0;
  auto stored = (*shard)->Insert(batch.task(), batch.actor_id(), batch.sequence(), *decoded,
                                 absl::ZeroDuration());
  if (!stored.ok()) return 0;
  TACO_FUZZ_CHECK(stored->last_sequence == batch.sequence());
  TACO_FUZZ_CHECK(stored->stored == decoded->size);
  // The same batch again is a re-send: acknowledged, not stored.
  auto resent = (*shard)->Insert(batch.task(), batch.actor_id(), batch.sequence(), *decoded,
                                 absl::ZeroDuration());
  TACO_FUZZ_CHECK(resent.ok() && resent->stored == 0);
  if (decoded->size > 0) {
    auto sampled = (*shard)->Sample({{batch.task(), 4}}, absl::ZeroDuration());
    TACO_FUZZ_CHECK(sampled.ok() && sampled->size == 4 && sampled->Validate().ok());
  }
  return 0;
}
