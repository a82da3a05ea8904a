// bin-picking-v2: lift a cube out of one bin and drop it into the other
// (spec/bins.md).
#ifndef TACO_ACTOR_ENVS_BIN_PICKING_H_
#define TACO_ACTOR_ENVS_BIN_PICKING_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& BinPickingV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_BIN_PICKING_H_
