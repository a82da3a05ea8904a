#include "learner/pacing.h"

#include <algorithm>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace taco {

Pacer::Pacer(const PacingOptions& options)
    : options_(options), seen_(static_cast<size_t>(std::max(1, options.shards))) {}

void Pacer::Observe(int shard, const ShardCounts& counts) {
  if (shard < 0 || shard >= static_cast<int>(seen_.size()) || counts.incarnation == 0) return;
  Seen& seen = seen_[static_cast<size_t>(shard)];
  int64_t added = 0;
  if (seen.incarnation == counts.incarnation) {
    added = counts.inserted - seen.inserted;
  } else if (seen.incarnation == 0 && !resumed_) {
    // A fresh learner: everything the shard holds counts.
    added = counts.inserted;
  } else {
    // A restarted shard (or one first seen by a resumed learner): only what
    // it stored in this incarnation is new.
    added = counts.inserted - counts.restored_inserted;
  }
  env_steps_ += std::max<int64_t>(0, added);
  seen.incarnation = counts.incarnation;
  seen.inserted = counts.inserted;
}

int64_t Pacer::AllowedUpdates() const {
  const int64_t stored = std::min(env_steps_, options_.total_env_steps);
  return std::max<int64_t>(0, (stored - options_.exploration_steps) /
                                  std::max<int64_t>(1, options_.env_steps_per_update));
}

int64_t Pacer::FinalUpdates() const {
  return std::max<int64_t>(0, (options_.total_env_steps - options_.exploration_steps) /
                                  std::max<int64_t>(1, options_.env_steps_per_update));
}

bool Pacer::Complete(int64_t updates) const {
  return env_steps_ >= options_.total_env_steps && updates >= FinalUpdates();
}

int64_t Pacer::InsertLimit(int shard, int64_t updates, int64_t queued) const {
  if (shard < 0 || shard >= static_cast<int>(seen_.size())) return -1;
  const Seen& seen = seen_[static_cast<size_t>(shard)];
  if (seen.incarnation == 0) return -1;
  const int64_t wanted =
      std::min(options_.total_env_steps,
               options_.exploration_steps +
                   (updates + queued + 1) * std::max<int64_t>(1, options_.env_steps_per_update));
  // The cluster may hold what the next update needs plus the lead, within
  // the budget; each shard may take all of the room that is left. When the
  // learner is behind, that room is negative and the shard holds still.
  int64_t room = std::min(wanted + options_.lead, options_.total_env_steps) - env_steps_;
  if (wanted > env_steps_) room = std::max(room, options_.largest_insert);
  return seen.inserted + room;
}

std::string Pacer::Serialize() const {
  std::string out = absl::StrCat("taco-pacing 1\nenv_steps ", env_steps_, "\n");
  for (size_t s = 0; s < seen_.size(); ++s) {
    absl::StrAppend(&out, "shard ", s, " ", seen_[s].incarnation, " ", seen_[s].inserted, "\n");
  }
  return out;
}

absl::Status Pacer::Parse(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  if (lines.empty() || lines[0] != "taco-pacing 1") {
    return absl::DataLossError("not a taco pacing file (first line 'taco-pacing 1')");
  }
  int64_t env_steps = -1;
  std::vector<Seen> seen(seen_.size());
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> f = absl::StrSplit(lines[i], ' ');
    if (f.size() == 2 && f[0] == "env_steps" && absl::SimpleAtoi(f[1], &env_steps) &&
        env_steps >= 0) {
      continue;
    }
    int64_t shard = -1, inserted = -1;
    uint64_t incarnation = 0;
    if (f.size() == 4 && f[0] == "shard" && absl::SimpleAtoi(f[1], &shard) &&
        absl::SimpleAtoi(f[2], &incarnation) && absl::SimpleAtoi(f[3], &inserted) &&
        inserted >= 0) {
      // A run with another shard count: its shards' counts mean nothing now.
      if (shard >= 0 && shard < static_cast<int64_t>(seen.size())) {
        seen[static_cast<size_t>(shard)] = {incarnation, inserted};
      }
      continue;
    }
    return absl::DataLossError(absl::StrCat("pacing file line ", i + 1, " ('", lines[i],
                                            "') is neither 'env_steps N' nor 'shard I INC N'"));
  }
  if (env_steps < 0) return absl::DataLossError("pacing file has no env_steps line");
  env_steps_ = env_steps;
  seen_ = std::move(seen);
  resumed_ = true;
  return absl::OkStatus();
}

}  // namespace taco
