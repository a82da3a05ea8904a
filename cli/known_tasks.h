// The task names run configs may use: those the Meta-World suite registers.
#ifndef TACO_CLI_KNOWN_TASKS_H_
#define TACO_CLI_KNOWN_TASKS_H_

#include <string>
#include <vector>

namespace taco {

std::vector<std::string> KnownTaskNames();

}  // namespace taco

#endif  // TACO_CLI_KNOWN_TASKS_H_
