#include "replay/table_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace taco {
namespace {

constexpr char kMagic[8] = {'T', 'A', 'C', 'O', 'T', 'B', 'L', '1'};
// Guards against absurd sizes in a damaged header before allocating.
constexpr uint64_t kMaxStringBytes = 1 << 16;

class Writer {
 public:
  void U64(uint64_t v) { Raw(&v, sizeof(v)); }
  void Str(const std::string& s) {
    U64(s.size());
    Raw(s.data(), s.size());
  }
  template <typename T>
  void Vec(const std::vector<T>& v) {
    U64(v.size());
    Raw(v.data(), v.size() * sizeof(T));
  }
  void Raw(const void* p, size_t n) {
    if (n > 0) out_.append(static_cast<const char*>(p), n);  // an empty vector's data() may be null
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  Reader(const std::string& data, size_t end) : data_(data), end_(end) {}
  bool U64(uint64_t* v) { return Raw(v, sizeof(*v)); }
  bool Str(std::string* s) {
    uint64_t n;
    if (!U64(&n) || n > kMaxStringBytes || n > end_ - pos_) return false;
    s->assign(data_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  template <typename T>
  bool Vec(std::vector<T>* v, uint64_t expected) {
    uint64_t n;
    if (!U64(&n) || n != expected || n > (end_ - pos_) / sizeof(T)) return false;
    v->resize(n);
    return Raw(v->data(), n * sizeof(T));
  }
  bool Raw(void* p, size_t n) {
    if (n > end_ - pos_) return false;
    if (n == 0) return true;
    std::memcpy(p, data_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool AtEnd() const { return pos_ == end_; }

 private:
  const std::string& data_;
  const size_t end_;
  size_t pos_ = 0;
};

uint32_t Crc32(const char* data, size_t n) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (n > 0) {
    const uInt chunk = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data), chunk);
    data += chunk;
    n -= chunk;
  }
  return static_cast<uint32_t>(crc);
}

absl::Status Errno(const std::string& what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " '", path, "': ", std::strerror(errno)));
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path, const std::string& data) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot create", tmp);
  size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      absl::Status status = Errno("cannot write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return status;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    absl::Status status = Errno("cannot flush", tmp);
    ::unlink(tmp.c_str());
    return status;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    absl::Status status = Errno("cannot rename to", path);
    ::unlink(tmp.c_str());
    return status;
  }
  // The rename is durable only once the directory entry is.
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return absl::OkStatus();
}

absl::Status WriteTableFile(const std::string& path, const TableFileContents& c) {
  TACO_RETURN_IF_ERROR(c.transitions.Validate());
  Writer w;
  w.Raw(kMagic, sizeof(kMagic));
  w.Str(c.task);
  w.U64(static_cast<uint64_t>(c.transitions.shape.obs_dim));
  w.U64(static_cast<uint64_t>(c.transitions.shape.action_dim));
  w.U64(static_cast<uint64_t>(c.capacity));
  w.U64(static_cast<uint64_t>(c.inserted_total));
  w.U64(static_cast<uint64_t>(c.sampled_total));
  w.U64(static_cast<uint64_t>(c.transitions.size));
  w.U64(c.last_sequence.size());
  for (const auto& [actor, seq] : c.last_sequence) {
    w.Str(actor);
    w.U64(seq);
  }
  const Transitions& t = c.transitions;
  w.Vec(t.obs);
  w.Vec(t.action);
  w.Vec(t.reward);
  w.Vec(t.next_obs);
  w.Vec(t.terminal);
  w.Vec(t.truncated);
  w.Vec(t.policy_version);
  const uint32_t crc = Crc32(w.out().data(), w.out().size());
  w.Raw(&crc, sizeof(crc));
  return WriteFileAtomically(path, w.out());
}

absl::StatusOr<TableFileContents> ReadTableFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open table file '", path, "'"));
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto damaged = [&path](absl::string_view why) {
    return absl::DataLossError(absl::StrCat("table file '", path, "' is damaged: ", why));
  };
  if (data.size() < sizeof(kMagic) + sizeof(uint32_t) ||
      std::memcmp(data.data(), kMagic, sizeof(kMagic)) != 0) {
    return damaged("not a taco table file");
  }
  const size_t body = data.size() - sizeof(uint32_t);
  uint32_t stored_crc;
  std::memcpy(&stored_crc, data.data() + body, sizeof(stored_crc));
  if (Crc32(data.data(), body) != stored_crc) return damaged("checksum mismatch");

  Reader r(data, body);
  char magic[sizeof(kMagic)];
  TableFileContents c;
  uint64_t obs_dim, action_dim, capacity, inserted, sampled, size, actors;
  if (!r.Raw(magic, sizeof(magic)) || !r.Str(&c.task) || !r.U64(&obs_dim) || !r.U64(&action_dim) ||
      !r.U64(&capacity) || !r.U64(&inserted) || !r.U64(&sampled) || !r.U64(&size) ||
      !r.U64(&actors)) {
    return damaged("truncated header");
  }
  if (obs_dim == 0 || obs_dim > 1 << 20 || action_dim == 0 || action_dim > 1 << 20 ||
      size > capacity || actors > (1 << 24)) {
    return damaged("implausible header values");
  }
  // The counters are int64 in memory; a table cannot have stored fewer
  // transitions than it holds (Table::Restore refuses that, but only after
  // other tables of the checkpoint were restored).
  constexpr uint64_t kMaxCount = std::numeric_limits<int64_t>::max();
  if (capacity > kMaxCount || inserted > kMaxCount || sampled > kMaxCount || inserted < size) {
    return damaged("counters out of range");
  }
  for (uint64_t i = 0; i < actors; ++i) {
    std::string actor;
    uint64_t seq;
    if (!r.Str(&actor) || !r.U64(&seq)) return damaged("truncated sequence numbers");
    c.last_sequence[actor] = seq;
  }
  Transitions& t = c.transitions;
  t.shape = TransitionShape{static_cast<int>(obs_dim), static_cast<int>(action_dim)};
  t.size = static_cast<int64_t>(size);
  if (!r.Vec(&t.obs, size * obs_dim) || !r.Vec(&t.action, size * action_dim) ||
      !r.Vec(&t.reward, size) || !r.Vec(&t.next_obs, size * obs_dim) || !r.Vec(&t.terminal, size) ||
      !r.Vec(&t.truncated, size) || !r.Vec(&t.policy_version, size) || !r.AtEnd()) {
    return damaged("column sizes do not match the header");
  }
  c.capacity = static_cast<int64_t>(capacity);
  c.inserted_total = static_cast<int64_t>(inserted);
  c.sampled_total = static_cast<int64_t>(sampled);
  TACO_RETURN_IF_ERROR(Annotate(t.Validate(), absl::StrCat("table file '", path, "'")));
  return c;
}

}  // namespace taco
