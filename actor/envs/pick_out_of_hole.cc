#include "actor/envs/pick_out_of_hole.h"

#include <algorithm>
#include <cmath>

#include "actor/envs/puck_env.h"
#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

// sawyer_pick_out_of_hole_v2.py.
class PickOutOfHoleEnv : public PuckEnv {
 public:
  using PuckEnv::PuckEnv;

 private:
  void PlaceObjects(const RandVec& v) override {
    obj_init_ = {v[0], v[1], v[2]};
    target_ = {v[3], v[4], v[5]};
    SetFreeJointPos(puck_joint_, obj_init_);
  }

  // Unlike the other puck tasks, the body's xquat as (w, x, y, z).
  Quat ObjectQuat() const override { return BodyQuatWXYZ(puck_body_); }

  Evaluation Evaluate(const Observation& obs, const Action& action) override {
    const Vec3 obj = ToVec3(obs.data() + 4);
    const Vec3 tcp = Tcp();
    const double to_target = Distance(obj, target_);
    // A funnel around the hole: away from it the hand should stay above the
    // table's edge.
    const double radius = DistanceXY(tcp, obj_init_);
    const double floor = radius <= 0.03 ? 0.0 : 0.015 * std::log(radius - 0.03) + 0.15;
    const double above_floor =
        tcp[2] >= floor ? 1.0 : Tolerance(std::max(floor - tcp[2], 0.0), 0, 0.01, 0.02);
    // The policy grips with 0.1; the caging counts that as fully closed.
    const double grip = std::min(std::max(0.0, action[3]), 0.1) / 0.1;
    const double grasped = GripperCagingReward(Caging(obj, obj_init_, grip),
                                               {/*obj_radius=*/0.015, /*pad_success_thresh=*/0.02,
                                                /*xz_thresh=*/0.03, /*high_density=*/true});
    const double in_place = Tolerance(to_target, 0, 0.02, Distance(obj_init_, target_));
    double reward = Hamacher(grasped, in_place);
    // Fingers closed to 0.33 of their opening hold nothing.
    const bool grasp_success =
        Distance(obj, tcp) < 0.04 && obj[2] - 0.02 > obj_init_[2] && !(obs[3] < 0.33);
    if (grasp_success) reward += 1 + 5 * Hamacher(in_place, above_floor);
    // [quirk, kept] The override uses the base class's 0.05 radius
    // (TARGET_RADIUS), not the task's own 0.02 (_TARGET_RADIUS).
    if (to_target < 0.05) reward = 10;
    return {reward, to_target <= 0.07};
  }

  Vec3 obj_init_{};
};

}  // namespace

const TaskDef& PickOutOfHoleV2() {
  static const TaskDef* const def = new TaskDef{
      "pick-out-of-hole-v2",
      "sawyer_pick_out_of_hole.xml",
      {0, 0.6, 0.2},
      // The hand may reach 5 cm below the table top, into the hole.
      {-0.5, 0.40, -0.05},
      kMocapHigh,
      {0, 0.75, 0.02, -0.1, 0.5, 0.15},
      {0, 0.75, 0.02, 0.1, 0.6, 0.3},
      // Redraws only for a goal at the float32 bound y = 0.6 with x near 0.
      &PuckFarFromGoal,
      &SawyerEnv::Create<PickOutOfHoleEnv>,
  };
  return *def;
}

}  // namespace taco::envs
