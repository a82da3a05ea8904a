// The button boxes: button-press-topdown-v2 (spec §4.8) with its walled
// twin, and the horizontal button-press-v2 and button-press-wall-v2
// (actor/envs/spec/buttons.md).
#ifndef TACO_ACTOR_ENVS_BUTTON_PRESS_H_
#define TACO_ACTOR_ENVS_BUTTON_PRESS_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& ButtonPressTopdownV2();
const TaskDef& ButtonPressTopdownWallV2();
const TaskDef& ButtonPressV2();
const TaskDef& ButtonPressWallV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_BUTTON_PRESS_H_
