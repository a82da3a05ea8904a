// The caging reward of the tasks that push an object without grasping it
// (sweep's family, push-back, soccer): signed pad gaps, a narrow "gripping"
// band that replaces the gripper action, and a plain average.
#ifndef TACO_ACTOR_ENVS_SIGNED_PAD_CAGING_H_
#define TACO_ACTOR_ENVS_SIGNED_PAD_CAGING_H_

#include "actor/envs/reward_utils.h"

namespace taco::envs {

struct SignedPadCagingParams {
  double obj_radius = 0;
  // Upper end of the "gripping" band of the pad gaps.
  double grip_high = 0;
  double xz_thresh = 0;
};

// Pad margins follow the current pads, as the original's live "initial" pads
// do (see PadCaging).
inline double SignedPadCaging(const CagingInputs& in, const SignedPadCagingParams& p) {
  constexpr double kPadThresh = 0.05;
  const double gaps[2] = {in.left_pad_y - in.obj[1], in.obj[1] - in.right_pad_y};
  double cage[2];
  double grip[2];
  for (int i = 0; i < 2; ++i) {
    cage[i] = PadCaging(gaps[i], p.obj_radius, kPadThresh, kPadThresh);
    grip[i] = PadCaging(gaps[i], p.obj_radius, p.grip_high, kPadThresh);
  }
  const double xz = Tolerance(DistanceXZ(in.tcp, in.obj), 0, p.xz_thresh,
                              DistanceXZ(in.obj_init, in.init_tcp) - p.xz_thresh);
  const double caging = Hamacher(Hamacher(cage[0], cage[1]), xz);
  const double gripping = caging > 0.95 ? Hamacher(grip[0], grip[1]) : 0.0;
  return (caging + gripping) / 2;
}

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_SIGNED_PAD_CAGING_H_
