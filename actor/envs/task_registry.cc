#include "actor/envs/task_registry.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "actor/envs/assembly.h"
#include "actor/envs/asset_locator.h"
#include "actor/envs/basketball.h"
#include "actor/envs/bin_picking.h"
#include "actor/envs/box_close.h"
#include "actor/envs/button_press.h"
#include "actor/envs/coffee.h"
#include "actor/envs/dial.h"
#include "actor/envs/door.h"
#include "actor/envs/door_lock.h"
#include "actor/envs/drawer.h"
#include "actor/envs/faucet.h"
#include "actor/envs/hammer.h"
#include "actor/envs/hand_insert.h"
#include "actor/envs/handle.h"
#include "actor/envs/lever.h"
#include "actor/envs/peg_insert.h"
#include "actor/envs/peg_unplug.h"
#include "actor/envs/pick_out_of_hole.h"
#include "actor/envs/pick_place.h"
#include "actor/envs/plate_slide.h"
#include "actor/envs/push.h"
#include "actor/envs/reach.h"
#include "actor/envs/shelf.h"
#include "actor/envs/soccer.h"
#include "actor/envs/stick.h"
#include "actor/envs/sweep.h"
#include "actor/envs/window.h"

namespace taco::envs {
namespace {

// Every task's definition, in any order (AllTasks() sorts them).
absl::Span<const TaskDef* const> RegisteredTasks() {
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
      &PlateSlideV2(),
      &PlateSlideSideV2(),
      &PlateSlideBackV2(),
      &PlateSlideBackSideV2(),
      &PushBackV2(),
      &PushWallV2(),
      &ReachWallV2(),
      &SoccerV2(),
      &DoorLockV2(),
      &DoorUnlockV2(),
      &FaucetOpenV2(),
      &FaucetCloseV2(),
      &HandlePressSideV2(),
      &HandlePressV2(),
      &HandlePullSideV2(),
      &HandlePullV2(),
      &PickPlaceWallV2(),
      &AssemblyV2(),
      &DisassembleV2(),
      &PickOutOfHoleV2(),
      &ButtonPressTopdownWallV2(),
      &ButtonPressV2(),
      &CoffeeButtonV2(),
      &CoffeePullV2(),
      &CoffeePushV2(),
      &DialTurnV2(),
      &HandInsertV2(),
      &BinPickingV2(),
      &BoxCloseV2(),
      &PegUnplugSideV2(),
      &HammerV2(),
      &StickPushV2(),
      &StickPullV2(),
      &BasketballV2(),
      &ButtonPressWallV2(),
  };
  return kTasks;
}

const TaskDef* Registered(std::string_view name) {
  for (const TaskDef* def : RegisteredTasks()) {
    if (def->name == name) return def;
  }
  return nullptr;
}

// The names in the order a benchmark draws its variants.
std::vector<std::string_view> DrawOrder(VariantOrder order) {
  std::vector<std::string_view> names;
  if (order == VariantOrder::kMt10) {
    names.assign(kMt10Tasks.begin(), kMt10Tasks.end());
    for (std::string_view name :
         {"sweep-v2", "sweep-into-v2", "lever-pull-v2", "shelf-place-v2", "door-close-v2"}) {
      names.push_back(name);
    }
  }
  for (std::string_view name : kMt50Tasks) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

}  // namespace

absl::Span<const TaskDef* const> AllTasks() {
  static const std::vector<const TaskDef*>* const tasks = [] {
    auto* sorted = new std::vector<const TaskDef*>;
    for (std::string_view name : kMt50Tasks) {
      if (const TaskDef* def = Registered(name)) sorted->push_back(def);
    }
    return sorted;
  }();
  return *tasks;
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

std::vector<RandVec> FixedVariants(const TaskDef& def, uint32_t seed, VariantOrder order) {
  NumpyRandom rng(seed);
  for (std::string_view name : DrawOrder(order)) {
    const TaskDef* task = Registered(name);
    if (task == nullptr) continue;
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
  return def->make(*def, config, FixedVariants(*def, config.variant_seed, config.variant_order));
}

}  // namespace taco::envs
