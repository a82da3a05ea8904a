// The learner's pacing of a cluster run: how many environment steps the
// shards stored, how many updates that allows (the paper's ratio after the
// warm-up), how much each shard may store next, and when the run's budget
// is spent.
//
// One pacer only: each shard's insert limit is granted from the learner's
// own counts, as "what the next updates need, plus a lead". While the
// learner waits for transitions, every shard's limit lies at least `lead`
// above what the shard holds, so inserts can always come in; the learner
// cannot wait on a shard that waits on the learner, whatever the warm-up,
// shard count, batch or ratio.
//
// The counts survive restarts on both sides. A shard that restarts from a
// checkpoint rewinds its counters (a new incarnation); the transitions it
// lost were still collected, so the total keeps them and only what the
// shard stores after its restore is added. The learner saves its counts
// beside its checkpoint (Serialize/Parse).
#ifndef TACO_LEARNER_PACING_H_
#define TACO_LEARNER_PACING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace taco {

struct PacingOptions {
  int64_t total_env_steps = 0;    // the run's budget
  int64_t exploration_steps = 0;  // stored before the first update
  int64_t env_steps_per_update = 1;
  // Transitions the cluster may store beyond what the next update needs.
  int64_t lead = 8192;
  // The largest single insert: while the learner waits, a shard is always
  // granted at least this much room, so the last steps of the budget can
  // come in whatever the size of the batch that carries them.
  int64_t largest_insert = 64;
  int shards = 1;
};

// What one shard reported (InfoResponse): its incarnation, the sum of its
// tasks' inserted_total now and at the start of that incarnation.
struct ShardCounts {
  uint64_t incarnation = 0;
  int64_t restored_inserted = 0;
  int64_t inserted = 0;
};

class Pacer {
 public:
  explicit Pacer(const PacingOptions& options);

  // Adds what `shard` stored since it was last seen.
  void Observe(int shard, const ShardCounts& counts);

  // Environment steps stored over the run, restarts included.
  int64_t env_steps() const { return env_steps_; }
  // Updates the stored steps allow, up to the budget's last one.
  int64_t AllowedUpdates() const;
  // The updates the whole budget allows.
  int64_t FinalUpdates() const;
  // The budget is stored and every update it allows is done.
  bool Complete(int64_t updates) const;
  // The largest total the shard may hold, for a learner at `updates` with
  // `queued` more batches already drawn: the cluster may store what the
  // next update needs plus the lead, never beyond the budget (but one
  // insert's worth while the learner waits). -1 before the shard was seen.
  int64_t InsertLimit(int shard, int64_t updates, int64_t queued) const;

  // The counts as text, for a file beside the learner's checkpoint.
  std::string Serialize() const;
  // Restores Serialize()'s text; an error names what is wrong, and nothing
  // changes then.
  absl::Status Parse(const std::string& text);

  const PacingOptions& options() const { return options_; }

 private:
  struct Seen {
    uint64_t incarnation = 0;  // 0: never seen
    int64_t inserted = 0;
  };
  const PacingOptions options_;
  std::vector<Seen> seen_;
  int64_t env_steps_ = 0;
  bool resumed_ = false;  // counts restored by Parse
};

}  // namespace taco

#endif  // TACO_LEARNER_PACING_H_
