// peg-insert-side-v2: carry a peg into a square channel from the side (spec §4.9).
#ifndef TACO_ACTOR_ENVS_PEG_INSERT_H_
#define TACO_ACTOR_ENVS_PEG_INSERT_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& PegInsertSideV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_PEG_INSERT_H_
