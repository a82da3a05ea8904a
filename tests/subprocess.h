// Starts and stops child processes for multi-process tests.
#ifndef TACO_TESTS_SUBPROCESS_H_
#define TACO_TESTS_SUBPROCESS_H_

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace taco {

class Subprocess {
 public:
  // Runs argv[0] with `args`; stdout and stderr go to `log_path`.
  Subprocess(const std::vector<std::string>& argv, const std::string& log_path);
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void Signal(int sig);
  // Waits for exit up to `timeout_s`; returns the exit code, 128+signal, or -1 on timeout.
  int Wait(double timeout_s);
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool exited_ = false;
  std::string log_path_;
};

// What a command run to completion printed and how it ended.
struct CommandResult {
  // The exit code, 128+signal, or -1 when it ran past the timeout (then killed).
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs argv (argv[0] a path) to completion, up to `timeout_s`.
CommandResult RunCommand(const std::vector<std::string>& argv, double timeout_s = 120);

// A TCP port on 127.0.0.1 that was free a moment ago: FreePortBlock({0}).
int FreePort();

// A base port b such that b + o was free a moment ago for every offset o:
// for a cluster whose processes take the ports base + offset. Drawn below
// the kernel's ephemeral range (32768 and up), so that outgoing connections
// of tests running side by side cannot take them in the meantime. The ports
// stay claimed (a lock under /tmp/taco-test-ports) until this process exits,
// so no two blocks handed out before then overlap.
int FreePortBlock(const std::vector<int>& offsets);

}  // namespace taco

#endif  // TACO_TESTS_SUBPROCESS_H_
