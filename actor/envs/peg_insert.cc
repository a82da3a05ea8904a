#include "actor/envs/peg_insert.h"

#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

// The peg head's distance to the target weighs y and z double, so the peg
// must be lined up with the channel, not just near its mouth.
constexpr Vec3 kHeadScale = {1, 2, 2};

class PegInsertSideEnv : public SawyerEnv {
 public:
  using SawyerEnv::SawyerEnv;

 private:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(const int peg_body, BodyId("peg"));
    TACO_ASSIGN_OR_RETURN(peg_joint_, FreeJointOf(peg_body));
    TACO_ASSIGN_OR_RETURN(box_body_, BodyId("box"));
    TACO_ASSIGN_OR_RETURN(head_site_, SiteId("pegHead"));
    TACO_ASSIGN_OR_RETURN(grasp_site_, SiteId("pegGrasp"));
    TACO_ASSIGN_OR_RETURN(below_zero_, SiteId("bottom_right_corner_collision_box_1"));
    TACO_ASSIGN_OR_RETURN(below_one_, SiteId("top_left_corner_collision_box_1"));
    TACO_ASSIGN_OR_RETURN(above_zero_, SiteId("bottom_right_corner_collision_box_2"));
    TACO_ASSIGN_OR_RETURN(above_one_, SiteId("top_left_corner_collision_box_2"));
    return absl::OkStatus();
  }

  void PlaceObjects(const RandVec& v) override {
    // [quirk, kept] The original reads the head before moving the peg, so the
    // reward margin always uses the head of the settled default pose. The
    // value is the same every episode, so copying it costs nothing.
    head_init_ = SitePos(head_site_);
    obj_init_ = {v[0], v[1], v[2]};
    const Vec3 box = {v[3], v[4], v[5]};
    target_ = box + Vec3{0.03, 0, 0.13};
    SetFreeJointPos(peg_joint_, obj_init_);
    SetBodyPos(box_body_, box);
  }

  Vec3 ObjectPos() const override { return SitePos(grasp_site_); }
  Quat ObjectQuat() const override { return SiteQuatXYZW(grasp_site_); }

  Evaluation Evaluate(const Observation& obs, const Action& action) override {
    const Vec3 obj = ToVec3(obs.data() + 4);
    const Vec3 head = SitePos(head_site_);
    const double to_target = Norm(Scale(head - target_, kHeadScale));
    double in_place = Tolerance(to_target, 0, 0.07, Norm(Scale(head_init_ - target_, kHeadScale)));
    // Penalise a head in front of the block face above or below the channel.
    const double collision_boxes =
        Hamacher(RectPrismTolerance(head, SitePos(above_zero_), SitePos(above_one_)),
                 RectPrismTolerance(head, SitePos(below_zero_), SitePos(below_one_)));
    in_place = Hamacher(in_place, collision_boxes);
    double grasped = GripperCagingReward(Caging(obj, obj_init_, action[3]),
                                         {/*obj_radius=*/0.0075, /*pad_success_thresh=*/0.03,
                                          /*xz_thresh=*/0.005, /*high_density=*/true});
    const bool lifted = Distance(obj, Tcp()) < 0.08 && obs[3] > 0 && obj[2] - 0.01 > obj_init_[2];
    if (lifted) grasped = 1;
    double reward = Hamacher(grasped, in_place);
    if (lifted) reward += 1 + 5 * in_place;
    const bool success = to_target <= 0.07;
    if (success) reward = 10;
    return {reward, success};
  }

  int peg_joint_ = -1;
  int box_body_ = -1;
  int head_site_ = -1;
  int grasp_site_ = -1;
  int below_zero_ = -1;
  int below_one_ = -1;
  int above_zero_ = -1;
  int above_one_ = -1;
  Vec3 head_init_{};
  Vec3 obj_init_{};
};

bool PegAwayFromBox(const RandVec& v) {
  return DistanceXY({v[0], v[1], 0}, {v[3], v[4], 0}) >= 0.1;
}

}  // namespace

const TaskDef& PegInsertSideV2() {
  static const TaskDef* const def = new TaskDef{
      "peg-insert-side-v2",
      "sawyer_peg_insertion_side.xml",
      {0, 0.6, 0.2},
      kMocapLow,
      kMocapHigh,
      {0, 0.5, 0.02, -0.35, 0.4, -0.001},
      {0.2, 0.7, 0.02, -0.25, 0.7, 0.001},
      &PegAwayFromBox,
      &SawyerEnv::Create<PegInsertSideEnv>,
  };
  return *def;
}

}  // namespace taco::envs
