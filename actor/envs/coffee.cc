#include "actor/envs/coffee.h"

#include <algorithm>
#include <cmath>

#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

// The mug sits 0.22 in front of the machine; the button 0.3 above the mug.
constexpr Vec3 kMugFromMachine = {0, -0.22, 0};
constexpr Vec3 kButtonFromMachine = {0, -0.22, 0.3};
// How far the button slides in (its joint range).
constexpr double kButtonTravel = 0.03;

class CoffeeEnv : public SawyerEnv {
 public:
  using SawyerEnv::SawyerEnv;

 protected:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(machine_body_, BodyId("coffee_machine"));
    TACO_ASSIGN_OR_RETURN(mug_body_, BodyId("obj"));
    TACO_ASSIGN_OR_RETURN(mug_geom_, GeomId("mug"));
    TACO_ASSIGN_OR_RETURN(mug_joint_, FreeJointOf(mug_body_));
    return absl::OkStatus();
  }

  // [quirk, kept] The original writes qpos[0:3], which is the mug's position
  // because the mug comes first in the scene, but zeroes qvel[9:15], which
  // are arm joints 3-6 and both fingers, not the mug's velocity (qvel[0:6]).
  // The mug keeps its orientation and whatever velocity the settle left.
  void PlaceMug(const Vec3& pos) {
    mjData* d = mutable_data();
    std::copy(pos.begin(), pos.end(), d->qpos + model()->jnt_qposadr[mug_joint_]);
    std::fill(d->qvel + 9, d->qvel + 15, 0.0);
  }

  void PlaceMachine(const Vec3& pos) { SetBodyPos(machine_body_, pos); }

  int mug_body_ = -1;
  int mug_geom_ = -1;

 private:
  int machine_body_ = -1;
  int mug_joint_ = -1;
};

class CoffeeButtonEnv : public CoffeeEnv {
 public:
  using CoffeeEnv::CoffeeEnv;

 private:
  absl::Status BindNames() override {
    TACO_RETURN_IF_ERROR(CoffeeEnv::BindNames());
    TACO_ASSIGN_OR_RETURN(button_site_, SiteId("buttonStart"));
    return absl::OkStatus();
  }

  void PlaceObjects(const RandVec& v) override {
    const Vec3 machine = {v[0], v[1], v[2]};
    PlaceMachine(machine);
    PlaceMug(machine + kMugFromMachine);
    target_ = machine + kButtonFromMachine + Vec3{0, kButtonTravel, 0};
  }

  Vec3 ObjectPos() const override { return SitePos(button_site_); }
  Quat ObjectQuat() const override { return {1, 0, 0, 0}; }

  // [quirk, kept] As in button-press-v2, the "closed" factor is the gripper
  // opening obs[3].
  Evaluation Evaluate(const Observation& obs, const Action&) override {
    const Vec3 button = ToVec3(obs.data() + 4);
    const double tcp_to_button = Distance(button, Tcp());
    const double depth = std::abs(target_[1] - button[1]);
    const double near = Tolerance(tcp_to_button, 0, 0.05, Distance(button, init_tcp_));
    const double pressed = Tolerance(depth, 0, 0.005, kButtonTravel);
    double reward = 2 * Hamacher(std::max(obs[3], 0.0), near);
    if (tcp_to_button <= 0.05) reward += 8 * pressed;
    return {reward, depth <= 0.02};
  }

  int button_site_ = -1;
};

// Pull and push: move the mug from the draw's first half to its second half;
// the machine stands behind the goal (push) or behind the start (pull).
class CoffeeMugEnv : public CoffeeEnv {
 public:
  using CoffeeEnv::CoffeeEnv;

 protected:
  void PlaceMugAndMachine(const RandVec& v, bool machine_behind_goal) {
    obj_init_ = {v[0], v[1], v[2]};
    target_ = {v[3], v[4], v[5]};
    PlaceMug(obj_init_);
    PlaceMachine((machine_behind_goal ? target_ : obj_init_) - kMugFromMachine);
  }

 private:
  Vec3 ObjectPos() const override { return BodyPos(mug_body_); }
  Quat ObjectQuat() const override { return GeomQuatXYZW(mug_geom_); }

  Evaluation Evaluate(const Observation& obs, const Action& action) override {
    const Vec3 mug = ToVec3(obs.data() + 4);
    // x and y count double.
    const Vec3 scale = {2, 2, 1};
    const double scaled_to_target = Norm(Scale(mug - target_, scale));
    const double in_place =
        Tolerance(scaled_to_target, 0, 0.05, Norm(Scale(obj_init_ - target_, scale)));
    const double tcp_to_mug = Distance(mug, Tcp());
    const double grasped = MediumDensityCaging(mug, action[3]);
    double reward = Hamacher(grasped, in_place);
    if (tcp_to_mug < 0.04 && obs[3] > 0) reward += 1 + 5 * in_place;
    if (scaled_to_target < 0.05) reward = 10;
    return {reward, Distance(mug, target_) <= 0.07};
  }

  // The generic caging with a desired grip effort of 0.7 and "medium
  // density": averaged with a reach term instead of the caging alone.
  double MediumDensityCaging(const Vec3& mug, double grip) const {
    constexpr double kEffort = 0.7;
    constexpr double kReachRadius = 0.04;
    const double caging =
        GripperCagingReward(Caging(mug, obj_init_, std::clamp(grip, 0.0, kEffort) / kEffort),
                            {/*obj_radius=*/0.02, /*pad_success_thresh=*/0.05, /*xz_thresh=*/0.05,
                             /*high_density=*/false});
    const double reach = Tolerance(Distance(mug, Tcp()), 0, kReachRadius,
                                   std::abs(Distance(obj_init_, init_tcp_) - kReachRadius));
    return (caging + reach) / 2;
  }

  Vec3 obj_init_{};
};

class CoffeePullEnv : public CoffeeMugEnv {
 public:
  using CoffeeMugEnv::CoffeeMugEnv;

 private:
  void PlaceObjects(const RandVec& v) override { PlaceMugAndMachine(v, false); }
};

class CoffeePushEnv : public CoffeeMugEnv {
 public:
  using CoffeeMugEnv::CoffeeMugEnv;

 private:
  void PlaceObjects(const RandVec& v) override { PlaceMugAndMachine(v, true); }
};

// A draw is redrawn while the mug starts within 0.15 (xy) of its goal.
bool MugFarFromGoal(const RandVec& v) { return std::hypot(v[0] - v[3], v[1] - v[4]) >= 0.15; }

}  // namespace

const TaskDef& CoffeeButtonV2() {
  static const TaskDef* const def = new TaskDef{
      "coffee-button-v2",
      "sawyer_coffee.xml",
      {0, 0.4, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.1, 0.8, -0.001},
      {0.1, 0.9, 0.001},
      nullptr,
      &SawyerEnv::Create<CoffeeButtonEnv>,
  };
  return *def;
}

const TaskDef& CoffeePullV2() {
  static const TaskDef* const def = new TaskDef{
      "coffee-pull-v2",
      "sawyer_coffee.xml",
      {0, 0.4, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.05, 0.7, -0.001, -0.1, 0.55, -0.001},
      {0.05, 0.75, 0.001, 0.1, 0.65, 0.001},
      &MugFarFromGoal,
      &SawyerEnv::Create<CoffeePullEnv>,
  };
  return *def;
}

const TaskDef& CoffeePushV2() {
  static const TaskDef* const def = new TaskDef{
      "coffee-push-v2",
      "sawyer_coffee.xml",
      {0, 0.4, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.1, 0.55, -0.001, -0.05, 0.7, -0.001},
      {0.1, 0.65, 0.001, 0.05, 0.75, 0.001},
      &MugFarFromGoal,
      &SawyerEnv::Create<CoffeePushEnv>,
  };
  return *def;
}

}  // namespace taco::envs
