#include "learner/paco/task_grouping.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <string>

#include "learner/paco/task_distribution.h"

namespace paco {

std::vector<int> Dbscan(const std::vector<std::vector<double>>& distances, double eps,
                        int min_samples) {
  const size_t n = distances.size();
  std::vector<std::vector<size_t>> neighbours(n);
  std::vector<bool> core(n, false);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      // The point itself counts even when the matrix's diagonal is not 0.
      if (i == j || distances[i][j] <= eps) neighbours[i].push_back(j);
    }
    core[i] = static_cast<int64_t>(neighbours[i].size()) >= min_samples;
  }
  constexpr int kUnassigned = -2;
  std::vector<int> labels(n, kUnassigned);
  int clusters = 0;
  for (size_t seed = 0; seed < n; ++seed) {
    if (labels[seed] != kUnassigned || !core[seed]) continue;
    const int cluster = clusters++;
    labels[seed] = cluster;
    std::deque<size_t> frontier = {seed};
    while (!frontier.empty()) {
      const size_t q = frontier.front();
      frontier.pop_front();
      // Only core points extend a cluster; border points end it.
      for (size_t j : neighbours[q]) {
        if (labels[j] != kUnassigned) continue;
        labels[j] = cluster;
        if (core[j]) frontier.push_back(j);
      }
    }
  }
  // Clusters were numbered by their first core point; a border point with a
  // lower index can come earlier, so renumber by first appearance.
  std::vector<int> renumbered(static_cast<size_t>(clusters), -1);
  int next = 0;
  for (int& label : labels) {
    if (label == kUnassigned) {
      label = -1;
      continue;
    }
    if (renumbered[label] < 0) renumbered[label] = next++;
    label = renumbered[label];
  }
  return labels;
}

std::vector<std::vector<double>> UnitDistances(const std::vector<std::vector<double>>& features) {
  const size_t n = features.size();
  std::vector<double> inverse_norm(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    double sum = 0.0;
    for (double x : features[i]) sum += x * x;
    if (sum > 0.0) inverse_norm[i] = 1.0 / std::sqrt(sum);
  }
  std::vector<std::vector<double>> d(n, std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      // The difference of the unit vectors, not sqrt(2 − 2 cos): no
      // cancellation, so identical directions come out exactly 0.
      double sum = 0.0;
      const size_t dims = std::min(features[i].size(), features[j].size());
      for (size_t k = 0; k < dims; ++k) {
        const double diff = features[i][k] * inverse_norm[i] - features[j][k] * inverse_norm[j];
        sum += diff * diff;
      }
      d[i][j] = d[j][i] = std::sqrt(sum);
    }
  }
  return d;
}

std::vector<std::vector<int64_t>> GroupsFromLabels(const std::vector<int>& labels) {
  int clusters = 0;
  for (int label : labels) clusters = std::max(clusters, label + 1);
  std::vector<std::vector<int64_t>> groups(static_cast<size_t>(clusters));
  for (size_t t = 0; t < labels.size(); ++t) {
    if (labels[t] >= 0) groups[labels[t]].push_back(static_cast<int64_t>(t));
  }
  for (size_t t = 0; t < labels.size(); ++t) {
    if (labels[t] < 0) groups.push_back({static_cast<int64_t>(t)});
  }
  return groups;
}

StatusOr<TaskGrouping> GroupTasks(const std::vector<std::vector<double>>& features, double eps,
                                  int min_samples) {
  if (features.empty()) return InvalidArgumentError("task grouping: no task features");
  for (size_t t = 0; t < features.size(); ++t) {
    if (features[t].size() != features[0].size()) {
      return InvalidArgumentError("task grouping: task " + std::to_string(t) + " has " +
                                  std::to_string(features[t].size()) + " features, task 0 has " +
                                  std::to_string(features[0].size()));
    }
    for (double x : features[t]) {
      if (!std::isfinite(x)) {
        return InvalidArgumentError("task grouping: task " + std::to_string(t) +
                                    " has a non-finite feature");
      }
    }
  }
  TaskGrouping g;
  g.labels = Dbscan(UnitDistances(features), eps, min_samples);
  g.groups = GroupsFromLabels(g.labels);
  g.group_of_task.assign(features.size(), -1);
  for (size_t i = 0; i < g.groups.size(); ++i) {
    for (int64_t t : g.groups[i]) g.group_of_task[t] = static_cast<int>(i);
  }
  PACO_ASSIGN_OR_RETURN(g.p, GroupDistribution(g.groups, static_cast<int64_t>(features.size())));
  return g;
}

StatusOr<GroupingFeatures> ParseGroupingFeatures(const std::string& name) {
  if (name == "theta") return GroupingFeatures::kTheta;
  if (name == "w") return GroupingFeatures::kW;
  return InvalidArgumentError("task grouping features '" + name + "': expected theta or w");
}

const char* GroupingFeaturesName(GroupingFeatures features) {
  switch (features) {
    case GroupingFeatures::kTheta:
      return "theta";
    case GroupingFeatures::kW:
      return "w";
  }
  return "?";
}

}  // namespace paco
