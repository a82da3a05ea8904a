#include "replay/wire.h"

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "common/codec.h"
#include "common/status.h"

namespace taco {
namespace {

absl::StatusOr<std::string> Rows(const std::vector<float>& column, int64_t width, int64_t first,
                                 int64_t count, absl::string_view field) {
  return EncodeFloat32(absl::MakeConstSpan(column).subspan(first * width, count * width),
                       {count, width}, NonFinite::kReject, field);
}

}  // namespace

absl::StatusOr<v1::TransitionBatch> ToProto(const std::string& task, const std::string& actor_id,
                                            uint64_t sequence, const Transitions& t, int64_t first,
                                            int64_t count) {
  if (first < 0 || count < 0 || first + count > t.size) {
    return absl::InvalidArgumentError(
        absl::StrCat("rows [", first, ", ", first + count, ") are outside a batch of ", t.size));
  }
  const int64_t obs = t.shape.obs_dim, act = t.shape.action_dim;
  v1::TransitionBatch b;
  b.set_task(task);
  b.set_actor_id(actor_id);
  b.set_sequence(sequence);
  b.set_size(static_cast<uint32_t>(count));
  b.set_obs_dim(static_cast<uint32_t>(obs));
  b.set_action_dim(static_cast<uint32_t>(act));
  TACO_ASSIGN_OR_RETURN(*b.mutable_obs(), Rows(t.obs, obs, first, count, "obs"));
  TACO_ASSIGN_OR_RETURN(*b.mutable_action(), Rows(t.action, act, first, count, "action"));
  TACO_ASSIGN_OR_RETURN(*b.mutable_reward(), Rows(t.reward, 1, first, count, "reward"));
  TACO_ASSIGN_OR_RETURN(*b.mutable_next_obs(), Rows(t.next_obs, obs, first, count, "next_obs"));
  TACO_ASSIGN_OR_RETURN(*b.mutable_terminal(), Rows(t.terminal, 1, first, count, "terminal"));
  TACO_ASSIGN_OR_RETURN(*b.mutable_truncated(), Rows(t.truncated, 1, first, count, "truncated"));
  // One version per message: the newest of its rows.
  uint64_t version = 0;
  for (int64_t i = first; i < first + count; ++i) version = std::max(version, t.policy_version[i]);
  b.set_policy_version(version);
  return b;
}

absl::StatusOr<v1::TransitionBatch> ToProto(const std::string& task, const std::string& actor_id,
                                            uint64_t sequence, const Transitions& t) {
  return ToProto(task, actor_id, sequence, t, 0, t.size);
}

absl::StatusOr<Transitions> FromProto(const v1::TransitionBatch& b,
                                      const TransitionShape& expected) {
  if (b.obs_dim() != static_cast<uint32_t>(expected.obs_dim) ||
      b.action_dim() != static_cast<uint32_t>(expected.action_dim)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "batch for '", b.task(), "' declares obs_dim=", b.obs_dim(), " action_dim=", b.action_dim(),
        "; expected obs_dim=", expected.obs_dim, " action_dim=", expected.action_dim));
  }
  const int64_t n = b.size();
  // The declared size must match the payload before anything is allocated.
  if (static_cast<int64_t>(b.reward().size()) != n * 4) {
    return absl::InvalidArgumentError(absl::StrCat("batch for '", b.task(), "' declares size ", n,
                                                   " but reward holds ", b.reward().size(),
                                                   " bytes"));
  }
  Transitions t = Transitions::Zeros(expected, n);
  const int64_t obs = expected.obs_dim, act = expected.action_dim;
  auto decode = [](const std::string& bytes, std::vector<float>& out, int64_t rows, int64_t width,
                   absl::string_view field) {
    return DecodeFloat32Into(bytes, {rows, width}, absl::MakeSpan(out), NonFinite::kReject, field);
  };
  TACO_RETURN_IF_ERROR(decode(b.obs(), t.obs, n, obs, "obs"));
  TACO_RETURN_IF_ERROR(decode(b.action(), t.action, n, act, "action"));
  TACO_RETURN_IF_ERROR(decode(b.reward(), t.reward, n, 1, "reward"));
  TACO_RETURN_IF_ERROR(decode(b.next_obs(), t.next_obs, n, obs, "next_obs"));
  TACO_RETURN_IF_ERROR(decode(b.terminal(), t.terminal, n, 1, "terminal"));
  TACO_RETURN_IF_ERROR(decode(b.truncated(), t.truncated, n, 1, "truncated"));
  t.policy_version.assign(n, b.policy_version());
  TACO_RETURN_IF_ERROR(
      Annotate(t.Validate(), absl::StrCat("batch for '", b.task(), "' from '", b.actor_id(), "'")));
  return t;
}

}  // namespace taco
