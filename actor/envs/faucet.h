// faucet-open-v2 and faucet-close-v2: swing the faucet handle to one side
// (actor/envs/spec/articulated.md).
#ifndef TACO_ACTOR_ENVS_FAUCET_H_
#define TACO_ACTOR_ENVS_FAUCET_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& FaucetOpenV2();
const TaskDef& FaucetCloseV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_FAUCET_H_
