#include "actor/envs/drawer.h"

#include <algorithm>
#include <cmath>

#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

class DrawerEnv : public SawyerEnv {
 public:
  using SawyerEnv::SawyerEnv;

 protected:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(drawer_body_, BodyId("drawer"));
    TACO_ASSIGN_OR_RETURN(drawer_link_, BodyId("drawer_link"));
    TACO_ASSIGN_OR_RETURN(slide_, JointId("goal_slidey"));
    return absl::OkStatus();
  }

  int drawer_body_ = -1;
  int drawer_link_ = -1;
  int slide_ = -1;
};

class DrawerOpenEnv : public DrawerEnv {
 public:
  using DrawerEnv::DrawerEnv;

 private:
  void PlaceObjects(const RandVec& v) override {
    const Vec3 drawer = {v[0], v[1], v[2]};
    target_ = drawer + Vec3{0, -0.36, 0.09};
    handle_init_ = target_ + Vec3{0, 0.2, 0};
    SetBodyPos(drawer_body_, drawer);
    SetJointQpos(slide_, 0);
  }

  // The handle, 16 cm in front of the drawer link.
  Vec3 ObjectPos() const override { return BodyPos(drawer_link_) + Vec3{0, -0.16, 0}; }
  Quat ObjectQuat() const override { return BodyQuatWXYZ(drawer_link_); }

  Evaluation Evaluate(const Observation& obs, const Action&) override {
    const Vec3 hand = ToVec3(obs.data());
    const Vec3 handle = ToVec3(obs.data() + 4);
    const Vec3 scale = {3, 3, 1};
    const double to_target = Distance(handle, target_);
    const double caging = Tolerance(Norm(Scale(handle - hand, scale)), 0, 0.01,
                                    Norm(Scale(handle_init_ - init_tcp_, scale)));
    const double opening = Tolerance(to_target, 0, 0.02, 0.2);
    // No success override: the reward tops out at 10 on its own.
    return {5 * (caging + opening), to_target <= 0.03};
  }

  Vec3 handle_init_{};
};

class DrawerCloseEnv : public DrawerEnv {
 public:
  using DrawerEnv::DrawerEnv;

 private:
  void PlaceObjects(const RandVec& v) override {
    const Vec3 drawer = {v[0], v[1], v[2]};
    target_ = drawer + Vec3{0, -0.16, 0.09};
    SetBodyPos(drawer_body_, drawer);
    SetJointQpos(slide_, -0.15);  // Pulled out.
  }
  void AfterPlacement() override { obj_init_ = ObjectPos(); }

  // A point on the handle 5 cm above the one drawer-open uses.
  Vec3 ObjectPos() const override { return BodyPos(drawer_link_) + Vec3{0, -0.16, 0.05}; }

  Evaluation Evaluate(const Observation& obs, const Action& action) override {
    const Vec3 handle = ToVec3(obs.data() + 4);
    const Vec3 tcp = Tcp();
    const double to_target = Distance(handle, target_);
    const double in_place =
        Tolerance(to_target, 0, 0.05, std::abs(Distance(obj_init_, target_) - 0.05));
    double reach = Tolerance(Distance(handle, tcp), 0, 0.005,
                             std::abs(Distance(obj_init_, init_tcp_) - 0.005), Sigmoid::kGaussian);
    reach = Hamacher(reach, std::clamp(action[3], 0.0, 1.0));
    const bool success = to_target <= 0.065;
    return {success ? 10.0 : 10 * Hamacher(reach, in_place), success};
  }

  Vec3 obj_init_{};
};

}  // namespace

const TaskDef& DrawerOpenV2() {
  static const TaskDef* const def = new TaskDef{
      "drawer-open-v2",
      "sawyer_drawer.xml",
      {0, 0.6, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.1, 0.9, 0},
      {0.1, 0.9, 0},
      nullptr,
      &SawyerEnv::Create<DrawerOpenEnv>,
  };
  return *def;
}

const TaskDef& DrawerCloseV2() {
  static const TaskDef* const def = new TaskDef{
      "drawer-close-v2",
      "sawyer_drawer.xml",
      {0, 0.6, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.1, 0.9, 0},
      {0.1, 0.9, 0},
      nullptr,
      &SawyerEnv::Create<DrawerCloseEnv>,
  };
  return *def;
}

}  // namespace taco::envs
