// Keeps the ratio of sampled to inserted transitions near a target, with
// Reverb's semantics: with I items inserted and S sampled, the difference
// d = I · samples_per_insert − S must stay within [min_diff, max_diff]; an
// insert of n waits while (I + n)·spi − S > max_diff, and a sample of n
// waits until I ≥ min_size_to_sample and I·spi − (S + n) ≥ min_diff.
//
// Settings under which both an insert and a sample could wait forever are
// rejected at creation (see Create), a failure Reverb users meet as hangs.
#ifndef TACO_REPLAY_RATE_LIMITER_H_
#define TACO_REPLAY_RATE_LIMITER_H_

#include <cstdint>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace taco {

struct RateLimiterOptions {
  double samples_per_insert = 1.0;
  int64_t min_size_to_sample = 1;
  double min_diff = -1e300;
  double max_diff = 1e300;

  // Reverb's SampleToInsertRatio: d may drift ±error_buffer around
  // spi · min_size_to_sample.
  static RateLimiterOptions SampleToInsertRatio(double samples_per_insert,
                                                int64_t min_size_to_sample, double error_buffer);
  // Only a minimum size; the ratio is free.
  static RateLimiterOptions MinSize(int64_t min_size_to_sample);
};

class RateLimiter {
 public:
  // `max_insert_batch` and `max_sample_batch` are the largest single insert
  // and sample the caller will ask for; they decide whether the settings can
  // deadlock.
  static absl::StatusOr<std::unique_ptr<RateLimiter>> Create(const RateLimiterOptions& options,
                                                             int64_t max_insert_batch,
                                                             int64_t max_sample_batch);

  // Wait until `n` items may be inserted (or sampled), then count them.
  // DeadlineExceeded after `timeout`; Cancelled once Cancel() was called;
  // InvalidArgument for n above the declared maximum.
  absl::Status AcquireInsert(int64_t n, absl::Duration timeout);
  absl::Status AcquireSample(int64_t n, absl::Duration timeout);

  // An absolute ceiling on inserts (the learner's pacing grant): an insert of
  // n also waits while inserts + n > limit. Unset (the default), only the
  // ratio applies. Raising it wakes waiting inserts.
  void SetInsertLimit(int64_t limit);
  // The ceiling in force, or -1 when none is set.
  int64_t insert_limit() const;

  // Wakes every waiter with Cancelled, now and for later calls.
  void Cancel();
  // Sets the counters, e.g. after a restore.
  void Restore(int64_t inserts, int64_t samples);

  int64_t inserts() const;
  int64_t samples() const;
  // Seconds callers spent waiting, summed over callers.
  double insert_blocked_seconds() const;
  double sample_blocked_seconds() const;
  const RateLimiterOptions& options() const { return options_; }

 private:
  RateLimiter(const RateLimiterOptions& options, int64_t max_insert, int64_t max_sample)
      : options_(options), max_insert_(max_insert), max_sample_(max_sample) {}
  bool CanInsertLocked(int64_t n) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  bool CanSampleLocked(int64_t n) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::Status Acquire(int64_t n, absl::Duration timeout, bool insert);

  const RateLimiterOptions options_;
  const int64_t max_insert_;
  const int64_t max_sample_;
  mutable absl::Mutex mu_;
  int64_t inserts_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t samples_ ABSL_GUARDED_BY(mu_) = 0;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  int64_t insert_limit_ ABSL_GUARDED_BY(mu_) = -1;
  double insert_blocked_s_ ABSL_GUARDED_BY(mu_) = 0.0;
  double sample_blocked_s_ ABSL_GUARDED_BY(mu_) = 0.0;
};

}  // namespace taco

#endif  // TACO_REPLAY_RATE_LIMITER_H_
