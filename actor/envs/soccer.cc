#include "actor/envs/soccer.h"

#include <mujoco/mujoco.h>

#include <algorithm>

#include "actor/envs/puck_env.h"
#include "actor/envs/reward_utils.h"
#include "actor/envs/signed_pad_caging.h"

namespace taco::envs {
namespace {

class SoccerEnv : public SawyerEnv {
 public:
  using SawyerEnv::SawyerEnv;

 private:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(ball_body_, BodyId("soccer_ball"));
    TACO_ASSIGN_OR_RETURN(ball_joint_, FreeJointOf(ball_body_));
    TACO_ASSIGN_OR_RETURN(goal_body_, BodyId("goal_whole"));
    return absl::OkStatus();
  }

  void PlaceObjects(const RandVec& v) override {
    // The ball starts at the init_config height 0.03 (the draw's z is not
    // used), 4 mm above resting on the table.
    constexpr double kStartZ = 0.03;
    obj_init_ = {v[0], v[1], kStartZ};
    target_ = {v[3], v[4], v[5]};
    SetBodyPos(goal_body_, target_);
    SetFreeJointPos(ball_joint_, obj_init_);
  }

  Vec3 ObjectPos() const override { return BodyPos(ball_body_); }
  // The body's rotation matrix through scipy, so (x, y, z, w).
  Quat ObjectQuat() const override {
    mjtNum q[4];
    mju_mat2Quat(q, data()->xmat + 9 * ball_body_);
    return {q[1], q[2], q[3], q[0]};
  }

  Evaluation Evaluate(const Observation& obs, const Action& action) override {
    constexpr double kTargetRadius = 0.07;
    const Vec3 obj = ToVec3(obs.data() + 4);
    const Vec3 x_weight = {3, 1, 1};
    const double to_target = Norm(Scale(obj - target_, x_weight));
    // [quirk] The original's margin is the ball's distance from its start
    // now, not the start's distance from the target: 0 (a hard indicator)
    // until the ball moves.
    const double from_start = Norm(Scale(obj - obj_init_, x_weight));
    double in_place = Tolerance(to_target, 0, kTargetRadius, from_start);
    // Past the goal line but wide of the goal: in_place falls with depth.
    const double goal_line = target_[1] - 0.1;
    if (obj[1] > goal_line && std::abs(obj[0] - target_[0]) > 0.10) {
      in_place = std::clamp(in_place - 2 * ((obj[1] - goal_line) / (1 - goal_line)), 0.0, 1.0);
    }
    const double grasped = SignedPadCaging(Caging(obj, obj_init_, action[3]),
                                           {/*obj_radius=*/0.013, /*grip_high=*/0.023,
                                            /*xz_thresh=*/0.005});
    double reward = 3 * grasped + 6.5 * in_place;
    if (to_target < kTargetRadius) reward = 10;
    // Success uses the unweighted distance.
    return {reward, Distance(obj, target_) <= 0.07};
  }

  int ball_body_ = -1;
  int ball_joint_ = -1;
  int goal_body_ = -1;
  Vec3 obj_init_{};
};

}  // namespace

const TaskDef& SoccerV2() {
  static const TaskDef* const def = new TaskDef{
      "soccer-v2",
      "sawyer_soccer.xml",
      {0, 0.6, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.1, 0.6, 0.03, -0.1, 0.8, 0},
      {0.1, 0.7, 0.03, 0.1, 0.9, 0},
      &PuckFarFromGoal,
      &SawyerEnv::Create<SoccerEnv>,
  };
  return *def;
}

}  // namespace taco::envs
