// sweep-v2 and sweep-into-v2: move a cube off the table edge or into a hole (spec §4.12, §4.13).
#ifndef TACO_ACTOR_ENVS_SWEEP_H_
#define TACO_ACTOR_ENVS_SWEEP_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& SweepV2();
const TaskDef& SweepIntoV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_SWEEP_H_
