// window-open-v2 and window-close-v2: slide a window sash along x (spec §4.10, §4.11).
#ifndef TACO_ACTOR_ENVS_WINDOW_H_
#define TACO_ACTOR_ENVS_WINDOW_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& WindowOpenV2();
const TaskDef& WindowCloseV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_WINDOW_H_
