// Reads a YAML document into typed values with validation.
//
// Every problem (unknown key, wrong type, out-of-range value) is collected
// with the file, line and full key path, so a user sees all mistakes of a
// config at once:
//
//   auto reader = ConfigReader::FromFile("configs/mt10.yaml");
//   ConfigSection trainer = reader->Root().Child("trainer");
//   trainer.ReadInt("batch_size", &config.batch_size, 1, 1 << 20);
//   absl::Status status = reader->Finish();   // InvalidArgument listing all
//
// A key that is absent keeps the value already in the output (the default).
#ifndef TACO_COMMON_CONFIG_READER_H_
#define TACO_COMMON_CONFIG_READER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace taco {

namespace internal {
struct ConfigState;
struct SectionState;
}  // namespace internal

class ConfigSection {
 public:
  // A nested mapping; absent → an empty section (every child keeps defaults).
  ConfigSection Child(absl::string_view key);
  bool Has(absl::string_view key) const;

  void ReadInt(absl::string_view key, int64_t* out, int64_t min, int64_t max);
  void ReadInt(absl::string_view key, int* out, int min, int max);
  void ReadDouble(absl::string_view key, double* out, double min, double max);
  void ReadBool(absl::string_view key, bool* out);
  // `allowed` empty → any non-empty string.
  void ReadString(absl::string_view key, std::string* out,
                  const std::vector<std::string>& allowed = {});
  // A string that may also be empty.
  void ReadOptionalString(absl::string_view key, std::string* out);
  void ReadStringList(absl::string_view key, std::vector<std::string>* out);
  void ReadIntList(absl::string_view key, std::vector<int>* out, int min, int max);
  void ReadStringListList(absl::string_view key, std::vector<std::vector<std::string>>* out);
  void ReadDoubleMap(absl::string_view key, std::map<std::string, double>* out, double min,
                     double max);

  // Records a problem found by a cross-field check, at this key.
  void AddError(absl::string_view key, absl::string_view message);
  // "trainer.batch_size"
  std::string PathOf(absl::string_view key) const;

 private:
  friend class ConfigReader;
  explicit ConfigSection(std::shared_ptr<internal::SectionState> state)
      : state_(std::move(state)) {}
  std::shared_ptr<internal::SectionState> state_;
};

class ConfigReader {
 public:
  static absl::StatusOr<ConfigReader> FromFile(const std::string& path);
  // `name` stands for the file in messages.
  static absl::StatusOr<ConfigReader> FromString(absl::string_view text, absl::string_view name);

  // Applies "a.b.c=value" (value parsed as YAML) on top of the document,
  // for command-line overrides. Creates missing mappings.
  absl::Status Override(absl::string_view assignment);

  ConfigSection Root();
  // Checks for keys nobody read and returns every problem found, or OK.
  absl::Status Finish();
  const std::string& file() const;

 private:
  explicit ConfigReader(std::shared_ptr<internal::ConfigState> state) : state_(std::move(state)) {}
  std::shared_ptr<internal::ConfigState> state_;
};

}  // namespace taco

#endif  // TACO_COMMON_CONFIG_READER_H_
