#include "replay/transitions.h"

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "common/codec.h"

namespace taco {
namespace {

absl::Status CheckColumn(const char* name, absl::Span<const float> values, int64_t expected) {
  if (static_cast<int64_t>(values.size()) != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " has ", values.size(), " values, expected ", expected));
  }
  const int64_t bad = FirstNonFinite(values);
  if (bad >= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " holds a non-finite value at element ", bad));
  }
  return absl::OkStatus();
}

absl::Status CheckFlags(const char* name, const std::vector<float>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] != 0.0f && values[i] != 1.0f) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, "[", i, "] is ", values[i], ", must be 0 or 1"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

int64_t TransitionShape::BytesPerTransition() const {
  return static_cast<int64_t>(sizeof(float)) * (2 * obs_dim + action_dim + 3) +
         static_cast<int64_t>(sizeof(uint64_t));
}

Transitions Transitions::Zeros(TransitionShape shape, int64_t n) {
  Transitions t;
  t.shape = shape;
  t.size = n;
  t.obs.assign(n * shape.obs_dim, 0.0f);
  t.action.assign(n * shape.action_dim, 0.0f);
  t.reward.assign(n, 0.0f);
  t.next_obs.assign(n * shape.obs_dim, 0.0f);
  t.terminal.assign(n, 0.0f);
  t.truncated.assign(n, 0.0f);
  t.policy_version.assign(n, 0);
  return t;
}

void Transitions::Append(const float* obs_row, const float* action_row, float reward_value,
                         const float* next_obs_row, bool is_terminal, bool is_truncated,
                         uint64_t version) {
  obs.insert(obs.end(), obs_row, obs_row + shape.obs_dim);
  action.insert(action.end(), action_row, action_row + shape.action_dim);
  reward.push_back(reward_value);
  next_obs.insert(next_obs.end(), next_obs_row, next_obs_row + shape.obs_dim);
  terminal.push_back(is_terminal ? 1.0f : 0.0f);
  truncated.push_back(is_truncated ? 1.0f : 0.0f);
  policy_version.push_back(version);
  ++size;
}

absl::Status Transitions::Validate() const {
  if (shape.obs_dim <= 0 || shape.action_dim <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("transition shape obs_dim=", shape.obs_dim,
                                                   " action_dim=", shape.action_dim,
                                                   " must be positive"));
  }
  if (size < 0) return absl::InvalidArgumentError("negative transition count");
  for (auto status :
       {CheckColumn("obs", obs, size * shape.obs_dim),
        CheckColumn("action", action, size * shape.action_dim), CheckColumn("reward", reward, size),
        CheckColumn("next_obs", next_obs, size * shape.obs_dim),
        CheckColumn("terminal", terminal, size), CheckColumn("truncated", truncated, size),
        CheckFlags("terminal", terminal), CheckFlags("truncated", truncated)}) {
    if (!status.ok()) return status;
  }
  if (static_cast<int64_t>(policy_version.size()) != size) {
    return absl::InvalidArgumentError(
        absl::StrCat("policy_version has ", policy_version.size(), " values, expected ", size));
  }
  return absl::OkStatus();
}

}  // namespace taco
