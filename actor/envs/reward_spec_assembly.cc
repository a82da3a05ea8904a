// Reward audit of the assembly family (see reward_spec_testing.h): written from
// Meta-World v2.0.0's sources, never from the port's code.
#include <algorithm>
#include <cmath>

#include "actor/envs/reward_spec_testing.h"

namespace taco::envs::reward_spec {
namespace {

// pick-place-wall-v2: the puck starts at the draw (z 0.015, inside the
// table); init_tcp is the settled one (no re-recording after placement).
void PickPlaceWallReset(const ResetView& v, ResetRecord& r) {
  r.obj_init = v.RandVec3(0);
  r.target = v.RandVec3(3);
}
RewardAndSuccess PickPlaceWall(const MjState& s, const ResetRecord& r, double grip) {
  const Vec3 puck = s.Geom("objGeom");
  const Vec3 waypoint = {r.target[0], 0.77, 0.25};
  const Vec3 weights = {1, 1, 3};
  const double part1 = Tolerance(Norm(Scale(puck - waypoint, weights)), 0, 0.05,
                                 Norm(Scale(r.obj_init - waypoint, weights)));
  const double to_target = Norm(puck - r.target);
  const double part2 = Tolerance(to_target, 0, 0.05, Norm(r.obj_init - r.target));
  const double g = GenericCaging(s, puck, r, grip, {0.015, 0.05, 0.005, false});
  const double base = Hamacher(g, part1);
  double reward = base;
  const bool held =
      Norm(puck - s.Tcp()) < 0.02 && s.GripperOpening() > 0 && puck[2] - 0.015 > r.obj_init[2];
  if (held) reward = puck[1] > 0.75 ? base + 1.0 + 4.0 + 3.0 * part2 : base + 1.0 + 4.0 * part1;
  if (to_target < 0.05) reward = 10;
  return {reward, to_target <= 0.07};
}

// assembly-v2 and disassemble-v2 share the nut: the observed point is the
// handle site RoundNut-8, the quaternion the body's xquat; obj_init is the
// nut body's start (the draw), not the handle.
double NutFlat(const MjState& s) {
  const Quat q = s.BodyQuat("RoundNut");
  const double ideal[4] = {0.707, 0, 0, 0.707};
  double squares = 0;
  for (int i = 0; i < 4; ++i) squares += (q[i] - ideal[i]) * (q[i] - ideal[i]);
  return std::max(1.0 - std::sqrt(squares) / 0.4, 0.0);
}

// The generic caging, medium density (grasp and reach averaged), on the
// handle whose x snaps to the hand's within 1 cm.
double NutCaging(const MjState& s, const ResetRecord& r, double grip) {
  const Vec3 hand = s.Hand();
  Vec3 handle = s.Site("RoundNut-8");
  if (std::abs(handle[0] - hand[0]) < 0.02 / 2) handle[0] = hand[0];
  const auto pad = [&](double pad_y) {
    return Tolerance(std::abs(pad_y - handle[1]), 0.015, 0.02,
                     std::abs(std::abs(pad_y - r.obj_init[1]) - 0.02));
  };
  const double cage_y = Hamacher(pad(s.LeftPadY()), pad(s.RightPadY()));
  const double grasp = CombineCaging(cage_y, XzCaging(s, handle, r, 0.01), grip, false);
  const double reach =
      Tolerance(Norm(handle - s.Tcp()), 0, 0.01, std::abs(Norm(r.obj_init - r.init_tcp) - 0.01));
  return (grasp + reach) / 2;
}

void AssemblyReset(const ResetView& v, ResetRecord& r) {
  r.obj_init = v.RandVec3(0);
  r.target = v.RandVec3(3);
}
RewardAndSuccess Assembly(const MjState& s, const ResetRecord& r, double grip) {
  const Vec3 centre = s.Site("RoundNut");
  const double dx = r.target[0] - centre[0];
  const double dy = r.target[1] - centre[1];
  const double radius = std::sqrt(dx * dx + dy * dy);
  const bool success = radius < 0.02 && r.target[2] - centre[2] > 0;
  const double threshold = success ? 0.02 : 0.01;
  double height = 0;
  if (radius > threshold) height = 0.02 * std::log(radius - threshold) + 0.2;
  const double dz = height - centre[2];
  const double scaled = std::sqrt(dx * dx + dy * dy + 9 * dz * dz);
  const bool lifted = centre[2] > 0.02 || radius < threshold;
  const double in_place = 0.1 * lifted + 0.9 * Tolerance(scaled, 0, 0.02, 0.4);
  const double reward = (2 * NutCaging(s, r, grip) + 6 * in_place) * NutFlat(s);
  return {success ? 10.0 : reward, success};
}

// The target is 15 cm above the nut's start; the rest of the draw is unused.
void DisassembleReset(const ResetView& v, ResetRecord& r) {
  r.obj_init = v.RandVec3(0);
  r.target = r.obj_init + Vec3{0, 0, 0.15};
}
RewardAndSuccess Disassemble(const MjState& s, const ResetRecord& r, double grip) {
  const Vec3 centre = s.Site("RoundNut");
  const double lifted = centre[2] > 0.02;
  const double in_place =
      0.1 * lifted + 0.9 * Tolerance(Norm(r.target + Vec3{0, 0, 0.1} - centre), 0, 0.02, 0.2);
  const double reward = (4 * NutCaging(s, r, grip) + 6 * in_place) * NutFlat(s);
  return {reward, s.Site("RoundNut-8")[2] > r.target[2]};
}

// pick-out-of-hole-v2: the grip is judged against an effort of 0.1, and the
// success override uses a 5 cm radius while in_place uses 2 cm.
void PickOutOfHoleReset(const ResetView& v, ResetRecord& r) {
  r.obj_init = v.RandVec3(0);
  r.target = v.RandVec3(3);
}
RewardAndSuccess PickOutOfHole(const MjState& s, const ResetRecord& r, double grip) {
  const Vec3 puck = s.Body("obj");
  const Vec3 tcp = s.Tcp();
  const double to_target = Norm(puck - r.target);
  const double radius = std::hypot(tcp[0] - r.obj_init[0], tcp[1] - r.obj_init[1]);
  const double floor = radius <= 0.03 ? 0.0 : 0.015 * std::log(radius - 0.03) + 0.15;
  const double above_floor =
      tcp[2] >= floor ? 1.0 : Tolerance(std::max(floor - tcp[2], 0.0), 0, 0.01, 0.02);
  const auto pad = [&](double pad_y) {
    return Tolerance(std::abs(pad_y - puck[1]), 0.015, 0.02,
                     std::abs(std::abs(pad_y - r.obj_init[1]) - 0.02));
  };
  const double cage_y = Hamacher(pad(s.LeftPadY()), pad(s.RightPadY()));
  const double effort = std::min(std::max(0.0, grip), 0.1) / 0.1;
  const double g = CombineCaging(cage_y, XzCaging(s, puck, r, 0.03), effort, true);
  const double in_place = Tolerance(to_target, 0, 0.02, Norm(r.obj_init - r.target));
  double reward = Hamacher(g, in_place);
  const bool grasped =
      Norm(puck - tcp) < 0.04 && puck[2] - 0.02 > r.obj_init[2] && s.GripperOpening() >= 0.33;
  if (grasped) reward += 1 + 5 * Hamacher(in_place, above_floor);
  if (to_target < 0.05) reward = 10;
  return {reward, to_target <= 0.07};
}

constexpr double F32(double x) { return static_cast<double>(static_cast<float>(x)); }

constexpr TaskRewardSpec kSpecs[] = {
    {"assembly-v2", {0, F32(0.6), F32(0.2)}, AssemblyReset, Assembly},
    {"disassemble-v2", {0, F32(0.4), F32(0.2)}, DisassembleReset, Disassemble},
    {"pick-place-wall-v2", kHandInitCentre, PickPlaceWallReset, PickPlaceWall},
    {"pick-out-of-hole-v2", kHandInitCentre, PickOutOfHoleReset, PickOutOfHole},
};

}  // namespace

absl::Span<const TaskRewardSpec> AssemblyRewardSpecs() { return kSpecs; }

}  // namespace taco::envs::reward_spec
