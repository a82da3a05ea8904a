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

absl::Status DecodeInto(const v1::TransitionBatch& b, Transitions* out, int64_t first_row) {
  const TransitionShape& shape = out->shape;
  if (b.obs_dim() != static_cast<uint32_t>(shape.obs_dim) ||
      b.action_dim() != static_cast<uint32_t>(shape.action_dim)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "batch for '", b.task(), "' declares obs_dim=", b.obs_dim(), " action_dim=", b.action_dim(),
        "; expected obs_dim=", shape.obs_dim, " action_dim=", shape.action_dim));
  }
  const int64_t n = b.size();
  if (first_row < 0 || first_row + n > out->size) {
    return absl::InvalidArgumentError(absl::StrCat("batch for '", b.task(), "' of ", n,
                                                   " rows does not fit at row ", first_row, " of ",
                                                   out->size));
  }
  const int64_t obs = shape.obs_dim, act = shape.action_dim;
  auto decode = [n, first_row](const std::string& bytes, std::vector<float>& column, int64_t width,
                               absl::string_view field) {
    return DecodeFloat32Into(bytes, {n, width},
                             absl::MakeSpan(column).subspan(first_row * width, n * width),
                             NonFinite::kReject, field);
  };
  TACO_RETURN_IF_ERROR(decode(b.obs(), out->obs, obs, "obs"));
  TACO_RETURN_IF_ERROR(decode(b.action(), out->action, act, "action"));
  TACO_RETURN_IF_ERROR(decode(b.reward(), out->reward, 1, "reward"));
  TACO_RETURN_IF_ERROR(decode(b.next_obs(), out->next_obs, obs, "next_obs"));
  TACO_RETURN_IF_ERROR(decode(b.terminal(), out->terminal, 1, "terminal"));
  TACO_RETURN_IF_ERROR(decode(b.truncated(), out->truncated, 1, "truncated"));
  for (int64_t i = first_row; i < first_row + n; ++i) {
    const float flags[2] = {out->terminal[i], out->truncated[i]};
    for (float f : flags) {
      if (f != 0.0f && f != 1.0f) {
        return absl::InvalidArgumentError(absl::StrCat("batch for '", b.task(), "' from '",
                                                       b.actor_id(),
                                                       "': terminal/truncated must be 0 or 1"));
      }
    }
    out->policy_version[i] = b.policy_version();
  }
  return absl::OkStatus();
}

absl::StatusOr<Transitions> FromProto(const v1::TransitionBatch& b, const TransitionShape& expected,
                                      int64_t max_rows) {
  // Every declared size is checked against the payload and the limits
  // before anything is allocated: a message declaring millions of rows with
  // one column present must cost nothing.
  const int64_t n = b.size();
  if (n > max_rows) {
    return absl::InvalidArgumentError(absl::StrCat("batch for '", b.task(), "' declares size ", n,
                                                   ", above the limit of ", max_rows,
                                                   " transitions per insert"));
  }
  if (b.obs_dim() != static_cast<uint32_t>(expected.obs_dim) ||
      b.action_dim() != static_cast<uint32_t>(expected.action_dim)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "batch for '", b.task(), "' declares obs_dim=", b.obs_dim(), " action_dim=", b.action_dim(),
        "; expected obs_dim=", expected.obs_dim, " action_dim=", expected.action_dim));
  }
  const struct {
    const std::string& bytes;
    int64_t width;
    const char* field;
  } columns[] = {{b.obs(), expected.obs_dim, "obs"}, {b.action(), expected.action_dim, "action"},
                 {b.reward(), 1, "reward"},          {b.next_obs(), expected.obs_dim, "next_obs"},
                 {b.terminal(), 1, "terminal"},      {b.truncated(), 1, "truncated"}};
  for (const auto& c : columns) {
    if (static_cast<int64_t>(c.bytes.size()) != n * c.width * 4) {
      return absl::InvalidArgumentError(absl::StrCat("batch for '", b.task(), "' declares size ", n,
                                                     " but ", c.field, " holds ", c.bytes.size(),
                                                     " bytes, not ", n * c.width * 4));
    }
  }
  Transitions t = Transitions::Zeros(expected, n);
  TACO_RETURN_IF_ERROR(DecodeInto(b, &t, 0));
  return t;
}

}  // namespace taco
