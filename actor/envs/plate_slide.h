// The plate-slide family: slide a puck ("plate") along the table into a goal
// net, forwards, sideways, backwards and back sideways (spec/sliding.md).
#ifndef TACO_ACTOR_ENVS_PLATE_SLIDE_H_
#define TACO_ACTOR_ENVS_PLATE_SLIDE_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& PlateSlideV2();
const TaskDef& PlateSlideSideV2();
const TaskDef& PlateSlideBackV2();
const TaskDef& PlateSlideBackSideV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_PLATE_SLIDE_H_
