#include "actor/envs/peg_unplug.h"

#include <algorithm>

#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

// Where the plug sits in the socket, relative to the wall body.
constexpr Vec3 kPlugOffset = {0.044, 0, 0.131};
// The target is this far out of the socket along +x.
constexpr Vec3 kUnplugTravel = {0.15, 0, 0};
// The grip counts as fully closed at this action, not at 1.
constexpr double kDesiredGripEffort = 0.8;

class PegUnplugSideEnv : public SawyerEnv {
 public:
  using SawyerEnv::SawyerEnv;

 private:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(plug_body_, BodyId("plug1"));
    TACO_ASSIGN_OR_RETURN(plug_joint_, FreeJointOf(plug_body_));
    TACO_ASSIGN_OR_RETURN(box_body_, BodyId("box"));
    TACO_ASSIGN_OR_RETURN(peg_end_site_, SiteId("pegEnd"));
    return absl::OkStatus();
  }

  void PlaceObjects(const RandVec& v) override {
    const Vec3 box = {v[0], v[1], v[2]};
    SetBodyPos(box_body_, box);
    const Vec3 plug = box + kPlugOffset;
    target_ = plug + kUnplugTravel;
    // The original writes the plug's position and an upright quaternion and
    // zeroes only the linear velocity of its free joint; the settled angular
    // velocity is kept.
    const mjModel* m = model();
    mjData* d = mutable_data();
    const int qpos = m->jnt_qposadr[plug_joint_];
    const int dof = m->jnt_dofadr[plug_joint_];
    std::copy(plug.begin(), plug.end(), d->qpos + qpos);
    constexpr double kUpright[4] = {1, 0, 0, 0};
    std::copy(kUpright, kUpright + 4, d->qpos + qpos + 3);
    std::fill(d->qvel + dof, d->qvel + dof + 3, 0.0);
  }

  // The plug's end as placed, read after the forward pass as the original's
  // set_state does.
  void AfterPlacement() override { obj_init_ = SitePos(peg_end_site_); }

  Vec3 ObjectPos() const override { return SitePos(peg_end_site_); }
  Quat ObjectQuat() const override { return BodyQuatWXYZ(plug_body_); }

  Evaluation Evaluate(const Observation& obs, const Action& action) override {
    const Vec3 obj = ToVec3(obs.data() + 4);
    const double tcp_opened = obs[3];
    const double tcp_to_obj = Distance(obj, Tcp());
    const double obj_to_target = Distance(obj, target_);
    // min(max(0, a), e) / e is exactly clamp(a / e, 0, 1), the generic
    // caging's own grip term.
    const double grasped =
        GripperCagingReward(Caging(obj, obj_init_, action[3] / kDesiredGripEffort),
                            {/*obj_radius=*/0.025, /*pad_success_thresh=*/0.05, /*xz_thresh=*/0.005,
                             /*high_density=*/true});
    const double in_place = Tolerance(obj_to_target, 0, 0.05, Distance(obj_init_, target_));
    const bool pulled = tcp_opened > 0.5 && obj[0] - obj_init_[0] > 0.015;
    double reward = 2 * grasped;
    if (pulled && tcp_to_obj < 0.035) reward = 1 + 2 * grasped + 5 * in_place;
    if (obj_to_target <= 0.05) reward = 10;
    return {reward, obj_to_target <= 0.07};
  }

  int plug_body_ = -1;
  int plug_joint_ = -1;
  int box_body_ = -1;
  int peg_end_site_ = -1;
  Vec3 obj_init_{};
};

}  // namespace

const TaskDef& PegUnplugSideV2() {
  static const TaskDef* const def = new TaskDef{
      "peg-unplug-side-v2",
      "sawyer_peg_unplug_side.xml",
      {0, 0.6, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.25, 0.6, -0.001},
      {-0.15, 0.8, 0.001},
      nullptr,
      &SawyerEnv::Create<PegUnplugSideEnv>,
  };
  return *def;
}

}  // namespace taco::envs
