#include "learner/paco/task_distribution.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace paco {

std::vector<double> UniformDistribution(int64_t num_tasks) {
  return std::vector<double>(static_cast<size_t>(num_tasks), 1.0 / static_cast<double>(num_tasks));
}

StatusOr<std::vector<double>> GroupDistribution(const std::vector<std::vector<int64_t>>& groups,
                                                int64_t num_tasks) {
  if (groups.empty()) return InvalidArgumentError("task groups: no group given");
  std::vector<double> p(static_cast<size_t>(num_tasks), -1.0);
  const double per_group = 1.0 / static_cast<double>(groups.size());
  for (const auto& group : groups) {
    if (group.empty()) return InvalidArgumentError("task groups: a group is empty");
    for (int64_t task : group) {
      if (task < 0 || task >= num_tasks) {
        return InvalidArgumentError("task groups: task index " + std::to_string(task) +
                                    " is outside [0, " + std::to_string(num_tasks) + ")");
      }
      if (p[task] >= 0.0) {
        return InvalidArgumentError("task groups: task " + std::to_string(task) +
                                    " is in more than one group");
      }
      p[task] = per_group / static_cast<double>(group.size());
    }
  }
  for (int64_t t = 0; t < num_tasks; ++t) {
    if (p[t] < 0.0) {
      return InvalidArgumentError("task groups: task " + std::to_string(t) + " is in no group");
    }
  }
  return p;
}

StatusOr<std::vector<double>> WeightDistribution(const std::vector<double>& weights) {
  double total = 0.0;
  for (double w : weights) {
    if (!std::isfinite(w) || w < 0.0) {
      return InvalidArgumentError("task weights must be finite and >= 0");
    }
    total += w;
  }
  if (!(total > 0.0)) return InvalidArgumentError("task weights sum to zero");
  std::vector<double> p;
  for (double w : weights) p.push_back(w / total);
  return p;
}

std::vector<int64_t> BatchCounts(const std::vector<double>& p, int64_t batch_size) {
  const size_t n = p.size();
  std::vector<int64_t> counts(n, 0);
  std::vector<double> remainder(n, 0.0);
  int64_t assigned = 0;
  for (size_t t = 0; t < n; ++t) {
    const double exact = p[t] * static_cast<double>(batch_size);
    counts[t] = static_cast<int64_t>(std::floor(exact));
    remainder[t] = exact - static_cast<double>(counts[t]);
    assigned += counts[t];
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainder[a] > remainder[b]; });
  for (size_t k = 0; assigned < batch_size && n > 0; k = (k + 1) % n) {
    if (p[order[k]] <= 0.0) continue;
    ++counts[order[k]];
    ++assigned;
  }
  return counts;
}

}  // namespace paco
