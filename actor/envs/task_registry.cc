#include "actor/envs/task_registry.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "actor/envs/asset_locator.h"
#include "actor/envs/button_press.h"
#include "actor/envs/door.h"
#include "actor/envs/drawer.h"
#include "actor/envs/lever.h"
#include "actor/envs/peg_insert.h"
#include "actor/envs/pick_place.h"
#include "actor/envs/push.h"
#include "actor/envs/reach.h"
#include "actor/envs/shelf.h"
#include "actor/envs/sweep.h"
#include "actor/envs/window.h"

namespace taco::envs {

absl::Span<const TaskDef* const> AllTasks() {
  static const TaskDef* const kTasks[] = {
      &ReachV2(),
      &PushV2(),
      &PickPlaceV2(),
      &DoorOpenV2(),
      &DrawerOpenV2(),
      &DrawerCloseV2(),
      &ButtonPressTopdownV2(),
      &PegInsertSideV2(),
      &WindowOpenV2(),
      &WindowCloseV2(),
      &SweepV2(),
      &SweepIntoV2(),
      &LeverPullV2(),
      &ShelfPlaceV2(),
      &DoorCloseV2(),
  };
  return kTasks;
}

std::vector<std::string> TaskNames() {
  std::vector<std::string> names;
  for (const TaskDef* def : AllTasks()) names.emplace_back(def->name);
  return names;
}

absl::StatusOr<const TaskDef*> FindTask(std::string_view name) {
  for (const TaskDef* def : AllTasks()) {
    if (def->name == name) return def;
  }
  return absl::NotFoundError(absl::StrCat("unknown task '", std::string(name),
                                          "'; valid tasks: ", absl::StrJoin(TaskNames(), ", ")));
}

std::vector<RandVec> FixedVariants(const TaskDef& def, uint32_t seed) {
  NumpyRandom rng(seed);
  for (const TaskDef* task : AllTasks()) {
    std::vector<RandVec> variants;
    variants.reserve(kVariantsPerTask);
    for (int i = 0; i < kVariantsPerTask; ++i) {
      variants.push_back(DrawRandVec(*task, rng));
    }
    if (task == &def) return variants;
  }
  // A TaskDef from outside the registry draws from the seed alone.
  NumpyRandom own(seed);
  std::vector<RandVec> variants;
  for (int i = 0; i < kVariantsPerTask; ++i) {
    variants.push_back(DrawRandVec(def, own));
  }
  return variants;
}

absl::StatusOr<std::unique_ptr<SawyerEnv>> MakeEnv(std::string_view name, EnvConfig config) {
  TACO_ASSIGN_OR_RETURN(const TaskDef* def, FindTask(name));
  if (config.assets_dir.empty()) {
    TACO_ASSIGN_OR_RETURN(config.assets_dir, LocateMetaWorldAssets());
  }
  return def->make(*def, config, FixedVariants(*def, config.variant_seed));
}

}  // namespace taco::envs
