// Reward audit of the sliding family (see reward_spec_testing.h): written from
// Meta-World v2.0.0's sources, never from the port's code.
#include <algorithm>
#include <cmath>

#include "actor/envs/reward_spec_testing.h"

namespace taco::envs::reward_spec {
namespace {

// plate-slide-v2 and its three variants: obj_init is the drawn point and the
// target the drawn goal; the plate is observed through its geom "puck".
void PlateReset(const ResetView& v, ResetRecord& r) {
  r.obj_init = v.RandVec3(0);
  r.target = v.RandVec3(3);
}

RewardAndSuccess PlateSlide(const MjState& s, const ResetRecord& r, double /*grip*/) {
  const Vec3 plate = s.Geom("puck");
  const double to_target = Norm(plate - r.target);
  const double tcp_to_plate = Norm(s.Tcp() - plate);
  const double in_place = Tolerance(to_target, 0, 0.05, Norm(r.obj_init - r.target));
  const double grasped = Tolerance(tcp_to_plate, 0, 0.05, Norm(r.init_tcp - r.obj_init));
  const double reward = to_target < 0.05 ? 10.0 : 8 * Hamacher(grasped, in_place);
  return {reward, to_target <= 0.07};
}

// Side, back and back-side: margins less the 0.05 radius, and a bonus only
// while the TCP is down at the plate.
RewardAndSuccess PlateSlideOther(const MjState& s, const ResetRecord& r, double /*grip*/) {
  const Vec3 plate = s.Geom("puck");
  const Vec3 tcp = s.Tcp();
  const double to_target = Norm(plate - r.target);
  const double tcp_to_plate = Norm(tcp - plate);
  const double in_place = Tolerance(to_target, 0, 0.05, Norm(r.obj_init - r.target) - 0.05);
  const double grasped = Tolerance(tcp_to_plate, 0, 0.05, Norm(r.init_tcp - r.obj_init) - 0.05);
  double reward = 1.5 * grasped;
  if (tcp[2] <= 0.03 && tcp_to_plate < 0.07) reward = 2 + 7 * in_place;
  if (to_target < 0.05) reward = 10;
  return {reward, to_target <= 0.07};
}

// push-back-v2 and push-wall-v2: x and y from the draw, z the settled
// height of objGeom read straight after the hand's settle.
void SettledObjectReset(const ResetView& v, ResetRecord& r) {
  const double z = v.settled.Geom("objGeom")[2];
  r.obj_init = {v.rand_vec[0], v.rand_vec[1], z};
  r.target = {v.rand_vec[3], v.rand_vec[4], z};
}

// The pushing tasks' own caging: signed pad gaps against [radius, 0.05] with
// a narrower "gripping" band, averaged.
double PushCaging(const MjState& s, const Vec3& obj, const ResetRecord& r, double radius,
                  double grip_high, double xz_threshold) {
  const PadGaps gaps = SignedPadGaps(s, obj);
  const double cage_y =
      Hamacher(PadGapTerm(gaps.right, radius, 0.05), PadGapTerm(gaps.left, radius, 0.05));
  const double grip_y =
      Hamacher(PadGapTerm(gaps.right, radius, grip_high), PadGapTerm(gaps.left, radius, grip_high));
  const double caging = Hamacher(cage_y, XzCaging(s, obj, r, xz_threshold));
  return (caging + (caging > 0.95 ? grip_y : 0.0)) / 2;
}

RewardAndSuccess PushBack(const MjState& s, const ResetRecord& r, double /*grip*/) {
  const Vec3 block = s.Geom("objGeom");
  const double to_target = Norm(block - r.target);
  const double start_to_target = Norm(r.obj_init - r.target);
  const double in_place = Tolerance(to_target, 0, 0.05, start_to_target);
  const double g = PushCaging(s, block, r, 0.007, 0.010, 0.01);
  double reward = Hamacher(g, in_place);
  const double opening = s.GripperOpening();
  if (Norm(block - s.Tcp()) < 0.01 && 0 < opening && opening < 0.55 &&
      start_to_target - to_target > 0.01) {
    reward += 1 + 5 * in_place;
  }
  if (to_target < 0.05) reward = 10;
  return {reward, to_target <= 0.07};
}

RewardAndSuccess PushWall(const MjState& s, const ResetRecord& r, double grip) {
  const Vec3 puck = s.Geom("objGeom");
  const Vec3 midpoint = {-0.05, 0.77, puck[2]};
  const Vec3 weights = {3, 1, 1};
  const double to_target = Norm(puck - r.target);
  const double part1 = Tolerance(Norm(Scale(puck - midpoint, weights)), 0, 0.05,
                                 Norm(Scale(r.obj_init - midpoint, weights)));
  const double part2 = Tolerance(to_target, 0, 0.05, Norm(r.obj_init - r.target));
  const double g = GenericCaging(s, puck, r, grip, {0.015, 0.05, 0.005, true});
  double reward = 2 * g;
  if (Norm(puck - s.Tcp()) < 0.02 && s.GripperOpening() > 0) {
    reward = 2 * g + 1 + 4 * part1;
    if (puck[1] > 0.75) reward = 2 * g + 1 + 4 + 3 * part2;
  }
  if (to_target < 0.05) reward = 10;
  return {reward, to_target <= 0.07};
}

// reach-wall-v2: reach-v2's reward on the drawn goal.
void ReachWallReset(const ResetView& v, ResetRecord& r) { r.target = v.RandVec3(3); }
RewardAndSuccess ReachWall(const MjState& s, const ResetRecord& r, double /*grip*/) {
  const double tcp_to_target = Norm(s.Tcp() - r.target);
  return {10 * Tolerance(tcp_to_target, 0, 0.05, Norm(r.hand_init - r.target)),
          tcp_to_target <= 0.05};
}

// soccer-v2: the ball starts at init_config's z 0.03; the goal's z is the
// drawn 0.
void SoccerReset(const ResetView& v, ResetRecord& r) {
  r.obj_init = {v.rand_vec[0], v.rand_vec[1], 0.03};
  r.target = v.RandVec3(3);
}
RewardAndSuccess Soccer(const MjState& s, const ResetRecord& r, double /*grip*/) {
  const Vec3 ball = s.Body("soccer_ball");
  const Vec3 weights = {3, 1, 1};
  const double to_target = Norm(Scale(ball - r.target, weights));
  // The margin measures the ball from where it started, now.
  double in_place = Tolerance(to_target, 0, 0.07, Norm(Scale(ball - r.obj_init, weights)));
  const double goal_line = r.target[1] - 0.1;
  if (ball[1] > goal_line && std::abs(ball[0] - r.target[0]) > 0.1) {
    in_place = std::clamp(in_place - 2 * ((ball[1] - goal_line) / (1 - goal_line)), 0.0, 1.0);
  }
  const double g = PushCaging(s, ball, r, 0.013, 0.023, 0.005);
  const double reward = to_target < 0.07 ? 10.0 : 3 * g + 6.5 * in_place;
  return {reward, Norm(ball - r.target) <= 0.07};
}

constexpr TaskRewardSpec kSpecs[] = {
    {"plate-slide-v2", kHandInitCentre, PlateReset, PlateSlide},
    {"plate-slide-side-v2", kHandInitCentre, PlateReset, PlateSlideOther},
    {"plate-slide-back-v2", kHandInitCentre, PlateReset, PlateSlideOther},
    {"plate-slide-back-side-v2", kHandInitCentre, PlateReset, PlateSlideOther},
    {"push-back-v2", kHandInitCentre, SettledObjectReset, PushBack},
    {"push-wall-v2", kHandInitCentre, SettledObjectReset, PushWall},
    {"reach-wall-v2", kHandInitCentre, ReachWallReset, ReachWall},
    {"soccer-v2", kHandInitCentre, SoccerReset, Soccer},
};

}  // namespace

absl::Span<const TaskRewardSpec> SlidingRewardSpecs() { return kSpecs; }

}  // namespace taco::envs::reward_spec
