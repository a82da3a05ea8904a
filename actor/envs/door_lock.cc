#include "actor/envs/door_lock.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

// The original keeps hand_init as a float32 array; the mocap is set to the
// rounded numbers.
const Vec3 kLockHandInit = {0, RandomBoxBound(0.6), RandomBoxBound(0.2)};
// Per-axis weights of the lock rewards' distances (x counts least).
constexpr Vec3 kLockScale = {0.25, 1, 0.5};
constexpr double kLockLength = 0.1;

// The safe of door-open without its hinge: the door is fixed and the lock
// lever turns about y on the door's face.
class LockEnv : public SawyerEnv {
 public:
  using SawyerEnv::SawyerEnv;

 protected:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(door_body_, BodyId("door"));
    TACO_ASSIGN_OR_RETURN(door_link_, BodyId("door_link"));
    TACO_ASSIGN_OR_RETURN(lock_link_, BodyId("lock_link"));
    TACO_ASSIGN_OR_RETURN(left_pad_, BodyId("leftpad"));
    // The lock's hinge has no name in the scene.
    lock_joint_ = model()->body_jntadr[lock_link_];
    if (lock_joint_ < 0) {
      return absl::InvalidArgumentError(absl::StrCat(name(), ": body 'lock_link' has no joint"));
    }
    return absl::OkStatus();
  }

  Quat ObjectQuat() const override { return BodyQuatWXYZ(door_link_); }

  // [quirk] The settling hand can touch the lock lever; see
  // PlaceFixturesBeforeSettle.
  void PlaceFixturesBeforeSettle(const RandVec& v) override {
    SetBodyPos(door_body_, {v[0], v[1], v[2]});
  }

  int door_body_ = -1;
  int door_link_ = -1;
  int lock_link_ = -1;
  int left_pad_ = -1;
  int lock_joint_ = -1;
};

class DoorLockEnv : public LockEnv {
 public:
  using LockEnv::LockEnv;

 private:
  absl::Status BindNames() override {
    TACO_RETURN_IF_ERROR(LockEnv::BindNames());
    TACO_ASSIGN_OR_RETURN(lock_site_, SiteId("lockStartLock"));
    return absl::OkStatus();
  }

  void PlaceObjects(const RandVec& v) override {
    SetBodyPos(door_body_, {v[0], v[1], v[2]});
    // The original runs one env step's worth of physics after moving the door
    // (hand held at hand_init, gripper still commanded open), during which
    // the lock droops a little under gravity.
    for (int k = 0; k < kFrameSkip; ++k) mj_step(mutable_model(), mutable_data());
    // The lock link's frame sits on its hinge, so it does not move with the
    // lock: door position plus fixed offsets.
    target_ = BodyPos(lock_link_) + Vec3{0, -0.04, -0.1};
  }

  Vec3 ObjectPos() const override { return SitePos(lock_site_); }

  Evaluation Evaluate(const Observation& obs, const Action&) override {
    const Vec3 lock = ToVec3(obs.data() + 4);
    const Vec3 pad = BodyPos(left_pad_);
    const double pad_to_lock = Norm(Scale(lock - pad, kLockScale));
    // [quirk, kept] The margin is meant to start from the left pad at
    // construction, but the original stores that pad as a live view of xpos
    // (README decision on "initial" pads): it is the current distance.
    const double near_lock = Tolerance(pad_to_lock, 0, 0.01, pad_to_lock);
    const double to_target = std::abs(target_[2] - lock[2]);
    const double pressed = Tolerance(to_target, 0, 0.005, kLockLength);
    const double reward = 2 * Hamacher(std::max(obs[3], 0.0), near_lock) + 8 * pressed;
    return {reward, to_target <= 0.02};
  }

  int lock_site_ = -1;
};

class DoorUnlockEnv : public LockEnv {
 public:
  using LockEnv::LockEnv;

 private:
  absl::Status BindNames() override {
    TACO_RETURN_IF_ERROR(LockEnv::BindNames());
    TACO_ASSIGN_OR_RETURN(lock_site_, SiteId("lockStartUnlock"));
    return absl::OkStatus();
  }

  void PlaceObjects(const RandVec& v) override {
    SetBodyPos(door_body_, {v[0], v[1], v[2]});
    // Lock turned down (unlocked would be 0), at rest.
    SetJointQpos(lock_joint_, 1.5708);
    mutable_data()->qvel[model()->jnt_dofadr[lock_joint_]] = 0;
  }

  void AfterPlacement() override {
    lock_init_ = BodyPos(lock_link_);
    target_ = lock_init_ + Vec3{0.1, -0.04, 0};
  }

  Vec3 ObjectPos() const override { return SitePos(lock_site_); }

  Evaluation Evaluate(const Observation& obs, const Action&) override {
    const Vec3 hand = ToVec3(obs.data());
    const Vec3 lock = ToVec3(obs.data() + 4);
    // A point on the wrist above the fingers, which does the pushing.
    const Vec3 shoulder_offset = {0, 0.055, 0.07};
    const double shoulder_to_lock = Norm(Scale(hand + shoulder_offset - lock, kLockScale));
    const double shoulder_to_lock_init =
        Norm(Scale(init_tcp_ + shoulder_offset - lock_init_, kLockScale));
    const double ready = Tolerance(shoulder_to_lock, 0, 0.02, shoulder_to_lock_init);
    const double to_target = std::abs(target_[0] - lock[0]);
    const double pushed = Tolerance(to_target, 0, 0.005, kLockLength);
    return {2 * ready + 8 * pushed, to_target <= 0.02};
  }

  int lock_site_ = -1;
  Vec3 lock_init_{};
};

}  // namespace

const TaskDef& DoorLockV2() {
  static const TaskDef* const def = new TaskDef{
      "door-lock-v2",
      "sawyer_door_lock.xml",
      kLockHandInit,
      {kMocapLow[0], kMocapLow[1], -0.15},
      kMocapHigh,
      {-0.1, 0.8, 0.15},
      {0.1, 0.85, 0.15},
      nullptr,
      &SawyerEnv::Create<DoorLockEnv>,
  };
  return *def;
}

const TaskDef& DoorUnlockV2() {
  static const TaskDef* const def = new TaskDef{
      "door-unlock-v2",
      "sawyer_door_lock.xml",
      kLockHandInit,
      {kMocapLow[0], kMocapLow[1], -0.15},
      kMocapHigh,
      {-0.1, 0.8, 0.15},
      {0.1, 0.85, 0.15},
      nullptr,
      &SawyerEnv::Create<DoorUnlockEnv>,
  };
  return *def;
}

}  // namespace taco::envs
