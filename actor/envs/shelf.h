// shelf-place-v2: lift a cube onto the middle board of a shelf (spec §4.15).
#ifndef TACO_ACTOR_ENVS_SHELF_H_
#define TACO_ACTOR_ENVS_SHELF_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& ShelfPlaceV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_SHELF_H_
