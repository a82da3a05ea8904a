// The independent reward audit's toolkit: Meta-World v2's reward utilities,
// cagings and reset bookkeeping written again from the spec and the original
// sources, reading the MuJoCo state by name. Shared by reward_spec_test.cc and
// the per-family spec tables (reward_spec_*.cc); test-only, never linked into
// taco_envs, so a slip in the port's reward code cannot cancel out.
#ifndef TACO_ACTOR_ENVS_REWARD_SPEC_TESTING_H_
#define TACO_ACTOR_ENVS_REWARD_SPEC_TESTING_H_

#include <gtest/gtest.h>
#include <mujoco/mujoco.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string_view>

#include "absl/types/span.h"
#include "actor/envs/sawyer_env.h"
#include "actor/envs/vec3.h"

namespace taco::envs::reward_spec {

// ---------------------------------------------------------------------------
// §3.6 reward utilities, written again from the spec.

enum class Sigmoid { kLongTail, kGaussian };

// tolerance(x; [lo, hi], margin, sigmoid): 1 inside the bounds, s(d) with
// s(1) = 0.1 outside.
inline double Tolerance(double x, double lo, double hi, double margin,
                        Sigmoid sigmoid = Sigmoid::kLongTail) {
  if (lo <= x && x <= hi) return 1.0;
  // Margin 0 is a hard indicator; a negative one (a "distance − threshold"
  // margin gone below 0) is treated the same (README decision).
  if (margin <= 0) return 0.0;
  const double d = (x < lo ? lo - x : x - hi) / margin;
  if (sigmoid == Sigmoid::kGaussian) return std::exp(std::log(0.1) * d * d);
  return 1.0 / (1.0 + 9.0 * d * d);
}

inline double Hamacher(double a, double b) {
  const double denominator = a + b - a * b;
  return denominator > 0 ? a * b / denominator : 0.0;
}

inline bool Between(double x, double a, double b) {
  return std::min(a, b) <= x && x <= std::max(a, b);
}

// rect_prism_tolerance: inside the box spanned by the two corners, the
// product of the per-axis fractions from the zero corner; 1 outside.
inline double RectPrism(const Vec3& p, const Vec3& zero_corner, const Vec3& one_corner) {
  double product = 1.0;
  for (int i = 0; i < 3; ++i) {
    if (!Between(p[i], zero_corner[i], one_corner[i])) return 1.0;
    product *= (p[i] - zero_corner[i]) / (one_corner[i] - zero_corner[i]);
  }
  return product;
}

inline double NormXZ(const Vec3& v) { return std::hypot(v[0], v[2]); }

// ---------------------------------------------------------------------------
// Reads of the MuJoCo state by name, so that nothing depends on the port's
// cached ids.

class MjState {
 public:
  MjState(const mjModel* model, const mjData* data) : model_(model), data_(data) {}

  Vec3 Body(const char* name) const { return ToVec3(data_->xpos + 3 * Id(mjOBJ_BODY, name)); }
  Vec3 Site(const char* name) const { return ToVec3(data_->site_xpos + 3 * Id(mjOBJ_SITE, name)); }
  Vec3 Geom(const char* name) const { return ToVec3(data_->geom_xpos + 3 * Id(mjOBJ_GEOM, name)); }
  // A body's orientation as MuJoCo keeps it, (w, x, y, z).
  Quat BodyQuat(const char* name) const {
    const mjtNum* q = data_->xquat + 4 * Id(mjOBJ_BODY, name);
    return {q[0], q[1], q[2], q[3]};
  }
  double JointQpos(const char* name) const {
    return data_->qpos[model_->jnt_qposadr[Id(mjOBJ_JOINT, name)]];
  }

  // §3.2: the hand body, and the TCP halfway between the finger sites.
  Vec3 Hand() const { return Body("hand"); }
  Vec3 Tcp() const { return 0.5 * (Site("rightEndEffector") + Site("leftEndEffector")); }
  // §3.5 obs[3]: finger distance over 10 cm, clipped to [0, 1].
  double GripperOpening() const {
    return std::clamp(Norm(Site("rightEndEffector") - Site("leftEndEffector")) / 0.1, 0.0, 1.0);
  }
  double LeftPadY() const { return Body("leftpad")[1]; }
  double RightPadY() const { return Body("rightpad")[1]; }

 private:
  int Id(mjtObj type, const char* name) const {
    const int id = mj_name2id(model_, type, name);
    if (id >= 0) return id;
    ADD_FAILURE() << "the scene has no object named " << name;
    return 0;
  }

  const mjModel* model_;
  const mjData* data_;
};

// ---------------------------------------------------------------------------
// What the reset leaves for the reward.

struct ResetRecord {
  Vec3 target{};
  // The task's obj_init (§4 says per task what it is).
  Vec3 obj_init{};
  // §3.4 step 3, from the settle replica (pick-place records it again after
  // placement).
  Vec3 init_tcp{};
  Vec3 hand_init{};
  // Window handle, lever tip or peg head at reset, for tasks whose margins use them.
  Vec3 part_init{};
  // In-place margins fixed at reset: button-press's obj_to_target_init
  // (|T_z − buttonStart_z|) and the windows'.
  double in_place_margin = 0;
};

using MjDataPtr = std::unique_ptr<mjData, decltype(&mj_deleteData)>;

// §3.4 steps 1-3 replayed on a private mjData: the hand settles at hand_init
// with the gripper open. Positions read straight after the last mj_step are
// what the reset recorded; they lag qpos by one substep (MuJoCo computes them
// at the start of a step), so the TCP the env shows after its reset, past a
// forward pass, is not init_tcp. The 250 substeps cost ~10% of an episode.
inline MjDataPtr SettleReplica(const mjModel* model, const Vec3& hand_init) {
  MjDataPtr data(mj_makeData(model), &mj_deleteData);
  mj_resetData(model, data.get());
  const int mocap = model->body_mocapid[mj_name2id(model, mjOBJ_BODY, "mocap")];
  const double half_sqrt2 = std::sqrt(0.5);
  for (int settle_step = 0; settle_step < 50; ++settle_step) {
    std::copy(hand_init.begin(), hand_init.end(), data->mocap_pos + 3 * mocap);
    const double hand_down[4] = {half_sqrt2, 0, half_sqrt2, 0};
    std::copy(hand_down, hand_down + 4, data->mocap_quat + 4 * mocap);
    data->ctrl[0] = -1;
    data->ctrl[1] = 1;
    for (int substep = 0; substep < kFrameSkip; ++substep) mj_step(model, data.get());
  }
  return data;
}

struct ResetView {
  const MjState& now;
  // The state straight after the settle (SettleReplica).
  const MjState& settled;
  const RandVec& rand_vec;

  Vec3 RandVec3(int offset) const {
    return {rand_vec[offset], rand_vec[offset + 1], rand_vec[offset + 2]};
  }
};

struct RewardAndSuccess {
  double reward = 0;
  bool success = false;
};

// ---------------------------------------------------------------------------
// Caging terms (§3.6 C and the custom variants of §4.3, §4.12, §4.13).

// XZ caging: the TCP within ξ of the object in xz, with the margin the
// object's xz distance from the TCP at reset.
inline double XzCaging(const MjState& s, const Vec3& obj, const ResetRecord& r,
                       double xz_threshold) {
  return Tolerance(NormXZ(s.Tcp() - obj), 0, xz_threshold,
                   NormXZ(r.obj_init - r.init_tcp) - xz_threshold);
}

// §3.6 "Combine": the grip action counts only once the object is caged.
inline double CombineCaging(double cage_y, double cage_xz, double grip_action, bool high_density) {
  const double caging = Hamacher(cage_y, cage_xz);
  const double gripping = caging > 0.97 ? std::clamp(grip_action, 0.0, 1.0) : 0.0;
  const double grasp = Hamacher(caging, gripping);
  return high_density ? (grasp + caging) / 2 : grasp;
}

struct CagingParams {
  double obj_radius;
  double pad_threshold;
  double xz_threshold;
  bool high_density;
};

// §3.6 generic caging C (push, peg-insert, shelf-place).
inline double GenericCaging(const MjState& s, const Vec3& obj, const ResetRecord& r,
                            double grip_action, const CagingParams& p) {
  const auto pad_term = [&](double pad_y) {
    return Tolerance(std::abs(pad_y - obj[1]), p.obj_radius, p.pad_threshold,
                     std::abs(std::abs(pad_y - r.obj_init[1]) - p.pad_threshold));
  };
  const double cage_y = Hamacher(pad_term(s.LeftPadY()), pad_term(s.RightPadY()));
  return CombineCaging(cage_y, XzCaging(s, obj, r, p.xz_threshold), grip_action, p.high_density);
}

// One pad of the custom cagings: the signed gap between pad and object inside
// [lo, hi]. The margin's "initial" pad is the current one (README decision:
// the original stores a live view of xpos), so it is |gap| − 5 cm.
inline double PadGapTerm(double signed_gap, double lo, double hi) {
  return Tolerance(signed_gap, lo, hi, std::abs(std::abs(signed_gap) - 0.05));
}

struct PadGaps {
  double left;
  double right;
};
inline PadGaps SignedPadGaps(const MjState& s, const Vec3& obj) {
  return {s.LeftPadY() - obj[1], obj[1] - s.RightPadY()};
}

// Sweep and sweep-into (§4.12, §4.13): the grip is judged from the pad gaps,
// not from the gripper action.
inline double SweepCaging(const MjState& s, const Vec3& obj, const ResetRecord& r,
                          double grip_band_high, double xz_threshold) {
  const PadGaps gaps = SignedPadGaps(s, obj);
  const double cage_y =
      Hamacher(PadGapTerm(gaps.right, 0.02, 0.05), PadGapTerm(gaps.left, 0.02, 0.05));
  const double grip_y = Hamacher(PadGapTerm(gaps.right, 0.02, grip_band_high),
                                 PadGapTerm(gaps.left, 0.02, grip_band_high));
  const double caging = Hamacher(cage_y, XzCaging(s, obj, r, xz_threshold));
  const double gripping = caging > 0.95 ? grip_y : 0.0;
  return (caging + gripping) / 2;
}

// The "lifted and held" test of pick-place, peg-insert and shelf-place.
inline bool HeldAboveStart(const MjState& s, const Vec3& obj, const ResetRecord& r, double near) {
  return Norm(obj - s.Tcp()) < near && s.GripperOpening() > 0 && obj[2] - 0.01 > r.obj_init[2];
}

struct TaskRewardSpec {
  std::string_view task;
  // §4.x hand_init, for the settle replica.
  Vec3 hand_init;
  void (*reset)(const ResetView&, ResetRecord&);
  RewardAndSuccess (*evaluate)(const MjState&, const ResetRecord&, double grip);
};

constexpr Vec3 kHandInitCentre = {0, 0.6, 0.2};
constexpr Vec3 kHandInitNear = {0, 0.4, 0.2};

// The spec tables of the task families beyond the first 15, one per file.
absl::Span<const TaskRewardSpec> ButtonRewardSpecs();
absl::Span<const TaskRewardSpec> ArticulatedRewardSpecs();
absl::Span<const TaskRewardSpec> SlidingRewardSpecs();
absl::Span<const TaskRewardSpec> AssemblyRewardSpecs();
absl::Span<const TaskRewardSpec> BinRewardSpecs();
absl::Span<const TaskRewardSpec> ToolRewardSpecs();

}  // namespace taco::envs::reward_spec

#endif  // TACO_ACTOR_ENVS_REWARD_SPEC_TESTING_H_
