#include "actor/envs/push.h"

#include "actor/envs/puck_env.h"
#include "actor/envs/reward_utils.h"
#include "actor/envs/signed_pad_caging.h"

namespace taco::envs {
namespace {

class PushEnv : public PuckEnv {
 public:
  using PuckEnv::PuckEnv;

 private:
  void PlaceObjects(const RandVec& v) override {
    // The puck keeps the height it settled at; the goal shares it.
    const double z = BodyPos(puck_body_)[2];
    obj_init_ = {v[0], v[1], z};
    target_ = {v[3], v[4], z};
    SetFreeJointPos(puck_joint_, obj_init_);
  }

  Evaluation Evaluate(const Observation& obs, const Action& action) override {
    const Vec3 obj = ToVec3(obs.data() + 4);
    const double to_target = Distance(obj, target_);
    const double in_place = Tolerance(to_target, 0, 0.05, Distance(obj_init_, target_));
    const double grasped = GripperCagingReward(Caging(obj, obj_init_, action[3]),
                                               {/*obj_radius=*/0.015, /*pad_success_thresh=*/0.05,
                                                /*xz_thresh=*/0.005, /*high_density=*/true});
    double reward = 2 * grasped;
    if (Distance(obj, Tcp()) < 0.02 && obs[3] > 0) {
      reward = 4 * grasped + 1 + 5 * in_place;
    }
    if (to_target < 0.05) reward = 10;
    return {reward, to_target <= 0.05};
  }

  Vec3 obj_init_{};
};

// Push-back and push-wall observe the object's geom (at the body's origin)
// and start it at the height it settled at while the hand settled.
class SettledObjectEnv : public PuckEnv {
 public:
  using PuckEnv::PuckEnv;

 protected:
  void PlaceObjects(const RandVec& v) override {
    const double z = GeomPos(puck_geom_)[2];
    obj_init_ = {v[0], v[1], z};
    target_ = {v[3], v[4], z};
    SetFreeJointPos(puck_joint_, obj_init_);
  }

  Vec3 ObjectPos() const override { return GeomPos(puck_geom_); }

  Vec3 obj_init_{};
};

class PushBackEnv : public SettledObjectEnv {
 public:
  using SettledObjectEnv::SettledObjectEnv;

 private:
  Evaluation Evaluate(const Observation& obs, const Action& action) override {
    constexpr double kTargetRadius = 0.05;
    const Vec3 obj = ToVec3(obs.data() + 4);
    const double to_target = Distance(obj, target_);
    const double start_to_target = Distance(obj_init_, target_);
    const double in_place = Tolerance(to_target, 0, kTargetRadius, start_to_target);
    const double grasped = SignedPadCaging(Caging(obj, obj_init_, action[3]),
                                           {/*obj_radius=*/0.007, /*grip_high=*/0.010,
                                            /*xz_thresh=*/0.01});
    double reward = Hamacher(grasped, in_place);
    const double opening = obs[3];
    if (Distance(obj, Tcp()) < 0.01 && opening > 0 && opening < 0.55 &&
        start_to_target - to_target > 0.01) {
      reward += 1 + 5 * in_place;
    }
    if (to_target < kTargetRadius) reward = 10;
    return {reward, to_target <= 0.07};
  }
};

// The puck goes round the wall's free end, past a waypoint beside it.
class PushWallEnv : public SettledObjectEnv {
 public:
  using SettledObjectEnv::SettledObjectEnv;

 private:
  Evaluation Evaluate(const Observation& obs, const Action& action) override {
    constexpr double kTargetRadius = 0.05;
    const Vec3 obj = ToVec3(obs.data() + 4);
    const Vec3 midpoint = {-0.05, 0.77, obj[2]};
    const Vec3 x_weight = {3, 1, 1};
    const double to_midpoint = Norm(Scale(obj - midpoint, x_weight));
    const double to_midpoint_init = Norm(Scale(obj_init_ - midpoint, x_weight));
    const double to_target = Distance(obj, target_);
    const double past_wall = Tolerance(to_midpoint, 0, kTargetRadius, to_midpoint_init);
    const double in_place = Tolerance(to_target, 0, kTargetRadius, Distance(obj_init_, target_));
    const double grasped = GripperCagingReward(Caging(obj, obj_init_, action[3]),
                                               {/*obj_radius=*/0.015, /*pad_success_thresh=*/0.05,
                                                /*xz_thresh=*/0.005, /*high_density=*/true});
    double reward = 2 * grasped;
    if (Distance(obj, Tcp()) < 0.02 && obs[3] > 0) {
      reward = obj[1] > 0.75 ? 2 * grasped + 5 + 3 * in_place : 2 * grasped + 1 + 4 * past_wall;
    }
    if (to_target < kTargetRadius) reward = 10;
    return {reward, to_target <= 0.07};
  }
};

}  // namespace

const TaskDef& PushV2() {
  static const TaskDef* const def = new TaskDef{
      "push-v2",
      "sawyer_push_v2.xml",
      {0, 0.6, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.1, 0.6, 0.02, -0.1, 0.8, 0.01},
      {0.1, 0.7, 0.02, 0.1, 0.9, 0.02},
      &PuckFarFromGoal,
      &SawyerEnv::Create<PushEnv>,
  };
  return *def;
}

const TaskDef& PushBackV2() {
  static const TaskDef* const def = new TaskDef{
      "push-back-v2",
      "sawyer_push_back_v2.xml",
      {0, 0.6, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.1, 0.8, 0.02, -0.1, 0.6, 0.0199},
      {0.1, 0.85, 0.02, 0.1, 0.7, 0.0201},
      &PuckFarFromGoal,
      &SawyerEnv::Create<PushBackEnv>,
  };
  return *def;
}

const TaskDef& PushWallV2() {
  static const TaskDef* const def = new TaskDef{
      "push-wall-v2",
      "sawyer_push_wall_v2.xml",
      {0, 0.6, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.05, 0.6, 0.015, -0.05, 0.85, 0.01},
      {0.05, 0.65, 0.015, 0.05, 0.9, 0.02},
      &PuckFarFromGoal,
      &SawyerEnv::Create<PushWallEnv>,
  };
  return *def;
}

}  // namespace taco::envs
