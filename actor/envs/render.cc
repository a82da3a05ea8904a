#include "actor/envs/render.h"

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <mujoco/mujoco.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "actor/envs/png_encoder.h"
#include "actor/envs/scripted_experts.h"
#include "actor/envs/task_registry.h"
#include "common/file_util.h"
#include "common/status.h"

namespace taco::envs {
namespace {

// A headless desktop-GL context on Mesa's surfaceless EGL platform (or the
// default display where that is missing). MuJoCo renders into its own
// offscreen framebuffer, so no surface is needed.
class EglContext {
 public:
  static absl::StatusOr<std::unique_ptr<EglContext>> Create() {
    EGLDisplay display = EGL_NO_DISPLAY;
    const auto get_platform_display = reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(
        eglGetProcAddress("eglGetPlatformDisplayEXT"));
    if (get_platform_display != nullptr) {
      display = get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
    }
    if (display == EGL_NO_DISPLAY) display = eglGetDisplay(EGL_DEFAULT_DISPLAY);
    EGLint major = 0;
    EGLint minor = 0;
    if (display == EGL_NO_DISPLAY || eglInitialize(display, &major, &minor) != EGL_TRUE) {
      return Unavailable("no EGL display could be initialised");
    }
    auto context = std::unique_ptr<EglContext>(new EglContext(display));
    const EGLint config_attribs[] = {EGL_RED_SIZE,
                                     8,
                                     EGL_GREEN_SIZE,
                                     8,
                                     EGL_BLUE_SIZE,
                                     8,
                                     EGL_DEPTH_SIZE,
                                     24,
                                     EGL_RENDERABLE_TYPE,
                                     EGL_OPENGL_BIT,
                                     EGL_SURFACE_TYPE,
                                     EGL_PBUFFER_BIT,
                                     EGL_NONE};
    EGLConfig config;
    EGLint count = 0;
    if (eglChooseConfig(display, config_attribs, &config, 1, &count) != EGL_TRUE || count < 1) {
      return Unavailable("no EGL config with desktop OpenGL");
    }
    if (eglBindAPI(EGL_OPENGL_API) != EGL_TRUE) {
      return Unavailable("EGL cannot bind desktop OpenGL");
    }
    context->context_ = eglCreateContext(display, config, EGL_NO_CONTEXT, nullptr);
    if (context->context_ == EGL_NO_CONTEXT ||
        eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, context->context_) != EGL_TRUE) {
      return Unavailable("EGL could not make a surfaceless context current");
    }
    return context;
  }

  ~EglContext() {
    eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    if (context_ != EGL_NO_CONTEXT) eglDestroyContext(display_, context_);
    eglTerminate(display_);
  }

 private:
  explicit EglContext(EGLDisplay display) : display_(display) {}

  static absl::Status Unavailable(const char* why) {
    return absl::FailedPreconditionError(
        absl::StrCat("no OpenGL context is available for offscreen rendering (", why,
                     "); rendering needs EGL with a desktop-GL driver, e.g. Mesa"));
  }

  EGLDisplay display_;
  EGLContext context_ = EGL_NO_CONTEXT;
};

// MuJoCo's visualisation state for one model, released in reverse order.
class Renderer {
 public:
  // `fixed_camera` is a camera id of the model, or -1 for the free view.
  Renderer(const mjModel* m, int width, int height, int fixed_camera)
      : width_(width), height_(height) {
    mjv_defaultCamera(&camera_);
    mjv_defaultOption(&option_);
    mjv_defaultScene(&scene_);
    mjr_defaultContext(&context_);
    mjv_makeScene(m, &scene_, 2000);
    // The offscreen buffer takes its size from the model; MuJoCo 2.2 has no
    // resize call, so the context is made from a copy with the wanted size.
    mjModel* sized = mj_copyModel(nullptr, m);
    sized->vis.global.offwidth = width;
    sized->vis.global.offheight = height;
    mjr_makeContext(sized, &context_, mjFONTSCALE_100);
    mj_deleteModel(sized);
    mjr_setBuffer(mjFB_OFFSCREEN, &context_);
    if (fixed_camera >= 0) {
      camera_.type = mjCAMERA_FIXED;
      camera_.fixedcamid = fixed_camera;
      return;
    }
    // A three-quarter view of the table from the robot's side.
    camera_.type = mjCAMERA_FREE;
    camera_.lookat[0] = 0;
    camera_.lookat[1] = 0.7;
    camera_.lookat[2] = 0.1;
    camera_.distance = 1.4;
    camera_.azimuth = 135;
    camera_.elevation = -25;
  }
  ~Renderer() {
    mjr_freeContext(&context_);
    mjv_freeScene(&scene_);
  }
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  RgbImage Render(const mjModel* m, mjData* d) {
    mjv_updateScene(m, d, &option_, nullptr, &camera_, mjCAT_ALL, &scene_);
    const mjrRect viewport = {0, 0, width_, height_};
    mjr_render(viewport, &scene_, &context_);
    const size_t stride = 3 * static_cast<size_t>(width_);
    bottom_up_.resize(stride * height_);
    mjr_readPixels(bottom_up_.data(), nullptr, viewport, &context_);
    // Several Meta-World cameras (corner, ...) are rolled upside down: they
    // were set up for mujoco-py, which returned images bottom row first.
    // Their frames are turned half a turn, so the table is always below.
    const bool upside_down =
        camera_.type == mjCAMERA_FIXED && d->cam_xmat[9 * camera_.fixedcamid + 7] < 0;
    // OpenGL reads the bottom row first; images start at the top.
    RgbImage image{width_, height_, std::vector<uint8_t>(bottom_up_.size())};
    for (int row = 0; row < height_; ++row) {
      uint8_t* to = image.rgb.data() + stride * row;
      if (!upside_down) {
        std::memcpy(to, bottom_up_.data() + stride * (height_ - 1 - row), stride);
        continue;
      }
      const uint8_t* from = bottom_up_.data() + stride * row;
      for (int col = 0; col < width_; ++col) {
        std::memcpy(to + 3 * col, from + 3 * (width_ - 1 - col), 3);
      }
    }
    return image;
  }

 private:
  int width_;
  int height_;
  mjvCamera camera_;
  mjvOption option_;
  mjvScene scene_;
  mjrContext context_;
  std::vector<unsigned char> bottom_up_;
};

absl::Status CreateFolder(const std::filesystem::path& dir) {
  if (dir.empty()) return absl::OkStatus();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot create output folder ", dir.string(), ": ", ec.message()));
  }
  return absl::OkStatus();
}

// The APNG frame delay as the fraction delay_num/10000 s, so that one frame
// lasts one control step and the animation plays in real time.
int RealTimeDelayTenThousandths(const mjModel* m) {
  const double seconds = m->opt.timestep * kFrameSkip;
  return static_cast<int>(std::clamp<int64_t>(std::llround(seconds * 1e4), 1, 0xffff));
}

// The id of the scene camera `options.camera` names, or -1 for "free";
// InvalidArgument listing the scene's cameras for any other name.
absl::StatusOr<int> CameraId(const mjModel* m, const RenderOptions& options) {
  if (options.camera == "free") return -1;
  const int id = mj_name2id(m, mjOBJ_CAMERA, options.camera.c_str());
  if (id >= 0) return id;
  std::vector<std::string> names = {"free"};
  for (int i = 0; i < m->ncam; ++i) {
    const char* name = mj_id2name(m, mjOBJ_CAMERA, i);
    if (name != nullptr) names.emplace_back(name);  // unnamed cameras cannot be asked for
  }
  return absl::InvalidArgumentError(absl::StrCat("the ", options.task, " scene has no camera '",
                                                 options.camera,
                                                 "'; its cameras: ", absl::StrJoin(names, ", ")));
}

}  // namespace

absl::StatusOr<RenderFormat> ResolveRenderFormat(const std::string& out, RenderFormat format) {
  if (out.empty()) return absl::InvalidArgumentError("render needs an output path (--out)");
  const std::filesystem::path path(out);
  std::error_code ec;
  const bool is_folder = std::filesystem::is_directory(path, ec);
  const bool exists = std::filesystem::exists(path, ec);
  const std::string extension = absl::AsciiStrToLower(path.extension().string());
  if (format == RenderFormat::kAuto) {
    if (extension == ".png" || extension == ".apng") {
      format = RenderFormat::kAnimatedPng;
    } else if (is_folder || extension.empty()) {
      format = RenderFormat::kPngFrames;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot tell what to write to '", out, "': render writes one animated PNG (a name ending",
          " in .png or .apng) or a folder of PNG frames (a name without an extension); pass",
          " --format frames to use '", out, "' as a folder"));
    }
  }
  if (format == RenderFormat::kAnimatedPng && is_folder) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", out, "' is a folder; an animated PNG needs a file name"));
  }
  if (format == RenderFormat::kPngFrames && exists && !is_folder) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", out, "' is a file; PNG frames need a folder"));
  }
  return format;
}

absl::StatusOr<RenderSummary> RenderEpisode(const RenderOptions& options) {
  if (!options.act && options.policy != "expert" && options.policy != "random") {
    return absl::InvalidArgumentError(
        absl::StrCat("policy must be 'expert' or 'random', got '", options.policy, "'"));
  }
  if (options.frames < 1 || options.width < 16 || options.height < 16) {
    return absl::InvalidArgumentError("render needs frames >= 1 and an image of at least 16x16");
  }
  TACO_ASSIGN_OR_RETURN(const RenderFormat format,
                        ResolveRenderFormat(options.out, options.format));
  EnvConfig config;
  config.assets_dir = options.assets_dir;
  config.max_episode_steps = options.frames;
  config.seed = options.seed;
  config.variant_seed = options.seed;
  TACO_ASSIGN_OR_RETURN(std::unique_ptr<SawyerEnv> env, MakeEnv(options.task, config));
  TACO_ASSIGN_OR_RETURN(const ExpertPolicy expert, FindExpert(options.task));
  TACO_ASSIGN_OR_RETURN(const int camera, CameraId(env->model(), options));
  const std::filesystem::path out(options.out);
  TACO_RETURN_IF_ERROR(CreateFolder(format == RenderFormat::kPngFrames ? out : out.parent_path()));
  TACO_ASSIGN_OR_RETURN(std::unique_ptr<EglContext> gl, EglContext::Create());
  // The env's model and data are only read for drawing; rendering happens
  // between steps.
  Renderer renderer(env->model(), options.width, options.height, camera);
  ApngEncoder animation(RealTimeDelayTenThousandths(env->model()), 10000);
  NumpyRandom rng(options.seed);
  TACO_ASSIGN_OR_RETURN(Observation obs, env->Reset());
  RenderSummary summary;
  summary.format = format;
  for (int frame = 0; frame < options.frames; ++frame) {
    const RgbImage image = renderer.Render(env->model(), const_cast<mjData*>(env->data()));
    if (format == RenderFormat::kAnimatedPng) {
      TACO_RETURN_IF_ERROR(animation.AddFrame(image));
    } else {
      TACO_ASSIGN_OR_RETURN(const std::string png, EncodePng(image));
      TACO_RETURN_IF_ERROR(
          WriteFileAtomically((out / absl::StrFormat("frame_%05d.png", frame)).string(), png));
    }
    ++summary.frames;
    Action action;
    if (options.act) {
      TACO_ASSIGN_OR_RETURN(action, options.act(obs));
    } else {
      action = expert(obs);
      if (options.policy == "random") {
        for (double& a : action) a = rng.Uniform(-1, 1);
      }
    }
    TACO_ASSIGN_OR_RETURN(const StepResult step, env->Step(action));
    obs = step.obs;
    summary.episode_return += step.reward;
    if (step.success && summary.first_success_step == 0) summary.first_success_step = frame + 1;
    if (step.terminal || step.truncated) break;
  }
  if (format == RenderFormat::kAnimatedPng) {
    TACO_ASSIGN_OR_RETURN(const std::string apng, animation.Finish());
    TACO_RETURN_IF_ERROR(WriteFileAtomically(options.out, apng));
  }
  return summary;
}

}  // namespace taco::envs
