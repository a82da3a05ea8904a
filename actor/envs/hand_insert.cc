#include "actor/envs/hand_insert.h"

#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

// [quirk, kept] The class keeps hand_init_pos as a float32 array, so the
// mocap settles at the float32-rounded (0, 0.6, 0.2).
constexpr Vec3 kFloat32HandInit = {0, static_cast<float>(0.6), static_cast<float>(0.2)};

// The cube starts at init_config's height, half sunk into the raised table
// top (z 0.05); contact pushes it up to rest on the first steps. obj_init
// keeps this float64 0.05, not the draw's float32-rounded one.
constexpr double kStartZ = 0.05;

class HandInsertEnv : public SawyerEnv {
 public:
  using SawyerEnv::SawyerEnv;

 private:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(cube_body_, BodyId("obj"));
    TACO_ASSIGN_OR_RETURN(cube_joint_, JointId("objjoint"));
    return absl::OkStatus();
  }

  void PlaceObjects(const RandVec& v) override {
    obj_init_ = {v[0], v[1], kStartZ};
    // The goal lies 2 cm below the hole's floor, so a cube resting in the
    // hole (centre at z 0.02) is within the 5 cm radius.
    target_ = {v[3], v[4], v[5]};
    SetFreeJointPos(cube_joint_, obj_init_);
  }

  Vec3 ObjectPos() const override { return BodyPos(cube_body_); }
  Quat ObjectQuat() const override { return BodyQuatWXYZ(cube_body_); }

  Evaluation Evaluate(const Observation& obs, const Action& action) override {
    const Vec3 obj = ToVec3(obs.data() + 4);
    const double to_target = Distance(obj, target_);
    const double in_place = Tolerance(to_target, 0, 0.05, Distance(obj_init_, target_));
    const double grasped = GripperCagingReward(Caging(obj, obj_init_, action[3]),
                                               {/*obj_radius=*/0.015, /*pad_success_thresh=*/0.05,
                                                /*xz_thresh=*/0.005, /*high_density=*/true});
    double reward = Hamacher(grasped, in_place);
    if (Distance(obj, Tcp()) < 0.02 && obs[3] > 0) reward += 1 + 7 * in_place;
    if (to_target < 0.05) reward = 10;
    return {reward, to_target <= 0.05};
  }

  int cube_body_ = -1;
  int cube_joint_ = -1;
  Vec3 obj_init_{};
};

// Redrawn while the cube starts within 0.15 (xy) of the goal.
bool CubeFarFromGoal(const RandVec& v) {
  return DistanceXY({v[0], v[1], 0}, {v[3], v[4], 0}) >= 0.15;
}

}  // namespace

const TaskDef& HandInsertV2() {
  static const TaskDef* const def = new TaskDef{
      "hand-insert-v2",
      "sawyer_table_with_hole.xml",
      kFloat32HandInit,
      // The hand may reach into the hole: the box goes down to z −0.15.
      {-0.5, 0.40, -0.15},
      {0.5, 1.0, 0.5},
      {-0.1, 0.6, 0.05, -0.04, 0.8, -0.0201},
      {0.1, 0.7, 0.05, 0.04, 0.88, -0.0199},
      &CubeFarFromGoal,
      &SawyerEnv::Create<HandInsertEnv>,
  };
  return *def;
}

}  // namespace taco::envs
