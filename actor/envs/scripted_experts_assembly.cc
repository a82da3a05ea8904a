// Scripted experts of the assembly family, after Meta-World v2.0.0's scripted
// policies (metaworld/policies/sawyer_*_v2_policy.py).
#include <cmath>

#include "actor/envs/scripted_expert_table.h"

namespace taco::envs {
namespace {

using namespace expert_steering;  // NOLINT(build/namespaces): the experts' shared moves

// Inside this box the arm (or the held puck) would hit the wall.
bool OverWallZone(const Vec3& hand) {
  return -0.15 <= hand[0] && hand[0] <= 0.35 && 0.60 <= hand[1] && hand[1] <= 0.80;
}

Action PickPlaceWall(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 puck = s.obj + Vec3{-0.005, 0, 0};
  Vec3 to;
  if (DistanceXY(s.hand, puck) > 0.015) {
    to = puck + Up(0.1);
  } else if (std::abs(s.hand[2] - puck[2]) > 0.04 && puck[2] < 0.03) {
    to = puck + Up(0.03);
  } else if (OverWallZone(s.hand) && s.hand[2] < 0.25) {
    to = s.hand + Up(1);  // Straight up, clear of the wall.
  } else if (OverWallZone(s.hand) && s.hand[2] < 0.35) {
    to = {s.goal[0], s.goal[1], s.hand[2]};
  } else if (std::abs(s.hand[2] - s.goal[2]) > 0.04) {
    to = {s.hand[0], s.hand[1], s.goal[2]};
  } else {
    to = s.goal;
  }
  return Move(s.hand, to, 10, Near(s.hand, s.obj, 0.015, 0.1) ? 0.9 : 0.0);
}

Action Assembly(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 handle = s.obj + Vec3{-0.02, 0, 0};
  // Holding the handle 12 cm off the nut's centre puts the ring over the peg.
  const Vec3 over_peg = s.goal + Vec3{0.12, 0, 0.14};
  Vec3 to;
  if (DistanceXY(s.hand, handle) > 0.02) {
    to = handle + Up(0.1);
  } else if (DistanceXY(s.hand, over_peg) <= 0.02) {
    to = over_peg + Up(-0.2);  // Lined up: lower the ring onto the peg.
  } else if (std::abs(s.hand[2] - handle[2]) > 0.05) {
    to = handle + Up(0.03);
  } else if (std::abs(s.hand[2] - over_peg[2]) > 0.04) {
    to = {s.hand[0], s.hand[1], over_peg[2]};
  } else {
    to = over_peg;
  }
  return Move(s.hand, to, 10, Near(s.hand, handle, 0.02, 0.12) ? 0.6 : 0.0);
}

Action Disassemble(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 handle = s.obj + Vec3{-0.02, 0, 0.01};
  Vec3 to;
  if (DistanceXY(s.hand, handle) > 0.02) {
    to = handle + Up(0.1);
  } else if (std::abs(s.hand[2] - handle[2]) > 0.03) {
    to = handle;
  } else {
    to = s.hand + Up(0.1);  // Lift the ring off the peg.
  }
  return Move(s.hand, to, 10, Near(s.hand, handle, 0.02, 0.07) ? 0.8 : 0.0);
}

Action PickOutOfHole(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 puck = s.obj + Up(0.02);
  Vec3 to;
  if (DistanceXY(s.hand, puck) > 0.02) {
    to = puck + Up(0.15);
  } else if (std::abs(s.hand[2] - puck[2]) > 0.01) {
    to = puck;
  } else if (std::abs(s.hand[2] - s.goal[2]) > 0.04) {
    to = {s.hand[0], s.hand[1], s.goal[2]};
  } else {
    to = s.goal;
  }
  // A light grip: the reward counts 0.1 as fully closed.
  return Move(s.hand, to, 25, Near(s.hand, puck, 0.02, 0.15) ? 0.1 : 0.0);
}

// Expected rates are v2.0.0's test_scripted_policies.py thresholds.
constexpr NamedExpert kExperts[] = {
    {"assembly-v2", &Assembly, {1.00, 0.70}},
    {"disassemble-v2", &Disassemble, {0.92, 0.88}},
    {"pick-place-wall-v2", &PickPlaceWall, {0.95, 0.83}},
    {"pick-out-of-hole-v2", &PickOutOfHole, {1.00, 0.89}},
};

}  // namespace

absl::Span<const NamedExpert> AssemblyExperts() { return kExperts; }

}  // namespace taco::envs
