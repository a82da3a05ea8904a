#include "actor/envs/hammer.h"

#include <algorithm>
#include <cmath>

#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

// The block with the nail never moves; the original still writes this
// position at every reset.
constexpr Vec3 kBoxPos = {0.24, 0.85, 0};
// Within half the handle's length of the hand in x, the caging treats the
// handle as grasped at the hand's x (the handle is no sphere).
constexpr double kHalfHandle = 0.14 / 2;
// The striking face, relative to the hammer body.
constexpr Vec3 kHeadOffset = {0.16, 0.06, 0};

class HammerEnv : public SawyerEnv {
 public:
  using SawyerEnv::SawyerEnv;

 private:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(const int hammer_root, BodyId("hammerbody"));
    TACO_ASSIGN_OR_RETURN(hammer_joint_, FreeJointOf(hammer_root));
    TACO_ASSIGN_OR_RETURN(hammer_body_, BodyId("hammer"));
    TACO_ASSIGN_OR_RETURN(nail_body_, BodyId("nail_link"));
    TACO_ASSIGN_OR_RETURN(nail_joint_, JointId("NailSlideJoint"));
    TACO_ASSIGN_OR_RETURN(box_body_, BodyId("box"));
    TACO_ASSIGN_OR_RETURN(goal_site_, SiteId("goal"));
    return absl::OkStatus();
  }

  void PlaceObjects(const RandVec& v) override {
    SetBodyPos(box_body_, kBoxPos);
    obj_init_ = {v[0], v[1], v[2]};
    SetFreeJointPos(hammer_joint_, obj_init_);
  }

  // The goal site rides on the block; the original reads it before a
  // forward pass, which shows the same point because the block never moves.
  void AfterPlacement() override { target_ = SitePos(goal_site_); }

  Vec3 ObjectPos() const override { return BodyPos(hammer_body_); }
  Quat ObjectQuat() const override { return BodyQuatWXYZ(hammer_body_); }
  bool HasSecondObject() const override { return true; }
  Vec3 SecondObjectPos() const override { return BodyPos(nail_body_); }
  Quat SecondObjectQuat() const override { return BodyQuatWXYZ(nail_body_); }

  Evaluation Evaluate(const Observation& obs, const Action& action) override {
    const Vec3 hand = ToVec3(obs.data());
    const Vec3 hammer = ToVec3(obs.data() + 4);
    const Vec3 head = hammer + kHeadOffset;
    Vec3 handle = hammer;
    if (std::abs(hammer[0] - hand[0]) < kHalfHandle) handle[0] = hand[0];
    // A hammer lying flat has quaternion (1, 0, 0, 0); the distance to it
    // approximates the tilt.
    const double quat_error = std::sqrt((obs[7] - 1) * (obs[7] - 1) + obs[8] * obs[8] +
                                        obs[9] * obs[9] + obs[10] * obs[10]);
    const double upright = std::max(1.0 - quat_error / 0.4, 0.0);
    const double grabbed =
        GripperCagingReward(Caging(handle, obj_init_, action[3]),
                            {/*obj_radius=*/0.015, /*pad_success_thresh=*/0.02, /*xz_thresh=*/0.01,
                             /*high_density=*/true});
    const double lifted = head[2] > 0.02 ? 1.0 : 0.0;
    const double in_place = 0.1 * lifted + 0.9 * Tolerance(Distance(target_, head), 0, 0.02, 0.2);
    double reward = (2 * grabbed + 6 * in_place) * upright;
    const bool success = JointQpos(nail_joint_) > 0.09;
    // The reward check keeps a nail knocked in by accident from scoring 10.
    if (success && reward > 5) reward = 10;
    return {reward, success};
  }

  int hammer_joint_ = -1;
  int hammer_body_ = -1;
  int nail_body_ = -1;
  int nail_joint_ = -1;
  int box_body_ = -1;
  int goal_site_ = -1;
  Vec3 obj_init_{};
};

}  // namespace

const TaskDef& HammerV2() {
  static const TaskDef* const def = new TaskDef{
      "hammer-v2",
      "sawyer_hammer.xml",
      {0, 0.4, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.1, 0.4, 0.0},
      {0.1, 0.5, 0.0},
      nullptr,
      &SawyerEnv::Create<HammerEnv>,
  };
  return *def;
}

}  // namespace taco::envs
