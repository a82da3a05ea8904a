#include "actor/envs/dial.h"

#include <algorithm>
#include <cmath>

#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

constexpr double kDialRadius = 0.05;
constexpr double kTargetRadius = 0.07;
// Where the policy and the reach term want the hand: beside the knob's tip.
constexpr Vec3 kPushOffset = {0.05, 0.02, 0.09};

class DialTurnEnv : public SawyerEnv {
 public:
  using SawyerEnv::SawyerEnv;

 private:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(dial_body_, BodyId("dial"));
    TACO_ASSIGN_OR_RETURN(knob_joint_, JointId("knob_Joint_1"));
    return absl::OkStatus();
  }

  void PlaceObjects(const RandVec& v) override {
    const Vec3 dial = {v[0], v[1], v[2]};
    SetBodyPos(dial_body_, dial);
    target_ = dial + Vec3{0, 0.03, 0.03};
  }

  // [quirk] v2.0.0 computes the initial push point before any forward pass,
  // so it starts from the previous episode's dial (the scene's on the first
  // reset). Here it is read from the placed scene, as the README decides for
  // the other stale reset reads.
  void AfterPlacement() override { push_init_ = ObjectPos() + kPushOffset; }

  // A point on the knob's rim that turns with it.
  Vec3 ObjectPos() const override {
    const double angle = JointQpos(knob_joint_);
    return BodyPos(dial_body_) +
           Vec3{kDialRadius * std::sin(angle), -kDialRadius * std::cos(angle), 0};
  }
  Quat ObjectQuat() const override { return BodyQuatWXYZ(dial_body_); }

  Evaluation Evaluate(const Observation& obs, const Action& action) override {
    const Vec3 tip = ToVec3(obs.data() + 4);
    const double to_target = Distance(tip, target_);
    const double in_place = Tolerance(to_target, 0, kTargetRadius,
                                      std::abs(Distance(push_init_, target_) - kTargetRadius));
    constexpr double kReachRadius = 0.005;
    const double reach =
        Tolerance(Distance(tip + kPushOffset, Tcp()), 0, kReachRadius,
                  std::abs(Distance(push_init_, init_tcp_) - kReachRadius), Sigmoid::kGaussian);
    const double pushing = Hamacher(reach, std::clamp(action[3], 0.0, 1.0));
    return {10 * Hamacher(pushing, in_place), to_target <= kTargetRadius};
  }

  int dial_body_ = -1;
  int knob_joint_ = -1;
  Vec3 push_init_{};
};

}  // namespace

const TaskDef& DialTurnV2() {
  static const TaskDef* const def = new TaskDef{
      "dial-turn-v2",  "sawyer_dial.xml", {0, 0.6, 0.2},
      kMocapLow,       kMocapHigh,        {-0.1, 0.7, 0.0},
      {0.1, 0.8, 0.0}, nullptr,           &SawyerEnv::Create<DialTurnEnv>,
  };
  return *def;
}

}  // namespace taco::envs
