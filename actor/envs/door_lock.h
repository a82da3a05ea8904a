// door-lock-v2 and door-unlock-v2: turn the lock of the safe door down or up
// (actor/envs/spec/articulated.md).
#ifndef TACO_ACTOR_ENVS_DOOR_LOCK_H_
#define TACO_ACTOR_ENVS_DOOR_LOCK_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& DoorLockV2();
const TaskDef& DoorUnlockV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_DOOR_LOCK_H_
