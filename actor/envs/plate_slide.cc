#include "actor/envs/plate_slide.h"

#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

// Where the goal net goes: onto the target (the plate slides into it) or onto
// the plate's start (the plate slides out of it).
enum class NetAt { kTarget, kStart };

// The plate hangs from two slide joints under the body "puck_channel"; the
// variants only move the net and set the slides' start.
struct PlateLayout {
  NetAt net;
  // Start of the x and y slides.
  double slide_x;
  double slide_y;
  // Plate-slide (forwards) keeps the first reward of the family; the other
  // three got a second one, with margins shrunk by the target radius.
  bool forward_reward;
};

class PlateSlideEnv : public SawyerEnv {
 public:
  PlateSlideEnv(const TaskDef& def, const EnvConfig& config, std::vector<RandVec> variants,
                const PlateLayout& layout)
      : SawyerEnv(def, config, std::move(variants)), layout_(layout) {}

 private:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(plate_geom_, GeomId("puck"));
    TACO_ASSIGN_OR_RETURN(slide_x_, JointId("goal_slidex"));
    TACO_ASSIGN_OR_RETURN(slide_y_, JointId("goal_slidey"));
    TACO_ASSIGN_OR_RETURN(net_body_, BodyId("puck_goal"));
    return absl::OkStatus();
  }

  void PlaceObjects(const RandVec& v) override {
    // obj_init is the drawn point, not where the plate really sits (its
    // channel holds it 1.5 cm up); the reward margins use the drawn point.
    obj_init_ = {v[0], v[1], v[2]};
    target_ = {v[3], v[4], v[5]};
    SetBodyPos(net_body_, layout_.net == NetAt::kTarget ? target_ : obj_init_);
    // The original writes the slides' qpos and keeps their qvel, which the
    // reset left at zero (the slides are horizontal and nothing touches the
    // plate while the hand settles).
    SetJointQpos(slide_x_, layout_.slide_x);
    SetJointQpos(slide_y_, layout_.slide_y);
  }

  Vec3 ObjectPos() const override { return GeomPos(plate_geom_); }
  Quat ObjectQuat() const override { return GeomQuatXYZW(plate_geom_); }

  Evaluation Evaluate(const Observation& obs, const Action&) override {
    constexpr double kTargetRadius = 0.05;
    const Vec3 obj = ToVec3(obs.data() + 4);
    const Vec3 tcp = Tcp();
    const double to_target = Distance(obj, target_);
    const double tcp_to_obj = Distance(tcp, obj);
    // The shrunk margins stay positive: every start is at least 0.2 from its
    // target and 0.15 from the settled TCP.
    const double shrink = layout_.forward_reward ? 0.0 : kTargetRadius;
    const double in_place =
        Tolerance(to_target, 0, kTargetRadius, Distance(obj_init_, target_) - shrink);
    const double near =
        Tolerance(tcp_to_obj, 0, kTargetRadius, Distance(init_tcp_, obj_init_) - shrink);
    double reward;
    if (layout_.forward_reward) {
      reward = 8 * Hamacher(near, in_place);
    } else {
      reward = 1.5 * near;
      if (tcp[2] <= 0.03 && tcp_to_obj < 0.07) reward = 2 + 7 * in_place;
    }
    if (to_target < kTargetRadius) reward = 10;
    return {reward, to_target <= 0.07};
  }

  const PlateLayout layout_;
  int plate_geom_ = -1;
  int slide_x_ = -1;
  int slide_y_ = -1;
  int net_body_ = -1;
  Vec3 obj_init_{};
};

// One class per task, as SawyerEnv::Create builds tasks from (def, config,
// variants) alone.
template <const PlateLayout& kLayout>
class PlateSlideTask : public PlateSlideEnv {
 public:
  PlateSlideTask(const TaskDef& def, const EnvConfig& config, std::vector<RandVec> variants)
      : PlateSlideEnv(def, config, std::move(variants), kLayout) {}
};

constexpr PlateLayout kForward = {NetAt::kTarget, 0, 0, true};
constexpr PlateLayout kSide = {NetAt::kTarget, 0, 0, false};
constexpr PlateLayout kBack = {NetAt::kStart, 0, 0.15, false};
constexpr PlateLayout kBackSide = {NetAt::kStart, -0.15, 0, false};

// The puck_channel scenes; the sideways ones turn the net a quarter turn.
constexpr char kForwardScene[] = "sawyer_plate_slide.xml";
constexpr char kSidewaysScene[] = "sawyer_plate_slide_sideway.xml";

TaskDef PlateSlideDef(const char* name, const char* scene, std::vector<double> low,
                      std::vector<double> high, TaskDef::Factory make) {
  return TaskDef{name,           scene,           {0, 0.6, 0.2}, kMocapLow, kMocapHigh,
                 std::move(low), std::move(high), nullptr,       make};
}

}  // namespace

const TaskDef& PlateSlideV2() {
  static const TaskDef* const def = new TaskDef(
      PlateSlideDef("plate-slide-v2", kForwardScene, {0, 0.6, 0, -0.1, 0.85, 0},
                    {0, 0.6, 0, 0.1, 0.9, 0}, &SawyerEnv::Create<PlateSlideTask<kForward>>));
  return *def;
}

const TaskDef& PlateSlideSideV2() {
  static const TaskDef* const def = new TaskDef(
      PlateSlideDef("plate-slide-side-v2", kSidewaysScene, {0, 0.6, 0, -0.3, 0.54, 0},
                    {0, 0.6, 0, -0.25, 0.66, 0}, &SawyerEnv::Create<PlateSlideTask<kSide>>));
  return *def;
}

const TaskDef& PlateSlideBackV2() {
  static const TaskDef* const def = new TaskDef(
      PlateSlideDef("plate-slide-back-v2", kForwardScene, {0, 0.85, 0, -0.1, 0.6, 0.015},
                    {0, 0.85, 0, 0.1, 0.6, 0.015}, &SawyerEnv::Create<PlateSlideTask<kBack>>));
  return *def;
}

const TaskDef& PlateSlideBackSideV2() {
  static const TaskDef* const def = new TaskDef(PlateSlideDef(
      "plate-slide-back-side-v2", kSidewaysScene, {-0.25, 0.6, 0, -0.05, 0.6, 0.015},
      {-0.25, 0.6, 0, 0.15, 0.6, 0.015}, &SawyerEnv::Create<PlateSlideTask<kBackSide>>));
  return *def;
}

}  // namespace taco::envs
