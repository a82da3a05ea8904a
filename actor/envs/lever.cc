#include "actor/envs/lever.h"

#include <cmath>

#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

// A "shoulder" point under the ball that the hand should sit at, weighted
// to favour x and z alignment.
constexpr Vec3 kShoulderOffset = {0, 0.055, 0.07};
constexpr Vec3 kShoulderScale = {4, 1, 4};

class LeverPullEnv : public SawyerEnv {
 public:
  using SawyerEnv::SawyerEnv;

 private:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(lever_body_, BodyId("lever"));
    TACO_ASSIGN_OR_RETURN(hinge_, JointId("LeverAxis"));
    TACO_ASSIGN_OR_RETURN(ball_site_, SiteId("leverStart"));
    TACO_ASSIGN_OR_RETURN(ball_geom_, GeomId("objGeom"));
    return absl::OkStatus();
  }

  void PlaceObjects(const RandVec& v) override {
    const Vec3 lever = {v[0], v[1], v[2]};
    target_ = lever + Vec3{0.12, 0, 0.45};
    tip_init_ = lever + Vec3{0.12, -0.2, 0.25};
    SetBodyPos(lever_body_, lever);
  }

  Vec3 ObjectPos() const override { return SitePos(ball_site_); }
  Quat ObjectQuat() const override { return GeomQuatXYZW(ball_geom_); }

  // [quirk, kept] Success needs q ≈ −π/2, outside the hinge's nominal range
  // [0, 1.57]: the mocap-welded hand drives the 4 g link through its soft
  // limit, as in the original.
  Evaluation Evaluate(const Observation& obs, const Action&) override {
    const Vec3 hand = ToVec3(obs.data());
    const Vec3 ball = ToVec3(obs.data() + 4);
    const Vec3 shoulder = Scale(hand + kShoulderOffset - ball, kShoulderScale);
    const Vec3 shoulder_init = Scale(init_tcp_ + kShoulderOffset - tip_init_, kShoulderScale);
    const double ready = Tolerance(Norm(shoulder), 0, 0.02, Norm(shoulder_init));
    const double in_place =
        Tolerance(Distance(ball, target_), 0, 0.04, Distance(tip_init_, target_));
    const double angle_error = std::abs(-JointQpos(hinge_) - kPi / 2);
    return {10 * Hamacher(ready, in_place), angle_error <= kPi / 24};
  }

  int lever_body_ = -1;
  int hinge_ = -1;
  int ball_site_ = -1;
  int ball_geom_ = -1;
  Vec3 tip_init_{};
};

}  // namespace

const TaskDef& LeverPullV2() {
  static const TaskDef* const def = new TaskDef{
      "lever-pull-v2",
      "sawyer_lever_pull.xml",
      {0, 0.4, 0.2},
      {kMocapLow[0], kMocapLow[1], -0.15},
      kMocapHigh,
      {-0.1, 0.7, 0},
      {0.1, 0.8, 0},
      nullptr,
      &SawyerEnv::Create<LeverPullEnv>,
  };
  return *def;
}

}  // namespace taco::envs
