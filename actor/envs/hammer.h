// hammer-v2: pick up a hammer and drive a nail into a block.
#ifndef TACO_ACTOR_ENVS_HAMMER_H_
#define TACO_ACTOR_ENVS_HAMMER_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& HammerV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_HAMMER_H_
