#include "learner/paco/checkpoint.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>

namespace paco {
namespace {

constexpr char kMagic[8] = {'T', 'A', 'C', 'O', 'P', 'A', 'C', 'O'};
constexpr char kFooterMagic[4] = {'E', 'N', 'D', '!'};
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kHeaderBytes = sizeof(kMagic) + 4 + 8;
constexpr size_t kFooterBytes = 4 + sizeof(kFooterMagic);
constexpr int kMaxRank = 8;

// Slicing-by-8 tables: table[0] is the classic byte table; table[j] advances
// a byte j positions further, so eight bytes fold in per step.
const std::array<std::array<uint32_t, 256>, 8>& CrcTables() {
  static const auto* tables = [] {
    auto* t = new std::array<std::array<uint32_t, 256>, 8>();
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      (*t)[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i) {
      for (int j = 1; j < 8; ++j) {
        (*t)[j][i] = ((*t)[j - 1][i] >> 8) ^ (*t)[0][(*t)[j - 1][i] & 0xFF];
      }
    }
    return t;
  }();
  return *tables;
}

bool LittleEndianHost() {
  const uint16_t probe = 1;
  uint8_t first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

size_t ElementSize(RecordType type) {
  switch (type) {
    case RecordType::kFloat32:
      return 4;
    case RecordType::kInt64:
      return 8;
    case RecordType::kUInt8:
      return 1;
  }
  return 0;
}

std::string ErrnoText() { return std::strerror(errno); }

// Appends to a file descriptor while folding the payload bytes into a CRC.
class FileSink {
 public:
  explicit FileSink(int fd) : fd_(fd) {}
  bool Write(const void* data, size_t size, bool in_payload) {
    if (in_payload) crc_ = Crc32(data, size, crc_);
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
      const ssize_t n = ::write(fd_, p, size);
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      p += n;
      size -= static_cast<size_t>(n);
    }
    return true;
  }
  template <typename T>
  bool WritePod(T v, bool in_payload = true) {
    return Write(&v, sizeof(v), in_payload);
  }
  uint32_t crc() const { return crc_; }

 private:
  int fd_;
  uint32_t crc_ = 0;
};

// Reads from an in-memory payload with bounds checks.
class Cursor {
 public:
  Cursor(const char* data, size_t size) : p_(data), end_(data + size) {}
  bool Read(void* out, size_t size) {
    if (static_cast<size_t>(end_ - p_) < size) return false;
    std::memcpy(out, p_, size);
    p_ += size;
    return true;
  }
  template <typename T>
  bool ReadPod(T* v) {
    return Read(v, sizeof(T));
  }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  const char* position() const { return p_; }
  void Skip(size_t n) { p_ += n; }

 private:
  const char* p_;
  const char* end_;
};

}  // namespace

uint32_t Crc32(const void* data, size_t size, uint32_t crc) {
  const auto& t = CrcTables();
  const auto* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
  while (size >= 8) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    lo ^= crc;  // little-endian load, as the tables assume
    crc = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
          t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
    p += 8;
    size -= 8;
  }
  while (size-- > 0) crc = t[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void CheckpointWriter::Add(std::string name, RecordType type, std::vector<int64_t> shape,
                           const void* data, size_t bytes) {
  entries_.push_back({std::move(name), type, std::move(shape), data, bytes, -1});
}

void CheckpointWriter::AddString(std::string name, const std::string& value) {
  owned_strings_.push_back(value);
  entries_.push_back({std::move(name),
                      RecordType::kUInt8,
                      {static_cast<int64_t>(value.size())},
                      nullptr,
                      value.size(),
                      static_cast<int>(owned_strings_.size() - 1)});
}

Status CheckpointWriter::Commit(const std::string& path) const {
  if (!LittleEndianHost()) return InternalError("checkpoints need a little-endian host");
  uint64_t payload = 4;
  for (const Entry& e : entries_) {
    int64_t elements = 1;
    for (int64_t d : e.shape) elements *= d;
    if (e.shape.size() > kMaxRank || e.name.size() > std::numeric_limits<uint32_t>::max() ||
        static_cast<uint64_t>(elements) * ElementSize(e.type) != e.bytes) {
      return InvalidArgumentError("checkpoint record '" + e.name + "' is inconsistent");
    }
    payload += 4 + e.name.size() + 1 + 1 + 8 * e.shape.size() + 8 + e.bytes;
  }

  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return InternalError("cannot create " + tmp + ": " + ErrnoText());
  FileSink sink(fd);
  bool ok = sink.Write(kMagic, sizeof(kMagic), false) && sink.WritePod(kFormatVersion, false) &&
            sink.WritePod(payload, false) && sink.WritePod(static_cast<uint32_t>(entries_.size()));
  for (const Entry& e : entries_) {
    if (!ok) break;
    const void* data = e.owned >= 0 ? owned_strings_[e.owned].data() : e.data;
    ok = sink.WritePod(static_cast<uint32_t>(e.name.size())) &&
         sink.Write(e.name.data(), e.name.size(), true) &&
         sink.WritePod(static_cast<uint8_t>(e.type)) &&
         sink.WritePod(static_cast<uint8_t>(e.shape.size()));
    for (int64_t d : e.shape) ok = ok && sink.WritePod(d);
    ok = ok && sink.WritePod(static_cast<uint64_t>(e.bytes)) && sink.Write(data, e.bytes, true);
  }
  ok = ok && sink.WritePod(sink.crc(), false) &&
       sink.Write(kFooterMagic, sizeof(kFooterMagic), false);
  if (!ok || ::fsync(fd) != 0) {
    const std::string why = ErrnoText();
    ::close(fd);
    ::unlink(tmp.c_str());
    return InternalError("cannot write " + tmp + ": " + why);
  }
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return InternalError("cannot close " + tmp + ": " + ErrnoText());
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = ErrnoText();
    ::unlink(tmp.c_str());
    return InternalError("cannot rename " + tmp + " to " + path + ": " + why);
  }
  // Persist the rename itself.
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return OkStatus();
}

StatusOr<std::map<std::string, CheckpointRecord>> ReadCheckpointFile(const std::string& path) {
  if (!LittleEndianHost()) return InternalError("checkpoints need a little-endian host");
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot open checkpoint " + path);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto damaged = [&path](const std::string& why) {
    return DataLossError("checkpoint " + path + " is damaged: " + why);
  };
  if (bytes.size() < kHeaderBytes + kFooterBytes) return damaged("shorter than header and footer");
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return damaged("not a taco PaCo checkpoint (bad magic)");
  }
  uint32_t version = 0;
  uint64_t payload_bytes = 0;
  std::memcpy(&version, bytes.data() + sizeof(kMagic), 4);
  std::memcpy(&payload_bytes, bytes.data() + sizeof(kMagic) + 4, 8);
  if (version != kFormatVersion) {
    return DataLossError("checkpoint " + path + " has format version " + std::to_string(version) +
                         ", this build reads " + std::to_string(kFormatVersion));
  }
  if (payload_bytes != bytes.size() - kHeaderBytes - kFooterBytes) {
    return damaged("size " + std::to_string(bytes.size()) + " bytes does not match the header (" +
                   "truncated or extended)");
  }
  const char* payload = bytes.data() + kHeaderBytes;
  const char* footer = payload + payload_bytes;
  uint32_t stored_crc = 0;
  std::memcpy(&stored_crc, footer, 4);
  if (std::memcmp(footer + 4, kFooterMagic, sizeof(kFooterMagic)) != 0) {
    return damaged("footer missing");
  }
  if (Crc32(payload, payload_bytes) != stored_crc) return damaged("checksum mismatch");

  Cursor cur(payload, payload_bytes);
  uint32_t count = 0;
  if (!cur.ReadPod(&count)) return damaged("record count missing");
  std::map<std::string, CheckpointRecord> records;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t name_len = 0;
    if (!cur.ReadPod(&name_len) || name_len > cur.remaining()) return damaged("bad record name");
    std::string name(cur.position(), name_len);
    cur.Skip(name_len);
    uint8_t type = 0, rank = 0;
    if (!cur.ReadPod(&type) || !cur.ReadPod(&rank) || rank > kMaxRank) {
      return damaged("bad header of record '" + name + "'");
    }
    CheckpointRecord rec;
    rec.type = static_cast<RecordType>(type);
    const size_t elem = ElementSize(rec.type);
    if (elem == 0) return damaged("record '" + name + "' has unknown type");
    // Counted in bytes and checked at every step: a product that wraps
    // around could match a short payload while the shape claims far more.
    uint64_t bytes_needed = elem;
    for (int d = 0; d < rank; ++d) {
      int64_t dim = 0;
      if (!cur.ReadPod(&dim) || dim < 0 ||
          (dim > 0 &&
           bytes_needed > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(dim))) {
        return damaged("bad shape of record '" + name + "'");
      }
      rec.shape.push_back(dim);
      bytes_needed *= static_cast<uint64_t>(dim);
    }
    uint64_t data_bytes = 0;
    if (!cur.ReadPod(&data_bytes) || data_bytes != bytes_needed || data_bytes > cur.remaining()) {
      return damaged("bad size of record '" + name + "'");
    }
    rec.data.assign(cur.position(), data_bytes);
    cur.Skip(data_bytes);
    if (!records.emplace(std::move(name), std::move(rec)).second) {
      return damaged("duplicate record");
    }
  }
  if (cur.remaining() != 0) return damaged("trailing bytes after the records");
  return records;
}

}  // namespace paco
