// button-press-topdown-v2: press a button down from above (spec §4.8).
#ifndef TACO_ACTOR_ENVS_BUTTON_PRESS_H_
#define TACO_ACTOR_ENVS_BUTTON_PRESS_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& ButtonPressTopdownV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_BUTTON_PRESS_H_
