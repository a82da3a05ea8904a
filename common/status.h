// Status helpers shared by every taco library that may use absl.
#ifndef TACO_COMMON_STATUS_H_
#define TACO_COMMON_STATUS_H_

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#define TACO_STATUS_CONCAT_INNER_(a, b) a##b
#define TACO_STATUS_CONCAT_(a, b) TACO_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` yields a non-OK status.
#define TACO_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::absl::Status taco_status_ = (expr);        \
    if (!taco_status_.ok()) return taco_status_; \
  } while (false)

// `lhs = value of statusor_expr`, or return its error.
#define TACO_ASSIGN_OR_RETURN(lhs, statusor_expr) \
  TACO_ASSIGN_OR_RETURN_IMPL_(TACO_STATUS_CONCAT_(taco_statusor_, __LINE__), lhs, statusor_expr)
#define TACO_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, statusor_expr) \
  auto statusor = (statusor_expr);                                \
  if (!statusor.ok()) return std::move(statusor).status();        \
  lhs = std::move(statusor).value()

namespace taco {

// Prefixes a non-OK status with context, keeping its code.
inline absl::Status Annotate(const absl::Status& status, absl::string_view context) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(context, ": ", status.message()));
}

// An error for features that are declared but not built yet.
inline absl::Status NotBuiltYet(absl::string_view what) {
  return absl::UnimplementedError(absl::StrCat(what, " is not implemented yet"));
}

}  // namespace taco

#endif  // TACO_COMMON_STATUS_H_
