// reach-v2: bring the gripper's centre point to a goal in the air (spec §4.1);
// reach-wall-v2: the same behind a wall (spec/sliding.md).
#ifndef TACO_ACTOR_ENVS_REACH_H_
#define TACO_ACTOR_ENVS_REACH_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& ReachV2();
const TaskDef& ReachWallV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_REACH_H_
