// Scripted experts of the sliding family, after Meta-World v2.0.0's scripted
// policies (metaworld/policies/sawyer_*_v2_policy.py).
#include <cmath>

#include "actor/envs/scripted_expert_table.h"

namespace taco::envs {
namespace {

using namespace expert_steering;  // NOLINT(build/namespaces): the experts' shared moves

// The four plate experts come down behind (or beside) the plate with the
// fingers reaching below its rim, then drag it along.
Action PlateSlide(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 plate = s.obj + Vec3{0, -0.055, 0.03};
  Vec3 to;
  if (DistanceXY(s.hand, plate) > 0.03) {
    to = plate + Up(0.1);
  } else if (std::abs(s.hand[2] - plate[2]) > 0.04) {
    to = plate;
  } else {
    to = {s.goal[0], 0.9, plate[2]};
  }
  return Move(s.hand, to, 10, -1);
}

Action PlateSlideSide(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 plate = s.obj + Vec3{0.07, 0, -0.005};
  Vec3 to;
  if (DistanceXY(s.hand, plate) > 0.04) {
    to = plate + Up(0.1);
  } else if (std::abs(s.hand[2] - plate[2]) > 0.04) {
    to = plate;
  } else if (s.hand[0] > -0.2) {
    to = {s.hand[0] - 0.1, 0.6, s.hand[2]};
  } else {
    to = plate + Vec3{-0.1, 0, 0};
  }
  return Move(s.hand, to, 25, 1);
}

Action PlateSlideBack(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 plate = s.obj + Vec3{0, -0.065, 0.025};
  Vec3 to;
  if (DistanceXY(s.hand, plate) > 0.01) {
    to = plate + Up(0.1);
  } else if (std::abs(s.hand[2] - plate[2]) > 0.04) {
    to = plate;
  } else if (s.hand[1] > 0.7) {
    to = s.hand + Vec3{0, -0.1, 0};
  } else if (s.hand[1] > 0.6) {
    to = {0.15, 0.55, s.hand[2]};
  } else {
    to = {s.hand[0] - 0.1, 0.55, s.hand[2]};
  }
  return Move(s.hand, to, 10, -1);
}

Action PlateSlideBackSide(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 plate = s.obj + Vec3{0.023, 0, 0.025};
  Vec3 to;
  if (DistanceXY(s.hand, plate) > 0.01) {
    to = plate + Up(0.07);
  } else if (std::abs(s.hand[2] - plate[2]) > 0.04) {
    to = plate;
  } else {
    to = {s.hand[0] + 0.1, 0.6, s.hand[2]};
  }
  return Move(s.hand, to, 10, 1);
}

Action PushBack(const Observation& o) {
  const Parsed s = Parse(o);
  const double xy = DistanceXY(s.hand, s.obj);
  const double dz = std::abs(s.hand[2] - s.obj[2]);
  Vec3 to;
  if (xy > 0.04) {
    to = s.obj + Up(0.3);
  } else if (dz > 0.055) {
    to = s.obj;
  } else {
    // The original adds the hand's height to the goal's, so the hand aims
    // above the goal and drags the block on the table under it.
    to = s.goal + Up(s.hand[2]);
  }
  const double grab = xy > 0.04 || dz > 0.085 ? 0.0 : 0.9;
  return Move(s.hand, to, 10, grab);
}

Action PushWall(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 obj = s.obj + Vec3{-0.005, 0, 0};
  Vec3 to;
  if (DistanceXY(s.hand, obj) > 0.02) {
    to = obj + Up(0.2);
  } else if (std::abs(s.hand[2] - obj[2]) > 0.04) {
    to = obj + Up(0.03);
  } else if (-0.1 <= obj[0] && obj[0] <= 0.3 && 0.65 <= obj[1] && obj[1] <= 0.75) {
    to = s.hand + Vec3{-1, 0, 0};  // Beside the wall: go round its free end.
  } else if (((-0.15 < obj[0] && obj[0] < 0.05) || (0.15 < obj[0] && obj[0] < 0.35)) &&
             0.695 <= obj[1] && obj[1] <= 0.755) {
    to = s.hand + Vec3{0, 1, 0};
  } else {
    to = s.goal;
  }
  return Move(s.hand, to, 10, Near(s.hand, s.obj, 0.02, 0.1) ? 0.6 : 0.0);
}

Action ReachWall(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3& h = s.hand;
  // About to run into the wall: climb while still heading for the goal.
  const bool at_wall = -0.1 <= h[0] && h[0] <= 0.3 && 0.60 <= h[1] && h[1] <= 0.80 && h[2] < 0.2;
  return Move(s.hand, at_wall ? s.goal + Up(1) : s.goal, 5, 0);
}

Action Soccer(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 ball = s.obj + Up(0.03);
  // Push from behind the ball; a ball off to one side of the goal is first
  // pushed sideways, from its outer side.
  constexpr double kOffset = 0.03;
  Vec3 push_from = ball + Vec3{0, -kOffset, 0};
  if (ball[0] - s.goal[0] < -0.05) {
    push_from = ball + Vec3{-kOffset, 0, 0};
  } else if (ball[0] - s.goal[0] > 0.05) {
    push_from = ball + Vec3{kOffset, 0, 0};
  }
  // Right over the ball the hand lifts, so it comes down behind it.
  push_from[2] = DistanceXY(s.hand, ball) < 0.02 ? 0.1 : 0.03;
  const Vec3 to = Distance(s.hand, push_from) > 0.01 ? push_from : ball;
  return Move(s.hand, to, 25, 1);
}

// Expected rates are v2.0.0's test_scripted_policies.py thresholds.
constexpr NamedExpert kExperts[] = {
    {"plate-slide-v2", &PlateSlide, {1.00, 0.97}},
    {"plate-slide-side-v2", &PlateSlideSide, {1.00, 0.78}},
    {"plate-slide-back-v2", &PlateSlideBack, {1.00, 0.94}},
    {"plate-slide-back-side-v2", &PlateSlideBackSide, {1.00, 0.95}},
    {"push-back-v2", &PushBack, {0.97, 0.91}},
    {"push-wall-v2", &PushWall, {0.97, 0.82}},
    {"reach-wall-v2", &ReachWall, {0.98, 0.96}},
    {"soccer-v2", &Soccer, {0.88, 0.81}},
};

}  // namespace

absl::Span<const NamedExpert> SlidingExperts() { return kExperts; }

}  // namespace taco::envs
