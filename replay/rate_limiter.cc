#include "replay/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace taco {

RateLimiterOptions RateLimiterOptions::SampleToInsertRatio(double samples_per_insert,
                                                           int64_t min_size_to_sample,
                                                           double error_buffer) {
  RateLimiterOptions o;
  o.samples_per_insert = samples_per_insert;
  o.min_size_to_sample = min_size_to_sample;
  const double center = samples_per_insert * static_cast<double>(min_size_to_sample);
  o.min_diff = center - error_buffer;
  o.max_diff = center + error_buffer;
  return o;
}

RateLimiterOptions RateLimiterOptions::MinSize(int64_t min_size_to_sample) {
  RateLimiterOptions o;
  o.min_size_to_sample = min_size_to_sample;
  return o;
}

absl::StatusOr<std::unique_ptr<RateLimiter>> RateLimiter::Create(const RateLimiterOptions& o,
                                                                 int64_t max_insert_batch,
                                                                 int64_t max_sample_batch) {
  if (!(o.samples_per_insert > 0.0) || !std::isfinite(o.samples_per_insert)) {
    return absl::InvalidArgumentError(
        absl::StrCat("samples_per_insert must be positive, got ", o.samples_per_insert));
  }
  if (o.min_size_to_sample < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_size_to_sample must be at least 1, got ", o.min_size_to_sample));
  }
  if (max_insert_batch < 1 || max_sample_batch < 1) {
    return absl::InvalidArgumentError("the largest insert and sample must be at least 1");
  }
  if (o.min_diff > o.max_diff) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_diff ", o.min_diff, " exceeds max_diff ", o.max_diff));
  }
  const double spi = o.samples_per_insert;
  // Before sampling may start, inserts alone must reach min_size_to_sample.
  const double fill_diff = spi * static_cast<double>(o.min_size_to_sample - 1 + max_insert_batch);
  if (fill_diff > o.max_diff) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rate limiter would deadlock: filling to min_size_to_sample=", o.min_size_to_sample,
        " with inserts of up to ", max_insert_batch, " needs max_diff >= ", fill_diff,
        " but max_diff is ", o.max_diff, " (raise the error buffer)"));
  }
  // Afterwards, for every d either an insert or a sample must fit.
  const double window =
      spi * static_cast<double>(max_insert_batch) + static_cast<double>(max_sample_batch);
  if (o.max_diff - o.min_diff < window) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rate limiter would deadlock: max_diff - min_diff = ", o.max_diff - o.min_diff,
        " must be at least samples_per_insert * max_insert_batch + max_sample_batch = ", window,
        " (raise the error buffer)"));
  }
  return std::unique_ptr<RateLimiter>(new RateLimiter(o, max_insert_batch, max_sample_batch));
}

bool RateLimiter::CanInsertLocked(int64_t n) const {
  if (insert_limit_ >= 0 && inserts_ + n > insert_limit_) return false;
  const double diff = static_cast<double>(inserts_ + n) * options_.samples_per_insert -
                      static_cast<double>(samples_);
  return diff <= options_.max_diff;
}

bool RateLimiter::CanSampleLocked(int64_t n) const {
  if (inserts_ < options_.min_size_to_sample) return false;
  const double diff = static_cast<double>(inserts_) * options_.samples_per_insert -
                      static_cast<double>(samples_ + n);
  return diff >= options_.min_diff;
}

absl::Status RateLimiter::Acquire(int64_t n, absl::Duration timeout, bool insert) {
  const int64_t limit = insert ? max_insert_ : max_sample_;
  if (n < 0 || n > limit) {
    return absl::InvalidArgumentError(absl::StrCat(insert ? "insert" : "sample", " of ", n,
                                                   " items exceeds the declared maximum ", limit));
  }
  absl::MutexLock lock(&mu_);
  auto ready = [this, n, insert]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return cancelled_ || (insert ? CanInsertLocked(n) : CanSampleLocked(n));
  };
  if (!ready()) {
    const absl::Time start = absl::Now();
    mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
    const double waited = absl::ToDoubleSeconds(absl::Now() - start);
    (insert ? insert_blocked_s_ : sample_blocked_s_) += waited;
  }
  if (cancelled_) return absl::CancelledError("rate limiter cancelled");
  if (!ready()) {
    return absl::DeadlineExceededError(absl::StrCat(
        "rate limiter: ", insert ? "insert" : "sample", " of ", n, " items still blocked after ",
        absl::FormatDuration(timeout), " (inserted ", inserts_, ", sampled ", samples_, ")"));
  }
  (insert ? inserts_ : samples_) += n;
  return absl::OkStatus();
}

absl::Status RateLimiter::AcquireInsert(int64_t n, absl::Duration timeout) {
  return Acquire(n, timeout, /*insert=*/true);
}

absl::Status RateLimiter::AcquireSample(int64_t n, absl::Duration timeout) {
  return Acquire(n, timeout, /*insert=*/false);
}

void RateLimiter::SetInsertLimit(int64_t limit) {
  absl::MutexLock lock(&mu_);
  insert_limit_ = std::max<int64_t>(0, limit);
}

int64_t RateLimiter::insert_limit() const {
  absl::MutexLock lock(&mu_);
  return insert_limit_;
}

void RateLimiter::Cancel() {
  absl::MutexLock lock(&mu_);
  cancelled_ = true;
}

void RateLimiter::Restore(int64_t inserts, int64_t samples) {
  absl::MutexLock lock(&mu_);
  inserts_ = inserts;
  samples_ = samples;
}

int64_t RateLimiter::inserts() const {
  absl::MutexLock lock(&mu_);
  return inserts_;
}

int64_t RateLimiter::samples() const {
  absl::MutexLock lock(&mu_);
  return samples_;
}

double RateLimiter::insert_blocked_seconds() const {
  absl::MutexLock lock(&mu_);
  return insert_blocked_s_;
}

double RateLimiter::sample_blocked_seconds() const {
  absl::MutexLock lock(&mu_);
  return sample_blocked_s_;
}

}  // namespace taco
