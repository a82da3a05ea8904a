#include "actor/envs/reach.h"

#include "actor/envs/puck_env.h"
#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

class ReachEnv : public PuckEnv {
 public:
  using PuckEnv::PuckEnv;

 private:
  void PlaceObjects(const RandVec& v) override {
    target_ = {v[3], v[4], v[5]};
    SetFreeJointPos(puck_joint_, {v[0], v[1], v[2]});
  }

  Evaluation Evaluate(const Observation&, const Action&) override {
    const double dist = Distance(Tcp(), target_);
    const double margin = Distance(hand_init_, target_);
    return {10.0 * Tolerance(dist, 0, 0.05, margin), dist <= 0.05};
  }
};

}  // namespace

const TaskDef& ReachV2() {
  static const TaskDef* const def = new TaskDef{
      "reach-v2",
      "sawyer_reach_v2.xml",
      {0, 0.6, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.1, 0.6, 0.02, -0.1, 0.8, 0.05},
      {0.1, 0.7, 0.02, 0.1, 0.9, 0.3},
      &PuckFarFromGoal,
      &SawyerEnv::Create<ReachEnv>,
  };
  return *def;
}

// The wall stands between the hand's start and the goals; reward, success and
// the unused puck are reach-v2's.
const TaskDef& ReachWallV2() {
  static const TaskDef* const def = new TaskDef{
      "reach-wall-v2",
      "sawyer_reach_wall_v2.xml",
      {0, 0.6, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.05, 0.6, 0.015, -0.05, 0.85, 0.05},
      {0.05, 0.65, 0.015, 0.05, 0.9, 0.3},
      &PuckFarFromGoal,
      &SawyerEnv::Create<ReachEnv>,
  };
  return *def;
}

}  // namespace taco::envs
