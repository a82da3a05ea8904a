#include "actor/envs/scripted_experts.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "actor/envs/scripted_expert_table.h"
#include "actor/envs/task_registry.h"

namespace taco::envs {
namespace {

using namespace expert_steering;  // NOLINT(build/namespaces): the experts' shared moves

Action Reach(const Observation& o) {
  const Parsed s = Parse(o);
  return Move(s.hand, s.goal, 5, 0);
}

Action Push(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 puck = s.obj + Vec3{-0.005, 0, 0};
  Vec3 to;
  if (DistanceXY(s.hand, puck) > 0.02) {
    to = puck + Up(0.2);
  } else if (std::abs(s.hand[2] - puck[2]) > 0.04) {
    to = puck + Up(0.03);
  } else {
    to = s.goal;
  }
  return Move(s.hand, to, 10, Near(s.hand, s.obj, 0.02, 0.10) ? 0.6 : 0.0);
}

Action PickPlace(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 puck = s.obj + Vec3{-0.005, 0, 0};
  Vec3 to;
  if (DistanceXY(s.hand, puck) > 0.02) {
    to = puck + Up(0.1);
  } else if (std::abs(s.hand[2] - puck[2]) > 0.05 && puck[2] < 0.04) {
    to = puck + Up(0.03);
  } else if (s.gripper > 0.73) {
    to = s.hand;  // Wait for the fingers to close.
  } else {
    to = s.goal;
  }
  const double grab = Distance(s.hand, s.obj) < 0.07 ? 1.0 : 0.0;
  return Move(s.hand, to, 10, grab);
}

Action DoorOpen(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 door = s.obj - Vec3{0.05, 0, 0};
  Vec3 to;
  if (DistanceXY(s.hand, door) > 0.12) {
    to = door + Vec3{0.06, 0.02, 0.2};
  } else if (std::abs(s.hand[2] - door[2]) > 0.04) {
    to = door + Vec3{0.06, 0.02, 0};
  } else {
    to = door;  // Hooked from the +x side: drag the door open.
  }
  return Move(s.hand, to, 25, 1);
}

Action DoorClose(const Observation& o) {
  const Parsed s = Parse(o);
  return Move(s.hand, s.goal, 25, 1);
}

Action DrawerOpen(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 handle = s.obj - Up(0.02);
  if (DistanceXY(s.hand, handle) > 0.06) {
    return Move(s.hand, handle + Up(0.3), 4, -1);
  }
  if (std::abs(s.hand[2] - handle[2]) > 0.04) {
    return Move(s.hand, handle, 4, -1);
  }
  return Move(s.hand, handle + Vec3{0, -0.06, 0}, 50, -1);
}

Action DrawerClose(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 handle = s.obj - Up(0.02);
  Vec3 to;
  if (s.hand[1] > handle[1]) {
    // Behind the handle: rise clear of the drawer before moving in front.
    to = s.hand[2] < handle[2] + 0.23 ? Vec3{s.hand[0], s.hand[1], handle[2] + 0.5}
                                      : handle + Vec3{0, -0.075, 0.23};
  } else if (std::abs(s.hand[2] - handle[2]) > 0.04) {
    to = handle + Vec3{0, -0.075, 0};
  } else {
    to = handle;
  }
  return Move(s.hand, to, 25, 1);
}

Action ButtonPressTopdown(const Observation& o) {
  const Parsed s = Parse(o);
  // The target sinks with the button, so the hand keeps pressing.
  const Vec3 to = DistanceXY(s.hand, s.obj) > 0.04 ? s.obj + Up(0.1) : s.obj;
  return Move(s.hand, to, 25, 1);
}

Action PegInsertSide(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 peg = s.obj;
  const Vec3 hole = {-0.35, s.goal[1], 0.16};
  Vec3 to;
  if (DistanceXY(s.hand, peg) > 0.04) {
    to = peg + Up(0.3);
  } else if (std::abs(s.hand[2] - peg[2]) > 0.025) {
    to = peg;
  } else if (std::hypot(peg[1] - hole[1], peg[2] - hole[2]) > 0.03) {
    to = hole + Vec3{0.4, 0, 0};
  } else {
    to = hole;
  }
  return Move(s.hand, to, 25, Near(s.hand, peg, 0.04, 0.15) ? 0.6 : -1.0);
}

Action WindowOpen(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 w = s.obj + Vec3{-0.03, -0.03, -0.08};
  Vec3 to;
  if (DistanceXY(s.hand, w) > 0.04) {
    to = w + Up(0.3);
  } else if (std::abs(s.hand[2] - w[2]) > 0.02) {
    to = w;
  } else {
    to = w + Vec3{0.1, 0, 0};
  }
  return Move(s.hand, to, 25, 1);
}

Action WindowClose(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 w = s.obj + Vec3{0.03, -0.03, -0.08};
  Vec3 to;
  if (DistanceXY(s.hand, w) > 0.04) {
    to = w + Up(0.25);
  } else if (std::abs(s.hand[2] - w[2]) > 0.02) {
    to = w;
  } else {
    to = w + Vec3{-0.1, 0, 0};
  }
  return Move(s.hand, to, 25, 1);
}

Action Sweep(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 cube = s.obj + Up(0.015);
  Vec3 to = s.goal + Up(0.1);
  if (s.hand[0] < 0.2) {
    if (DistanceXY(s.hand, cube) > 0.04) {
      to = cube + Up(0.3);
    } else if (std::abs(s.hand[2] - cube[2]) > 0.04) {
      to = cube;
    }
  }
  double grab = -1;
  // Grab near the raw cube, not the steering point `cube` (see Near).
  if (Near(s.hand, s.obj, 0.04, 0.15) && s.obj[0] < 0.4) grab = 0.7;
  return Move(s.hand, to, 25, grab);
}

Action SweepInto(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 cube = s.obj + Vec3{-0.005, 0, 0.01};
  Vec3 to;
  if (DistanceXY(s.hand, cube) > 0.04) {
    to = cube + Up(0.3);
  } else if (std::abs(s.hand[2] - cube[2]) > 0.04) {
    to = cube;
  } else {
    to = s.goal;  // Drags the cube into the hole.
  }
  // Grab near the raw cube, not the steering point `cube` (see Near).
  return Move(s.hand, to, 25, Near(s.hand, s.obj, 0.04, 0.15) ? 0.7 : -1.0);
}

Action LeverPull(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 lever = s.obj + Vec3{0, -0.055, 0};
  Vec3 to;
  if (DistanceXY(s.hand, lever) > 0.02) {
    to = lever - Up(0.1);  // Come from below, on the robot side of the ball.
  } else if (std::abs(s.hand[2] - lever[2]) > 0.02) {
    to = lever;
  } else {
    to = lever + Vec3{0, 0.08, 0.02};
  }
  return Move(s.hand, to, 25, 1);
}

Action ShelfPlace(const Observation& o) {
  const Parsed s = Parse(o);
  const Vec3 cube = s.obj + Vec3{-0.005, 0, 0.015};
  Vec3 to;
  if (DistanceXY(s.hand, cube) > 0.04) {
    to = cube + Up(0.3);
  } else if (std::abs(s.hand[2] - cube[2]) > 0.04) {
    to = cube;
  } else if (std::abs(s.hand[0] - s.goal[0]) > 0.02) {
    to = {s.goal[0], s.hand[1], 0.3};
  } else if (s.hand[2] < 0.30) {
    to = s.hand + Up(0.3);
  } else {
    to = s.hand + Vec3{0, 0.05, 0};  // Slide forward onto the shelf.
  }
  // Grab near the raw cube, not the steering point `cube` (see Near).
  return Move(s.hand, to, 25, Near(s.hand, s.obj, 0.04, 0.15) ? 0.7 : -1.0);
}

// Expected rates are v2.0.0's test_scripted_policies.py thresholds.
constexpr NamedExpert kExperts[] = {
    {"reach-v2", &Reach, {0.99, 0.98}},
    {"push-v2", &Push, {0.97, 0.88}},
    {"pick-place-v2", &PickPlace, {0.95, 0.83}},
    {"door-open-v2", &DoorOpen, {0.94, 0.92}},
    {"drawer-open-v2", &DrawerOpen, {0.99, 0.97}},
    {"drawer-close-v2", &DrawerClose, {0.99, 0.99}},
    {"button-press-topdown-v2", &ButtonPressTopdown, {0.95, 0.93}},
    {"peg-insert-side-v2", &PegInsertSide, {0.89, 0.87}},
    {"window-open-v2", &WindowOpen, {0.94, 0.93}},
    {"window-close-v2", &WindowClose, {0.98, 0.95}},
    {"sweep-v2", &Sweep, {0.99, 0.99}},
    {"sweep-into-v2", &SweepInto, {0.98, 0.86}},
    {"lever-pull-v2", &LeverPull, {0.94, 0.90}},
    {"shelf-place-v2", &ShelfPlace, {0.96, 0.89}},
    {"door-close-v2", &DoorClose, {0.99, 0.97}},
};

absl::StatusOr<const NamedExpert*> Find(std::string_view task) {
  const absl::Span<const NamedExpert> tables[] = {
      kExperts,          ButtonExperts(), ArticulatedExperts(), SlidingExperts(),
      AssemblyExperts(), BinExperts(),    ToolExperts(),
  };
  for (const absl::Span<const NamedExpert> table : tables) {
    for (const NamedExpert& e : table) {
      if (e.task == task) return &e;
    }
  }
  return absl::NotFoundError(absl::StrCat("no scripted expert for '", std::string(task), "'"));
}

}  // namespace

absl::StatusOr<ExpertPolicy> FindExpert(std::string_view task) {
  TACO_ASSIGN_OR_RETURN(const NamedExpert* e, Find(task));
  return e->policy;
}

absl::StatusOr<ExpectedSuccess> ExpectedExpertSuccess(std::string_view task) {
  TACO_ASSIGN_OR_RETURN(const NamedExpert* e, Find(task));
  return e->expected;
}

absl::StatusOr<ExpertEpisode> RunExpertEpisode(SawyerEnv& env, ExpertPolicy policy,
                                               const Observation& first_obs, NumpyRandom& noise,
                                               const ExpertRunOptions& options) {
  if (env.config().max_episode_steps < options.max_steps) {
    return absl::InvalidArgumentError(
        absl::StrCat("env time limit ", env.config().max_episode_steps,
                     " is shorter than the expert episode of ", options.max_steps));
  }
  const double stddev = options.noise_pct * 2.0;
  ExpertEpisode episode;
  Observation obs = first_obs;
  while (episode.steps < options.max_steps) {
    Action a = policy(obs);
    if (stddev > 0) {
      for (double& x : a) x += stddev * noise.Gaussian();
    }
    TACO_ASSIGN_OR_RETURN(const StepResult step, env.Step(a));
    ++episode.steps;
    episode.episode_return += step.reward;
    obs = step.obs;
    if (step.success) {
      episode.success = true;
      break;
    }
    if (step.terminal || step.truncated) break;
  }
  return episode;
}

absl::StatusOr<double> ExpertSuccessRate(std::string_view task, const ExpertEvalOptions& options) {
  TACO_ASSIGN_OR_RETURN(const ExpertPolicy policy, FindExpert(task));
  EnvConfig config;
  config.assets_dir = options.assets_dir;
  config.max_episode_steps = kLongMaxEpisodeSteps;
  config.seed = options.seed;
  config.variant_seed = options.seed;
  const bool fixed = options.noise_pct == 0;
  config.variant_mode = fixed ? VariantMode::kFixedSet : VariantMode::kFreshEachReset;
  TACO_ASSIGN_OR_RETURN(std::unique_ptr<SawyerEnv> env, MakeEnv(task, config));
  const int episodes = fixed ? kVariantsPerTask : options.episodes;
  if (episodes <= 0) {
    return absl::InvalidArgumentError("expert evaluation needs episodes > 0");
  }
  NumpyRandom noise(options.seed + 1);
  ExpertRunOptions run;
  run.noise_pct = options.noise_pct;
  int successes = 0;
  for (int i = 0; i < episodes; ++i) {
    absl::StatusOr<Observation> obs = fixed ? env->ResetToVariant(i) : env->Reset();
    if (!obs.ok()) return obs.status();
    TACO_ASSIGN_OR_RETURN(const ExpertEpisode episode,
                          RunExpertEpisode(*env, policy, *obs, noise, run));
    successes += episode.success ? 1 : 0;
  }
  return static_cast<double>(successes) / episodes;
}

}  // namespace taco::envs
