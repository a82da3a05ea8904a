#include "actor/envs/reward_utils.h"

#include <algorithm>
#include <cmath>

namespace taco::envs {

double Tolerance(double x, double lo, double hi, double margin, Sigmoid sigmoid) {
  if (x >= lo && x <= hi) return 1.0;
  if (!(margin > 0)) return 0.0;
  const double d = (x < lo ? lo - x : x - hi) / margin;
  switch (sigmoid) {
    case Sigmoid::kLongTail:
      return 1.0 / (1.0 + 9.0 * d * d);
    case Sigmoid::kGaussian:
      return std::exp(std::log(0.1) * d * d);
  }
  return 0.0;
}

double PadCaging(double signed_gap, double lo, double hi, double pad_thresh) {
  return Tolerance(signed_gap, lo, hi, std::abs(std::abs(signed_gap) - pad_thresh));
}

double Hamacher(double a, double b) {
  const double denominator = a + b - a * b;
  return denominator > 0 ? a * b / denominator : 0.0;
}

double RectPrismTolerance(const Vec3& p, const Vec3& zero, const Vec3& one) {
  double product = 1.0;
  for (int i = 0; i < 3; ++i) {
    const double lo = std::min(zero[i], one[i]);
    const double hi = std::max(zero[i], one[i]);
    if (p[i] < lo || p[i] > hi) return 1.0;
    product *= (p[i] - zero[i]) / (one[i] - zero[i]);
  }
  return product;
}

double GripperCagingReward(const CagingInputs& in, const CagingParams& params) {
  const double pad_ys[2] = {in.left_pad_y, in.right_pad_y};
  double cage[2];
  for (int i = 0; i < 2; ++i) {
    const double pad_to_obj = std::abs(pad_ys[i] - in.obj[1]);
    const double margin =
        std::abs(std::abs(pad_ys[i] - in.obj_init[1]) - params.pad_success_thresh);
    cage[i] = Tolerance(pad_to_obj, params.obj_radius, params.pad_success_thresh, margin);
  }
  const double caging_y = Hamacher(cage[0], cage[1]);
  const double xz_margin = DistanceXZ(in.obj_init, in.init_tcp) - params.xz_thresh;
  const double caging_xz = Tolerance(DistanceXZ(in.tcp, in.obj), 0, params.xz_thresh, xz_margin);
  const double gripper_closed = std::clamp(in.grip_action, 0.0, 1.0);
  const double caging = Hamacher(caging_y, caging_xz);
  const double gripping = caging > 0.97 ? gripper_closed : 0.0;
  double reward = Hamacher(caging, gripping);
  if (params.high_density) reward = (reward + caging) / 2;
  return reward;
}

}  // namespace taco::envs
