#include "common/signals.h"

#include <signal.h>

#include <cerrno>
#include <ctime>

namespace taco {
namespace {

sigset_t TerminationSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void BlockTerminationSignals() {
  const sigset_t set = TerminationSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForTerminationSignal(absl::Duration timeout) {
  const sigset_t set = TerminationSet();
  const timespec ts = absl::ToTimespec(timeout);
  while (true) {
    const int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig >= 0) return sig;
    if (errno == EINTR) continue;
    return 0;  // EAGAIN: timed out
  }
}

}  // namespace taco
