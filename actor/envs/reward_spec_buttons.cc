// Reward audit of the buttons family (see reward_spec_testing.h): written from
// Meta-World v2.0.0's sources, never from the port's code.
#include <algorithm>
#include <cmath>

#include "actor/envs/reward_spec_testing.h"

namespace taco::envs::reward_spec {
namespace {

// Buttons: the hole site is the target and |hole − buttonStart| along the
// press axis is the press margin, both read from the placed scene.
void ButtonBoxReset(const ResetView& v, ResetRecord& r, int axis) {
  r.target = v.now.Site("hole");
  r.in_place_margin = std::abs(r.target[axis] - v.now.Site("buttonStart")[axis]);
}

// button-press-topdown-wall-v2: the button's top face, pressed down (z).
void TopdownWallReset(const ResetView& v, ResetRecord& r) { ButtonBoxReset(v, r, 2); }
RewardAndSuccess TopdownWall(const MjState& s, const ResetRecord& r, double /*grip*/) {
  const Vec3 face = s.Body("button") + Vec3{0, 0, 0.193};
  const double reach = Norm(face - s.Tcp());
  const double depth = std::abs(r.target[2] - face[2]);
  double reward =
      5 * Hamacher(1 - s.GripperOpening(), Tolerance(reach, 0, 0.01, Norm(face - r.init_tcp)));
  if (reach <= 0.03) reward += 5 * Tolerance(depth, 0, 0.005, r.in_place_margin);
  return {reward, depth <= 0.02};
}

// button-press-v2 and button-press-wall-v2: the front face, pressed along +y.
void HorizontalReset(const ResetView& v, ResetRecord& r) { ButtonBoxReset(v, r, 1); }
Vec3 FrontFace(const MjState& s) { return s.Body("button") + Vec3{0, -0.193, 0}; }

RewardAndSuccess Press(const MjState& s, const ResetRecord& r, double /*grip*/) {
  const Vec3 face = FrontFace(s);
  const double reach = Norm(face - s.Tcp());
  const double depth = std::abs(r.target[1] - face[1]);
  const double opening = std::max(s.GripperOpening(), 0.0);
  double reward = 2 * Hamacher(opening, Tolerance(reach, 0, 0.05, Norm(face - r.init_tcp)));
  if (reach <= 0.05) reward += 8 * Tolerance(depth, 0, 0.005, r.in_place_margin);
  return {reward, depth <= 0.02};
}

RewardAndSuccess PressWall(const MjState& s, const ResetRecord& r, double /*grip*/) {
  const Vec3 face = FrontFace(s);
  const double reach = Norm(face - s.Tcp());
  const double depth = std::abs(r.target[1] - face[1]);
  const double opening = s.GripperOpening();
  double reward = 0;
  if (reach > 0.07) {
    reward = 2 * Hamacher((1 - opening) / 2, Tolerance(reach, 0, 0.01, Norm(face - r.init_tcp)));
  } else {
    const double pressed = Tolerance(depth, 0, 0.005, r.in_place_margin);
    reward = 2 + 2 * (1 + opening) + 4 * std::pow(pressed, 2);
  }
  return {reward, depth <= 0.03};
}

// coffee-button-v2: the button start site, pressed 3 cm along +y from where
// it starts (machine + (0, −0.22, 0.3)).
void CoffeeButtonReset(const ResetView& v, ResetRecord& r) {
  r.target = v.RandVec3(0) + Vec3{0, -0.22, 0.3} + Vec3{0, 0.03, 0};
}
RewardAndSuccess CoffeeButton(const MjState& s, const ResetRecord& r, double /*grip*/) {
  const Vec3 button = s.Site("buttonStart");
  const double reach = Norm(button - s.Tcp());
  const double depth = std::abs(r.target[1] - button[1]);
  const double opening = std::max(s.GripperOpening(), 0.0);
  double reward = 2 * Hamacher(opening, Tolerance(reach, 0, 0.05, Norm(button - r.init_tcp)));
  if (reach <= 0.05) reward += 8 * Tolerance(depth, 0, 0.005, 0.03);
  return {reward, depth <= 0.02};
}

// coffee-pull-v2 and coffee-push-v2: the mug from the draw's first half to
// its second; the caging wants a grip effort of 0.7 and is averaged with a
// reach term ("medium density").
void MugReset(const ResetView& v, ResetRecord& r) {
  r.obj_init = v.RandVec3(0);
  r.target = v.RandVec3(3);
}
RewardAndSuccess Mug(const MjState& s, const ResetRecord& r, double grip) {
  const Vec3 mug = s.Body("obj");
  const Vec3 xy_double = {2, 2, 1};
  const double to_target = Norm(Scale(mug - r.target, xy_double));
  const double in_place =
      Tolerance(to_target, 0, 0.05, Norm(Scale(r.obj_init - r.target, xy_double)));
  const auto pad_term = [&](double pad_y) {
    return Tolerance(std::abs(pad_y - mug[1]), 0.02, 0.05,
                     std::abs(std::abs(pad_y - r.obj_init[1]) - 0.05));
  };
  const double cage_y = Hamacher(pad_term(s.LeftPadY()), pad_term(s.RightPadY()));
  const double effort = std::min(std::max(0.0, grip), 0.7) / 0.7;
  const double caged = CombineCaging(cage_y, XzCaging(s, mug, r, 0.05), effort, false);
  const double tcp_to_mug = Norm(mug - s.Tcp());
  const double reach =
      Tolerance(tcp_to_mug, 0, 0.04, std::abs(Norm(r.obj_init - r.init_tcp) - 0.04));
  const double grasped = (caged + reach) / 2;
  double reward = Hamacher(grasped, in_place);
  if (tcp_to_mug < 0.04 && s.GripperOpening() > 0) reward += 1 + 5 * in_place;
  if (to_target < 0.05) reward = 10;
  return {reward, Norm(mug - r.target) <= 0.07};
}

// dial-turn-v2: a rim point of the knob, 5 cm from the dial's axis.
Vec3 DialTip(const MjState& s) {
  const double q = s.JointQpos("knob_Joint_1");
  return s.Body("dial") + 0.05 * Vec3{std::sin(q), -std::cos(q), 0};
}
constexpr Vec3 kDialPushOffset = {0.05, 0.02, 0.09};
// The push point at reset is read from the placed scene (README decision on
// stale reset reads).
void DialReset(const ResetView& v, ResetRecord& r) {
  r.target = v.RandVec3(0) + Vec3{0, 0.03, 0.03};
  r.part_init = DialTip(v.now) + kDialPushOffset;
}
RewardAndSuccess Dial(const MjState& s, const ResetRecord& r, double grip) {
  const Vec3 tip = DialTip(s);
  const double to_target = Norm(tip - r.target);
  const double in_place =
      Tolerance(to_target, 0, 0.07, std::abs(Norm(r.part_init - r.target) - 0.07));
  const double reach =
      Tolerance(Norm(tip + kDialPushOffset - s.Tcp()), 0, 0.005,
                std::abs(Norm(r.part_init - r.init_tcp) - 0.005), Sigmoid::kGaussian);
  const double pushing = Hamacher(reach, std::min(std::max(0.0, grip), 1.0));
  return {10 * Hamacher(pushing, in_place), to_target <= 0.07};
}

constexpr TaskRewardSpec kButtonSpecs[] = {
    {"button-press-topdown-wall-v2", kHandInitNear, TopdownWallReset, TopdownWall},
    {"button-press-v2", kHandInitNear, HorizontalReset, Press},
    {"button-press-wall-v2", kHandInitNear, HorizontalReset, PressWall},
    {"coffee-button-v2", kHandInitNear, CoffeeButtonReset, CoffeeButton},
    {"coffee-pull-v2", kHandInitNear, MugReset, Mug},
    {"coffee-push-v2", kHandInitNear, MugReset, Mug},
    {"dial-turn-v2", kHandInitCentre, DialReset, Dial},
};

}  // namespace

absl::Span<const TaskRewardSpec> ButtonRewardSpecs() { return kButtonSpecs; }

}  // namespace taco::envs::reward_spec
