#include "actor/envs/shelf.h"

#include <algorithm>

#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

// Height of the goal site above the shelf body.
constexpr double kGoalAboveShelf = 0.3;

class ShelfPlaceEnv : public SawyerEnv {
 public:
  using SawyerEnv::SawyerEnv;

 private:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(cube_body_, BodyId("obj"));
    TACO_ASSIGN_OR_RETURN(cube_geom_, GeomId("objGeom"));
    TACO_ASSIGN_OR_RETURN(cube_joint_, JointId("objjoint"));
    TACO_ASSIGN_OR_RETURN(shelf_body_, BodyId("shelf"));
    return absl::OkStatus();
  }

  void PlaceObjects(const RandVec& v) override {
    obj_init_ = {v[0], v[1], BodyPos(cube_body_)[2]};
    target_ = {v[3], v[4], v[5]};
    SetBodyPos(shelf_body_, target_ - Vec3{0, 0, kGoalAboveShelf});
    SetFreeJointPos(cube_joint_, obj_init_);
  }

  Vec3 ObjectPos() const override { return BodyPos(cube_body_); }
  Quat ObjectQuat() const override { return GeomQuatXYZW(cube_geom_); }

  Evaluation Evaluate(const Observation& obs, const Action& action) override {
    const Vec3 obj = ToVec3(obs.data() + 4);
    const Vec3& t = target_;
    const double to_target = Distance(obj, t);
    double in_place = Tolerance(to_target, 0, 0.05, Distance(obj_init_, t));
    const double grasped = GripperCagingReward(Caging(obj, obj_init_, action[3]),
                                               {/*obj_radius=*/0.02, /*pad_success_thresh=*/0.05,
                                                /*xz_thresh=*/0.01, /*high_density=*/false});
    double reward = Hamacher(grasped, in_place);
    // Below the middle board and in front of or under the shelf: the lift
    // term below earns less (or nothing) there.
    if (obj[2] > 0 && obj[2] < 0.24 && std::abs(obj[0] - t[0]) < 0.15) {
      if (obj[1] > t[1] - 0.15 && obj[1] < t[1]) {
        in_place = std::clamp(
            in_place - Hamacher((obj[1] - (t[1] - 0.15)) / 0.15, (0.24 - obj[2]) / 0.24), 0.0, 1.0);
      } else if (obj[1] > t[1]) {
        in_place = 0;
      }
    }
    if (Distance(obj, Tcp()) < 0.025 && obs[3] > 0 && obj[2] - 0.01 > obj_init_[2]) {
      reward += 1 + 5 * in_place;
    }
    if (to_target < 0.05) reward = 10;
    return {reward, to_target <= 0.07};
  }

  int cube_body_ = -1;
  int cube_geom_ = -1;
  int cube_joint_ = -1;
  int shelf_body_ = -1;
  Vec3 obj_init_{};
};

bool CubeAwayFromGoal(const RandVec& v) {
  return DistanceXY({v[0], v[1], 0}, {v[3], v[4], 0}) >= 0.1;
}

}  // namespace

const TaskDef& ShelfPlaceV2() {
  static const TaskDef* const def = new TaskDef{
      "shelf-place-v2",
      "sawyer_shelf_placing.xml",
      {0, 0.6, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.1, 0.5, 0.019, -0.1, 0.8, 0.299},
      {0.1, 0.6, 0.021, 0.1, 0.9, 0.301},
      &CubeAwayFromGoal,
      &SawyerEnv::Create<ShelfPlaceEnv>,
  };
  return *def;
}

}  // namespace taco::envs
