#include "actor/envs/render.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco::envs {
namespace {

using ::testing::HasSubstr;

std::string Scratch(const std::string& name) {
  const std::string path = ::testing::TempDir() + "/render_test_" + name;
  std::filesystem::remove_all(path);
  return path;
}

TEST(ResolveRenderFormatTest, AutoFollowsTheName) {
  EXPECT_EQ(*ResolveRenderFormat(Scratch("episode.png"), RenderFormat::kAuto),
            RenderFormat::kAnimatedPng);
  EXPECT_EQ(*ResolveRenderFormat(Scratch("episode.APNG"), RenderFormat::kAuto),
            RenderFormat::kAnimatedPng);
  EXPECT_EQ(*ResolveRenderFormat(Scratch("frames"), RenderFormat::kAuto), RenderFormat::kPngFrames);
  // An existing folder stays a folder whatever its name.
  const std::string dotted = Scratch("run.1");
  std::filesystem::create_directories(dotted);
  EXPECT_EQ(*ResolveRenderFormat(dotted, RenderFormat::kAuto), RenderFormat::kPngFrames);
}

TEST(ResolveRenderFormatTest, UnknownExtensionsAndContradictionsAreRefused) {
  const absl::StatusOr<RenderFormat> gif =
      ResolveRenderFormat(Scratch("episode.gif"), RenderFormat::kAuto);
  EXPECT_EQ(gif.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(gif.status().message(), HasSubstr("episode.gif"));
  EXPECT_THAT(gif.status().message(), HasSubstr("--format frames"));
  EXPECT_EQ(*ResolveRenderFormat(Scratch("episode.gif"), RenderFormat::kPngFrames),
            RenderFormat::kPngFrames);

  const std::string folder = Scratch("folder.png");
  std::filesystem::create_directories(folder);
  EXPECT_THAT(ResolveRenderFormat(folder, RenderFormat::kAuto).status().message(),
              HasSubstr("is a folder"));
  const std::string file = Scratch("file");
  std::ofstream(file) << "x";
  EXPECT_THAT(ResolveRenderFormat(file, RenderFormat::kPngFrames).status().message(),
              HasSubstr("is a file"));
  EXPECT_EQ(ResolveRenderFormat("", RenderFormat::kAuto).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RenderEpisodeTest, BadOptionsFailBeforeAnyWork) {
  RenderOptions options;
  options.task = "reach-v2";
  options.out = Scratch("bad.png");
  options.policy = "greedy";
  EXPECT_THAT(RenderEpisode(options).status().message(), HasSubstr("'greedy'"));
  options.policy = "expert";
  options.camera = "sideview";
  const absl::Status camera = RenderEpisode(options).status();
  EXPECT_EQ(camera.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(camera.message(),
              HasSubstr("no camera 'sideview'; its cameras: free, topview, corner"));
  options.camera = "free";
  options.width = 8;
  EXPECT_EQ(RenderEpisode(options).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(options.out));
}

// Needs an EGL driver (Mesa's software one will do); skipped without one.
TEST(RenderEpisodeTest, WritesAnAnimationAndAFolderOfFrames) {
  RenderOptions options;
  options.task = "reach-v2";
  options.frames = 3;
  options.width = options.height = 32;
  options.out = Scratch("episode.png");
  const absl::StatusOr<RenderSummary> animated = RenderEpisode(options);
  if (animated.status().code() == absl::StatusCode::kFailedPrecondition) {
    GTEST_SKIP() << animated.status();
  }
  ASSERT_TRUE(animated.ok()) << animated.status();
  EXPECT_EQ(animated->frames, 3);
  EXPECT_GT(animated->episode_return, 0);
  std::ifstream in(options.out, std::ios::binary);
  const std::string file(std::istreambuf_iterator<char>(in), {});
  const size_t actl = file.find("acTL");
  ASSERT_NE(actl, std::string::npos);
  EXPECT_EQ(static_cast<uint8_t>(file[actl + 7]), 3);  // frame count, big-endian
  EXPECT_FALSE(std::filesystem::exists(options.out + ".tmp"));

  options.out = Scratch("frames");
  options.camera = "corner";
  const absl::StatusOr<RenderSummary> frames = RenderEpisode(options);
  ASSERT_TRUE(frames.ok()) << frames.status();
  EXPECT_EQ(frames->frames, 3);
  for (const char* name : {"frame_00000.png", "frame_00001.png", "frame_00002.png"}) {
    EXPECT_TRUE(std::filesystem::is_regular_file(options.out + "/" + name)) << name;
  }
  EXPECT_FALSE(std::filesystem::exists(options.out + "/frame_00003.png"));
}

}  // namespace
}  // namespace taco::envs
