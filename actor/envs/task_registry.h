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

// Meta-World v2's 50 tasks in the order its MT50 benchmark builds (and
// draws) them: ALL_V2_ENVIRONMENTS of v2.0.0, whose repeated keys keep their
// first place.
inline constexpr std::array<std::string_view, 50> kMt50Tasks = {"assembly-v2",
                                                                "basketball-v2",
                                                                "bin-picking-v2",
                                                                "box-close-v2",
                                                                "button-press-topdown-v2",
                                                                "button-press-topdown-wall-v2",
                                                                "button-press-v2",
                                                                "button-press-wall-v2",
                                                                "coffee-button-v2",
                                                                "coffee-pull-v2",
                                                                "coffee-push-v2",
                                                                "dial-turn-v2",
                                                                "disassemble-v2",
                                                                "door-close-v2",
                                                                "door-lock-v2",
                                                                "door-open-v2",
                                                                "door-unlock-v2",
                                                                "hand-insert-v2",
                                                                "drawer-close-v2",
                                                                "drawer-open-v2",
                                                                "faucet-open-v2",
                                                                "faucet-close-v2",
                                                                "hammer-v2",
                                                                "handle-press-side-v2",
                                                                "handle-press-v2",
                                                                "handle-pull-side-v2",
                                                                "handle-pull-v2",
                                                                "lever-pull-v2",
                                                                "peg-insert-side-v2",
                                                                "pick-place-wall-v2",
                                                                "pick-out-of-hole-v2",
                                                                "reach-v2",
                                                                "push-back-v2",
                                                                "push-v2",
                                                                "pick-place-v2",
                                                                "plate-slide-v2",
                                                                "plate-slide-side-v2",
                                                                "plate-slide-back-v2",
                                                                "plate-slide-back-side-v2",
                                                                "peg-unplug-side-v2",
                                                                "soccer-v2",
                                                                "stick-push-v2",
                                                                "stick-pull-v2",
                                                                "push-wall-v2",
                                                                "reach-wall-v2",
                                                                "shelf-place-v2",
                                                                "sweep-into-v2",
                                                                "sweep-v2",
                                                                "window-open-v2",
                                                                "window-close-v2"};

// Every task taco has, in kMt50Tasks order.
absl::Span<const TaskDef* const> AllTasks();
std::vector<std::string> TaskNames();

// NotFound listing the valid names for an unknown one.
absl::StatusOr<const TaskDef*> FindTask(std::string_view name);

// The task's 50 fixed variants for `seed`. One generator is seeded once and
// every task draws its 50 (with its rejection loop) in the benchmark's order,
// the way Meta-World's MT10(seed) and MT50(seed) draw from NumPy's global
// generator; so the variants of different tasks are not correlated and match
// the benchmark's bit for bit. VariantOrder::kMt10 draws MT10 first, then
// sweep, sweep-into, lever-pull, shelf-place and door-close, then the rest in
// MT50's order.
std::vector<RandVec> FixedVariants(const TaskDef& def, uint32_t seed,
                                   VariantOrder order = VariantOrder::kMt10);

// Builds a ready env for `name`. An empty config.assets_dir is filled by
// LocateMetaWorldAssets().
absl::StatusOr<std::unique_ptr<SawyerEnv>> MakeEnv(std::string_view name, EnvConfig config);

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_TASK_REGISTRY_H_
