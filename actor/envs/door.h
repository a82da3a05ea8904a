// door-open-v2 and door-close-v2: swing a hinged safe door (spec §4.4, §4.5).
#ifndef TACO_ACTOR_ENVS_DOOR_H_
#define TACO_ACTOR_ENVS_DOOR_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& DoorOpenV2();
const TaskDef& DoorCloseV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_DOOR_H_
