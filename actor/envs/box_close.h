// box-close-v2: lift the lid by its handle and put it on the box
// (spec/bins.md).
#ifndef TACO_ACTOR_ENVS_BOX_CLOSE_H_
#define TACO_ACTOR_ENVS_BOX_CLOSE_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& BoxCloseV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_BOX_CLOSE_H_
