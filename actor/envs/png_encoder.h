// PNG and animated PNG (APNG) encoding of 8-bit RGB frames, for `taco render`.
//
// APNG keeps every frame lossless and plays in every current browser; a
// reader without APNG support shows the first frame as an ordinary PNG.
// Debian's libpng has no APNG writer, so both forms are written here on top
// of zlib: the chunk layout is small and fixed by the PNG and APNG
// specifications.
#ifndef TACO_ACTOR_ENVS_PNG_ENCODER_H_
#define TACO_ACTOR_ENVS_PNG_ENCODER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace taco::envs {

// Interleaved RGB, 3 bytes a pixel, top row first.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;
};

// InvalidArgument unless width and height are in [1, 2^31) and rgb holds
// exactly 3·width·height bytes.
absl::Status ValidateImage(const RgbImage& image);

// One still PNG file's bytes.
absl::StatusOr<std::string> EncodePng(const RgbImage& image);

// Collects frames of one size and writes them as one looping APNG. After
// the first, each frame stores only the rectangle that changed since the one
// before (a fixed camera sees the arm and the objects move, not the room).
class ApngEncoder {
 public:
  // Every frame is shown for delay_num/delay_den seconds (the APNG fcTL
  // fields; both must fit in 16 bits and delay_den must be positive).
  ApngEncoder(int delay_num, int delay_den);

  // The first frame fixes the size; later frames must match it.
  absl::Status AddFrame(const RgbImage& image);
  int frames() const { return static_cast<int>(frames_.size()); }

  // The file's bytes; FailedPrecondition without frames.
  absl::StatusOr<std::string> Finish() const;

 private:
  int delay_num_;
  int delay_den_;
  struct Frame {
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;
    // One zlib stream of the region's filtered scanlines.
    std::string compressed;
  };

  int width_ = 0;
  int height_ = 0;
  std::vector<uint8_t> previous_;
  std::vector<Frame> frames_;
};

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_PNG_ENCODER_H_
