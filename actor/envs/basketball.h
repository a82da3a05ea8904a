// basketball-v2: pick up a ball and drop it through the hoop (spec/bins.md).
#ifndef TACO_ACTOR_ENVS_BASKETBALL_H_
#define TACO_ACTOR_ENVS_BASKETBALL_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& BasketballV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_BASKETBALL_H_
