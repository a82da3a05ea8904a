// Reward audit of the articulated family (see reward_spec_testing.h): written from
// Meta-World v2.0.0's sources, never from the port's code.
#include <algorithm>
#include <cmath>

#include "actor/envs/reward_spec_testing.h"

namespace taco::envs::reward_spec {
namespace {

// sawyer_door_lock_v2.py / sawyer_door_unlock_v2.py keep hand_init_pos as a
// float32 array: (0, 0.6, 0.2) rounded.
constexpr Vec3 kLockHandInit = {0, 0.60000002384185791015625, 0.20000000298023223876953125};
constexpr Vec3 kFaucetHandInit = {0, 0.4, 0.2};
constexpr Vec3 kLockScale = {0.25, 1, 0.5};

// door-lock-v2: the reset steps the physics once more after moving the door,
// then takes the target from lock_link, whose frame does not turn with the lock.
void DoorLockReset(const ResetView& v, ResetRecord& r) {
  r.target = v.now.Body("lock_link") + Vec3{0, -0.04, -0.1};
}
RewardAndSuccess DoorLock(const MjState& s, const ResetRecord& r, double /*grip*/) {
  const Vec3 lock = s.Site("lockStartLock");
  // init_left_pad is a live view of the left pad's xpos, so "initial" is now.
  const Vec3 left_pad = s.Body("leftpad");
  const double tcp_to_obj = Norm(Scale(lock - left_pad, kLockScale));
  const double tcp_to_obj_init = Norm(Scale(lock - left_pad, kLockScale));
  const double obj_to_target = std::abs(r.target[2] - lock[2]);
  const double tcp_opened = std::max(s.GripperOpening(), 0.0);
  const double near_lock = Tolerance(tcp_to_obj, 0, 0.01, tcp_to_obj_init);
  const double lock_pressed = Tolerance(obj_to_target, 0, 0.005, 0.1);
  return {2 * Hamacher(tcp_opened, near_lock) + 8 * lock_pressed, obj_to_target <= 0.02};
}

// door-unlock-v2: the lock starts at 1.5708 rad; obj_init is lock_link.
void DoorUnlockReset(const ResetView& v, ResetRecord& r) {
  r.obj_init = v.now.Body("lock_link");
  r.target = r.obj_init + Vec3{0.1, -0.04, 0};
}
RewardAndSuccess DoorUnlock(const MjState& s, const ResetRecord& r, double /*grip*/) {
  const Vec3 gripper = s.Hand();
  const Vec3 lock = s.Site("lockStartUnlock");
  const Vec3 offset = {0, 0.055, 0.07};
  const double shoulder_to_lock = Norm(Scale(gripper + offset - lock, kLockScale));
  const double shoulder_to_lock_init = Norm(Scale(r.init_tcp + offset - r.obj_init, kLockScale));
  const double ready_to_push = Tolerance(shoulder_to_lock, 0, 0.02, shoulder_to_lock_init);
  const double obj_to_target = std::abs(r.target[0] - lock[0]);
  const double pushed = Tolerance(obj_to_target, 0, 0.005, 0.1);
  return {2 * ready_to_push + 8 * pushed, obj_to_target <= 0.02};
}

// faucet-open-v2 / faucet-close-v2: obj_init is the faucet base (the rand_vec).
void FaucetOpenReset(const ResetView& v, ResetRecord& r) {
  r.obj_init = v.RandVec3(0);
  r.target = r.obj_init + Vec3{0.175, 0, 0.125};
}
void FaucetCloseReset(const ResetView& v, ResetRecord& r) {
  r.obj_init = v.RandVec3(0);
  r.target = r.obj_init + Vec3{-0.175, 0, 0.125};
}
RewardAndSuccess FaucetReward(const MjState& s, const ResetRecord& r, const Vec3& obj) {
  const double target_to_obj = Norm(obj - r.target);
  const double target_to_obj_init = Norm(r.obj_init - r.target);
  const double in_place = Tolerance(target_to_obj, 0, 0.07, std::abs(target_to_obj_init - 0.07));
  const double tcp_to_obj = Norm(obj - s.Tcp());
  const double tcp_to_obj_init = Norm(r.obj_init - r.init_tcp);
  const double reach =
      Tolerance(tcp_to_obj, 0, 0.01, std::abs(tcp_to_obj_init - 0.01), Sigmoid::kGaussian);
  double reward = 2 * (2 * reach + 3 * in_place);
  if (target_to_obj <= 0.07) reward = 10;
  return {reward, target_to_obj <= 0.07};
}
RewardAndSuccess FaucetOpen(const MjState& s, const ResetRecord& r, double /*grip*/) {
  // obs[4:7] is the site 1 cm lower; the reward shifts it by (−4, 0, +3) cm.
  const Vec3 obs_obj = s.Site("handleStartOpen") + Vec3{0, 0, -0.01};
  return FaucetReward(s, r, obs_obj + Vec3{-0.04, 0, 0.03});
}
RewardAndSuccess FaucetClose(const MjState& s, const ResetRecord& r, double /*grip*/) {
  return FaucetReward(s, r, s.Site("handleStartClose") + Vec3{0, 0, -0.01});
}

// handle-press-v2 / handle-press-side-v2: target and handle_init are sites read
// after set_state's forward pass.
void HandlePressReset(const ResetView& v, ResetRecord& r) {
  r.target = v.now.Site("goalPress");
  r.part_init = v.now.Site("handleStart");
}
RewardAndSuccess HandlePress(const MjState& s, const ResetRecord& r, double /*grip*/) {
  const Vec3 obj = s.Site("handleStart");
  const double target_to_obj = std::abs(obj[2] - r.target[2]);
  const double target_to_obj_init = std::abs(r.part_init[2] - r.target[2]);
  const double in_place = Tolerance(target_to_obj, 0, 0.02, std::abs(target_to_obj_init - 0.02));
  const double tcp_to_obj = Norm(obj - s.Tcp());
  const double tcp_to_obj_init = Norm(r.part_init - r.init_tcp);
  const double reach = Tolerance(tcp_to_obj, 0, 0.02, std::abs(tcp_to_obj_init - 0.02));
  const double reward = target_to_obj <= 0.02 ? 1.0 : Hamacher(reach, in_place);
  return {10 * reward, target_to_obj <= 0.02};
}

// handle-pull-v2: obj_init stays the box position (the rand_vec).
void HandlePullReset(const ResetView& v, ResetRecord& r) {
  r.target = v.now.Site("goalPull");
  r.obj_init = v.RandVec3(0);
}
RewardAndSuccess HandlePull(const MjState& s, const ResetRecord& r, double grip) {
  const Vec3 obj = s.Site("handleRight");
  const double target_to_obj = std::abs(r.target[2] - obj[2]);
  const double target_to_obj_init = std::abs(r.target[2] - r.obj_init[2]);
  const double in_place = Tolerance(target_to_obj, 0, 0.05, target_to_obj_init);
  const double grasped = GenericCaging(s, obj, r, grip, {0.022, 0.05, 0.01, true});
  double reward = Hamacher(grasped, in_place);
  if (HeldAboveStart(s, obj, r, 0.035)) reward += 1 + 5 * in_place;
  if (target_to_obj < 0.05) reward = 10;
  return {reward, target_to_obj <= 0.05};
}

// handle-pull-side-v2: obj_init is re-read as handleCenter after placement.
void HandlePullSideReset(const ResetView& v, ResetRecord& r) {
  r.target = v.now.Site("goalPull");
  r.obj_init = v.now.Site("handleCenter");
}
RewardAndSuccess HandlePullSide(const MjState& s, const ResetRecord& r, double grip) {
  const Vec3 obj = s.Site("handleCenter");
  const double target_to_obj = Norm(obj - r.target);
  const double target_to_obj_init = Norm(r.obj_init - r.target);
  const double in_place = Tolerance(target_to_obj, 0, 0.05, target_to_obj_init);
  const double grasped = GenericCaging(s, obj, r, grip, {0.032, 0.06, 0.01, true});
  double reward = Hamacher(grasped, in_place);
  if (HeldAboveStart(s, obj, r, 0.035)) reward += 1 + 5 * in_place;
  if (target_to_obj < 0.05) reward = 10;
  return {reward, target_to_obj <= 0.08};
}

constexpr TaskRewardSpec kSpecs[] = {
    {"door-lock-v2", kLockHandInit, DoorLockReset, DoorLock},
    {"door-unlock-v2", kLockHandInit, DoorUnlockReset, DoorUnlock},
    {"faucet-open-v2", kFaucetHandInit, FaucetOpenReset, FaucetOpen},
    {"faucet-close-v2", kFaucetHandInit, FaucetCloseReset, FaucetClose},
    {"handle-press-side-v2", kHandInitCentre, HandlePressReset, HandlePress},
    {"handle-press-v2", kHandInitCentre, HandlePressReset, HandlePress},
    {"handle-pull-side-v2", kHandInitCentre, HandlePullSideReset, HandlePullSide},
    {"handle-pull-v2", kHandInitCentre, HandlePullReset, HandlePull},
};

}  // namespace

absl::Span<const TaskRewardSpec> ArticulatedRewardSpecs() { return kSpecs; }

}  // namespace taco::envs::reward_spec
