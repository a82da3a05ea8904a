#include "actor/envs/png_encoder.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status.h"

namespace taco::envs {
namespace {

constexpr char kSignature[] = "\x89PNG\r\n\x1a\n";
constexpr int kBytesPerPixel = 3;
// The largest chunk payload PNG allows.
constexpr size_t kMaxChunkBytes = (size_t{1} << 31) - 1;

void AppendU32(std::string* out, uint32_t v) {
  out->push_back(static_cast<char>(v >> 24));
  out->push_back(static_cast<char>(v >> 16));
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}

void AppendU16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}

absl::Status AppendChunk(std::string* out, absl::string_view type, absl::string_view data) {
  if (data.size() > kMaxChunkBytes) {
    return absl::InvalidArgumentError(absl::StrCat("a PNG ", type, " chunk of ", data.size(),
                                                   " bytes is over the format's limit"));
  }
  AppendU32(out, static_cast<uint32_t>(data.size()));
  const size_t crc_start = out->size();
  out->append(type.data(), type.size());
  out->append(data.data(), data.size());
  uLong crc = crc32(0L, Z_NULL, 0);
  const auto* bytes = reinterpret_cast<const Bytef*>(out->data() + crc_start);
  // crc32 takes a 32-bit length; chunks are below 2^31 bytes.
  crc = crc32(crc, bytes, static_cast<uInt>(out->size() - crc_start));
  AppendU32(out, static_cast<uint32_t>(crc));
  return absl::OkStatus();
}

std::string HeaderData(int width, int height) {
  std::string ihdr;
  AppendU32(&ihdr, static_cast<uint32_t>(width));
  AppendU32(&ihdr, static_cast<uint32_t>(height));
  ihdr.push_back(8);  // bits per sample
  ihdr.push_back(2);  // colour type: RGB
  ihdr.push_back(0);  // compression: deflate
  ihdr.push_back(0);  // filter method: adaptive
  ihdr.push_back(0);  // no interlace
  return ihdr;
}

uint8_t Paeth(int left, int up, int up_left) {
  const int p = left + up - up_left;
  const int pa = std::abs(p - left);
  const int pb = std::abs(p - up);
  const int pc = std::abs(p - up_left);
  if (pa <= pb && pa <= pc) return static_cast<uint8_t>(left);
  if (pb <= pc) return static_cast<uint8_t>(up);
  return static_cast<uint8_t>(up_left);
}

// Each scanline gets the filter whose output has the smallest sum of
// absolute signed bytes, the heuristic the PNG specification recommends;
// rendered scenes compress several times better than unfiltered.
std::string FilterScanlines(const RgbImage& image) {
  const size_t stride = static_cast<size_t>(image.width) * kBytesPerPixel;
  std::string out;
  out.reserve((stride + 1) * static_cast<size_t>(image.height));
  const std::vector<uint8_t> zero_row(stride, 0);
  std::array<std::string, 5> candidates;
  for (auto& c : candidates) c.resize(stride);
  for (int y = 0; y < image.height; ++y) {
    const uint8_t* row = image.rgb.data() + stride * static_cast<size_t>(y);
    const uint8_t* up = y == 0 ? zero_row.data() : row - stride;
    for (size_t i = 0; i < stride; ++i) {
      const int left = i >= kBytesPerPixel ? row[i - kBytesPerPixel] : 0;
      const int up_left = i >= kBytesPerPixel ? up[i - kBytesPerPixel] : 0;
      candidates[0][i] = static_cast<char>(row[i]);
      candidates[1][i] = static_cast<char>(row[i] - left);
      candidates[2][i] = static_cast<char>(row[i] - up[i]);
      candidates[3][i] = static_cast<char>(row[i] - ((left + up[i]) / 2));
      candidates[4][i] = static_cast<char>(row[i] - Paeth(left, up[i], up_left));
    }
    int best = 0;
    uint64_t best_cost = std::numeric_limits<uint64_t>::max();
    for (int f = 0; f < 5; ++f) {
      uint64_t cost = 0;
      for (char c : candidates[f])
        cost += static_cast<uint64_t>(std::abs(static_cast<signed char>(c)));
      if (cost < best_cost) {
        best_cost = cost;
        best = f;
      }
    }
    out.push_back(static_cast<char>(best));
    out += candidates[best];
  }
  return out;
}

absl::StatusOr<std::string> Deflate(const std::string& raw) {
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string out(size, '\0');
  const int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                           reinterpret_cast<const Bytef*>(raw.data()),
                           static_cast<uLong>(raw.size()), Z_DEFAULT_COMPRESSION);
  if (rc != Z_OK) return absl::InternalError(absl::StrCat("zlib compression failed (", rc, ")"));
  out.resize(size);
  return out;
}

absl::StatusOr<std::string> CompressImage(const RgbImage& image) {
  TACO_RETURN_IF_ERROR(ValidateImage(image));
  return Deflate(FilterScanlines(image));
}

// The smallest rectangle holding every pixel where `image` differs from
// `previous` (same size); 1x1 at the origin when nothing changed, since an
// APNG frame cannot be empty.
void ChangedRegion(const RgbImage& image, const std::vector<uint8_t>& previous, int* x, int* y,
                   int* width, int* height) {
  const size_t stride = static_cast<size_t>(image.width) * kBytesPerPixel;
  int x0 = image.width, y0 = image.height, x1 = -1, y1 = -1;
  for (int row = 0; row < image.height; ++row) {
    const uint8_t* a = image.rgb.data() + stride * row;
    const uint8_t* b = previous.data() + stride * row;
    if (std::memcmp(a, b, stride) == 0) continue;
    y0 = std::min(y0, row);
    y1 = row;
    for (int col = 0; col < image.width; ++col) {
      const size_t at = size_t{kBytesPerPixel} * static_cast<size_t>(col);
      if (std::memcmp(a + at, b + at, kBytesPerPixel) != 0) {
        x0 = std::min(x0, col);
        x1 = std::max(x1, col);
      }
    }
  }
  if (y1 < 0) {
    *x = *y = 0;
    *width = *height = 1;
    return;
  }
  *x = x0;
  *y = y0;
  *width = x1 - x0 + 1;
  *height = y1 - y0 + 1;
}

RgbImage Crop(const RgbImage& image, int x, int y, int width, int height) {
  RgbImage out{width, height, std::vector<uint8_t>(static_cast<size_t>(width) * height * 3)};
  const size_t row_bytes = static_cast<size_t>(width) * kBytesPerPixel;
  for (int row = 0; row < height; ++row) {
    const uint8_t* from =
        image.rgb.data() + (static_cast<size_t>(y + row) * image.width + x) * kBytesPerPixel;
    std::memcpy(out.rgb.data() + row_bytes * row, from, row_bytes);
  }
  return out;
}

}  // namespace

absl::Status ValidateImage(const RgbImage& image) {
  if (image.width < 1 || image.height < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("an image needs a positive size, got ", image.width, "x", image.height));
  }
  const uint64_t want = uint64_t{kBytesPerPixel} * static_cast<uint64_t>(image.width) *
                        static_cast<uint64_t>(image.height);
  if (image.rgb.size() != want) {
    return absl::InvalidArgumentError(absl::StrCat("a ", image.width, "x", image.height,
                                                   " RGB image needs ", want, " bytes, got ",
                                                   image.rgb.size()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> EncodePng(const RgbImage& image) {
  TACO_ASSIGN_OR_RETURN(const std::string data, CompressImage(image));
  std::string png(kSignature, sizeof(kSignature) - 1);
  TACO_RETURN_IF_ERROR(AppendChunk(&png, "IHDR", HeaderData(image.width, image.height)));
  TACO_RETURN_IF_ERROR(AppendChunk(&png, "IDAT", data));
  TACO_RETURN_IF_ERROR(AppendChunk(&png, "IEND", ""));
  return png;
}

ApngEncoder::ApngEncoder(int delay_num, int delay_den)
    : delay_num_(delay_num), delay_den_(delay_den) {}

absl::Status ApngEncoder::AddFrame(const RgbImage& image) {
  if (delay_num_ < 0 || delay_num_ > 0xffff || delay_den_ < 1 || delay_den_ > 0xffff) {
    return absl::InvalidArgumentError(absl::StrCat("an APNG frame delay of ", delay_num_, "/",
                                                   delay_den_,
                                                   " s does not fit the format's 16-bit fields"));
  }
  TACO_RETURN_IF_ERROR(ValidateImage(image));
  if (!frames_.empty() && (image.width != width_ || image.height != height_)) {
    return absl::InvalidArgumentError(absl::StrCat("APNG frame ", frames_.size(), " is ",
                                                   image.width, "x", image.height,
                                                   ", the first frame was ", width_, "x", height_));
  }
  Frame frame{0, 0, image.width, image.height, {}};
  if (frames_.empty()) {
    TACO_ASSIGN_OR_RETURN(frame.compressed, CompressImage(image));
  } else {
    ChangedRegion(image, previous_, &frame.x, &frame.y, &frame.width, &frame.height);
    TACO_ASSIGN_OR_RETURN(frame.compressed,
                          CompressImage(Crop(image, frame.x, frame.y, frame.width, frame.height)));
  }
  width_ = image.width;
  height_ = image.height;
  previous_ = image.rgb;
  frames_.push_back(std::move(frame));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ApngEncoder::Finish() const {
  if (frames_.empty()) {
    return absl::FailedPreconditionError("an animated PNG needs at least one frame");
  }
  std::string png(kSignature, sizeof(kSignature) - 1);
  TACO_RETURN_IF_ERROR(AppendChunk(&png, "IHDR", HeaderData(width_, height_)));
  std::string actl;
  AppendU32(&actl, static_cast<uint32_t>(frames_.size()));
  AppendU32(&actl, 0);  // loop forever
  TACO_RETURN_IF_ERROR(AppendChunk(&png, "acTL", actl));
  // fcTL and fdAT chunks share one sequence, starting at 0.
  uint32_t sequence = 0;
  for (size_t i = 0; i < frames_.size(); ++i) {
    const Frame& frame = frames_[i];
    std::string fctl;
    AppendU32(&fctl, sequence++);
    AppendU32(&fctl, static_cast<uint32_t>(frame.width));
    AppendU32(&fctl, static_cast<uint32_t>(frame.height));
    AppendU32(&fctl, static_cast<uint32_t>(frame.x));
    AppendU32(&fctl, static_cast<uint32_t>(frame.y));
    AppendU16(&fctl, static_cast<uint16_t>(delay_num_));
    AppendU16(&fctl, static_cast<uint16_t>(delay_den_));
    // Dispose "none" keeps this frame as the canvas the next region is
    // drawn on; blend "source" replaces the region's pixels.
    fctl.push_back(0);
    fctl.push_back(0);
    TACO_RETURN_IF_ERROR(AppendChunk(&png, "fcTL", fctl));
    if (i == 0) {
      // The first frame is the default image that plain PNG readers show.
      TACO_RETURN_IF_ERROR(AppendChunk(&png, "IDAT", frame.compressed));
    } else {
      std::string fdat;
      AppendU32(&fdat, sequence++);
      fdat += frame.compressed;
      TACO_RETURN_IF_ERROR(AppendChunk(&png, "fdAT", fdat));
    }
  }
  TACO_RETURN_IF_ERROR(AppendChunk(&png, "IEND", ""));
  return png;
}

}  // namespace taco::envs
