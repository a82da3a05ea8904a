#include "cli/known_tasks.h"

#include "actor/envs/task_registry.h"

namespace taco {

std::vector<std::string> KnownTaskNames() { return envs::TaskNames(); }

}  // namespace taco
