#include "actor/envs/reach.h"

#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

class ReachEnv : public SawyerEnv {
 public:
  using SawyerEnv::SawyerEnv;

 private:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(puck_body_, BodyId("obj"));
    TACO_ASSIGN_OR_RETURN(puck_geom_, GeomId("objGeom"));
    TACO_ASSIGN_OR_RETURN(puck_joint_, JointId("objjoint"));
    return absl::OkStatus();
  }

  void PlaceObjects(const RandVec& v) override {
    target_ = {v[3], v[4], v[5]};
    SetFreeJointPos(puck_joint_, {v[0], v[1], v[2]});
  }

  Vec3 ObjectPos() const override { return BodyPos(puck_body_); }
  Quat ObjectQuat() const override { return GeomQuatXYZW(puck_geom_); }

  Evaluation Evaluate(const Observation&, const Action&) override {
    const double dist = Distance(Tcp(), target_);
    const double margin = Distance(hand_init_, target_);
    return {10.0 * Tolerance(dist, 0, 0.05, margin), dist <= 0.05};
  }

  int puck_body_ = -1;
  int puck_geom_ = -1;
  int puck_joint_ = -1;
};

bool PuckFarFromGoal(const RandVec& v) {
  return DistanceXY({v[0], v[1], 0}, {v[3], v[4], 0}) >= 0.15;
}

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

}  // namespace taco::envs
