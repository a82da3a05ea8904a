// Columnar batches of transitions, the unit that replay stores and samples.
#ifndef TACO_REPLAY_TRANSITIONS_H_
#define TACO_REPLAY_TRANSITIONS_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"

namespace taco {

struct TransitionShape {
  int obs_dim = 39;
  int action_dim = 4;

  // Bytes one transition takes in a table.
  int64_t BytesPerTransition() const;
  bool operator==(const TransitionShape& o) const {
    return obs_dim == o.obs_dim && action_dim == o.action_dim;
  }
};

// `size` transitions; every array is row-major with `size` rows.
// terminal: the task ended (no bootstrap). truncated: the time limit cut
// the episode (bootstrap). Both are 0.0 or 1.0.
struct Transitions {
  TransitionShape shape;
  int64_t size = 0;
  std::vector<float> obs;                // [size, obs_dim]
  std::vector<float> action;             // [size, action_dim]
  std::vector<float> reward;             // [size]
  std::vector<float> next_obs;           // [size, obs_dim]
  std::vector<float> terminal;           // [size]
  std::vector<float> truncated;          // [size]
  std::vector<uint64_t> policy_version;  // [size]

  // Sized for `n` transitions of `shape`, zero-filled.
  static Transitions Zeros(TransitionShape shape, int64_t n);
  // Appends one transition.
  void Append(const float* obs_row, const float* action_row, float reward_value,
              const float* next_obs_row, bool is_terminal, bool is_truncated, uint64_t version);

  // Checks array sizes, finiteness and that the flags are 0 or 1.
  absl::Status Validate() const;
};

}  // namespace taco

#endif  // TACO_REPLAY_TRANSITIONS_H_
