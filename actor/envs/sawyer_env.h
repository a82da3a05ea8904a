// The generic core of the Meta-World v2 port: one Sawyer arm driven through a
// mocap weld, loaded from an original scene with the MuJoCo C API. Each task
// family derives from SawyerEnv and supplies placement, observation point and
// reward; everything else (control, frame skip, reset order, observation
// layout, time limit, variants) lives here once.
#ifndef TACO_ACTOR_ENVS_SAWYER_ENV_H_
#define TACO_ACTOR_ENVS_SAWYER_ENV_H_

#include <mujoco/mujoco.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "actor/envs/numpy_random.h"
#include "actor/envs/reward_utils.h"
#include "actor/envs/vec3.h"
#include "common/status.h"

namespace taco::envs {

inline constexpr int kObsDim = 39;
inline constexpr int kActionDim = 4;
inline constexpr int kFrameSkip = 5;
inline constexpr int kVariantsPerTask = 50;
// Metres the mocap moves per env step for a unit action.
inline constexpr double kActionScale = 0.01;
// Episode lengths: the paper's 150 and v2.0.0's 500.
inline constexpr int kDefaultMaxEpisodeSteps = 150;
inline constexpr int kLongMaxEpisodeSteps = 500;

// Mocap clip box shared by all 15 tasks (lever-pull lowers z).
inline constexpr Vec3 kMocapLow = {-0.5, 0.40, 0.05};
inline constexpr Vec3 kMocapHigh = {0.5, 1.0, 0.5};

using Observation = std::array<double, kObsDim>;
using Action = std::array<double, kActionDim>;
// One draw from a task's random reset space (object and/or goal positions).
using RandVec = std::vector<double>;

class SawyerEnv;
struct EnvConfig;

// Static description of a task: what Meta-World's class constants hold.
struct TaskDef {
  using Factory = absl::StatusOr<std::unique_ptr<SawyerEnv>> (*)(const TaskDef&, const EnvConfig&,
                                                                 std::vector<RandVec>);

  std::string name;
  // Scene file inside <assets>/sawyer_xyz/.
  std::string scene;
  Vec3 hand_init;
  Vec3 mocap_low;
  Vec3 mocap_high;
  std::vector<double> rand_low;
  std::vector<double> rand_high;
  // The task's rejection loop: a draw is redrawn while this is false.
  bool (*accept)(const RandVec&) = nullptr;
  Factory make = nullptr;
};

// A bound of a task's random box as the original holds it: a gym Box, whose
// default float32 type rounds the bound (0.6 becomes 0.60000002384...).
// NumPy then draws in float64 between the rounded bounds.
double RandomBoxBound(double bound);

// Draws one rand_vec the way the task's reset does (uniform over the box with
// float32-rounded bounds, redrawn until accepted).
RandVec DrawRandVec(const TaskDef& def, NumpyRandom& rng);

enum class VariantMode {
  // Reset picks one of the task's 50 fixed variants ("MT10 random goals").
  kFixedSet,
  // Reset draws a fresh rand_vec from the env's own generator every time.
  kFreshEachReset,
};

// Whose draw order makes the fixed variants (see FixedVariants): the same
// seed gives a task different variants in Meta-World's MT10 and MT50.
enum class VariantOrder {
  kMt10,
  kMt50,
};

struct EnvConfig {
  // Asset folder (see asset_locator.h); the registry fills it when empty.
  std::string assets_dir;
  int max_episode_steps = kDefaultMaxEpisodeSteps;
  // Seeds the env's generator: which variant a reset picks, or the fresh draw.
  uint32_t seed = 0;
  // Seeds the generator of the 50 fixed variants of every task (MT10's seed).
  uint32_t variant_seed = 0;
  VariantOrder variant_order = VariantOrder::kMt10;
  VariantMode variant_mode = VariantMode::kFixedSet;
  // False zeroes obs[36:39], as Meta-World's partially observable (ML) mode.
  bool goal_observable = true;
  // Meta-World never ends an episode on success; a trainer may ask to.
  bool terminate_on_success = false;
};

struct StepResult {
  Observation obs{};
  double reward = 0;
  bool success = false;
  // The episode ended because of the task (only with terminate_on_success).
  bool terminal = false;
  // The episode ended because of the time limit or a physics blow-up; the
  // value of the next state is still meaningful for bootstrapping.
  bool truncated = false;
  // MuJoCo flagged an unstable state; obs is the last stable one and reward
  // and success are 0, as in Meta-World.
  bool unstable = false;
};

class SawyerEnv {
 public:
  // Task classes are built through Create(), which also runs Init().
  SawyerEnv(const TaskDef& def, const EnvConfig& config, std::vector<RandVec> variants);
  virtual ~SawyerEnv() = default;
  SawyerEnv(const SawyerEnv&) = delete;
  SawyerEnv& operator=(const SawyerEnv&) = delete;

  // Builds a task env: loads the scene, fixes the weld, looks up the task's
  // names. Used by the task families' factories.
  template <typename Task>
  static absl::StatusOr<std::unique_ptr<SawyerEnv>> Create(const TaskDef& def,
                                                           const EnvConfig& config,
                                                           std::vector<RandVec> variants) {
    std::unique_ptr<SawyerEnv> env(new Task(def, config, std::move(variants)));
    TACO_RETURN_IF_ERROR(env->Init());
    return env;
  }

  // Starts an episode on a variant chosen by the config's VariantMode.
  absl::StatusOr<Observation> Reset();
  // Starts an episode on fixed variant `index` in [0, 50).
  absl::StatusOr<Observation> ResetToVariant(int index);
  // Starts an episode on an explicit rand_vec of the task's size.
  absl::StatusOr<Observation> ResetWithRandVec(const RandVec& rand_vec);

  // One env step (5 physics steps). InvalidArgument, with no physics step
  // taken, for a wrong-size or non-finite action; FailedPrecondition before
  // Reset or after the episode ended.
  absl::StatusOr<StepResult> Step(absl::Span<const double> action);

  const std::string& name() const { return def_.name; }
  const TaskDef& def() const { return def_; }
  const EnvConfig& config() const { return config_; }
  const std::vector<RandVec>& variants() const { return variants_; }
  const RandVec& rand_vec() const { return rand_vec_; }
  int elapsed_steps() const { return elapsed_steps_; }
  const Vec3& target() const { return target_; }
  const mjModel* model() const { return model_.get(); }
  const mjData* data() const { return data_.get(); }
  // The generator that draws the goals of the next resets: a pool that closes
  // an instance keeps it, and gives it to the instance it makes again.
  const NumpyRandom& random() const { return rng_; }
  void RestoreRandom(const NumpyRandom& random) { rng_ = random; }

 protected:
  // Looks up the task's bodies, sites, joints and geoms after loading.
  virtual absl::Status BindNames() = 0;
  // Runs straight after mj_resetData, before the hand settles, for tasks whose
  // fixture is within reach of the settling hand: moving it here makes the
  // settle, and so the episode's start, depend on the variant alone rather
  // than also on where the previous episode left the fixture.
  virtual void PlaceFixturesBeforeSettle(const RandVec& /*rand_vec*/) {}
  // Moves fixtures/objects for `rand_vec` and sets target_ and the task's
  // initial quantities. Runs after the hand has settled and init_tcp_ is set;
  // the core runs mj_forward afterwards.
  virtual void PlaceObjects(const RandVec& rand_vec) = 0;
  // Called after the post-placement forward pass, for initial values that are
  // read from the placed scene.
  virtual void AfterPlacement() {}
  // obs[4:7] and obs[7:11].
  virtual Vec3 ObjectPos() const = 0;
  virtual Quat ObjectQuat() const { return {0, 0, 0, 0}; }
  // obs[11:18] for the tasks that observe a second object (Meta-World pads
  // the object part to two position-quaternion pairs); the others leave it 0.
  virtual bool HasSecondObject() const { return false; }
  virtual Vec3 SecondObjectPos() const { return {0, 0, 0}; }
  virtual Quat SecondObjectQuat() const { return {0, 0, 0, 0}; }

  struct Evaluation {
    double reward = 0;
    bool success = false;
  };
  // Reward and success of the current state; `obs` is the observation just
  // built, `action` the clipped action.
  virtual Evaluation Evaluate(const Observation& obs, const Action& action) = 0;

  // Name lookups that fail with a message naming the scene.
  absl::StatusOr<int> BodyId(const char* name) const;
  absl::StatusOr<int> SiteId(const char* name) const;
  absl::StatusOr<int> GeomId(const char* name) const;
  absl::StatusOr<int> JointId(const char* name) const;
  // The free joint of a body, for scenes that leave it unnamed.
  absl::StatusOr<int> FreeJointOf(int body) const;

  Vec3 BodyPos(int body) const { return ToVec3(data_->xpos + 3 * body); }
  Vec3 SitePos(int site) const { return ToVec3(data_->site_xpos + 3 * site); }
  Vec3 GeomPos(int geom) const { return ToVec3(data_->geom_xpos + 3 * geom); }
  // Rotation of a geom or site as (x, y, z, w), the order scipy produces.
  Quat GeomQuatXYZW(int geom) const;
  Quat SiteQuatXYZW(int site) const;
  // A body's xquat as MuJoCo stores it, (w, x, y, z).
  Quat BodyQuatWXYZ(int body) const;
  double JointQpos(int joint) const { return data_->qpos[model_->jnt_qposadr[joint]]; }
  void SetJointQpos(int joint, double value) { data_->qpos[model_->jnt_qposadr[joint]] = value; }
  // Puts the free joint's body at `pos` (orientation kept) and zeroes its
  // velocity.
  void SetFreeJointPos(int joint, const Vec3& pos);
  void SetBodyPos(int body, const Vec3& pos);

  Vec3 Tcp() const;
  double LeftPadY() const { return data_->xpos[3 * left_pad_ + 1]; }
  double RightPadY() const { return data_->xpos[3 * right_pad_ + 1]; }

  mjModel* mutable_model() { return model_.get(); }
  mjData* mutable_data() { return data_.get(); }

  // Set at reset after the hand settled (pick-place records it again after
  // placement through RecordInitialTcp()).
  Vec3 init_tcp_{};
  Vec3 target_{};
  Vec3 hand_init_{};

  void RecordInitialTcp();
  // Inputs of the caging rewards for an object at `obj` that started at
  // `obj_init`.
  CagingInputs Caging(const Vec3& obj, const Vec3& obj_init, double grip_action) const {
    return {obj, obj_init, Tcp(), init_tcp_, LeftPadY(), RightPadY(), grip_action};
  }

 private:
  struct ModelDeleter {
    void operator()(mjModel* m) const { mj_deleteModel(m); }
  };
  struct DataDeleter {
    void operator()(mjData* d) const { mj_deleteData(d); }
  };

  absl::Status Init();
  absl::Status FixWeld();
  absl::StatusOr<Observation> ResetInternal(const RandVec& rand_vec);
  void SetMocap(const Vec3& pos);
  // The 18 "current frame" numbers of the observation.
  void CurrentFrame(double* out) const;
  Observation BuildObservation() const;

  const TaskDef& def_;
  const EnvConfig config_;
  const std::vector<RandVec> variants_;
  NumpyRandom rng_;

  std::unique_ptr<mjModel, ModelDeleter> model_;
  std::unique_ptr<mjData, DataDeleter> data_;
  int hand_ = -1;
  int left_pad_ = -1;
  int right_pad_ = -1;
  int right_finger_site_ = -1;
  int left_finger_site_ = -1;
  int mocap_ = -1;

  RandVec rand_vec_;
  std::array<double, 18> prev_frame_{};
  Observation last_obs_{};
  int elapsed_steps_ = 0;
  bool episode_open_ = false;
};

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_SAWYER_ENV_H_
