// dial-turn-v2: turn a dial a quarter turn (actor/envs/spec/buttons.md).
#ifndef TACO_ACTOR_ENVS_DIAL_H_
#define TACO_ACTOR_ENVS_DIAL_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& DialTurnV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_DIAL_H_
