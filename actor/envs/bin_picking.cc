#include "actor/envs/bin_picking.h"

#include <algorithm>
#include <cmath>

#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

// The grip counts as fully closed at this effort (the scripted policy grips
// with 0.6).
constexpr double kDesiredGripEffort = 0.7;

// Height of the hand-clearance funnel at xy distance `radius` from a point:
// zero within 3 cm, rising logarithmically outside (about 0.15 m at 10 cm).
double FunnelFloor(double radius) {
  constexpr double kThreshold = 0.03;
  return radius > kThreshold ? 0.02 * std::log(radius - kThreshold) + 0.2 : 0.0;
}

class BinPickingEnv : public SawyerEnv {
 public:
  using SawyerEnv::SawyerEnv;

 private:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(cube_body_, BodyId("obj"));
    TACO_ASSIGN_OR_RETURN(cube_joint_, FreeJointOf(cube_body_));
    TACO_ASSIGN_OR_RETURN(goal_bin_, BodyId("bin_goal"));
    return absl::OkStatus();
  }

  void PlaceObjects(const RandVec& v) override {
    // The cube keeps the height it settled at in the start bin, read (as the
    // original does) straight after the settle steps. The goal part of the
    // draw is unused: the target is the goal bin's origin.
    obj_init_ = {v[0], v[1], BodyPos(cube_body_)[2]};
    target_ = BodyPos(goal_bin_);
    SetFreeJointPos(cube_joint_, obj_init_);
    in_place_margin_ = -1;
  }

  Vec3 ObjectPos() const override { return BodyPos(cube_body_); }
  Quat ObjectQuat() const override { return BodyQuatWXYZ(cube_body_); }

  Evaluation Evaluate(const Observation& obs, const Action& action) override {
    const Vec3 hand = ToVec3(obs.data());
    const Vec3 obj = ToVec3(obs.data() + 4);
    const double to_target = Distance(obj, target_);
    // [quirk, kept] The original fixes the in-place margin at the first
    // reward it computes, i.e. after the first step, not at reset.
    if (in_place_margin_ < 0) in_place_margin_ = to_target;
    const double in_place = Tolerance(to_target, 0, 0.05, in_place_margin_);
    // Keep the hand above two funnels, around the cube's start and the goal,
    // so that it clears the bins' walls.
    const double floor =
        std::min(FunnelFloor(DistanceXY(hand, obj_init_)), FunnelFloor(DistanceXY(hand, target_)));
    const double above_floor =
        hand[2] >= floor ? 1.0 : Tolerance(std::max(floor - hand[2], 0.0), 0, 0.01, 0.05);
    const double grip = std::clamp(action[3], 0.0, kDesiredGripEffort) / kDesiredGripEffort;
    const double grasped = GripperCagingReward(Caging(obj, obj_init_, grip),
                                               {/*obj_radius=*/0.015, /*pad_success_thresh=*/0.05,
                                                /*xz_thresh=*/0.01, /*high_density=*/true});
    double reward = Hamacher(grasped, in_place);
    const bool near = Distance(obj, hand) < 0.04;
    const bool pinched_without_cube = obs[3] < 0.43;
    const bool lifted = obj[2] - 0.02 > obj_init_[2];
    if (near && lifted && !pinched_without_cube) reward += 1 + 5 * Hamacher(above_floor, in_place);
    if (to_target < 0.05) reward = 10;
    return {reward, to_target <= 0.05};
  }

  int cube_body_ = -1;
  int cube_joint_ = -1;
  int goal_bin_ = -1;
  Vec3 obj_init_{};
  // Negative until the first step of the episode sets it.
  double in_place_margin_ = -1;
};

}  // namespace

const TaskDef& BinPickingV2() {
  static const TaskDef* const def = new TaskDef{
      "bin-picking-v2",
      "sawyer_bin_picking.xml",
      {0, 0.6, 0.2},
      // The hand stays 7 cm above the table, above the bins' floors.
      {-0.5, 0.40, 0.07},
      {0.5, 1.0, 0.5},
      {-0.21, 0.65, 0.02, 0.1199, 0.699, -0.001},
      {-0.03, 0.75, 0.02, 0.1201, 0.701, 0.001},
      // One draw, no rejection loop.
      nullptr,
      &SawyerEnv::Create<BinPickingEnv>,
  };
  return *def;
}

}  // namespace taco::envs
