#include "actor/envs/push.h"

#include "actor/envs/puck_env.h"
#include "actor/envs/reward_utils.h"

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

}  // namespace taco::envs
