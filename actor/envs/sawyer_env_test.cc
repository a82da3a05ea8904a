#include "actor/envs/sawyer_env.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "actor/envs/asset_locator.h"
#include "actor/envs/task_registry.h"
#include "tests/subprocess.h"

namespace taco::envs {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<SawyerEnv> Make(const std::string& task, EnvConfig config = {}) {
  absl::StatusOr<std::unique_ptr<SawyerEnv>> env = MakeEnv(task, config);
  EXPECT_TRUE(env.ok()) << env.status();
  return env.ok() ? *std::move(env) : nullptr;
}

Action RandomAction(NumpyRandom& rng) {
  return {rng.Uniform(-1, 1), rng.Uniform(-1, 1), rng.Uniform(-1, 1), rng.Uniform(-1, 1)};
}

// Meta-World's tasks whose _get_pos_objects returns two positions.
bool ObservesSecondObject(std::string_view task) {
  constexpr std::string_view kTwoObjectTasks[] = {"hammer-v2", "stick-push-v2", "stick-pull-v2"};
  return std::find(std::begin(kTwoObjectTasks), std::end(kTwoObjectTasks), task) !=
         std::end(kTwoObjectTasks);
}

class AllTasksTest : public ::testing::TestWithParam<std::string> {};

TEST_P(AllTasksTest, LoadsResetsAndStepsWithFiniteOutputs) {
  std::unique_ptr<SawyerEnv> env = Make(GetParam());
  ASSERT_NE(env, nullptr);
  const Observation obs = env->Reset().value();
  // The hand settles just under its start point.
  EXPECT_NEAR(obs[0], env->def().hand_init[0], 0.02);
  EXPECT_NEAR(obs[1], env->def().hand_init[1], 0.02);
  EXPECT_NEAR(obs[2], env->def().hand_init[2], 0.02);
  EXPECT_GT(obs[3], 0.9);  // Gripper open.
  // [quirk] The previous-frame half starts equal to the current frame.
  for (int i = 0; i < 18; ++i) EXPECT_EQ(obs[i], obs[18 + i]) << i;
  // Only the tasks that observe a second object fill obs[11:18].
  if (!ObservesSecondObject(GetParam())) {
    for (int i = 11; i < 18; ++i) EXPECT_EQ(obs[i], 0.0) << i;
  }
  for (int i = 0; i < 3; ++i) EXPECT_EQ(obs[36 + i], env->target()[i]);
  NumpyRandom rng(3);
  Observation prev = obs;
  for (int t = 0; t < 20; ++t) {
    const StepResult r = env->Step(RandomAction(rng)).value();
    for (double x : r.obs) ASSERT_TRUE(std::isfinite(x));
    EXPECT_GE(r.reward, 0.0);
    EXPECT_LE(r.reward, 10.0);
    for (int i = 0; i < 18; ++i) EXPECT_EQ(r.obs[18 + i], prev[i]);
    prev = r.obs;
  }
}

TEST_P(AllTasksTest, VariantsAreFiftyUniqueDrawsInsideTheBox) {
  const TaskDef& def = *FindTask(GetParam()).value();
  const std::vector<RandVec> variants = FixedVariants(def, 0);
  ASSERT_EQ(variants.size(), static_cast<size_t>(kVariantsPerTask));
  std::set<RandVec> unique(variants.begin(), variants.end());
  EXPECT_EQ(unique.size(), variants.size());
  for (const RandVec& v : variants) {
    ASSERT_EQ(v.size(), def.rand_low.size());
    for (size_t i = 0; i < v.size(); ++i) {
      // Either order: disassemble-v2's box has its nut x bounds swapped, and
      // NumPy's uniform draws between swapped bounds all the same.
      const double lo = RandomBoxBound(def.rand_low[i]);
      const double hi = RandomBoxBound(def.rand_high[i]);
      EXPECT_GE(v[i], std::min(lo, hi));
      EXPECT_LE(v[i], std::max(lo, hi));
    }
    if (def.accept != nullptr) {
      EXPECT_TRUE(def.accept(v));
    }
  }
  EXPECT_EQ(FixedVariants(def, 0), variants);
  EXPECT_NE(FixedVariants(def, 1), variants);
}

std::vector<std::string> AllTaskNames() { return TaskNames(); }

INSTANTIATE_TEST_SUITE_P(Suite, AllTasksTest, ::testing::ValuesIn(AllTaskNames()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

// Every task taco has, in MT50's order; once every family is in, all 50.
TEST(RegistryTest, ListsTheTasksInMt50Order) {
  std::vector<std::string> expected;
  for (std::string_view name : kMt50Tasks) expected.emplace_back(name);
  EXPECT_EQ(TaskNames(), expected);
  for (std::string_view name : kMt10Tasks) {
    EXPECT_NE(std::find(kMt50Tasks.begin(), kMt50Tasks.end(), name), kMt50Tasks.end()) << name;
  }
}

TEST(RegistryTest, UnknownTaskListsValidNames) {
  const auto env = MakeEnv("reach-v3", {});
  ASSERT_EQ(env.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(env.status().message(), HasSubstr("reach-v3"));
  for (const std::string& name : TaskNames()) {
    EXPECT_THAT(env.status().message(), HasSubstr(name));
  }
}

// Variants of all tasks come from one generator in benchmark order, as
// Meta-World's MT10(seed) draws them.
TEST(RegistryTest, VariantsFollowOneGeneratorInTaskOrder) {
  NumpyRandom rng(7);
  for (int i = 0; i < kVariantsPerTask; ++i) DrawRandVec(*FindTask("reach-v2").value(), rng);
  const RandVec first_push = DrawRandVec(*FindTask("push-v2").value(), rng);
  EXPECT_EQ(FixedVariants(*FindTask("push-v2").value(), 7)[0], first_push);
}

// The original's random boxes are float32 gym Boxes: a draw lies between the
// rounded bounds and is computed in float64, as NumPy's uniform does.
TEST(RegistryTest, DrawsUseFloat32RoundedBounds) {
  TaskDef def;
  def.rand_low = {0.1, -0.1};
  def.rand_high = {0.7, 0.6};
  NumpyRandom rng(3);
  NumpyRandom same(3);
  const RandVec v = DrawRandVec(def, rng);
  for (size_t i = 0; i < v.size(); ++i) {
    const double lo = static_cast<float>(def.rand_low[i]);
    const double hi = static_cast<float>(def.rand_high[i]);
    const double u = same.Uniform01();
    EXPECT_EQ(v[i], lo + (hi - lo) * u);
    EXPECT_NE(v[i], def.rand_low[i] + (def.rand_high[i] - def.rand_low[i]) * u);
  }
  EXPECT_EQ(RandomBoxBound(0.6), 0.60000002384185791015625);
}

// Runs a NumPy reference script for `seed` and returns its vectors by task.
std::map<std::string, std::vector<RandVec>> NumpyDraws(const std::string& script, uint32_t seed) {
  const CommandResult reference = RunCommand(
      {"/usr/bin/python3", std::string(TACO_SOURCE_DIR) + "/actor/envs/testdata/" + script,
       std::to_string(seed)});
  EXPECT_EQ(reference.exit_code, 0)
      << "the NumPy reference did not run (Debian: apt-get install python3-numpy):\n"
      << reference.output;
  std::map<std::string, std::vector<RandVec>> numpy;
  std::istringstream lines(reference.output);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string task;
    int index = 0;
    fields >> task >> index;
    RandVec v;
    for (double x; fields >> x;) v.push_back(x);
    numpy[task].push_back(v);
  }
  return numpy;
}

void ExpectVariantsMatch(const std::map<std::string, std::vector<RandVec>>& numpy, uint32_t seed,
                         VariantOrder order) {
  for (const auto& [task, expected] : numpy) {
    const absl::StatusOr<const TaskDef*> def = FindTask(task);
    ASSERT_TRUE(def.ok()) << def.status();
    const std::vector<RandVec> ours = FixedVariants(**def, seed, order);
    ASSERT_EQ(ours.size(), expected.size()) << task;
    for (size_t i = 0; i < ours.size(); ++i) {
      EXPECT_EQ(ours[i], expected[i]) << task << " variant " << i << " seed " << seed;
    }
  }
}

// NumPy itself is the reference for the variant draws: a script written from
// the spec draws MT10's 500 vectors with NumPy's legacy generator exactly as
// Meta-World's MT10(seed) does, and every number must agree bit for bit.
TEST(RegistryTest, Mt10VariantsMatchNumpyBitForBit) {
  for (const uint32_t seed : {0u, 42u, 1234567u}) {
    const auto numpy = NumpyDraws("mt10_numpy_draws.py", seed);
    ASSERT_EQ(numpy.size(), 10u);
    ExpectVariantsMatch(numpy, seed, VariantOrder::kMt10);
  }
}

// The same for MT50(seed): 2,500 vectors in MT50's order, from boxes and
// reset loops written per family from the original sources
// (testdata/mt50_tasks_*.py), not from the C++ task definitions.
TEST(RegistryTest, Mt50VariantsMatchNumpyBitForBit) {
  for (const uint32_t seed : {0u, 7u}) {
    const auto numpy = NumpyDraws("mt50_numpy_draws.py", seed);
    ASSERT_EQ(numpy.size(), 50u);
    ExpectVariantsMatch(numpy, seed, VariantOrder::kMt50);
  }
}

// One seed gives a task different variants in MT10 and MT50, as in
// Meta-World: the draw order differs.
TEST(RegistryTest, Mt10AndMt50OrdersDrawDifferentVariants) {
  const TaskDef& reach = *FindTask("reach-v2").value();
  EXPECT_NE(FixedVariants(reach, 1, VariantOrder::kMt10),
            FixedVariants(reach, 1, VariantOrder::kMt50));
}

// Sweep's random box has a flat z range (0.02 to 0.02) whose float32 bound
// is not 0.02; the original places the cube at its float64 0.02 instead.
TEST(SawyerEnvTest, SweepCubeStartsAtTheOriginalsHeightNotTheRoundedBound) {
  std::unique_ptr<SawyerEnv> env = Make("sweep-v2");
  const Observation obs = env->ResetToVariant(0).value();
  EXPECT_NE(env->rand_vec()[2], 0.02);
  EXPECT_EQ(obs[6], 0.02);
}

TEST(SawyerEnvTest, WeldIsIdentityWithTorquescaleOne) {
  std::unique_ptr<SawyerEnv> env = Make("reach-v2");
  const mjModel* m = env->model();
  ASSERT_EQ(m->neq, 1);
  ASSERT_EQ(m->eq_type[0], mjEQ_WELD);
  const std::vector<double> expected = {0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1};
  EXPECT_EQ(std::vector<double>(m->eq_data, m->eq_data + mjNEQDATA), expected);
}

TEST(SawyerEnvTest, SimulationConstantsComeFromTheScene) {
  std::unique_ptr<SawyerEnv> env = Make("push-v2");
  EXPECT_EQ(env->model()->opt.timestep, 0.0025);
  EXPECT_EQ(env->model()->opt.solver, mjSOL_NEWTON);
  EXPECT_EQ(env->model()->opt.iterations, 50);
  ASSERT_TRUE(env->Reset().ok());
  const double t0 = env->data()->time;
  ASSERT_TRUE(env->Step(Action{0, 0, 0, 0}).ok());
  EXPECT_NEAR(env->data()->time - t0, kFrameSkip * 0.0025, 1e-12);
}

TEST(SawyerEnvTest, BadActionsAreRejectedWithoutStepping) {
  std::unique_ptr<SawyerEnv> env = Make("reach-v2");
  ASSERT_TRUE(env->Reset().ok());
  const double t0 = env->data()->time;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (const std::vector<double>& bad : std::vector<std::vector<double>>{
           {nan, 0, 0, 0}, {0, inf, 0, 0}, {0, 0, 0, -inf}, {0, 0, 0}, {0, 0, 0, 0, 0}, {}}) {
    const auto r = env->Step(bad);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(env->data()->time, t0);
  EXPECT_EQ(env->elapsed_steps(), 0);
  EXPECT_TRUE(env->Step(Action{0, 0, 0, 0}).ok());
}

TEST(SawyerEnvTest, StepBeforeResetFails) {
  std::unique_ptr<SawyerEnv> env = Make("reach-v2");
  EXPECT_EQ(env->Step(Action{0, 0, 0, 0}).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(SawyerEnvTest, ActionsAreClippedAndTheMocapStaysInItsBox) {
  std::unique_ptr<SawyerEnv> a = Make("reach-v2");
  std::unique_ptr<SawyerEnv> b = Make("reach-v2");
  ASSERT_TRUE(a->ResetToVariant(0).ok());
  ASSERT_TRUE(b->ResetToVariant(0).ok());
  for (int t = 0; t < 70; ++t) {
    const StepResult ra = a->Step(Action{1, 0, 0, 1}).value();
    const StepResult rb = b->Step(Action{50, 0, 0, 7}).value();
    ASSERT_EQ(ra.obs, rb.obs);
  }
  EXPECT_DOUBLE_EQ(a->data()->mocap_pos[0], kMocapHigh[0]);
  EXPECT_EQ(a->data()->ctrl[0], 1.0);
  EXPECT_EQ(a->data()->ctrl[1], -1.0);
}

TEST(SawyerEnvTest, TimeLimitTruncatesAtDefault150) {
  std::unique_ptr<SawyerEnv> env = Make("reach-v2");
  ASSERT_TRUE(env->Reset().ok());
  for (int t = 1; t <= kDefaultMaxEpisodeSteps; ++t) {
    const StepResult r = env->Step(Action{0, 0, 0, 0}).value();
    EXPECT_EQ(r.truncated, t == kDefaultMaxEpisodeSteps) << t;
    EXPECT_FALSE(r.terminal);
  }
  EXPECT_EQ(env->Step(Action{0, 0, 0, 0}).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(SawyerEnvTest, TimeLimitOf500IsSelectable) {
  EnvConfig config;
  config.max_episode_steps = kLongMaxEpisodeSteps;
  std::unique_ptr<SawyerEnv> env = Make("reach-v2", config);
  ASSERT_TRUE(env->Reset().ok());
  StepResult r;
  for (int t = 0; t < kLongMaxEpisodeSteps; ++t) {
    r = env->Step(Action{0, 0, 0, 0}).value();
    ASSERT_TRUE(!r.truncated || t == kLongMaxEpisodeSteps - 1);
  }
  EXPECT_TRUE(r.truncated);
}

TEST(SawyerEnvTest, TerminalOnlyWhenAskedToEndOnSuccess) {
  for (bool terminate : {false, true}) {
    EnvConfig config;
    config.terminate_on_success = terminate;
    std::unique_ptr<SawyerEnv> env = Make("reach-v2", config);
    Observation obs = env->ResetToVariant(0).value();
    // Drive the hand to the goal; the fingertip centre sits 4.5 cm lower.
    StepResult r;
    for (int t = 0; t < 150 && !r.success; ++t) {
      const Vec3 hand = ToVec3(obs.data());
      const Vec3 to = env->target() + Vec3{0, 0, 0.045};
      r = env->Step(
                 Action{10 * (to[0] - hand[0]), 10 * (to[1] - hand[1]), 10 * (to[2] - hand[2]), 0})
              .value();
      obs = r.obs;
    }
    ASSERT_TRUE(r.success);
    EXPECT_EQ(r.reward, 10.0);
    EXPECT_EQ(r.terminal, terminate);
    EXPECT_FALSE(r.truncated);
  }
}

TEST(SawyerEnvTest, GoalHiddenWhenNotObservable) {
  EnvConfig config;
  config.goal_observable = false;
  std::unique_ptr<SawyerEnv> env = Make("push-v2", config);
  const Observation obs = env->Reset().value();
  EXPECT_EQ(obs[36], 0.0);
  EXPECT_EQ(obs[37], 0.0);
  EXPECT_EQ(obs[38], 0.0);
  EXPECT_NE(env->target()[1], 0.0);
}

std::vector<double> Rollout(const std::string& task, const EnvConfig& config) {
  std::unique_ptr<SawyerEnv> env = Make(task, config);
  NumpyRandom rng(11);
  std::vector<double> trace;
  for (int episode = 0; episode < 3; ++episode) {
    Observation obs = env->Reset().value();
    trace.insert(trace.end(), obs.begin(), obs.end());
    for (int t = 0; t < 60; ++t) {
      const StepResult r = env->Step(RandomAction(rng)).value();
      trace.insert(trace.end(), r.obs.begin(), r.obs.end());
      trace.push_back(r.reward);
    }
  }
  return trace;
}

TEST(SawyerEnvTest, SameSeedGivesBitIdenticalRollouts) {
  for (VariantMode mode : {VariantMode::kFixedSet, VariantMode::kFreshEachReset}) {
    EnvConfig config;
    config.seed = 42;
    config.variant_mode = mode;
    const std::vector<double> a = Rollout("pick-place-v2", config);
    const std::vector<double> b = Rollout("pick-place-v2", config);
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)), 0);
    config.seed = 43;
    EXPECT_NE(Rollout("pick-place-v2", config), a);
  }
}

TEST(SawyerEnvTest, FixedModePicksAmongTheFiftyFreshModeDrawsNew) {
  EnvConfig config;
  std::unique_ptr<SawyerEnv> fixed = Make("reach-v2", config);
  config.variant_mode = VariantMode::kFreshEachReset;
  std::unique_ptr<SawyerEnv> fresh = Make("reach-v2", config);
  const std::vector<RandVec>& variants = fixed->variants();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(fixed->Reset().ok());
    ASSERT_TRUE(fresh->Reset().ok());
    EXPECT_NE(std::find(variants.begin(), variants.end(), fixed->rand_vec()), variants.end());
    EXPECT_EQ(std::find(variants.begin(), variants.end(), fresh->rand_vec()), variants.end());
  }
  EXPECT_EQ(fixed->ResetToVariant(50).status().code(), absl::StatusCode::kOutOfRange);
}

// [quirk] v2.0.0 reads the button target before any forward pass, so the
// first reset after construction sees the XML box height (0.12). Here the
// target is always the placed box + 0.1.
TEST(SawyerEnvTest, ButtonTargetIsCurrentOnTheFirstReset) {
  std::unique_ptr<SawyerEnv> env = Make("button-press-topdown-v2");
  const Observation obs = env->ResetToVariant(3).value();
  const RandVec& box = env->variants()[3];
  EXPECT_NEAR(obs[36], box[0], 1e-3);
  EXPECT_NEAR(obs[37], box[1], 1e-3);
  EXPECT_NEAR(obs[38], 0.215, 1e-3);
}

// Fixture moves persist in the model across resets, as in the original, but
// every reset rewrites them, so the scene never shows a stale fixture.
TEST(SawyerEnvTest, FixturesFollowTheVariantAcrossResets) {
  std::unique_ptr<SawyerEnv> env = Make("drawer-open-v2");
  for (int v : {0, 1, 0}) {
    const Observation obs = env->ResetToVariant(v).value();
    EXPECT_NEAR(obs[4], env->variants()[v][0], 1e-9);
    EXPECT_NEAR(obs[36], env->variants()[v][0], 1e-9);
  }
}

class BrokenAssetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::path(testing::TempDir()) / ("broken_assets_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "sawyer_xyz");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(BrokenAssetsTest, MissingSceneIsNotFound) {
  EnvConfig config;
  config.assets_dir = dir_.string();
  const auto env = MakeEnv("push-v2", config);
  ASSERT_EQ(env.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(env.status().message(), HasSubstr("sawyer_push_v2.xml"));
}

TEST_F(BrokenAssetsTest, MalformedSceneIsAnErrorNotACrash) {
  std::ofstream(dir_ / "sawyer_xyz" / "sawyer_push_v2.xml")
      << "<mujoco><worldbody><body name='x'><geom type='box'";
  EnvConfig config;
  config.assets_dir = dir_.string();
  const auto env = MakeEnv("push-v2", config);
  ASSERT_EQ(env.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(env.status().message(), HasSubstr("could not load"));
}

// Scenes are compiled once per process and copied for each env; a scene file
// that changed since is compiled anew, not served from the first compile.
TEST_F(BrokenAssetsTest, ASceneThatChangedIsCompiledAnew) {
  const absl::StatusOr<std::string> assets = LocateMetaWorldAssets();
  ASSERT_TRUE(assets.ok()) << assets.status();
  std::filesystem::remove_all(dir_);
  std::filesystem::copy(*assets, dir_, std::filesystem::copy_options::recursive);
  EnvConfig config;
  config.assets_dir = dir_.string();
  auto first = MakeEnv("reach-v2", config);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = MakeEnv("reach-v2", config);  // a copy of the compiled scene
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*first)->Reset().value(), (*second)->Reset().value());
  std::ofstream(dir_ / "sawyer_xyz" / "sawyer_reach_v2.xml")
      << "<mujoco><worldbody><geom type='plane' size='1 1 1'/></worldbody></mujoco>";
  const auto changed = MakeEnv("reach-v2", config);
  EXPECT_THAT(changed.status().message(), HasSubstr("not a Sawyer scene"));
}

TEST_F(BrokenAssetsTest, SceneWithoutTheRobotIsRejected) {
  std::ofstream(dir_ / "sawyer_xyz" / "sawyer_push_v2.xml")
      << "<mujoco><worldbody><geom type='plane' size='1 1 1'/></worldbody>"
         "</mujoco>";
  EnvConfig config;
  config.assets_dir = dir_.string();
  const auto env = MakeEnv("push-v2", config);
  ASSERT_EQ(env.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(env.status().message(), HasSubstr("not a Sawyer scene"));
}

}  // namespace
}  // namespace taco::envs
