// hand-insert-v2: carry a cube across the raised table and push it down into
// the hole (spec/bins.md).
#ifndef TACO_ACTOR_ENVS_HAND_INSERT_H_
#define TACO_ACTOR_ENVS_HAND_INSERT_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& HandInsertV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_HAND_INSERT_H_
