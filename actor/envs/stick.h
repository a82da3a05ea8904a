// stick-push-v2 and stick-pull-v2: grasp a stick and use it to push or pull
// a thermos on slide joints.
#ifndef TACO_ACTOR_ENVS_STICK_H_
#define TACO_ACTOR_ENVS_STICK_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& StickPushV2();
const TaskDef& StickPullV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_STICK_H_
