// The coffee machine tasks: press its button (coffee-button-v2), pull the mug
// out from under the spout (coffee-pull-v2) or push it in (coffee-push-v2)
// (actor/envs/spec/buttons.md).
#ifndef TACO_ACTOR_ENVS_COFFEE_H_
#define TACO_ACTOR_ENVS_COFFEE_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& CoffeeButtonV2();
const TaskDef& CoffeePullV2();
const TaskDef& CoffeePushV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_COFFEE_H_
