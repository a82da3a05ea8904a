// lever-pull-v2: raise a light lever to vertical (spec §4.14).
#ifndef TACO_ACTOR_ENVS_LEVER_H_
#define TACO_ACTOR_ENVS_LEVER_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& LeverPullV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_LEVER_H_
