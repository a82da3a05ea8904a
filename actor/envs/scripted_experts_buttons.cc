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

// Expected rates are v2.0.0's test_scripted_policies.py thresholds.
constexpr NamedExpert kButtonExperts[] = {
    {"button-press-topdown-wall-v2", &ButtonPressTopdownWall, {0.95, 0.95}},
    {"button-press-v2", &ButtonPress, {1.00, 0.98}},
    {"button-press-wall-v2", &ButtonPressWall, {0.93, 0.92}},
};

}  // namespace

absl::Span<const NamedExpert> ButtonExperts() { return kButtonExperts; }

}  // namespace taco::envs
