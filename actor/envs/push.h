// push-v2: slide a puck across the table to a goal (spec §4.2).
#ifndef TACO_ACTOR_ENVS_PUSH_H_
#define TACO_ACTOR_ENVS_PUSH_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& PushV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_PUSH_H_
