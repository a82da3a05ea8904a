// pick-out-of-hole-v2: lift a puck out of a hole in the table and carry it to
// a goal in the air (spec/assembly.md).
#ifndef TACO_ACTOR_ENVS_PICK_OUT_OF_HOLE_H_
#define TACO_ACTOR_ENVS_PICK_OUT_OF_HOLE_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& PickOutOfHoleV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_PICK_OUT_OF_HOLE_H_
