// Orderly shutdown on SIGINT / SIGTERM.
//
// Call BlockTerminationSignals() first thing in main, before any thread
// starts, so every thread inherits the mask; then the thread that calls
// WaitForTerminationSignal() is the only one to see them.
#ifndef TACO_COMMON_SIGNALS_H_
#define TACO_COMMON_SIGNALS_H_

#include "absl/time/time.h"

namespace taco {

void BlockTerminationSignals();
// Waits up to `timeout` for SIGINT or SIGTERM; returns the signal or 0.
int WaitForTerminationSignal(absl::Duration timeout);

}  // namespace taco

#endif  // TACO_COMMON_SIGNALS_H_
