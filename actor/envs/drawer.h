// drawer-open-v2 and drawer-close-v2: slide a drawer (spec §4.6, §4.7).
#ifndef TACO_ACTOR_ENVS_DRAWER_H_
#define TACO_ACTOR_ENVS_DRAWER_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& DrawerOpenV2();
const TaskDef& DrawerCloseV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_DRAWER_H_
