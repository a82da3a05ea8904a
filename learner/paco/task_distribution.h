// Task distributions P over the tasks of a run (TaCo paper, Sec. IV): the
// probability that an env reset picks task τ, also used to compose the
// learner's batches. Plain C++: actors use it too.
#ifndef TACO_LEARNER_PACO_TASK_DISTRIBUTION_H_
#define TACO_LEARNER_PACO_TASK_DISTRIBUTION_H_

#include <cstdint>
#include <vector>

#include "learner/paco/status.h"

namespace paco {

// p_τ = 1/T (PaCo).
std::vector<double> UniformDistribution(int64_t num_tasks);

// Sample steps spread evenly over groups: τ ∈ g_i gets 1 / (|G| · |g_i|).
// Every task must be in exactly one group.
StatusOr<std::vector<double>> GroupDistribution(const std::vector<std::vector<int64_t>>& groups,
                                                int64_t num_tasks);

// p_τ ∝ weights[τ] (e.g. TaCo's MT10 setting: 2 for pick-place,
// peg-insert-side and drawer-open, 1 for the rest).
StatusOr<std::vector<double>> WeightDistribution(const std::vector<double>& weights);

// Rows per task of a batch of `batch_size` following p: the largest-remainder
// rounding of p · batch_size, so the counts sum to batch_size exactly. Ties
// go to the lower task index. Tasks with p_τ = 0 get none.
std::vector<int64_t> BatchCounts(const std::vector<double>& p, int64_t batch_size);

}  // namespace paco

#endif  // TACO_LEARNER_PACO_TASK_DISTRIBUTION_H_
