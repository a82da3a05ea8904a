// pick-place-v2: grasp a puck and carry it to a goal in the air (spec §4.3);
// pick-place-wall-v2: the same over a wall (spec/assembly.md).
#ifndef TACO_ACTOR_ENVS_PICK_PLACE_H_
#define TACO_ACTOR_ENVS_PICK_PLACE_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& PickPlaceV2();
const TaskDef& PickPlaceWallV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_PICK_PLACE_H_
