// Online task grouping (TaCo-online, paper Sec. IV): when no task groups are
// known, the tasks are clustered with DBSCAN over their task-dependent policy
// parameters and the task distribution balances the groups found.
//
// Dbscan, UnitDistances, GroupsFromLabels and GroupTasks are plain C++ (no
// torch types), so tools that only need the clustering can use them;
// TaskFeatures reads exported actor parameters and is the one part that needs
// LibTorch (task_features.cc).
#ifndef TACO_LEARNER_PACO_TASK_GROUPING_H_
#define TACO_LEARNER_PACO_TASK_GROUPING_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "learner/paco/status.h"

namespace at {
class Tensor;
}  // namespace at

namespace paco {

// The same type as networks.h's NamedTensors (torch::Tensor is at::Tensor),
// declared again so that this header needs no torch headers.
using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// Classic DBSCAN over a symmetric n×n distance matrix. j is a neighbour of i
// when distances[i][j] <= eps (i is always its own neighbour); i is a core
// point when it has at least `min_samples` neighbours, itself included.
// Clusters are the sets of points density-reachable from a core point; a
// border point (not core, neighbour of a core point) joins the first cluster
// that reaches it when several could. Returns one label per point: clusters
// numbered 0, 1, 2, … in order of their first point by index, −1 for noise.
// `distances` must be square; min_samples <= 1 makes every point a core point.
std::vector<int> Dbscan(const std::vector<std::vector<double>>& distances, double eps,
                        int min_samples);

// Pairwise distances d(a, b) = ‖a/‖a‖ − b/‖b‖‖ of features scaled to unit
// length, i.e. sqrt(2 − 2·cos(a, b)): 0 for parallel vectors, √2 for
// orthogonal ones, 2 for opposite ones. Scaling out the length makes DBSCAN's
// eps independent of the parameters' magnitude, which changes over training
// and between layer sizes: eps = e groups tasks whose features have cosine
// similarity >= 1 − e²/2 (eps 0.5 ↔ cos >= 0.875, about 29°). A zero vector
// stays zero: it is at distance 1 from every non-zero vector.
std::vector<std::vector<double>> UnitDistances(const std::vector<std::vector<double>>& features);

// Groups of task indices from DBSCAN labels: cluster c is group c (tasks in
// ascending order), then every noise point becomes a singleton group of its
// own, in task order.
std::vector<std::vector<int64_t>> GroupsFromLabels(const std::vector<int>& labels);

struct TaskGrouping {
  std::vector<int> labels;                   // DBSCAN label per task (−1: noise)
  std::vector<std::vector<int64_t>> groups;  // GroupsFromLabels(labels)
  std::vector<int> group_of_task;            // index into groups, per task
  std::vector<double> p;                     // p_τ = 1/(|G|·|g_i|), τ ∈ g_i
};

// Clusters the tasks' features (one row per task, equal lengths, finite)
// with DBSCAN over UnitDistances and balances the groups found.
StatusOr<TaskGrouping> GroupTasks(const std::vector<std::vector<double>>& features, double eps,
                                  int min_samples);

// What each task is described by.
enum class GroupingFeatures {
  // θ_τ: every compositional actor layer's weight and bias composed with
  // w_τ (Σ_k w_τ,k φ_k), flattened and concatenated in layer order: the
  // policy parameters the paper clusters.
  kTheta,
  // w_τ, the task's column of W [K, T]: cheaper, and blind to how different
  // the components φ_k themselves are.
  kW,
};
StatusOr<GroupingFeatures> ParseGroupingFeatures(const std::string& name);
const char* GroupingFeaturesName(GroupingFeatures features);

// One feature row per task from parameters exported by
// Learner::ExportActorParameters: "task_weights" W [K, T] and the actor's
// compositional layers ("actor.*" weights [1, K, out, in] and biases
// [1, K, out]). PaCo only: the baselines have no W (FailedPrecondition).
StatusOr<std::vector<std::vector<double>>> TaskFeatures(const NamedTensors& actor_params,
                                                        GroupingFeatures features);

}  // namespace paco

#endif  // TACO_LEARNER_PACO_TASK_GROUPING_H_
