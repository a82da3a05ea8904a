#include "actor/actor_index.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace taco {
namespace {

absl::StatusOr<int> IndexFromVariable(const char* name, const char* value) {
  int index = -1;
  if (!absl::SimpleAtoi(value, &index) || index < 0 || index > kMaxClaimedActorIndex) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, "='", value, "' is not an index in 0..", kMaxClaimedActorIndex));
  }
  return index;
}

}  // namespace

ActorIndexClaim::ActorIndexClaim(ActorIndexClaim&& other) noexcept
    : index_(other.index_), source_(std::move(other.source_)), lock_fd_(other.lock_fd_) {
  other.lock_fd_ = -1;
}

ActorIndexClaim::~ActorIndexClaim() {
  if (lock_fd_ >= 0) close(lock_fd_);
}

absl::StatusOr<ActorIndexClaim> ResolveActorIndex(const std::string& claim_dir) {
  for (const char* name : {"TACO_ACTOR_INDEX", "JOB_COMPLETION_INDEX"}) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == 0) continue;
    auto index = IndexFromVariable(name, value);
    if (!index.ok()) return index.status();
    return ActorIndexClaim(*index, name);
  }
  if (claim_dir.empty()) {
    return absl::NotFoundError(
        "no TACO_ACTOR_INDEX, JOB_COMPLETION_INDEX or index folder to take an index from");
  }
  std::error_code ec;
  std::filesystem::create_directories(claim_dir, ec);
  for (int index = 0; index <= kMaxClaimedActorIndex; ++index) {
    const std::string path = absl::StrCat(claim_dir, "/actor-", index, ".lock");
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0664);
    if (fd < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot claim an actor index in ", claim_dir, ": ", std::strerror(errno)));
    }
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
      return ActorIndexClaim(index, absl::StrCat("claimed in ", claim_dir), fd);
    }
    close(fd);
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("every actor index up to ", kMaxClaimedActorIndex, " is held in ", claim_dir));
}

}  // namespace taco
