#include "actor/envs/pick_place.h"

#include <algorithm>

#include "actor/envs/puck_env.h"
#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

class PickPlaceEnv : public PuckEnv {
 public:
  using PuckEnv::PuckEnv;

 private:
  void PlaceObjects(const RandVec& v) override {
    obj_init_ = {v[0], v[1], v[2]};
    target_ = {v[3], v[4], v[5]};
    SetFreeJointPos(puck_joint_, obj_init_);
  }

  // Unlike the other tasks, pick-place measures its xz caging margin from the
  // gripper as it is after placement.
  void AfterPlacement() override { RecordInitialTcp(); }

  // Caging with signed pad gaps, so a pad on the wrong side of the puck earns
  // little; margins follow the current pads (see PadCaging).
  double Grasp(const Vec3& obj, double grip_action) const {
    const double gaps[2] = {LeftPadY() - obj[1], obj[1] - RightPadY()};
    double cage[2];
    for (int i = 0; i < 2; ++i) cage[i] = PadCaging(gaps[i], 0.015, 0.05, 0.05);
    const double y_caging = Hamacher(cage[0], cage[1]);
    const double xz_margin = DistanceXZ(obj_init_, init_tcp_) - 0.005;
    const double xz_caging = Tolerance(DistanceXZ(Tcp(), obj), 0, 0.005, xz_margin);
    const double caging = Hamacher(y_caging, xz_caging);
    const double gripping = caging > 0.97 ? std::clamp(grip_action, 0.0, 1.0) : 0.0;
    return (Hamacher(caging, gripping) + caging) / 2;
  }

  Evaluation Evaluate(const Observation& obs, const Action& action) override {
    const Vec3 obj = ToVec3(obs.data() + 4);
    const double to_target = Distance(obj, target_);
    const double in_place = Tolerance(to_target, 0, 0.05, Distance(obj_init_, target_));
    double reward = Hamacher(Grasp(obj, action[3]), in_place);
    if (Distance(obj, Tcp()) < 0.02 && obs[3] > 0 && obj[2] - 0.01 > obj_init_[2]) {
      reward += 1 + 5 * in_place;
    }
    if (to_target < 0.05) reward = 10;
    return {reward, to_target <= 0.07};
  }

  Vec3 obj_init_{};
};

// pick-place-wall-v2 (sawyer_pick_place_wall_v2.py): the puck must pass over
// a wall between its start and the goal. The reward first leads the puck to
// a waypoint above the wall, then (once past y = 0.75) to the goal.
class PickPlaceWallEnv : public PuckEnv {
 public:
  using PuckEnv::PuckEnv;

 private:
  void PlaceObjects(const RandVec& v) override {
    obj_init_ = {v[0], v[1], v[2]};
    target_ = {v[3], v[4], v[5]};
    // The draw's z (0.015) starts the puck 5 mm inside the table; the contact
    // lifts it during the first steps, as in the original.
    SetFreeJointPos(puck_joint_, obj_init_);
  }

  // The original observes the geom, not the body (they coincide here).
  Vec3 ObjectPos() const override { return GeomPos(puck_geom_); }

  Evaluation Evaluate(const Observation& obs, const Action& action) override {
    const Vec3 obj = ToVec3(obs.data() + 4);
    const Vec3 midpoint = {target_[0], 0.77, 0.25};
    // z weighs triple, so the puck is led up over the wall before across.
    const Vec3 scale = {1, 1, 3};
    const double to_midpoint = Norm(Scale(obj - midpoint, scale));
    const double to_target = Distance(obj, target_);
    const double in_place_midpoint =
        Tolerance(to_midpoint, 0, 0.05, Norm(Scale(obj_init_ - midpoint, scale)));
    const double in_place_target = Tolerance(to_target, 0, 0.05, Distance(obj_init_, target_));
    const double grasped = GripperCagingReward(Caging(obj, obj_init_, action[3]),
                                               {/*obj_radius=*/0.015, /*pad_success_thresh=*/0.05,
                                                /*xz_thresh=*/0.005, /*high_density=*/false});
    const double in_place_and_grasped = Hamacher(grasped, in_place_midpoint);
    double reward = in_place_and_grasped;
    if (Distance(obj, Tcp()) < 0.02 && obs[3] > 0 && obj[2] - 0.015 > obj_init_[2]) {
      reward = obj[1] > 0.75 ? in_place_and_grasped + 1 + 4 + 3 * in_place_target
                             : in_place_and_grasped + 1 + 4 * in_place_midpoint;
    }
    if (to_target < 0.05) reward = 10;
    return {reward, to_target <= 0.07};
  }

  Vec3 obj_init_{};
};

}  // namespace

const TaskDef& PickPlaceV2() {
  static const TaskDef* const def = new TaskDef{
      "pick-place-v2",
      "sawyer_pick_place_v2.xml",
      {0, 0.6, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.1, 0.6, 0.02, -0.1, 0.8, 0.05},
      {0.1, 0.7, 0.02, 0.1, 0.9, 0.3},
      &PuckFarFromGoal,
      &SawyerEnv::Create<PickPlaceEnv>,
  };
  return *def;
}

const TaskDef& PickPlaceWallV2() {
  static const TaskDef* const def = new TaskDef{
      "pick-place-wall-v2",
      "sawyer_pick_place_wall_v2.xml",
      {0, 0.6, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.05, 0.6, 0.015, -0.05, 0.85, 0.05},
      {0.05, 0.65, 0.015, 0.05, 0.9, 0.3},
      // Never redraws here: the boxes lie at least 0.2 apart in y.
      &PuckFarFromGoal,
      &SawyerEnv::Create<PickPlaceWallEnv>,
  };
  return *def;
}

}  // namespace taco::envs
