// `taco render TASK --policy expert|random|CHECKPOINT --out FILE|DIR`: one
// episode rendered with MuJoCo's offscreen renderer into an animated PNG or a
// numbered PNG sequence.
#ifndef TACO_ACTOR_ENVS_RENDER_H_
#define TACO_ACTOR_ENVS_RENDER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "actor/envs/sawyer_env.h"

namespace taco::envs {

enum class RenderFormat {
  // An animated PNG for a name ending in .png or .apng, a folder of frames
  // for a name without an extension or an existing folder.
  kAuto,
  // A folder of frame_00000.png, frame_00001.png, ...
  kPngFrames,
  // One looping APNG file playing at the simulation's own rate.
  kAnimatedPng,
};

struct RenderOptions {
  std::string task;
  // "expert" (the task's scripted policy) or "random"; ignored when `act`
  // is set.
  std::string policy = "expert";
  // A policy of the caller's (e.g. a trained one) instead.
  std::function<absl::StatusOr<Action>(const Observation&)> act;
  // The animated PNG file, or the folder for the frames (created if
  // missing), as `format` says.
  std::string out;
  RenderFormat format = RenderFormat::kAuto;
  // "free" (a three-quarter view of the table) or the name of a camera in
  // the scene, e.g. "corner", "topview", "behindGripper", "gripperPOV".
  std::string camera = "free";
  int frames = 150;
  int width = 480;
  int height = 480;
  uint32_t seed = 0;
  // Empty: found by LocateMetaWorldAssets().
  std::string assets_dir;
};

// What `out` becomes under `format`: never kAuto. InvalidArgument where kAuto
// cannot tell (another extension, e.g. .gif or .mp4) or where the path's kind
// on disk contradicts the format (a folder for a file or the reverse).
absl::StatusOr<RenderFormat> ResolveRenderFormat(const std::string& out, RenderFormat format);

struct RenderSummary {
  // What was written: kAnimatedPng or kPngFrames.
  RenderFormat format = RenderFormat::kAuto;
  int frames = 0;
  // The step (1-based) at which the task first reported success, or 0.
  int first_success_step = 0;
  double episode_return = 0;
};

// Renders one episode. The options and the output path are checked before
// any work (InvalidArgument naming the bad option). FailedPrecondition when no OpenGL context can
// be made (no EGL device). Each file is written whole through a rename, so an interrupted render
// leaves no half-written image.
absl::StatusOr<RenderSummary> RenderEpisode(const RenderOptions& options);

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_RENDER_H_
