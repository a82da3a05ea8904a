// Scripted experts of the tools family, after Meta-World v2.0.0's scripted
// policies (metaworld/policies/sawyer_*_v2_policy.py).
#include <cmath>

#include "actor/envs/scripted_expert_table.h"

namespace taco::envs {
namespace {

using namespace expert_steering;  // NOLINT(build/namespaces): the experts' shared moves

Action PegUnplugSide(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 peg = s.obj + Vec3{-0.02, 0, 0.035};
  // The pulling height is fixed, not the peg's: the hand slides along x at
  // 15 cm once it is there.
  constexpr double kPullZ = 0.15;
  Vec3 to;
  if (DistanceXY(s.hand, peg) > 0.04) {
    to = peg + Up(0.2);
  } else if (std::abs(s.hand[2] - kPullZ) > 0.02) {
    to = {peg[0], peg[1], kPullZ};
  } else {
    to = s.hand + Vec3{0.01, 0, 0};
  }
  const bool near = DistanceXY(s.hand, peg) <= 0.04 && std::abs(s.hand[2] - peg[2]) <= 0.15;
  return Move(s.hand, to, 25, near ? 0.1 : -1.0);
}

Action Hammer(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 handle = s.obj + Vec3{-0.04, 0, -0.01};
  // In front of the nail: the block's nail point moved back 19 cm in x and up
  // 5 cm, from where the hand swings along y.
  const Vec3 strike = Vec3{0.24, 0.71, 0.11} + Vec3{-0.19, 0, 0.05};
  Vec3 to;
  if (DistanceXY(s.hand, handle) > 0.04) {
    to = handle + Up(0.1);
  } else if (std::abs(s.hand[2] - handle[2]) > 0.05 && handle[2] < 0.03) {
    to = handle + Up(0.03);
  } else if (DistanceXZ(s.hand, strike) > 0.02) {
    to = {strike[0], s.hand[1], strike[2]};
  } else {
    to = strike;
  }
  const bool near = DistanceXY(s.hand, handle) <= 0.04 && std::abs(s.hand[2] - handle[2]) <= 0.1;
  return Move(s.hand, to, 10, near ? 0.8 : 0.0);
}

// The stick experts steer the stick (held 3 cm above its centre) into line
// with the thermos handle, then along to the goal.
Vec3 StickToward(const Vec3& hand, const Vec3& stick, const Vec3& thermos, const Vec3& goal) {
  if (std::abs(stick[0] - thermos[0]) <= 0.04) return goal;
  if (DistanceXY(hand, stick) > 0.02) return stick + Up(0.1);
  if (std::abs(hand[2] - stick[2]) > 0.02) return stick;
  if (std::abs(stick[1] - thermos[1]) > 0.02) return {stick[0], thermos[1], stick[2]};
  if (std::abs(stick[2] - thermos[2]) > 0.02) return {stick[0], thermos[1], thermos[2]};
  return thermos;
}

double StickGrab(const Vec3& hand, const Vec3& stick) {
  return DistanceXY(hand, stick) > 0.02 || std::abs(hand[2] - stick[2]) > 0.1 ? -1.0 : 0.7;
}

Action StickPush(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 stick = s.obj + Vec3{0.015, 0, 0.03};
  const Vec3 thermos = ToVec3(o.data() + 11);
  const Vec3 goal = s.goal + Up(0.132);
  return Move(s.hand, StickToward(s.hand, stick, thermos, goal), 10, StickGrab(s.hand, stick));
}

Action StickPull(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 stick = s.obj + Vec3{-0.015, 0, 0.03};
  const Vec3 thermos = ToVec3(o.data() + 11) + Vec3{-0.015, 0, 0.03};
  const Vec3 goal = s.goal + Vec3{-0.05, 0, 0};
  return Move(s.hand, StickToward(s.hand, stick, thermos, goal), 25, StickGrab(s.hand, stick));
}

constexpr NamedExpert kToolExperts[] = {
    {"peg-unplug-side-v2", &PegUnplugSide, {0.99, 0.80}},
    {"hammer-v2", &Hammer, {1.00, 0.96}},
    {"stick-push-v2", &StickPush, {0.98, 0.95}},
    {"stick-pull-v2", &StickPull, {0.96, 0.81}},
};

}  // namespace

absl::Span<const NamedExpert> ToolExperts() { return kToolExperts; }

}  // namespace taco::envs
