// peg-unplug-side-v2: pull a plug sideways out of a socket in a wall.
#ifndef TACO_ACTOR_ENVS_PEG_UNPLUG_H_
#define TACO_ACTOR_ENVS_PEG_UNPLUG_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& PegUnplugSideV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_PEG_UNPLUG_H_
