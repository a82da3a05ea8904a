// push-v2: slide a puck across the table to a goal (spec §4.2); push-back-v2
// (a block pushed towards the robot) and push-wall-v2 (around a wall), see
// spec/sliding.md.
#ifndef TACO_ACTOR_ENVS_PUSH_H_
#define TACO_ACTOR_ENVS_PUSH_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& PushV2();
const TaskDef& PushBackV2();
const TaskDef& PushWallV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_PUSH_H_
