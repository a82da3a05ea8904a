// handle-press-v2, handle-press-side-v2, handle-pull-v2 and
// handle-pull-side-v2: push a sliding handle down or pull it up, with the box
// facing the robot or turned sideways (actor/envs/spec/articulated.md).
#ifndef TACO_ACTOR_ENVS_HANDLE_H_
#define TACO_ACTOR_ENVS_HANDLE_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& HandlePressV2();
const TaskDef& HandlePressSideV2();
const TaskDef& HandlePullV2();
const TaskDef& HandlePullSideV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_HANDLE_H_
