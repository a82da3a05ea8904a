#include "actor/envs/door.h"

#include <algorithm>
#include <cmath>

#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

// The safe door scene; the handle point is the mesh geom's frame (the mesh
// centroid), so the original STL matters.
class DoorEnv : public SawyerEnv {
 public:
  using SawyerEnv::SawyerEnv;

 protected:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(door_body_, BodyId("door"));
    TACO_ASSIGN_OR_RETURN(handle_geom_, GeomId("handle"));
    TACO_ASSIGN_OR_RETURN(hinge_, JointId("doorjoint"));
    return absl::OkStatus();
  }

  Vec3 ObjectPos() const override { return GeomPos(handle_geom_); }
  Quat ObjectQuat() const override { return GeomQuatXYZW(handle_geom_); }

  int door_body_ = -1;
  int handle_geom_ = -1;
  int hinge_ = -1;
  Vec3 door_pos_{};
};

class DoorOpenEnv : public DoorEnv {
 public:
  using DoorEnv::DoorEnv;

 private:
  void PlaceObjects(const RandVec& v) override {
    door_pos_ = {v[0], v[1], v[2]};
    target_ = door_pos_ + Vec3{-0.3, -0.45, 0};
    SetBodyPos(door_body_, door_pos_);
    SetJointQpos(hinge_, 0);
  }

  Evaluation Evaluate(const Observation& obs, const Action& action) override {
    const Vec3 hand = ToVec3(obs.data());
    const Vec3 handle = ToVec3(obs.data() + 4);
    const double theta = JointQpos(hinge_);
    const double grab = (std::clamp(action[3], -1.0, 1.0) + 1) / 2;

    // Keep the hand above a floor that rises away from the handle, so it
    // comes down onto the handle instead of sweeping into the door.
    const Vec3 h = handle - Vec3{0.05, 0, 0};
    const double radius = DistanceXY(hand, h);
    const double floor = radius <= 0.12 ? 0.0 : 0.04 * std::log(radius - 0.12) + 0.4;
    const double above = hand[2] >= floor ? 1.0 : Tolerance(floor - hand[2], 0, 0.01, floor / 2);
    const double in_place = Tolerance(Distance(hand, h + Vec3{0.05, 0.03, -0.01}), 0, 0.06, 0.5);
    const double ready = Hamacher(above, in_place);
    const double opened = 0.2 * (theta < -kPi / 90 ? 1.0 : 0.0) +
                          0.8 * Tolerance(2 * kPi / 3 + theta, 0, 0.5, kPi / 3);
    const bool success = std::abs(handle[0] - target_[0]) <= 0.08;
    const double reward = success ? 10.0 : 2 * Hamacher(ready, grab) + 8 * opened;
    return {reward, success};
  }
};

class DoorCloseEnv : public DoorEnv {
 public:
  using DoorEnv::DoorEnv;

 private:
  void PlaceObjects(const RandVec& v) override {
    door_pos_ = {v[0], v[1], v[2]};
    target_ = door_pos_ + Vec3{0.2, -0.2, 0};
    SetBodyPos(door_body_, door_pos_);
    SetJointQpos(hinge_, -1.5708);  // 90° open.
  }

  Evaluation Evaluate(const Observation& obs, const Action&) override {
    const Vec3 handle = ToVec3(obs.data() + 4);
    const double to_target = Distance(handle, target_);
    // [quirk] The margin uses the door body position, not the handle.
    const double in_place =
        Tolerance(to_target, 0, 0.05, Distance(door_pos_, target_), Sigmoid::kGaussian);
    const double hand_in_place = Tolerance(Distance(Tcp(), target_), 0, 0.0125,
                                           Distance(hand_init_, handle) + 0.1, Sigmoid::kGaussian);
    double reward = 3 * hand_in_place + 6 * in_place;
    if (to_target < 0.05) reward = 10;
    return {reward, to_target <= 0.08};
  }
};

}  // namespace

const TaskDef& DoorOpenV2() {
  static const TaskDef* const def = new TaskDef{
      "door-open-v2",
      "sawyer_door_pull.xml",
      {0, 0.6, 0.2},
      kMocapLow,
      kMocapHigh,
      {0, 0.85, 0.15},
      {0.1, 0.95, 0.15},
      nullptr,
      &SawyerEnv::Create<DoorOpenEnv>,
  };
  return *def;
}

const TaskDef& DoorCloseV2() {
  static const TaskDef* const def = new TaskDef{
      "door-close-v2",
      "sawyer_door_pull.xml",
      {-0.5, 0.6, 0.2},
      kMocapLow,
      kMocapHigh,
      {0, 0.85, 0.15},
      {0.1, 0.95, 0.15},
      nullptr,
      &SawyerEnv::Create<DoorCloseEnv>,
  };
  return *def;
}

}  // namespace taco::envs
