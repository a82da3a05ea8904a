// The task suite by name: the MT10 set and the five transfer tasks, with the
// fixed variants ("random goals") each task owns.
#ifndef TACO_ACTOR_ENVS_TASK_REGISTRY_H_
#define TACO_ACTOR_ENVS_TASK_REGISTRY_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "actor/envs/sawyer_env.h"

namespace taco::envs {

// Meta-World's MT10 set, in the order its benchmark builds tasks.
inline constexpr std::array<std::string_view, 10> kMt10Tasks = {
    "reach-v2",       "push-v2",         "pick-place-v2",           "door-open-v2",
    "drawer-open-v2", "drawer-close-v2", "button-press-topdown-v2", "peg-insert-side-v2",
    "window-open-v2", "window-close-v2"};

// All 15 tasks: MT10 in order, then sweep, sweep-into, lever-pull,
// shelf-place and door-close.
absl::Span<const TaskDef* const> AllTasks();
std::vector<std::string> TaskNames();

// NotFound listing the valid names for an unknown one.
absl::StatusOr<const TaskDef*> FindTask(std::string_view name);

// The task's 50 fixed variants for `seed`. One generator is seeded once and
// every task draws its 50 (with its rejection loop) in AllTasks() order, the
// way Meta-World's MT10(seed) draws from NumPy's global generator; so the
// variants of different tasks are not correlated and, for MT10, follow
// Meta-World's draw order.
std::vector<RandVec> FixedVariants(const TaskDef& def, uint32_t seed);

// Builds a ready env for `name`. An empty config.assets_dir is filled by
// LocateMetaWorldAssets().
absl::StatusOr<std::unique_ptr<SawyerEnv>> MakeEnv(std::string_view name, EnvConfig config);

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_TASK_REGISTRY_H_
