#include "actor/envs/box_close.h"

#include <algorithm>
#include <cmath>

#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

// [quirk, kept] hand_init_pos and obj_init_pos are float32 arrays in the
// original, so the mocap settles at the float32-rounded (0, 0.6, 0.2) and the
// lid starts at the float32-rounded height 0.02.
constexpr Vec3 kFloat32HandInit = {0, static_cast<float>(0.6), static_cast<float>(0.2)};
constexpr double kLidStartZ = static_cast<float>(0.02);

// The lid upright, as (w, x, y, z) with the original's rounded 0.707.
constexpr Quat kUprightLid = {0.707, 0, 0, 0.707};

class BoxCloseEnv : public SawyerEnv {
 public:
  using SawyerEnv::SawyerEnv;

 private:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(lid_, BodyId("top_link"));
    TACO_ASSIGN_OR_RETURN(const int lid_base, BodyId("boxbodytop"));
    TACO_ASSIGN_OR_RETURN(lid_joint_, FreeJointOf(lid_base));
    TACO_ASSIGN_OR_RETURN(box_, BodyId("boxbody"));
    return absl::OkStatus();
  }

  void PlaceObjects(const RandVec& v) override {
    target_ = {v[3], v[4], v[5]};
    // The box is a fixture: the move is written to the model and keeps its
    // height.
    SetBodyPos(box_, {v[3], v[4], BodyPos(box_)[2]});
    SetFreeJointPos(lid_joint_, {v[0], v[1], kLidStartZ});
  }

  // The lid's top plate, 7.5 cm above the free body; the handle is 2 cm higher
  // (the reward's "lid" point).
  Vec3 ObjectPos() const override { return BodyPos(lid_); }
  Quat ObjectQuat() const override { return BodyQuatWXYZ(lid_); }

  Evaluation Evaluate(const Observation& obs, const Action& action) override {
    const Vec3 hand = ToVec3(obs.data());
    const Vec3 obj = ToVec3(obs.data() + 4);
    const Vec3 handle = obj + Vec3{0, 0, 0.02};
    const double grab = (action[3] + 1) / 2;
    double quat_error = 0;
    for (int i = 0; i < 4; ++i) {
      quat_error += (obs[7 + i] - kUprightLid[i]) * (obs[7 + i] - kUprightLid[i]);
    }
    const double upright = std::max(1 - std::sqrt(quat_error) / 0.2, 0.0);
    // Keep the hand above a funnel around the handle so that it comes down
    // onto it from above.
    const double radius = DistanceXY(hand, handle);
    const double floor = radius <= 0.02 ? 0.0 : 0.04 * std::log(radius - 0.02) + 0.4;
    const double above_floor =
        hand[2] >= floor ? 1.0 : Tolerance(floor - hand[2], 0, 0.01, floor / 2);
    const double at_handle = Tolerance(Distance(hand, handle), 0, 0.02, 0.5);
    const double ready = Hamacher(above_floor, at_handle);
    const double placed = 0.2 * (handle[2] > 0.04 ? 1.0 : 0.0) +
                          0.8 * Tolerance(Norm(Scale(target_ - handle, {1, 1, 3})), 0, 0.05, 0.25);
    double reward = 2 * Hamacher(grab, ready) + 8 * placed;
    const bool success = Distance(obj, target_) < 0.08;
    if (success) reward = 10;
    // A lid flipped onto the box earns nothing.
    return {reward * upright, success};
  }

  int lid_ = -1;
  int lid_joint_ = -1;
  int box_ = -1;
};

// Redrawn while the lid starts within 0.25 (xy) of the box.
bool LidFarFromBox(const RandVec& v) {
  return DistanceXY({v[0], v[1], 0}, {v[3], v[4], 0}) >= 0.25;
}

}  // namespace

const TaskDef& BoxCloseV2() {
  static const TaskDef* const def = new TaskDef{
      "box-close-v2",
      "sawyer_box.xml",
      kFloat32HandInit,
      kMocapLow,
      kMocapHigh,
      {-0.05, 0.5, 0.02, -0.1, 0.7, 0.133},
      {0.05, 0.55, 0.02, 0.1, 0.8, 0.133},
      &LidFarFromBox,
      &SawyerEnv::Create<BoxCloseEnv>,
  };
  return *def;
}

}  // namespace taco::envs
