#include "learner/paco/task_grouping.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "learner/paco/learner.h"
#include "learner/paco/networks.h"

namespace paco {
namespace {

// |x_i − x_j| for points on a line: clusters that are easy to draw by hand.
std::vector<std::vector<double>> LineDistances(const std::vector<double>& x) {
  std::vector<std::vector<double>> d(x.size(), std::vector<double>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    for (size_t j = 0; j < x.size(); ++j) d[i][j] = std::abs(x[i] - x[j]);
  }
  return d;
}

TEST(DbscanTest, TwoTightClustersAndANoisePoint) {
  // Interleaved so that the labels must follow first appearance.
  const std::vector<double> x = {5.0, 0.0, 10.0, 5.1, 0.1, 5.2, 0.2};
  EXPECT_EQ(Dbscan(LineDistances(x), 0.15, 2), (std::vector<int>{0, 1, -1, 0, 1, 0, 1}));
}

TEST(DbscanTest, CorePointsChainAClusterAndBorderPointsJoinIt) {
  // eps 1, min_samples 3: the ends have two neighbours each (border points),
  // the middle three are core and chain 0 to 4 although they are 4 apart.
  EXPECT_EQ(Dbscan(LineDistances({0, 1, 2, 3, 4}), 1.0, 3), (std::vector<int>{0, 0, 0, 0, 0}));
  // A gap of more than eps breaks the chain.
  EXPECT_EQ(Dbscan(LineDistances({0, 1, 2, 3.5, 4.5, 5.5}), 1.0, 2),
            (std::vector<int>{0, 0, 0, 1, 1, 1}));
}

TEST(DbscanTest, BorderPointsDoNotExtendACluster) {
  // Only 1.0 is core (4 neighbours); 2.0 is its border point, and 3.0, a
  // neighbour of that border point alone, is noise.
  EXPECT_EQ(Dbscan(LineDistances({0, 0.5, 1, 2, 3}), 1.0, 4), (std::vector<int>{0, 0, 0, 0, -1}));
}

TEST(DbscanTest, ABorderPointBeforeItsCoresNumbersItsClusterFirst) {
  // Point 0 borders the cluster whose core points come last; the cluster
  // whose core points come first is still numbered second.
  const std::vector<double> x = {20.0, 0.0, 0.5, 1.0, 21.0, 21.5, 22.0};
  EXPECT_EQ(Dbscan(LineDistances(x), 1.0, 3), (std::vector<int>{0, 1, 1, 1, 0, 0, 0}));
}

TEST(DbscanTest, MinSamplesOneMakesEveryPointACluster) {
  EXPECT_EQ(Dbscan(LineDistances({0, 3, 6, 9}), 1.0, 1), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(Dbscan(LineDistances({0, 3, 6, 9}), 3.0, 1), (std::vector<int>{0, 0, 0, 0}));
}

TEST(DbscanTest, EpsZeroGroupsOnlyIdenticalPoints) {
  EXPECT_EQ(Dbscan(LineDistances({1, 2, 1, 3, 2}), 0.0, 2), (std::vector<int>{0, 1, 0, -1, 1}));
  EXPECT_EQ(Dbscan(LineDistances({1, 2, 3}), 0.0, 2), (std::vector<int>{-1, -1, -1}));
}

TEST(DbscanTest, EmptyAndSinglePoint) {
  EXPECT_TRUE(Dbscan({}, 0.5, 2).empty());
  EXPECT_EQ(Dbscan({{0.0}}, 0.5, 2), (std::vector<int>{-1}));
  EXPECT_EQ(Dbscan({{0.0}}, 0.5, 1), (std::vector<int>{0}));
}

TEST(UnitDistancesTest, ScaleFreeAndBoundedByTwo) {
  const auto d = UnitDistances({{1, 0}, {2, 0}, {0, 3}, {-1, 0}, {0, 0}});
  EXPECT_EQ(d[0][1], 0.0);  // parallel: exactly 0, whatever the lengths
  EXPECT_NEAR(d[0][2], std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(d[0][3], 2.0, 1e-12);
  EXPECT_NEAR(d[0][4], 1.0, 1e-12);
  EXPECT_EQ(d[2][0], d[0][2]);
  EXPECT_EQ(d[3][3], 0.0);
  // eps ↔ cosine: 0.5 admits cos 0.9 (d ≈ 0.447) but not cos 0.8 (d ≈ 0.632).
  const double c9 = std::acos(0.9), c8 = std::acos(0.8);
  const auto e =
      UnitDistances({{1, 0}, {std::cos(c9), std::sin(c9)}, {std::cos(c8), -std::sin(c8)}});
  EXPECT_LE(e[0][1], 0.5);
  EXPECT_GT(e[0][2], 0.5);
}

TEST(GroupsFromLabelsTest, NoisePointsBecomeSingletonsAfterTheClusters) {
  EXPECT_EQ(GroupsFromLabels({1, -1, 0, 1, -1}),
            (std::vector<std::vector<int64_t>>{{2}, {0, 3}, {1}, {4}}));
  EXPECT_EQ(GroupsFromLabels({-1, -1}), (std::vector<std::vector<int64_t>>{{0}, {1}}));
  EXPECT_TRUE(GroupsFromLabels({}).empty());
}

TEST(GroupTasksTest, ProbabilitiesBalanceTheGroups) {
  // Tasks 0, 2 and 4 point one way, 1 and 3 another, 5 a third: groups
  // {0, 2, 4}, {1, 3}, {5} → 1/9, 1/6, 1/3.
  auto g = GroupTasks({{1, 0}, {0, 1}, {2, 0.01}, {0.01, 3}, {5, 0}, {-1, -1}}, 0.1, 2);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->labels, (std::vector<int>{0, 1, 0, 1, 0, -1}));
  EXPECT_EQ(g->group_of_task, (std::vector<int>{0, 1, 0, 1, 0, 2}));
  const std::vector<double> expected = {1.0 / 9, 1.0 / 6, 1.0 / 9, 1.0 / 6, 1.0 / 9, 1.0 / 3};
  for (size_t t = 0; t < expected.size(); ++t) EXPECT_DOUBLE_EQ(g->p[t], expected[t]) << t;
  EXPECT_NEAR(std::accumulate(g->p.begin(), g->p.end(), 0.0), 1.0, 1e-12);
}

TEST(GroupTasksTest, RejectsBadFeatures) {
  EXPECT_FALSE(GroupTasks({}, 0.5, 2).ok());
  EXPECT_FALSE(GroupTasks({{1, 2}, {1}}, 0.5, 2).ok());
  EXPECT_FALSE(GroupTasks({{1, NAN}, {1, 2}}, 0.5, 2).ok());
}

TEST(GroupingFeaturesTest, Parse) {
  EXPECT_EQ(*ParseGroupingFeatures("theta"), GroupingFeatures::kTheta);
  EXPECT_EQ(*ParseGroupingFeatures("w"), GroupingFeatures::kW);
  EXPECT_FALSE(ParseGroupingFeatures("phi").ok());
  EXPECT_STREQ(GroupingFeaturesName(GroupingFeatures::kW), "w");
}

// A PaCo actor with K = 2, T = 3 and layers 3 → 2 → 1, written out by hand.
struct TinyActor {
  std::vector<float> w = {1,  2, 0.5f,    // W [K=2, T=3]: w_τ is column τ
                          -1, 3, -0.5f};  // w_2 = w_0 / 2: the same direction
  std::vector<float> w0 = {1, 2, 3, 4, 5, 6, /*k=1*/ -1, 0, 1, 2, 0, -2};  // [1, 2, 2, 3]
  std::vector<float> b0 = {0.5f, -0.5f, /*k=1*/ 1, 2};                     // [1, 2, 2]
  std::vector<float> w1 = {3, -1, /*k=1*/ 2, 2};                           // [1, 2, 1, 2]
  std::vector<float> b1 = {0.1f, /*k=1*/ -0.3f};                           // [1, 2, 1]

  NamedTensors Params() const {
    auto t = [](const std::vector<float>& v, std::vector<int64_t> shape) {
      return torch::tensor(v, torch::kFloat32).reshape(shape);
    };
    return {{"actor.net.layer0.weight", t(w0, {1, 2, 2, 3})},
            {"actor.net.layer0.bias", t(b0, {1, 2, 2})},
            {"actor.net.layer1.weight", t(w1, {1, 2, 1, 2})},
            {"actor.net.layer1.bias", t(b1, {1, 2, 1})},
            {"critic.net.layer0.weight", torch::ones({2, 2, 4, 3})},  // not the policy's
            {"task_weights", t(w, {2, 3})}};
  }
  // θ_τ by the definition: Σ_k w[k][τ] φ_k, layer by layer, weight then bias.
  std::vector<double> Theta(int task) const {
    std::vector<double> out;
    for (const std::vector<float>* phi : {&w0, &b0, &w1, &b1}) {
      const size_t per_k = phi->size() / 2;
      for (size_t i = 0; i < per_k; ++i) {
        out.push_back(static_cast<double>(w[task]) * (*phi)[i] +
                      static_cast<double>(w[3 + task]) * (*phi)[per_k + i]);
      }
    }
    return out;
  }
};

TEST(TaskFeaturesTest, ThetaOfAHandBuiltActor) {
  TinyActor actor;
  auto f = TaskFeatures(actor.Params(), GroupingFeatures::kTheta);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->size(), 3u);
  for (int t = 0; t < 3; ++t) {
    const std::vector<double> expected = actor.Theta(t);
    ASSERT_EQ((*f)[t].size(), 6u + 2u + 2u + 1u);
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_NEAR((*f)[t][i], expected[i], 1e-6) << "task " << t << " entry " << i;
    }
  }
  // θ is linear in w: tasks 0 and 2 point the same way, task 1 elsewhere.
  auto g = GroupTasks(*f, 1e-9, 2);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->labels, (std::vector<int>{0, -1, 0}));
  EXPECT_DOUBLE_EQ(g->p[1], 0.5);
}

TEST(TaskFeaturesTest, WFeaturesAreTheColumnsOfW) {
  TinyActor actor;
  auto f = TaskFeatures(actor.Params(), GroupingFeatures::kW);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f, (std::vector<std::vector<double>>{{1, -1}, {2, 3}, {0.5, -0.5}}));
}

TEST(TaskFeaturesTest, NeedsPacoParameters) {
  TinyActor actor;
  NamedTensors no_w = actor.Params();
  no_w.pop_back();
  EXPECT_EQ(TaskFeatures(no_w, GroupingFeatures::kW).status().code(),
            StatusCode::kFailedPrecondition);
  NamedTensors wrong_k = actor.Params();
  wrong_k[0].second = torch::zeros({1, 3, 2, 3});
  EXPECT_EQ(TaskFeatures(wrong_k, GroupingFeatures::kTheta).status().code(),
            StatusCode::kInvalidArgument);
  NamedTensors no_layers = {actor.Params().back()};
  EXPECT_FALSE(TaskFeatures(no_layers, GroupingFeatures::kTheta).ok());
  EXPECT_TRUE(TaskFeatures(no_layers, GroupingFeatures::kW).ok());
}

PacoOptions SmallOptions() {
  PacoOptions o;
  o.num_tasks = 4;
  o.num_components = 3;
  o.hidden_sizes = {8, 8};
  // Identical components would make every θ_τ a multiple of φ_0.
  o.identical_component_init = false;
  o.device = "cpu";
  return o;
}

// The features must be the θ_τ that the networks compose (networks.h).
TEST(TaskFeaturesTest, ThetaMatchesTheComposedActorLayers) {
  auto learner = Learner::Create(SmallOptions());
  ASSERT_TRUE(learner.ok()) << learner.status().ToString();
  auto f = TaskFeatures((*learner)->ExportActorParameters(), GroupingFeatures::kTheta);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parts;
  for (const CompositionalLinear& layer : (*learner)->actor()->net->compositional_layers()) {
    ComposedLinear c = layer->Compose((*learner)->task_weights(), /*detach=*/true);
    parts.push_back(c.weight.reshape({4, -1}));
    parts.push_back(c.bias.reshape({4, -1}));
  }
  const torch::Tensor expected = torch::cat(parts, 1).to(torch::kFloat64);
  ASSERT_EQ(f->size(), 4u);
  ASSERT_EQ(static_cast<int64_t>((*f)[0].size()), expected.size(1));
  for (int64_t t = 0; t < 4; ++t) {
    const torch::Tensor row = torch::tensor((*f)[t], torch::kFloat64);
    EXPECT_TRUE(torch::allclose(row, expected[t], 1e-5, 1e-6)) << "task " << t;
  }
}

TEST(TaskFeaturesTest, TasksWithEqualWLandInOneGroup) {
  auto learner = Learner::Create(SmallOptions());
  ASSERT_TRUE(learner.ok());
  {
    torch::NoGradGuard no_grad;
    torch::Tensor& w = (*learner)->task_weights();
    w.select(1, 2).copy_(w.select(1, 0));
  }
  for (GroupingFeatures kind : {GroupingFeatures::kTheta, GroupingFeatures::kW}) {
    SCOPED_TRACE(GroupingFeaturesName(kind));
    auto f = TaskFeatures((*learner)->ExportActorParameters(), kind);
    ASSERT_TRUE(f.ok());
    auto g = GroupTasks(*f, 0.0, 2);
    ASSERT_TRUE(g.ok());
    EXPECT_EQ(g->labels, (std::vector<int>{0, -1, 0, -1}));
    EXPECT_EQ(g->p, (std::vector<double>{1.0 / 6, 1.0 / 3, 1.0 / 6, 1.0 / 3}));
  }
}

}  // namespace
}  // namespace paco
