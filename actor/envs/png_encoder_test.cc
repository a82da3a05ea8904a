#include "actor/envs/png_encoder.h"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#ifdef TACO_HAVE_LIBPNG
#include <png.h>
#endif

namespace taco::envs {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Chunk {
  std::string type;
  std::string data;
};

uint32_t ReadU32(const std::string& s, size_t at) {
  return (uint32_t{static_cast<uint8_t>(s[at])} << 24) |
         (uint32_t{static_cast<uint8_t>(s[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(s[at + 2])} << 8) |
         uint32_t{static_cast<uint8_t>(s[at + 3])};
}

uint16_t ReadU16(const std::string& s, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(s[at]) << 8) |
                               static_cast<uint8_t>(s[at + 1]));
}

// Splits a PNG file into chunks, checking the signature and every CRC.
std::vector<Chunk> ParseChunks(const std::string& png) {
  std::vector<Chunk> chunks;
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  size_t at = 8;
  while (at + 12 <= png.size()) {
    const uint32_t length = ReadU32(png, at);
    EXPECT_LE(at + 12 + length, png.size());
    Chunk chunk{png.substr(at + 4, 4), png.substr(at + 8, length)};
    const uLong crc = crc32(crc32(0L, Z_NULL, 0),
                            reinterpret_cast<const Bytef*>(png.data() + at + 4), length + 4);
    EXPECT_EQ(ReadU32(png, at + 8 + length), static_cast<uint32_t>(crc)) << chunk.type;
    chunks.push_back(std::move(chunk));
    at += 12 + length;
  }
  EXPECT_EQ(at, png.size());
  return chunks;
}

std::string Inflate(const std::string& compressed, size_t expected_size) {
  std::string out(expected_size, '\0');
  uLongf size = expected_size;
  EXPECT_EQ(uncompress(reinterpret_cast<Bytef*>(out.data()), &size,
                       reinterpret_cast<const Bytef*>(compressed.data()), compressed.size()),
            Z_OK);
  EXPECT_EQ(size, expected_size);
  return out;
}

// Undoes the five PNG scanline filters (specification §9).
std::vector<uint8_t> Unfilter(const std::string& filtered, int width, int height) {
  const size_t stride = static_cast<size_t>(width) * 3;
  std::vector<uint8_t> rgb(stride * height);
  for (int y = 0; y < height; ++y) {
    const int filter = static_cast<uint8_t>(filtered[y * (stride + 1)]);
    EXPECT_LE(filter, 4);
    for (size_t i = 0; i < stride; ++i) {
      const int x = static_cast<uint8_t>(filtered[y * (stride + 1) + 1 + i]);
      const int a = i >= 3 ? rgb[y * stride + i - 3] : 0;
      const int b = y > 0 ? rgb[(y - 1) * stride + i] : 0;
      const int c = (i >= 3 && y > 0) ? rgb[(y - 1) * stride + i - 3] : 0;
      int predictor = 0;
      if (filter == 1) predictor = a;
      if (filter == 2) predictor = b;
      if (filter == 3) predictor = (a + b) / 2;
      if (filter == 4) {
        const int p = a + b - c;
        const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
        predictor = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
      }
      rgb[y * stride + i] = static_cast<uint8_t>(x + predictor);
    }
  }
  return rgb;
}

std::vector<uint8_t> Decode(const std::string& zlib_stream, int width, int height) {
  return Unfilter(Inflate(zlib_stream, (static_cast<size_t>(width) * 3 + 1) * height), width,
                  height);
}

// Smooth gradients (which favour the predicting filters), a hard edge and
// noise (which favours "none"), so every filter kind gets exercised.
RgbImage TestImage(int width, int height, uint32_t seed) {
  RgbImage image{width, height, std::vector<uint8_t>(3 * width * height)};
  std::mt19937 rng(seed);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      uint8_t* p = &image.rgb[3 * (y * width + x)];
      if (y < height / 3) {
        p[0] = static_cast<uint8_t>(x * 7);
        p[1] = static_cast<uint8_t>(y * 5);
        p[2] = static_cast<uint8_t>(x + y + seed);
      } else if (y < 2 * height / 3) {
        p[0] = p[1] = p[2] = x < width / 2 ? 20 : 230;
      } else {
        p[0] = static_cast<uint8_t>(rng());
        p[1] = static_cast<uint8_t>(rng());
        p[2] = static_cast<uint8_t>(rng());
      }
    }
  }
  return image;
}

std::vector<std::string> Types(const std::vector<Chunk>& chunks) {
  std::vector<std::string> types;
  for (const Chunk& c : chunks) types.push_back(c.type);
  return types;
}

TEST(PngEncoderTest, StillImageRoundTripsThroughItsChunks) {
  const RgbImage image = TestImage(37, 24, 1);
  const absl::StatusOr<std::string> png = EncodePng(image);
  ASSERT_TRUE(png.ok()) << png.status();
  const std::vector<Chunk> chunks = ParseChunks(*png);
  ASSERT_THAT(Types(chunks), ElementsAre("IHDR", "IDAT", "IEND"));
  const std::string& ihdr = chunks[0].data;
  ASSERT_EQ(ihdr.size(), 13u);
  EXPECT_EQ(ReadU32(ihdr, 0), 37u);
  EXPECT_EQ(ReadU32(ihdr, 4), 24u);
  EXPECT_EQ(ihdr[8], 8);  // bit depth
  EXPECT_EQ(ihdr[9], 2);  // RGB
  EXPECT_EQ(Decode(chunks[1].data, 37, 24), image.rgb);
}

TEST(PngEncoderTest, FlatImagesCompressWell) {
  RgbImage flat{200, 100, std::vector<uint8_t>(3 * 200 * 100, 128)};
  const absl::StatusOr<std::string> png = EncodePng(flat);
  ASSERT_TRUE(png.ok());
  EXPECT_LT(png->size(), 1000u);
}

// Pastes a decoded region onto the canvas, as an APNG player does with
// dispose "none" and blend "source".
void Paste(const std::vector<uint8_t>& region, int x, int y, int width, int height,
           RgbImage* canvas) {
  for (int row = 0; row < height; ++row) {
    std::copy_n(region.begin() + 3 * width * row, 3 * width,
                canvas->rgb.begin() + 3 * ((y + row) * canvas->width + x));
  }
}

// Frame 1 changes a 5x3 block at (7, 2); frame 2 repeats frame 1; frame 3
// changes one pixel in the last row and one in the first column.
std::vector<RgbImage> AnimationFrames() {
  std::vector<RgbImage> frames = {TestImage(16, 9, 0)};
  frames.push_back(frames.back());
  for (int y = 2; y < 5; ++y) {
    for (int x = 7; x < 12; ++x) frames.back().rgb[3 * (y * 16 + x) + 1] ^= 0x55;
  }
  frames.push_back(frames.back());
  frames.push_back(frames.back());
  frames.back().rgb[3 * (8 * 16 + 9)] ^= 1;
  frames.back().rgb[3 * (4 * 16 + 0) + 2] ^= 1;
  return frames;
}

TEST(PngEncoderTest, AnimationStoresChangedRegionsThatReplayToEveryFrame) {
  ApngEncoder encoder(1, 80);
  const std::vector<RgbImage> frames = AnimationFrames();
  for (const RgbImage& frame : frames) ASSERT_TRUE(encoder.AddFrame(frame).ok());
  EXPECT_EQ(encoder.frames(), 4);
  const absl::StatusOr<std::string> png = encoder.Finish();
  ASSERT_TRUE(png.ok()) << png.status();
  const std::vector<Chunk> chunks = ParseChunks(*png);
  ASSERT_THAT(Types(chunks), ElementsAre("IHDR", "acTL", "fcTL", "IDAT", "fcTL", "fdAT", "fcTL",
                                         "fdAT", "fcTL", "fdAT", "IEND"));
  EXPECT_EQ(ReadU32(chunks[1].data, 0), 4u);  // frames
  EXPECT_EQ(ReadU32(chunks[1].data, 4), 0u);  // loop forever

  // fcTL and fdAT sequence numbers run 0, 1, 2, ... across both kinds.
  const std::vector<int> sequence_chunks = {2, 4, 5, 6, 7, 8, 9};
  for (size_t k = 0; k < sequence_chunks.size(); ++k) {
    EXPECT_EQ(ReadU32(chunks[sequence_chunks[k]].data, 0), k);
  }
  // Regions: the whole first frame, the changed block, a 1x1 stand-in for
  // "nothing changed", and the box around the two changed pixels.
  const std::vector<std::vector<uint32_t>> regions = {
      {16, 9, 0, 0}, {5, 3, 7, 2}, {1, 1, 0, 0}, {10, 5, 0, 4}};
  RgbImage canvas{16, 9, std::vector<uint8_t>(3 * 16 * 9)};
  for (size_t f = 0; f < frames.size(); ++f) {
    const std::string& fctl = chunks[2 + 2 * f].data;
    ASSERT_EQ(fctl.size(), 26u);
    const uint32_t width = ReadU32(fctl, 4), height = ReadU32(fctl, 8);
    const uint32_t x = ReadU32(fctl, 12), y = ReadU32(fctl, 16);
    EXPECT_EQ((std::vector<uint32_t>{width, height, x, y}), regions[f]) << "frame " << f;
    EXPECT_EQ(ReadU16(fctl, 20), 1);
    EXPECT_EQ(ReadU16(fctl, 22), 80);
    EXPECT_EQ(fctl[24], 0);  // dispose none
    EXPECT_EQ(fctl[25], 0);  // blend source
    const std::string& data = chunks[3 + 2 * f].data;
    Paste(Decode(f == 0 ? data : data.substr(4), width, height), x, y, width, height, &canvas);
    EXPECT_EQ(canvas.rgb, frames[f].rgb) << "frame " << f;
  }
}

TEST(PngEncoderTest, BadImagesAndFramesAreRejected) {
  RgbImage short_buffer{4, 4, std::vector<uint8_t>(47)};
  EXPECT_THAT(EncodePng(short_buffer).status().message(), HasSubstr("needs 48 bytes, got 47"));
  EXPECT_EQ(EncodePng(RgbImage{0, 4, {}}).status().code(), absl::StatusCode::kInvalidArgument);

  ApngEncoder encoder(1, 10);
  EXPECT_EQ(encoder.Finish().status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(encoder.AddFrame(TestImage(8, 8, 0)).ok());
  const absl::Status other_size = encoder.AddFrame(TestImage(8, 9, 0));
  EXPECT_EQ(other_size.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(other_size.message(), HasSubstr("the first frame was 8x8"));
  EXPECT_EQ(encoder.frames(), 1);

  ApngEncoder zero_denominator(1, 0);
  EXPECT_EQ(zero_denominator.AddFrame(TestImage(8, 8, 0)).code(),
            absl::StatusCode::kInvalidArgument);
  ApngEncoder too_long(70000, 1);
  EXPECT_EQ(too_long.AddFrame(TestImage(8, 8, 0)).code(), absl::StatusCode::kInvalidArgument);
}

#ifdef TACO_HAVE_LIBPNG
// An independent reader: libpng must read the still image, and the
// animation's default image, back to the same pixels.
std::vector<uint8_t> ReadWithLibpng(const std::string& file, int* width, int* height) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  EXPECT_NE(png_image_begin_read_from_memory(&image, file.data(), file.size()), 0) << image.message;
  image.format = PNG_FORMAT_RGB;
  std::vector<uint8_t> rgb(PNG_IMAGE_SIZE(image));
  EXPECT_NE(png_image_finish_read(&image, nullptr, rgb.data(), 0, nullptr), 0) << image.message;
  *width = static_cast<int>(image.width);
  *height = static_cast<int>(image.height);
  return rgb;
}

TEST(PngEncoderTest, LibpngReadsStillAndAnimatedFiles) {
  const RgbImage still = TestImage(33, 20, 7);
  int width = 0;
  int height = 0;
  EXPECT_EQ(ReadWithLibpng(*EncodePng(still), &width, &height), still.rgb);
  EXPECT_EQ(width, 33);
  EXPECT_EQ(height, 20);

  ApngEncoder encoder(1, 80);
  const RgbImage first = TestImage(12, 12, 1);
  ASSERT_TRUE(encoder.AddFrame(first).ok());
  ASSERT_TRUE(encoder.AddFrame(TestImage(12, 12, 2)).ok());
  EXPECT_EQ(ReadWithLibpng(*encoder.Finish(), &width, &height), first.rgb);
}
#endif

}  // namespace
}  // namespace taco::envs
