#include "cli/known_tasks.h"

#include "common/run_config.h"

namespace taco {

// Until the task registry of actor/envs is linked here, the MT10 names plus
// the five transfer tasks of the spec.
std::vector<std::string> KnownTaskNames() {
  std::vector<std::string> names = Mt10Tasks();
  for (const char* name :
       {"sweep-v2", "sweep-into-v2", "lever-pull-v2", "shelf-place-v2", "door-close-v2"}) {
    names.emplace_back(name);
  }
  return names;
}

}  // namespace taco
