// The base of the tasks around one free object named "obj" (reach, push,
// pick-place): binding it by name, its observed position and quaternion,
// and the draw-rejection rule they share.
#ifndef TACO_ACTOR_ENVS_PUCK_ENV_H_
#define TACO_ACTOR_ENVS_PUCK_ENV_H_

#include "actor/envs/reward_utils.h"
#include "actor/envs/sawyer_env.h"
#include "common/status.h"

namespace taco::envs {

class PuckEnv : public SawyerEnv {
 public:
  using SawyerEnv::SawyerEnv;

 protected:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(puck_body_, BodyId("obj"));
    TACO_ASSIGN_OR_RETURN(puck_geom_, GeomId("objGeom"));
    TACO_ASSIGN_OR_RETURN(puck_joint_, JointId("objjoint"));
    return absl::OkStatus();
  }

  Vec3 ObjectPos() const override { return BodyPos(puck_body_); }
  Quat ObjectQuat() const override { return GeomQuatXYZW(puck_geom_); }

  int puck_body_ = -1;
  int puck_geom_ = -1;
  int puck_joint_ = -1;
};

// A variant is redrawn while the object starts within 0.15 (xy) of the goal.
inline bool PuckFarFromGoal(const RandVec& v) {
  return DistanceXY({v[0], v[1], 0}, {v[3], v[4], 0}) >= 0.15;
}

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_PUCK_ENV_H_
