// Scripted experts of the buttons family, after Meta-World v2.0.0's scripted
// policies (metaworld/policies/sawyer_*_v2_policy.py).
#include <cmath>

#include "actor/envs/scripted_expert_table.h"

namespace taco::envs {
namespace {

using namespace expert_steering;  // NOLINT(build/namespaces): the experts' shared moves

// NumPy's isclose with its default relative tolerance, which the original's
// alignment test inherits.
bool IsClose(double a, double b, double atol) {
  return std::abs(a - b) <= atol + 1e-5 * std::abs(b);
}

Action ButtonPressTopdownWall(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 button = s.obj + Vec3{0, -0.06, 0};
  const Vec3 to = DistanceXY(s.hand, button) > 0.04 ? button + Up(0.1) : button;
  return Move(s.hand, to, 25, -1);
}

Action ButtonPress(const Observation& o) {
  const Parsed s = Parse(o);
  Vec3 to = s.obj + Vec3{0, 0, -0.07};
  if (!IsClose(s.hand[0], to[0], 0.02) || !IsClose(s.hand[2], to[2], 0.02)) {
    // Line up in x and z while backing away from the box.
    to[1] = s.hand[1] - 0.1;
  } else {
    to[1] += 0.02;
  }
  return Move(s.hand, to, 25, 0);
}

Action ButtonPressWall(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 button = s.obj + Up(0.04);
  Vec3 to;
  double grab = 1;
  if (std::abs(s.hand[0] - button[0]) > 0.02) {
    to = {button[0], s.hand[1], 0.3};
  } else if (button[1] - s.hand[1] > 0.09) {
    to = {button[0], button[1], 0.3};
  } else if (std::abs(s.hand[2] - button[2]) > 0.02) {
    to = button + Vec3{0, -0.05, 0};
  } else {
    // Open fingers poke the button.
    to = button + Vec3{0, -0.02, 0};
    grab = -1;
  }
  return Move(s.hand, to, 15, grab);
}

Action CoffeeButton(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 button = s.obj + Vec3{0, 0, -0.07};
  const Vec3 to = DistanceXZ(s.hand, button) > 0.02 ? Vec3{button[0], s.hand[1], button[2]}
                                                    : button + Vec3{0, 0.2, 0};
  return Move(s.hand, to, 10, -1);
}

// The pull and push policies judge the grab against the mug's handle side
// (+1 cm in x) even where they steer elsewhere.
double MugGrab(const Parsed& s, double effort) {
  const Vec3 mug = s.obj + Vec3{0.01, 0, 0.05};
  return DistanceXY(s.hand, mug) > 0.06 || std::abs(s.hand[2] - mug[2]) > 0.1 ? -1.0 : effort;
}

Action CoffeePull(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 mug = s.obj + Vec3{-0.005, 0, 0.05};
  Vec3 to;
  if (DistanceXY(s.hand, mug) > 0.06) {
    to = mug + Up(0.15);
  } else if (std::abs(s.hand[2] - mug[2]) > 0.02) {
    to = mug;
  } else {
    to = s.goal;
  }
  return Move(s.hand, to, 10, MugGrab(s, 0.7));
}

Action CoffeePush(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 mug = s.obj + Vec3{0.01, 0, 0.05};
  Vec3 to;
  if (DistanceXY(s.hand, mug) > 0.06) {
    to = mug + Up(0.2);
  } else if (std::abs(s.hand[2] - mug[2]) > 0.02) {
    to = mug;
  } else {
    to = {s.goal[0], s.goal[1], 0.1};
  }
  return Move(s.hand, to, 10, MugGrab(s, 0.5));
}

Action DialTurn(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 dial = s.obj + Vec3{0.05, 0.02, 0.09};
  Vec3 to;
  if (DistanceXY(s.hand, dial) > 0.02) {
    to = {dial[0], dial[1], 0.2};
  } else if (std::abs(s.hand[2] - dial[2]) > 0.02) {
    to = dial;
  } else {
    to = dial + Vec3{-0.05, 0.005, 0};
  }
  return Move(s.hand, to, 10, 1);
}

// Expected rates are v2.0.0's test_scripted_policies.py thresholds.
constexpr NamedExpert kButtonExperts[] = {
    {"button-press-topdown-wall-v2", &ButtonPressTopdownWall, {0.95, 0.95}},
    {"button-press-v2", &ButtonPress, {1.00, 0.98}},
    {"button-press-wall-v2", &ButtonPressWall, {0.93, 0.92}},
    {"coffee-button-v2", &CoffeeButton, {1.00, 0.99}},
    {"coffee-pull-v2", &CoffeePull, {0.94, 0.82}},
    {"coffee-push-v2", &CoffeePush, {0.93, 0.88}},
    {"dial-turn-v2", &DialTurn, {0.96, 0.84}},
};

}  // namespace

absl::Span<const NamedExpert> ButtonExperts() { return kButtonExperts; }

}  // namespace taco::envs
