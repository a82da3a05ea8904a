// soccer-v2: push a ball into a goal (spec/sliding.md).
#ifndef TACO_ACTOR_ENVS_SOCCER_H_
#define TACO_ACTOR_ENVS_SOCCER_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& SoccerV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_SOCCER_H_
