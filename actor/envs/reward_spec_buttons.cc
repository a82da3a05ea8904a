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
  double reward = 5 * Hamacher(1 - s.GripperOpening(),
                               Tolerance(reach, 0, 0.01, Norm(face - r.init_tcp)));
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
  return {reward, depth <= 0.02};
}

constexpr TaskRewardSpec kButtonSpecs[] = {
    {"button-press-topdown-wall-v2", kHandInitNear, TopdownWallReset, TopdownWall},
    {"button-press-v2", kHandInitNear, HorizontalReset, Press},
    {"button-press-wall-v2", kHandInitNear, HorizontalReset, PressWall},
};

}  // namespace

absl::Span<const TaskRewardSpec> ButtonRewardSpecs() { return kButtonSpecs; }

}  // namespace taco::envs::reward_spec
