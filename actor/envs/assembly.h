// assembly-v2 and disassemble-v2: a wrench-shaped nut is put onto, or taken
// off, a peg (spec/assembly.md).
#ifndef TACO_ACTOR_ENVS_ASSEMBLY_H_
#define TACO_ACTOR_ENVS_ASSEMBLY_H_

#include "actor/envs/sawyer_env.h"

namespace taco::envs {

const TaskDef& AssemblyV2();
const TaskDef& DisassembleV2();

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_ASSEMBLY_H_
