#include "actor/envs/button_press.h"

#include <cmath>

#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

class ButtonPressTopdownEnv : public SawyerEnv {
 public:
  using SawyerEnv::SawyerEnv;

 private:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(box_body_, BodyId("box"));
    TACO_ASSIGN_OR_RETURN(button_body_, BodyId("button"));
    TACO_ASSIGN_OR_RETURN(hole_site_, SiteId("hole"));
    TACO_ASSIGN_OR_RETURN(button_start_site_, SiteId("buttonStart"));
    return absl::OkStatus();
  }

  void PlaceObjects(const RandVec& v) override { SetBodyPos(box_body_, {v[0], v[1], v[2]}); }

  // [quirk] v2.0.0 reads the hole site before any forward pass, so its
  // target is the previous episode's. Here the sites are read after the
  // forward pass that follows placement.
  void AfterPlacement() override {
    target_ = SitePos(hole_site_);
    obj_to_target_init_ = std::abs(target_[2] - SitePos(button_start_site_)[2]);
  }

  // About the top face of the button.
  Vec3 ObjectPos() const override { return BodyPos(button_body_) + Vec3{0, 0, 0.193}; }
  Quat ObjectQuat() const override { return BodyQuatWXYZ(button_body_); }

  Evaluation Evaluate(const Observation& obs, const Action&) override {
    const Vec3 button = ToVec3(obs.data() + 4);
    const Vec3 tcp = Tcp();
    const double tcp_to_button = Distance(button, tcp);
    const double depth = std::abs(target_[2] - button[2]);
    const double near = Tolerance(tcp_to_button, 0, 0.01, Distance(button, init_tcp_));
    const double pressed = Tolerance(depth, 0, 0.005, obj_to_target_init_);
    double reward = 5 * Hamacher(1 - obs[3], near);
    if (tcp_to_button <= 0.03) reward += 5 * pressed;
    return {reward, depth <= 0.02};
  }

  int box_body_ = -1;
  int button_body_ = -1;
  int hole_site_ = -1;
  int button_start_site_ = -1;
  double obj_to_target_init_ = 0;
};

}  // namespace

const TaskDef& ButtonPressTopdownV2() {
  static const TaskDef* const def = new TaskDef{
      "button-press-topdown-v2",
      "sawyer_button_press_topdown.xml",
      {0, 0.4, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.1, 0.8, 0.115},
      {0.1, 0.9, 0.115},
      nullptr,
      &SawyerEnv::Create<ButtonPressTopdownEnv>,
  };
  return *def;
}

}  // namespace taco::envs
