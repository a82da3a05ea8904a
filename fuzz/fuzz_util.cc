#include "fuzz/fuzz_util.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

namespace taco::fuzz {

const std::string& ScratchDir() {
  static const std::string* dir = [] {
    // fuzz/run names a folder that it removes afterwards: a crash ends the
    // process without running the atexit handler below.
    const char* chosen = std::getenv("TACO_FUZZ_SCRATCH");
    std::string base = chosen != nullptr && *chosen != '\0' ? chosen : "/dev/shm";
    if (::access(base.c_str(), W_OK) != 0) {
      const char* tmp = std::getenv("TMPDIR");
      base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    }
    std::string pattern = base + "/taco-fuzz-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) {
      std::perror("taco fuzz: mkdtemp");
      std::abort();
    }
    auto* made = new std::string(buf.data());
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(ScratchDir(), ec);
    });
    return made;
  }();
  return *dir;
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out) {
    std::fprintf(stderr, "taco fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
}

}  // namespace taco::fuzz
