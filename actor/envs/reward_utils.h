// Reward building blocks shared by the v2 task rewards (spec §3.6).
#ifndef TACO_ACTOR_ENVS_REWARD_UTILS_H_
#define TACO_ACTOR_ENVS_REWARD_UTILS_H_

#include "actor/envs/vec3.h"

namespace taco::envs {

enum class Sigmoid { kLongTail, kGaussian };

// 1 inside [lo, hi]; outside, a sigmoid of the distance to the band measured
// in units of `margin`, worth 0.1 at one margin. A negative margin (possible
// where a margin is computed as "distance − threshold") is treated as 0, which
// makes the term a hard indicator instead of the error the original raises.
double Tolerance(double x, double lo, double hi, double margin,
                 Sigmoid sigmoid = Sigmoid::kLongTail);

// Hamacher t-norm of two values in [0, 1]; 0 when both are 0.
double Hamacher(double a, double b);

// One pad's term in the custom caging of pick-place, sweep and sweep-into:
// the signed gap from the pad to the object (positive on the correct side)
// scores 1 inside [lo, hi], with margin | |gap| − pad_thresh |. The original
// meant that margin to be measured from the pad's initial position, but it
// keeps "initial" pads through an accessor (mujoco-py's get_body_xpos, and
// later the mujoco bindings' body().xpos) that returns a live view of MuJoCo's
// xpos, so every read sees the pad where it is now. The margin is therefore
// measured from the current gap: a pad farther than pad_thresh scores exactly
// 0.1, however far.
double PadCaging(double signed_gap, double lo, double hi, double pad_thresh);

// Π over axes of (p − zero)/(one − zero) when p lies in the box spanned by the
// two corners (either ordering, inclusive); 1 outside it.
double RectPrismTolerance(const Vec3& p, const Vec3& zero, const Vec3& one);

// Everything the generic caging reward reads from the scene and the episode.
struct CagingInputs {
  Vec3 obj;
  Vec3 obj_init;
  Vec3 tcp;
  Vec3 init_tcp;
  double left_pad_y = 0;
  double right_pad_y = 0;
  double grip_action = 0;
};

struct CagingParams {
  double obj_radius = 0;
  double pad_success_thresh = 0;
  double xz_thresh = 0;
  bool high_density = false;
};

// The generic gripper caging/grasp reward "C" used by push, peg-insert-side and
// shelf-place.
double GripperCagingReward(const CagingInputs& in, const CagingParams& params);

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_REWARD_UTILS_H_
