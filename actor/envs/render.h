// `taco render TASK --policy expert --out DIR`: one episode rendered with
// MuJoCo's offscreen renderer into a numbered PPM image sequence.
#ifndef TACO_ACTOR_ENVS_RENDER_H_
#define TACO_ACTOR_ENVS_RENDER_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace taco::envs {

struct RenderOptions {
  std::string task;
  // "expert" (the task's scripted policy) or "random".
  std::string policy = "expert";
  // Folder for frame_00000.ppm, frame_00001.ppm, ...; created if missing.
  std::string out;
  int frames = 150;
  int width = 480;
  int height = 480;
  uint32_t seed = 0;
  // Empty: found by LocateMetaWorldAssets().
  std::string assets_dir;
};

// FailedPrecondition when no OpenGL context can be made (no EGL device).
absl::Status RenderEpisode(const RenderOptions& options);

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_RENDER_H_
