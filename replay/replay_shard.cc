#include "replay/replay_shard.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/logging.h"
#include "common/status.h"
#include "replay/shard_map.h"
#include "replay/table_file.h"

namespace taco {
namespace fs = std::filesystem;
namespace {

constexpr char kManifest[] = "MANIFEST";

// Folders "ckpt-<n>" under `dir`, newest (largest n) first.
std::vector<std::pair<int64_t, fs::path>> ListCheckpoints(const fs::path& dir) {
  std::vector<std::pair<int64_t, fs::path>> found;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return found;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    int64_t n;
    if (entry.is_directory() && name.rfind("ckpt-", 0) == 0 &&
        absl::SimpleAtoi(name.substr(5), &n)) {
      found.emplace_back(n, entry.path());
    }
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  return found;
}

std::string TableFileName(const std::string& task) { return task + ".table"; }

// Differs between two starts of a shard, even with the same pid.
uint64_t NewIncarnation(int shard_index) {
  std::random_device device;
  const uint64_t r = (static_cast<uint64_t>(device()) << 32) ^ device();
  return (r ^ static_cast<uint64_t>(absl::ToUnixNanos(absl::Now())) ^
          (static_cast<uint64_t>(shard_index) << 48)) |
         1;  // never 0, which means "none" on the wire
}

}  // namespace

absl::StatusOr<std::unique_ptr<ReplayShard>> ReplayShard::Create(const ReplayShardOptions& o) {
  if (o.shard_count < 1 || o.shard_index < 0 || o.shard_index >= o.shard_count) {
    return absl::InvalidArgumentError(
        absl::StrCat("shard index ", o.shard_index, " is outside 0..", o.shard_count - 1));
  }
  std::vector<std::string> owned = TasksOfShard(o.tasks, o.shard_index, o.shard_count);
  if (owned.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "shard ", o.shard_index, " of ", o.shard_count,
        " owns none of the run's tasks; use fewer shards (the task map is in replay/shard_map.h)"));
  }
  TACO_ASSIGN_OR_RETURN(auto buffer, ReplayBuffer::Create(owned, o.shape, o.capacity_per_task));
  TACO_ASSIGN_OR_RETURN(
      auto limiter, RateLimiter::Create(o.rate_limiter, o.max_insert_batch, o.max_sample_batch));
  std::unique_ptr<ReplayShard> shard(new ReplayShard(o, std::move(buffer), std::move(limiter)));
  if (!o.checkpoint_dir.empty()) TACO_RETURN_IF_ERROR(shard->RestoreLatest());
  shard->restored_inserted_total_ = shard->limiter_->inserts();
  if (o.initial_insert_lead >= 0) {
    shard->limiter_->SetInsertLimit(shard->restored_inserted_total_ + o.initial_insert_lead);
  }
  return shard;
}

ReplayShard::ReplayShard(const ReplayShardOptions& options, std::unique_ptr<ReplayBuffer> buffer,
                         std::unique_ptr<RateLimiter> limiter)
    : options_(options),
      incarnation_(NewIncarnation(options.shard_index)),
      buffer_(std::move(buffer)),
      limiter_(std::move(limiter)),
      rng_(options.seed + static_cast<uint64_t>(options.shard_index)) {
  for (const std::string& task : buffer_->tasks()) {
    task_state_[task] = std::make_unique<TaskState>();
  }
}

ReplayShard::~ReplayShard() { Stop(); }

bool ReplayShard::Owns(const std::string& task) const { return task_state_.count(task) > 0; }

absl::Status ReplayShard::CheckOwns(const std::string& task) const {
  if (Owns(task)) return absl::OkStatus();
  const bool known =
      std::find(options_.tasks.begin(), options_.tasks.end(), task) != options_.tasks.end();
  if (!known) {
    return absl::NotFoundError(absl::StrCat("task '", task, "' is not part of this run"));
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "shard ", options_.shard_index, " of ", options_.shard_count, " does not own task '", task,
      "'; shard ", ShardForTask(task, options_.tasks, options_.shard_count), " does"));
}

absl::StatusOr<InsertResult> ReplayShard::Insert(const std::string& task,
                                                 const std::string& actor_id, uint64_t sequence,
                                                 const Transitions& batch, absl::Duration timeout) {
  TACO_RETURN_IF_ERROR(CheckOwns(task));
  if (actor_id.empty()) return absl::InvalidArgumentError("insert without an actor id");
  if (sequence == 0) {
    return absl::InvalidArgumentError("sequence numbers start at 1; got 0");
  }
  if (batch.size > options_.max_insert_batch) {
    return absl::InvalidArgumentError(absl::StrCat("batch of ", batch.size,
                                                   " transitions exceeds the shard's limit of ",
                                                   options_.max_insert_batch));
  }
  if (!(batch.shape == options_.shape)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "batch has obs_dim=", batch.shape.obs_dim, " action_dim=", batch.shape.action_dim,
        " but the shard stores obs_dim=", options_.shape.obs_dim,
        " action_dim=", options_.shape.action_dim));
  }
  TACO_RETURN_IF_ERROR(batch.Validate());
  TaskState& state = *task_state_.at(task);
  {
    absl::MutexLock lock(&state.mu);
    auto it = state.last_sequence.find(actor_id);
    if (it != state.last_sequence.end() && sequence <= it->second) {
      state.last_seen[actor_id] = absl::Now();
      return InsertResult{it->second, 0};
    }
  }
  if (closed()) return absl::UnavailableError("the replay shard is stopping");
  // Wait outside the task lock so a blocked insert does not stall checkpoints.
  TACO_RETURN_IF_ERROR(limiter_->AcquireInsert(batch.size, timeout));
  absl::ReaderMutexLock accepting(&closing_mu_);
  if (closed_) return absl::UnavailableError("the replay shard is stopping");
  absl::MutexLock lock(&state.mu);
  uint64_t& last = state.last_sequence[actor_id];
  const absl::Time now = absl::Now();
  state.last_seen[actor_id] = now;
  // A concurrent re-send of the same batch may have won the race; the
  // limiter then counted this one too, which only loosens it by one batch.
  if (sequence <= last) return InsertResult{last, 0};
  TACO_RETURN_IF_ERROR(buffer_->Insert(task, batch));
  last = sequence;
  ExpireIdleActors(state, now);
  const uint64_t learner = learner_version_.load();
  if (learner > 0) {
    uint64_t acted = 0;
    for (uint64_t v : batch.policy_version) acted = std::max(acted, v);
    absl::MutexLock lags(&lag_mu_);
    if (lags_.size() < 65536) {
      lags_.emplace_back(static_cast<int64_t>(learner) - static_cast<int64_t>(acted), batch.size);
    }
  }
  return InsertResult{last, batch.size};
}

void ReplayShard::ExpireIdleActors(TaskState& state, absl::Time now) {
  // Cheap enough per insert: the map holds the actors of one task.
  for (auto it = state.last_seen.begin(); it != state.last_seen.end();) {
    if (now - it->second > options_.actor_idle_expiry) {
      state.last_sequence.erase(it->first);
      it = state.last_seen.erase(it);
      ++actors_expired_total_;
    } else {
      ++it;
    }
  }
}

void ReplayShard::SetInsertLimit(int64_t limit) { limiter_->SetInsertLimit(limit); }

void ReplayShard::SetLearnerVersion(uint64_t version) { learner_version_ = version; }

std::vector<std::pair<int64_t, int64_t>> ReplayShard::DrainPolicyLags(size_t max) {
  absl::MutexLock lock(&lag_mu_);
  std::vector<std::pair<int64_t, int64_t>> out;
  if (lags_.size() <= max) {
    out.swap(lags_);
  } else {
    out.assign(lags_.end() - static_cast<std::ptrdiff_t>(max), lags_.end());
    lags_.clear();
  }
  return out;
}

void ReplayShard::Close() {
  absl::MutexLock lock(&closing_mu_);
  closed_ = true;
}

bool ReplayShard::closed() const {
  absl::ReaderMutexLock lock(&closing_mu_);
  return closed_;
}

void ReplayShard::MarkRunComplete() { run_complete_ = true; }

bool ReplayShard::run_complete() const { return run_complete_.load(); }

absl::StatusOr<Transitions> ReplayShard::Sample(const std::vector<TaskCount>& counts,
                                                absl::Duration timeout) {
  int64_t total = 0;
  for (const TaskCount& c : counts) {
    TACO_RETURN_IF_ERROR(CheckOwns(c.task));
    if (c.count < 0) {
      return absl::InvalidArgumentError(absl::StrCat("negative count for '", c.task, "'"));
    }
    total += c.count;
  }
  if (total > options_.max_sample_batch) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sample of ", total, " transitions exceeds the limit of ", options_.max_sample_batch));
  }
  for (const TaskCount& c : counts) {
    if (c.count > 0 && buffer_->table(c.task)->size() == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("table '", c.task, "' is empty: nothing to sample yet"));
    }
  }
  TACO_RETURN_IF_ERROR(limiter_->AcquireSample(total, timeout));
  absl::MutexLock lock(&rng_mu_);
  return buffer_->Sample(counts, rng_);
}

ShardInfo ReplayShard::Info(bool counters_only) const {
  ShardInfo info;
  info.shard_index = options_.shard_index;
  info.shard_count = options_.shard_count;
  info.incarnation = incarnation_;
  info.restored_inserted_total = restored_inserted_total_;
  info.insert_limit = limiter_->insert_limit();
  info.closed = closed();
  info.actors_expired_total = actors_expired_total_.load();
  for (const std::string& task : buffer_->tasks()) {
    const Table& t = *buffer_->table(task);
    info.tasks.push_back({task, t.size(), t.capacity(), t.inserted_total(), t.sampled_total()});
    TaskState& state = *task_state_.at(task);
    absl::MutexLock lock(&state.mu);
    info.actors_tracked += static_cast<int64_t>(state.last_sequence.size());
    if (counters_only) continue;
    for (const auto& [actor, seq] : state.last_sequence) info.sequences[{actor, task}] = seq;
  }
  info.memory_bytes = buffer_->MemoryBytes();
  info.last_checkpoint_unix_s = last_checkpoint_unix_s_.load();
  info.last_checkpoint_duration_s = last_checkpoint_duration_s_.load();
  info.checkpoints_total = checkpoints_total_.load();
  info.insert_blocked_s = limiter_->insert_blocked_seconds();
  info.sample_blocked_s = limiter_->sample_blocked_seconds();
  return info;
}

std::string ReplayShard::ShardDir() const {
  return absl::StrCat(options_.checkpoint_dir, "/shard-", options_.shard_index);
}

absl::StatusOr<std::string> ReplayShard::Checkpoint() {
  if (options_.checkpoint_dir.empty()) {
    return absl::FailedPreconditionError("this shard has no checkpoint folder configured");
  }
  absl::MutexLock one_at_a_time(&checkpoint_mu_);
  const absl::Time start = absl::Now();
  const fs::path dir = ShardDir();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return absl::InternalError(absl::StrCat("cannot create '", dir.string(), "': ", ec.message()));
  const auto existing = ListCheckpoints(dir);
  const int64_t newest_on_disk = existing.empty() ? 0 : existing.front().first;
  const int64_t number = std::max(checkpoint_counter_.load(), newest_on_disk) + 1;
  checkpoint_counter_ = number;
  const fs::path final_dir = dir / absl::StrCat("ckpt-", number);
  const fs::path tmp_dir = dir / absl::StrCat("ckpt-", number, ".tmp");
  fs::remove_all(tmp_dir, ec);
  fs::create_directories(tmp_dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create '", tmp_dir.string(), "'"));

  std::ostringstream manifest;
  manifest << "taco-replay-checkpoint 1\nshard " << options_.shard_index << " "
           << options_.shard_count << "\n";
  for (const std::string& task : buffer_->tasks()) {
    const Table& table = *buffer_->table(task);
    TableFileContents contents;
    contents.task = task;
    contents.capacity = table.capacity();
    {
      // The short copy: contents and sequence numbers of one task, together.
      TaskState& state = *task_state_.at(task);
      absl::MutexLock lock(&state.mu);
      contents.transitions = table.Snapshot();
      contents.inserted_total = table.inserted_total();
      contents.sampled_total = table.sampled_total();
      contents.last_sequence = state.last_sequence;
    }
    TACO_RETURN_IF_ERROR(WriteTableFile((tmp_dir / TableFileName(task)).string(), contents));
    manifest << "table " << task << "\n";
  }
  TACO_RETURN_IF_ERROR(WriteFileAtomically((tmp_dir / kManifest).string(), manifest.str()));
  fs::rename(tmp_dir, final_dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot publish '", final_dir.string(), "'"));
  PruneOldCheckpoints();
  last_checkpoint_duration_s_ = absl::ToDoubleSeconds(absl::Now() - start);
  last_checkpoint_unix_s_ = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
  ++checkpoints_total_;
  return final_dir.string();
}

void ReplayShard::PruneOldCheckpoints() {
  auto all = ListCheckpoints(ShardDir());
  std::error_code ec;
  for (size_t i = static_cast<size_t>(options_.keep_checkpoints); i < all.size(); ++i) {
    fs::remove_all(all[i].second, ec);
  }
}

absl::Status ReplayShard::RestoreFrom(const std::string& folder) {
  std::ifstream manifest_file(fs::path(folder) / kManifest);
  if (!manifest_file) return absl::DataLossError(absl::StrCat(folder, " has no MANIFEST"));
  std::string header, line;
  std::getline(manifest_file, header);
  if (header != "taco-replay-checkpoint 1") {
    return absl::DataLossError(absl::StrCat(folder, ": unknown MANIFEST format"));
  }
  std::vector<std::string> tasks;
  while (std::getline(manifest_file, line)) {
    if (line.rfind("table ", 0) == 0) tasks.push_back(line.substr(6));
  }
  // Read and check every file before touching any table: all or nothing.
  std::vector<TableFileContents> contents;
  std::set<std::string> seen;
  int64_t inserts = 0, samples = 0;
  for (const std::string& task : tasks) {
    if (!Owns(task)) {
      TACO_LOG(WARNING) << folder << " holds task '" << task
                        << "', which this shard no longer owns; skipping it";
      continue;
    }
    // Restoring a table twice would count its transitions twice in the
    // rate limiter.
    if (!seen.insert(task).second) {
      return absl::DataLossError(absl::StrCat(folder, ": MANIFEST lists table '", task, "' twice"));
    }
    TACO_ASSIGN_OR_RETURN(TableFileContents c,
                          ReadTableFile((fs::path(folder) / TableFileName(task)).string()));
    if (!(c.transitions.shape == options_.shape) || c.task != task) {
      return absl::DataLossError(absl::StrCat(folder, ": table '", task, "' has another shape"));
    }
    // Each counter fits int64 (ReadTableFile checks that); their sums need not.
    if (c.inserted_total > std::numeric_limits<int64_t>::max() - inserts ||
        c.sampled_total > std::numeric_limits<int64_t>::max() - samples) {
      return absl::DataLossError(
          absl::StrCat(folder, ": the tables' counters add up beyond int64"));
    }
    inserts += c.inserted_total;
    samples += c.sampled_total;
    contents.push_back(std::move(c));
  }
  for (TableFileContents& c : contents) {
    Table* table = buffer_->table(c.task);
    if (c.transitions.size > table->capacity()) {
      // Capacity shrank since the checkpoint: keep the newest rows.
      TACO_LOG(WARNING) << "table '" << c.task << "' restores only its newest " << table->capacity()
                        << " of " << c.transitions.size << " transitions";
      Transitions newest = Transitions::Zeros(c.transitions.shape, 0);
      const int64_t first = c.transitions.size - table->capacity();
      for (int64_t i = first; i < c.transitions.size; ++i) {
        const int o = c.transitions.shape.obs_dim, a = c.transitions.shape.action_dim;
        newest.Append(&c.transitions.obs[i * o], &c.transitions.action[i * a],
                      c.transitions.reward[i], &c.transitions.next_obs[i * o],
                      c.transitions.terminal[i] != 0, c.transitions.truncated[i] != 0,
                      c.transitions.policy_version[i]);
      }
      c.transitions = std::move(newest);
    }
    TACO_RETURN_IF_ERROR(table->Restore(c.transitions, c.inserted_total, c.sampled_total));
    TaskState& state = *task_state_.at(c.task);
    absl::MutexLock lock(&state.mu);
    state.last_sequence = c.last_sequence;
    // Restored actors count as seen now: they get a full expiry period to
    // come back and re-send.
    const absl::Time now = absl::Now();
    for (const auto& entry : c.last_sequence) state.last_seen[entry.first] = now;
  }
  limiter_->Restore(inserts, samples);
  return absl::OkStatus();
}

absl::Status ReplayShard::RestoreLatest() {
  for (const auto& [number, folder] : ListCheckpoints(ShardDir())) {
    absl::Status status = RestoreFrom(folder.string());
    if (status.ok()) {
      checkpoint_counter_ = number;
      TACO_LOG(INFO) << "replay shard " << options_.shard_index << " restored " << folder.string()
                     << " (" << buffer_->TotalSize() << " transitions)";
      return absl::OkStatus();
    }
    TACO_LOG(WARNING) << "skipping damaged checkpoint: " << status.message();
  }
  return absl::OkStatus();
}

void ReplayShard::StartBackgroundCheckpoints() {
  if (options_.checkpoint_dir.empty() || checkpoint_thread_.joinable()) return;
  checkpoint_thread_ = std::thread([this] {
    while (!stop_.WaitForNotificationWithTimeout(options_.checkpoint_interval)) {
      auto result = Checkpoint();
      if (!result.ok()) TACO_LOG(ERROR) << "checkpoint failed: " << result.status().message();
    }
  });
}

void ReplayShard::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  limiter_->Cancel();
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
}

}  // namespace taco
