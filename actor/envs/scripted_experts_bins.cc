// Scripted experts of the bins family, after Meta-World v2.0.0's scripted
// policies (metaworld/policies/sawyer_*_v2_policy.py).
#include <algorithm>
#include <cmath>

#include "actor/envs/scripted_expert_table.h"

namespace taco::envs {
namespace {

using namespace expert_steering;  // NOLINT(build/namespaces): the experts' shared moves

Action HandInsert(const Observation& o) {
  const Parsed s = Parse(o);
  Vec3 to;
  if (DistanceXY(s.hand, s.obj) > 0.02) {
    to = s.obj + Up(0.1);
  } else if (std::abs(s.hand[2] - s.obj[2]) > 0.05) {
    to = s.obj + Up(0.03);
  } else if (DistanceXY(s.hand, s.goal) > 0.04) {
    to = {s.goal[0], s.goal[1], s.hand[2]};  // Carry the cube level to above the hole.
  } else {
    to = s.goal;
  }
  return Move(s.hand, to, 10, Near(s.hand, s.obj, 0.02, 0.1) ? 0.65 : 0.0);
}

Action BinPicking(const Observation& o) {
  const Parsed s = Parse(o);
  Vec3 cube = s.obj + Up(0.03);
  // Aim at a cube pulled towards the bin's middle in y: the closing fingers
  // drag it off the wall instead of catching on the wall's outside.
  cube[1] = std::clamp(cube[1], 0.675, 0.725);
  // The goal bin's centre, fixed in the policy (not read from the goal).
  constexpr Vec3 kBin = {0.12, 0.7, 0.02};
  Vec3 to;
  if (DistanceXY(s.hand, cube) > 0.02) {
    to = cube + Up(0.15);
  } else if (std::abs(s.hand[2] - cube[2]) > 0.01) {
    to = cube;
  } else if (DistanceXY(s.hand, kBin) > 0.02) {
    // Rise first, then cross over the walls to above the goal bin.
    to = s.hand[2] < 0.15 ? s.hand + Up(0.1) : Vec3{kBin[0], kBin[1], 0.18};
  } else {
    to = kBin;
  }
  return Move(s.hand, to, 25, Near(s.hand, cube, 0.02, 0.02) ? 0.6 : -1.0);
}

Action BoxClose(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 handle = s.obj + Up(0.02);
  const Vec3 box = {s.goal[0], s.goal[1], 0.15};
  Vec3 to;
  if (DistanceXY(s.hand, handle) > 0.01) {
    to = {handle[0], handle[1], 0.2};
  } else if (std::abs(s.hand[2] - handle[2]) > 0.05) {
    to = handle;
  } else if (std::abs(s.hand[2] - box[2]) > 0.04) {
    to = {s.hand[0], s.hand[1], box[2]};
  } else {
    to = box;
  }
  // Half closed on the way, fully closed from 13 cm above the handle down.
  return Move(s.hand, to, 25, Near(s.hand, handle, 0.01, 0.13) ? 1.0 : 0.5);
}

Action Basketball(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 ball = s.obj + Up(0.01);
  // The hoop's y varies only between 0.85 and 0.9 and its height is fixed,
  // so the policy takes x from the goal and the rest as constants.
  const Vec3 hoop = {s.goal[0], 0.875, 0.35};
  Vec3 to;
  if (DistanceXY(s.hand, ball) > 0.04) {
    to = ball + Up(0.3);
  } else if (std::abs(s.hand[2] - ball[2]) > 0.025) {
    to = ball;
  } else if (std::abs(ball[2] - hoop[2]) > 0.025) {
    to = {s.hand[0], s.hand[1], hoop[2]};
  } else {
    to = hoop;
  }
  return Move(s.hand, to, 25, Near(s.hand, s.obj, 0.04, 0.15) ? 0.6 : -1.0);
}

// Expected rates are v2.0.0's test_scripted_policies.py thresholds.
constexpr NamedExpert kExperts[] = {
    {"hand-insert-v2", &HandInsert, {0.96, 0.86}},
    {"bin-picking-v2", &BinPicking, {0.98, 0.96}},
    {"box-close-v2", &BoxClose, {0.90, 0.82}},
    {"basketball-v2", &Basketball, {0.98, 0.96}},
};

}  // namespace

absl::Span<const NamedExpert> BinExperts() { return kExperts; }

}  // namespace taco::envs
