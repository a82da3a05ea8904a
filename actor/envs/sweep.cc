#include "actor/envs/sweep.h"

#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

// Both tasks push a free cube; their caging reward (below) differs from the
// generic one: signed pad gaps, a tighter "gripping" band and a plain average.
class CubeEnv : public SawyerEnv {
 public:
  using SawyerEnv::SawyerEnv;

 protected:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(cube_body_, BodyId("obj"));
    TACO_ASSIGN_OR_RETURN(cube_joint_, FreeJointOf(cube_body_));
    return absl::OkStatus();
  }

  // Pad margins follow the current pads, as the original's live "initial"
  // pads do (see PadCaging).
  double CubeCaging(const Vec3& obj, double grip_hi, double xz_thresh) const {
    constexpr double kRadius = 0.02;
    constexpr double kPadThresh = 0.05;
    const double gaps[2] = {LeftPadY() - obj[1], obj[1] - RightPadY()};
    double cage[2];
    double grip[2];
    for (int i = 0; i < 2; ++i) {
      cage[i] = PadCaging(gaps[i], kRadius, kPadThresh, kPadThresh);
      grip[i] = PadCaging(gaps[i], kRadius, grip_hi, kPadThresh);
    }
    const double xz = Tolerance(DistanceXZ(Tcp(), obj), 0, xz_thresh,
                                DistanceXZ(obj_init_, init_tcp_) - xz_thresh);
    const double caging = Hamacher(Hamacher(cage[0], cage[1]), xz);
    const double gripping = caging > 0.95 ? Hamacher(grip[0], grip[1]) : 0.0;
    return (caging + gripping) / 2;
  }

  int cube_body_ = -1;
  int cube_joint_ = -1;
  Vec3 obj_init_{};
};

class SweepEnv : public CubeEnv {
 public:
  using CubeEnv::CubeEnv;

 private:
  void PlaceObjects(const RandVec& v) override {
    // The original keeps only x and y of the draw; z is its init_config's
    // 0.02, not the draw's float32-rounded bound.
    constexpr double kStartZ = 0.02;
    obj_init_ = {v[0], v[1], kStartZ};
    target_ = {0.5, v[1], 0.01};
    SetFreeJointPos(cube_joint_, obj_init_);
  }

  // The cube body's origin is its bottom centre.
  Vec3 ObjectPos() const override { return BodyPos(cube_body_); }
  Quat ObjectQuat() const override { return BodyQuatWXYZ(cube_body_); }

  Evaluation Evaluate(const Observation& obs, const Action&) override {
    const Vec3 obj = ToVec3(obs.data() + 4);
    const double to_target = Distance(obj, target_);
    const double in_place = Tolerance(to_target, 0, 0.05, Distance(obj_init_, target_));
    const double grasped = CubeCaging(obj, 0.03, 0.005);
    double reward = 2 * grasped + 6 * Hamacher(grasped, in_place);
    if (to_target < 0.05) reward = 10;
    return {reward, to_target <= 0.05};
  }
};

// The hole of the raised table (basic_scene_b.xml).
constexpr Vec3 kHole = {0, 0.84, 0.02};

class SweepIntoEnv : public CubeEnv {
 public:
  using CubeEnv::CubeEnv;

 private:
  absl::Status BindNames() override {
    TACO_RETURN_IF_ERROR(CubeEnv::BindNames());
    TACO_ASSIGN_OR_RETURN(cube_geom_, GeomId("objGeom"));
    return absl::OkStatus();
  }

  void PlaceObjects(const RandVec& v) override {
    // The cube starts inside the raised table and is pushed up while the hand
    // settles; it keeps that height. The goal half of rand_vec is unused.
    obj_init_ = {v[0], v[1], BodyPos(cube_body_)[2]};
    target_ = kHole;
    SetFreeJointPos(cube_joint_, obj_init_);
  }

  Vec3 ObjectPos() const override { return BodyPos(cube_body_); }
  Quat ObjectQuat() const override { return GeomQuatXYZW(cube_geom_); }

  Evaluation Evaluate(const Observation& obs, const Action&) override {
    const Vec3 obj = ToVec3(obs.data() + 4);
    const double to_hole = DistanceXY(obj, target_);
    const Vec3 level_target = {target_[0], target_[1], obj[2]};
    const double in_place = Tolerance(to_hole, 0, 0.05, Distance(obj_init_, level_target));
    const double grasped = CubeCaging(obj, 0.025, 0.01);
    double reward = 2 * grasped + 6 * Hamacher(grasped, in_place);
    if (to_hole < 0.05) reward = 10;
    return {reward, to_hole <= 0.05};
  }

  int cube_geom_ = -1;
};

bool CubeAwayFromHole(const RandVec& v) { return DistanceXY({v[0], v[1], 0}, kHole) >= 0.15; }

}  // namespace

const TaskDef& SweepV2() {
  static const TaskDef* const def = new TaskDef{
      "sweep-v2",
      "sawyer_sweep_v2.xml",
      {0, 0.6, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.1, 0.6, 0.02},
      {0.1, 0.7, 0.02},
      nullptr,
      &SawyerEnv::Create<SweepEnv>,
  };
  return *def;
}

const TaskDef& SweepIntoV2() {
  static const TaskDef* const def = new TaskDef{
      "sweep-into-v2",
      "sawyer_table_with_hole.xml",
      {0, 0.6, 0.2},
      kMocapLow,
      kMocapHigh,
      {-0.1, 0.6, 0.02, -0.001, 0.8399, 0.0199},
      {0.1, 0.7, 0.02, 0.001, 0.8401, 0.0201},
      &CubeAwayFromHole,
      &SawyerEnv::Create<SweepIntoEnv>,
  };
  return *def;
}

}  // namespace taco::envs
