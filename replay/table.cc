#include "replay/table.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace taco {
namespace {

void CopyFloats(const std::vector<float>& from, int64_t from_row, std::vector<float>& to,
                int64_t to_row, int64_t width) {
  std::memcpy(to.data() + to_row * width, from.data() + from_row * width, width * sizeof(float));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Table>> Table::Create(std::string task, TransitionShape shape,
                                                     int64_t capacity) {
  if (task.empty()) return absl::InvalidArgumentError("a table needs a task name");
  if (capacity <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("table '", task, "': capacity must be positive, got ", capacity));
  }
  if (shape.obs_dim <= 0 || shape.action_dim <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("table '", task, "': bad transition shape"));
  }
  return std::unique_ptr<Table>(new Table(std::move(task), shape, capacity));
}

Table::Table(std::string task, TransitionShape shape, int64_t capacity)
    : task_(std::move(task)), shape_(shape), capacity_(capacity) {
  obs_.resize(capacity * shape.obs_dim);
  action_.resize(capacity * shape.action_dim);
  reward_.resize(capacity);
  next_obs_.resize(capacity * shape.obs_dim);
  terminal_.resize(capacity);
  truncated_.resize(capacity);
  policy_version_.resize(capacity);
}

int64_t Table::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return size_;
}

void Table::StoreRowLocked(const Transitions& batch, int64_t row) {
  const int64_t slot = next_;
  CopyFloats(batch.obs, row, obs_, slot, shape_.obs_dim);
  CopyFloats(batch.action, row, action_, slot, shape_.action_dim);
  CopyFloats(batch.next_obs, row, next_obs_, slot, shape_.obs_dim);
  reward_[slot] = batch.reward[row];
  terminal_[slot] = batch.terminal[row];
  truncated_[slot] = batch.truncated[row];
  policy_version_[slot] = batch.policy_version[row];
  next_ = (next_ + 1) % capacity_;
  size_ = std::min(size_ + 1, capacity_);
}

absl::Status Table::Insert(const Transitions& batch) {
  if (!(batch.shape == shape_)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "table '", task_, "' holds obs_dim=", shape_.obs_dim, " action_dim=", shape_.action_dim,
        " but the batch has obs_dim=", batch.shape.obs_dim,
        " action_dim=", batch.shape.action_dim));
  }
  TACO_RETURN_IF_ERROR(Annotate(batch.Validate(), absl::StrCat("batch for '", task_, "'")));
  const int64_t first = std::max<int64_t>(0, batch.size - capacity_);
  {
    absl::MutexLock lock(&mu_);
    for (int64_t row = first; row < batch.size; ++row) StoreRowLocked(batch, row);
  }
  inserted_total_ += batch.size;
  return absl::OkStatus();
}

void Table::CopyRowLocked(int64_t slot, Transitions* out, int64_t row) const {
  CopyFloats(obs_, slot, out->obs, row, shape_.obs_dim);
  CopyFloats(action_, slot, out->action, row, shape_.action_dim);
  CopyFloats(next_obs_, slot, out->next_obs, row, shape_.obs_dim);
  out->reward[row] = reward_[slot];
  out->terminal[row] = terminal_[slot];
  out->truncated[row] = truncated_[slot];
  out->policy_version[row] = policy_version_[slot];
}

absl::Status Table::SampleInto(int64_t count, std::mt19937_64& rng, Transitions* out,
                               int64_t offset) const {
  if (!(out->shape == shape_) || offset < 0 || count < 0 || offset + count > out->size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "table '", task_, "': output batch cannot take rows [", offset, ", ", offset + count, ")"));
  }
  absl::ReaderMutexLock lock(&mu_);
  if (count > 0 && size_ == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("table '", task_, "' is empty: nothing to sample"));
  }
  std::uniform_int_distribution<int64_t> pick(0, size_ - 1);
  for (int64_t i = 0; i < count; ++i) CopyRowLocked(pick(rng), out, offset + i);
  sampled_total_ += count;
  return absl::OkStatus();
}

Transitions Table::Snapshot() const {
  absl::ReaderMutexLock lock(&mu_);
  Transitions out = Transitions::Zeros(shape_, size_);
  const int64_t oldest = size_ < capacity_ ? 0 : next_;
  for (int64_t i = 0; i < size_; ++i) CopyRowLocked((oldest + i) % capacity_, &out, i);
  return out;
}

absl::Status Table::Restore(const Transitions& contents, int64_t inserted_total,
                            int64_t sampled_total) {
  if (contents.size > capacity_) {
    return absl::InvalidArgumentError(absl::StrCat("table '", task_, "': restoring ", contents.size,
                                                   " transitions exceeds capacity ", capacity_));
  }
  if (!(contents.shape == shape_)) {
    return absl::InvalidArgumentError(absl::StrCat("table '", task_, "': restored shape differs"));
  }
  TACO_RETURN_IF_ERROR(Annotate(contents.Validate(), absl::StrCat("restoring '", task_, "'")));
  if (inserted_total < contents.size || sampled_total < 0) {
    return absl::InvalidArgumentError(absl::StrCat("table '", task_, "': counters ", inserted_total,
                                                   "/", sampled_total, " do not fit ",
                                                   contents.size, " items"));
  }
  absl::MutexLock lock(&mu_);
  next_ = 0;
  size_ = 0;
  for (int64_t row = 0; row < contents.size; ++row) StoreRowLocked(contents, row);
  inserted_total_ = inserted_total;
  sampled_total_ = sampled_total;
  return absl::OkStatus();
}

}  // namespace taco
