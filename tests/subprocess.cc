#include "tests/subprocess.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>
#include <random>
#include <string>
#include <thread>

namespace taco {

Subprocess::Subprocess(const std::vector<std::string>& argv, const std::string& log_path)
    : log_path_(log_path) {
  pid_ = fork();
  if (pid_ == 0) {
    const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
    // The parent may block termination signals; the child must not inherit that.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
}

Subprocess::~Subprocess() {
  if (running()) {
    Signal(SIGKILL);
    Wait(10);
  }
}

bool Subprocess::running() {
  if (pid_ <= 0 || exited_) return false;
  const pid_t r = waitpid(pid_, &status_, WNOHANG);
  if (r == pid_) exited_ = true;
  return !exited_;
}

void Subprocess::Signal(int sig) {
  if (pid_ > 0 && !exited_) kill(pid_, sig);
}

int Subprocess::Wait(double timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (running()) {
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
  return -1;
}

std::string Subprocess::Log() const {
  std::ifstream in(log_path_);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

CommandResult RunCommand(const std::vector<std::string>& argv, double timeout_s) {
  const char* tmp = std::getenv("TMPDIR");
  std::string log = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") + "/taco_command_XXXXXX";
  const int fd = mkstemp(log.data());
  if (fd < 0) return {-1, "cannot create a log file for " + argv.at(0)};
  close(fd);
  CommandResult result;
  {
    Subprocess process(argv, log);
    result.exit_code = process.Wait(timeout_s);
    result.output = process.Log();
  }
  unlink(log.c_str());
  return result;
}

namespace {

// Binds a TCP socket to 127.0.0.1:port (0: the kernel picks) and returns the
// port bound, or -1 if it is taken. The socket is closed again.
int BindLoopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  socklen_t len = sizeof(addr);
  int bound = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    bound = ntohs(addr.sin_port);
  }
  close(fd);
  return bound;
}

}  // namespace

int FreePortBlock(const std::vector<int>& offsets) {
  // Tests run side by side and their clusters bind late, so "free now" is not
  // enough: each port handed out is also claimed with a lock that this process
  // holds until it exits, which other test processes respect.
  static std::mutex mu;
  static std::vector<int> held;  // lock descriptors, released at exit
  static std::mt19937 rng(std::random_device{}());
  std::lock_guard<std::mutex> lock(mu);
  const std::string dir = "/tmp/taco-test-ports";
  mkdir(dir.c_str(), 01777);
  chmod(dir.c_str(), 01777);  // shared by tests run as different users
  int span = 0;
  for (int o : offsets) span = std::max(span, o);
  std::uniform_int_distribution<int> pick(20000, 32000 - span);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int base = pick(rng);
    std::vector<int> claimed;
    bool free = true;
    for (int o : offsets) {
      const std::string path = dir + "/" + std::to_string(base + o);
      const int fd = open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0666);
      if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0 || BindLoopback(base + o) < 0) {
        if (fd >= 0) close(fd);
        free = false;
        break;
      }
      claimed.push_back(fd);
    }
    if (free) {
      held.insert(held.end(), claimed.begin(), claimed.end());
      return base;
    }
    for (int fd : claimed) close(fd);
  }
  return BindLoopback(0);  // unclaimed, from the ephemeral range: a last resort
}

int FreePort() { return FreePortBlock({0}); }

}  // namespace taco
