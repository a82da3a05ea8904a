// Scripted experts of the articulated family, after Meta-World v2.0.0's scripted
// policies (metaworld/policies/sawyer_*_v2_policy.py).
#include <cmath>

#include "actor/envs/scripted_expert_table.h"

namespace taco::envs {
namespace {

using namespace expert_steering;  // NOLINT(build/namespaces): the experts' shared moves

Action DoorLock(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 lock = s.obj + Vec3{-0.02, -0.02, 0};
  Vec3 to;
  if (DistanceXY(s.hand, lock) > 0.02) {
    // Low hands first back off and rise, clear of the door.
    to = s.hand[2] < 0.25 ? s.hand + Vec3{0, -0.1, 0.1} : lock + Up(0.3);
  } else if (std::abs(s.hand[2] - lock[2]) > 0.02) {
    to = lock;
  } else {
    to = lock + Vec3{-0.1, 0, -0.1};  // Press the lever down.
  }
  return Move(s.hand, to, 25, -1);
}

Action DoorUnlock(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 lock = s.obj + Vec3{-0.04, -0.02, -0.03};
  Vec3 to;
  if (DistanceXY(s.hand, lock) > 0.02) {
    to = s.hand[2] > 0.15 ? s.hand + Vec3{0, -0.1, -0.1} : lock;
  } else {
    to = lock + Vec3{0.1, 0, 0.01};  // Sweep the lever up from below.
  }
  return Move(s.hand, to, 25, 1);
}

// Faucets: come down beside the handle's end, then swing it sideways.
Action Faucet(const Observation& o, const Vec3& offset, double push_dx) {
  const Parsed s = Parse(o);
  const Vec3 handle = s.obj + offset;
  Vec3 to;
  if (DistanceXY(s.hand, handle) > 0.04) {
    to = handle + Up(0.1);
  } else if (std::abs(s.hand[2] - handle[2]) > 0.04) {
    to = handle;
  } else {
    to = handle + Vec3{push_dx, 0.05, 0};
  }
  return Move(s.hand, to, 25, 1);
}

Action FaucetOpen(const Observation& o) { return Faucet(o, {-0.04, 0, 0.03}, 0.1); }
Action FaucetClose(const Observation& o) { return Faucet(o, {0.04, 0, 0.03}, -0.1); }

// Handle presses: above the handle, then drive far below it.
Action HandlePress(const Observation& o, double dy, double grab) {
  const Parsed s = Parse(o);
  const Vec3 handle = s.obj + Vec3{0, dy, 0};
  const Vec3 to = DistanceXY(s.hand, handle) > 0.02 ? handle + Up(0.2) : handle + Up(-0.5);
  return Move(s.hand, to, 25, grab);
}

Action HandlePressFront(const Observation& o) { return HandlePress(o, -0.02, -1); }
Action HandlePressSide(const Observation& o) { return HandlePress(o, 0, 1); }

Action HandlePull(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 handle = s.obj + Vec3{0, -0.04, 0};
  Vec3 to;
  if (DistanceXY(s.hand, handle) > 0.02) {
    to = handle;
  } else if (std::abs(s.hand[2] - handle[2]) > 0.02) {
    // [quirk, kept] The original returns the handle's height alone here, which
    // NumPy broadcasts to the point (z, z, z).
    to = {handle[2], handle[2], handle[2]};
  } else {
    to = handle + Up(0.1);
  }
  return Move(s.hand, to, 25, 1);
}

Action HandlePullSide(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3& handle = s.obj;
  Vec3 to;
  if (DistanceXY(s.hand, handle) > 0.04) {
    to = handle + Up(0.1);
  } else if (std::abs(s.hand[2] - handle[2]) > 0.03) {
    to = handle;
  } else {
    to = handle + Up(1);
  }
  return Move(s.hand, to, 25, Near(s.hand, handle, 0.04, 0.04) ? 0.6 : 0.0);
}

// Expected rates are v2.0.0's test_scripted_policies.py thresholds.
constexpr NamedExpert kExperts[] = {
    {"door-lock-v2", &DoorLock, {1.00, 0.96}},
    {"door-unlock-v2", &DoorUnlock, {1.00, 0.97}},
    {"faucet-open-v2", &FaucetOpen, {1.00, 0.99}},
    {"faucet-close-v2", &FaucetClose, {1.00, 1.00}},
    {"handle-press-side-v2", &HandlePressSide, {0.99, 0.98}},
    {"handle-press-v2", &HandlePressFront, {1.00, 1.00}},
    {"handle-pull-side-v2", &HandlePullSide, {1.00, 0.71}},
    {"handle-pull-v2", &HandlePull, {0.93, 0.99}},
};

}  // namespace

absl::Span<const NamedExpert> ArticulatedExperts() { return kExperts; }

}  // namespace taco::envs
