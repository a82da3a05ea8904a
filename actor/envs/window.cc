#include "actor/envs/window.h"

#include <cmath>

#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

class WindowEnv : public SawyerEnv {
 public:
  using SawyerEnv::SawyerEnv;

 protected:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(window_body_, BodyId("window"));
    TACO_ASSIGN_OR_RETURN(slide_, JointId("window_slide"));
    TACO_ASSIGN_OR_RETURN(handle_site_, SiteId(HandleSite()));
    return absl::OkStatus();
  }
  virtual const char* HandleSite() const = 0;

  // [quirk] v2.0.0 reads the handle's start before the forward pass that
  // would move it with the window; here it is read after.
  void AfterPlacement() override { handle_init_ = SitePos(handle_site_); }

  Vec3 ObjectPos() const override { return SitePos(handle_site_); }

  // Shared by open and close; they differ in the reach sigmoid only.
  Evaluation EvaluateSlide(const Observation& obs, Sigmoid reach_sigmoid) {
    const Vec3 handle = ToVec3(obs.data() + 4);
    const double x_error = std::abs(handle[0] - target_[0]);
    const double in_place = Tolerance(x_error, 0, 0.05, in_place_margin_);
    const double reach =
        Tolerance(Distance(handle, Tcp()), 0, 0.02,
                  std::abs(Distance(handle_init_, init_tcp_) - 0.02), reach_sigmoid);
    return {10 * Hamacher(reach, in_place), x_error <= 0.05};
  }

  int window_body_ = -1;
  int slide_ = -1;
  int handle_site_ = -1;
  Vec3 handle_init_{};
  double in_place_margin_ = 0;
};

class WindowOpenEnv : public WindowEnv {
 public:
  using WindowEnv::WindowEnv;

 private:
  const char* HandleSite() const override { return "handleOpenStart"; }

  void PlaceObjects(const RandVec& v) override {
    const Vec3 window = {v[0], v[1], v[2]};
    target_ = window + Vec3{0.2, 0, 0};
    in_place_margin_ = std::abs(window[0] - target_[0]) - 0.05;
    SetBodyPos(window_body_, window);
    SetJointQpos(slide_, 0);
  }

  Evaluation Evaluate(const Observation& obs, const Action&) override {
    return EvaluateSlide(obs, Sigmoid::kLongTail);
  }
};

class WindowCloseEnv : public WindowEnv {
 public:
  using WindowEnv::WindowEnv;

 private:
  const char* HandleSite() const override { return "handleCloseStart"; }

  void PlaceObjects(const RandVec& v) override {
    const Vec3 window = {v[0], v[1], v[2]};
    target_ = window;
    SetBodyPos(window_body_, window);
    SetJointQpos(slide_, 0.2);  // Open.
  }
  void AfterPlacement() override {
    WindowEnv::AfterPlacement();
    in_place_margin_ = std::abs(handle_init_[0] - target_[0]) - 0.05;
  }

  Evaluation Evaluate(const Observation& obs, const Action&) override {
    return EvaluateSlide(obs, Sigmoid::kGaussian);
  }
};

}  // namespace

const TaskDef& WindowOpenV2() {
  static const TaskDef* const def = new TaskDef{
      "window-open-v2",
      "sawyer_window_horizontal.xml",
      {0, 0.4, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.1, 0.7, 0.16},
      {0.1, 0.9, 0.16},
      nullptr,
      &SawyerEnv::Create<WindowOpenEnv>,
  };
  return *def;
}

const TaskDef& WindowCloseV2() {
  static const TaskDef* const def = new TaskDef{
      "window-close-v2",
      "sawyer_window_horizontal.xml",
      {0, 0.4, 0.2},
      kMocapLow,
      kMocapHigh,
      {0, 0.75, 0.2},
      {0, 0.9, 0.2},
      nullptr,
      &SawyerEnv::Create<WindowCloseEnv>,
  };
  return *def;
}

}  // namespace taco::envs
