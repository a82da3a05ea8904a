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

}  // namespace taco::envs
