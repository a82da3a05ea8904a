#include "common/config_reader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace taco {
namespace internal {

struct ConfigState {
  std::string file;
  YAML::Node root;
  std::vector<std::string> errors;
  // Keyed by path so that asking for a section twice shares its known keys.
  std::map<std::string, std::shared_ptr<SectionState>> sections;
};

struct SectionState {
  ConfigState* config;
  std::string path;  // "" for the root
  YAML::Node node;   // null when the section is absent
  std::set<std::string> known;
};

}  // namespace internal

namespace {

using internal::SectionState;

std::string Where(const SectionState& s, const YAML::Node& node) {
  if (node && node.Mark().line >= 0) return absl::StrCat(s.config->file, ":", node.Mark().line + 1);
  return s.config->file;
}

std::string Join(absl::string_view path, absl::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
}

std::string Shown(const YAML::Node& node) {
  if (node.IsScalar()) return node.Scalar();
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "null";
}

// Looks a key up and records it as known. Returns an undefined node when absent.
YAML::Node Lookup(SectionState& s, absl::string_view key) {
  s.known.insert(std::string(key));
  if (!s.node || !s.node.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  const YAML::Node value = s.node[std::string(key)];
  return value;
}

void Error(SectionState& s, const YAML::Node& node, absl::string_view key, absl::string_view what) {
  s.config->errors.push_back(
      absl::StrCat(Where(s, node), ": key '", Join(s.path, key), "' ", what));
}

void BadValue(SectionState& s, const YAML::Node& node, absl::string_view key,
              absl::string_view expectation) {
  Error(s, node, key, absl::StrCat("has value '", Shown(node), "': ", expectation));
}

template <typename T>
bool ScalarAs(const YAML::Node& node, T* out) {
  if (!node.IsScalar()) return false;
  try {
    *out = node.as<T>();
    return true;
  } catch (const YAML::Exception&) {
    return false;
  }
}

bool ParseInt(const YAML::Node& node, int64_t* out) {
  // yaml-cpp accepts "1.5" as an int by truncation on some versions; insist
  // on an integral value.
  double as_double;
  if (!ScalarAs(node, &as_double) || !std::isfinite(as_double) ||
      std::floor(as_double) != as_double) {
    return false;
  }
  if (ScalarAs(node, out)) return true;
  if (std::fabs(as_double) > 9.0e18) return false;
  *out = static_cast<int64_t>(as_double);  // scientific notation such as 2e7
  return true;
}

}  // namespace

ConfigSection ConfigSection::Child(absl::string_view key) {
  const std::string path = Join(state_->path, key);
  auto existing = state_->config->sections.find(path);
  if (existing != state_->config->sections.end()) return ConfigSection(existing->second);
  auto child = std::make_shared<SectionState>();
  child->config = state_->config;
  child->path = path;
  const YAML::Node node = Lookup(*state_, key);
  if (node && !node.IsNull()) {
    if (node.IsMap()) {
      child->node = node;
    } else {
      BadValue(*state_, node, key, "must be a mapping of keys to values");
    }
  }
  state_->config->sections[path] = child;
  return ConfigSection(child);
}

bool ConfigSection::Has(absl::string_view key) const {
  return state_->node && state_->node.IsMap() && state_->node[std::string(key)];
}

void ConfigSection::ReadInt(absl::string_view key, int64_t* out, int64_t min, int64_t max) {
  const YAML::Node node = Lookup(*state_, key);
  if (!node) return;
  int64_t value;
  if (!ParseInt(node, &value)) {
    BadValue(*state_, node, key, "must be an integer");
    return;
  }
  if (value < min || value > max) {
    BadValue(*state_, node, key, absl::StrCat("must be between ", min, " and ", max));
    return;
  }
  *out = value;
}

void ConfigSection::ReadInt(absl::string_view key, int* out, int min, int max) {
  int64_t value = *out;
  ReadInt(key, &value, min, max);
  *out = static_cast<int>(value);
}

void ConfigSection::ReadDouble(absl::string_view key, double* out, double min, double max) {
  const YAML::Node node = Lookup(*state_, key);
  if (!node) return;
  double value;
  if (!ScalarAs(node, &value) || !std::isfinite(value)) {
    BadValue(*state_, node, key, "must be a finite number");
    return;
  }
  if (value < min || value > max) {
    BadValue(*state_, node, key, absl::StrCat("must be between ", min, " and ", max));
    return;
  }
  *out = value;
}

void ConfigSection::ReadBool(absl::string_view key, bool* out) {
  const YAML::Node node = Lookup(*state_, key);
  if (!node) return;
  bool value;
  if (!ScalarAs(node, &value)) {
    BadValue(*state_, node, key, "must be true or false");
    return;
  }
  *out = value;
}

void ConfigSection::ReadString(absl::string_view key, std::string* out,
                               const std::vector<std::string>& allowed) {
  const YAML::Node node = Lookup(*state_, key);
  if (!node) return;
  if (!node.IsScalar() || node.Scalar().empty()) {
    BadValue(*state_, node, key, "must be a non-empty string");
    return;
  }
  const std::string& value = node.Scalar();
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    BadValue(*state_, node, key, absl::StrCat("must be one of: ", absl::StrJoin(allowed, ", ")));
    return;
  }
  *out = value;
}

void ConfigSection::ReadOptionalString(absl::string_view key, std::string* out) {
  const YAML::Node node = Lookup(*state_, key);
  if (!node) return;
  if (node.IsNull()) {
    out->clear();
    return;
  }
  if (!node.IsScalar()) {
    BadValue(*state_, node, key, "must be a string");
    return;
  }
  *out = node.Scalar();
}

void ConfigSection::ReadStringList(absl::string_view key, std::vector<std::string>* out) {
  const YAML::Node node = Lookup(*state_, key);
  if (!node) return;
  if (!node.IsSequence()) {
    BadValue(*state_, node, key, "must be a list of strings");
    return;
  }
  std::vector<std::string> values;
  for (const YAML::Node& item : node) {
    if (!item.IsScalar() || item.Scalar().empty()) {
      BadValue(*state_, item, key, "every entry must be a non-empty string");
      return;
    }
    values.push_back(item.Scalar());
  }
  *out = std::move(values);
}

void ConfigSection::ReadIntList(absl::string_view key, std::vector<int>* out, int min, int max) {
  const YAML::Node node = Lookup(*state_, key);
  if (!node) return;
  if (!node.IsSequence()) {
    BadValue(*state_, node, key, "must be a list of integers");
    return;
  }
  std::vector<int> values;
  for (const YAML::Node& item : node) {
    int64_t value;
    if (!ParseInt(item, &value) || value < min || value > max) {
      BadValue(*state_, item, key,
               absl::StrCat("every entry must be an integer between ", min, " and ", max));
      return;
    }
    values.push_back(static_cast<int>(value));
  }
  *out = std::move(values);
}

void ConfigSection::ReadStringListList(absl::string_view key,
                                       std::vector<std::vector<std::string>>* out) {
  const YAML::Node node = Lookup(*state_, key);
  if (!node) return;
  if (!node.IsSequence()) {
    BadValue(*state_, node, key, "must be a list of lists of strings");
    return;
  }
  std::vector<std::vector<std::string>> values;
  for (const YAML::Node& group : node) {
    if (!group.IsSequence() || group.size() == 0) {
      BadValue(*state_, group, key, "every entry must be a non-empty list of strings");
      return;
    }
    std::vector<std::string> names;
    for (const YAML::Node& item : group) {
      if (!item.IsScalar() || item.Scalar().empty()) {
        BadValue(*state_, item, key, "every name must be a non-empty string");
        return;
      }
      names.push_back(item.Scalar());
    }
    values.push_back(std::move(names));
  }
  *out = std::move(values);
}

void ConfigSection::ReadDoubleMap(absl::string_view key, std::map<std::string, double>* out,
                                  double min, double max) {
  const YAML::Node node = Lookup(*state_, key);
  if (!node) return;
  if (!node.IsMap()) {
    BadValue(*state_, node, key, "must be a mapping of names to numbers");
    return;
  }
  std::map<std::string, double> values;
  for (const auto& entry : node) {
    double value;
    const std::string name = entry.first.Scalar();
    if (!ScalarAs(entry.second, &value) || !std::isfinite(value) || value < min || value > max) {
      BadValue(*state_, entry.second, Join(key, name),
               absl::StrCat("must be a number between ", min, " and ", max));
      return;
    }
    values[name] = value;
  }
  *out = std::move(values);
}

void ConfigSection::AddError(absl::string_view key, absl::string_view message) {
  YAML::Node node = state_->node && state_->node.IsMap() ? state_->node[std::string(key)]
                                                         : YAML::Node(YAML::NodeType::Undefined);
  if (!node) node = state_->node;
  Error(*state_, node, key, message);
}

std::string ConfigSection::PathOf(absl::string_view key) const { return Join(state_->path, key); }

absl::StatusOr<ConfigReader> ConfigReader::FromFile(const std::string& path) {
  auto state = std::make_shared<internal::ConfigState>();
  state->file = path;
  try {
    state->root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return absl::NotFoundError(absl::StrCat("cannot read config file '", path, "'"));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ":", e.mark.line + 1, ": YAML syntax error: ", e.msg));
  }
  if (state->root && !state->root.IsNull() && !state->root.IsMap()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": the top level must be a mapping of keys to values"));
  }
  return ConfigReader(std::move(state));
}

absl::StatusOr<ConfigReader> ConfigReader::FromString(absl::string_view text,
                                                      absl::string_view name) {
  auto state = std::make_shared<internal::ConfigState>();
  state->file = std::string(name);
  try {
    state->root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ":", e.mark.line + 1, ": YAML syntax error: ", e.msg));
  }
  if (state->root && !state->root.IsNull() && !state->root.IsMap()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": the top level must be a mapping of keys to values"));
  }
  return ConfigReader(std::move(state));
}

absl::Status ConfigReader::Override(absl::string_view assignment) {
  const size_t eq = assignment.find('=');
  if (eq == absl::string_view::npos || eq == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("override '", assignment, "' is not of the form key.path=value"));
  }
  const std::vector<std::string> keys = absl::StrSplit(assignment.substr(0, eq), '.');
  YAML::Node value;
  try {
    value = YAML::Load(std::string(assignment.substr(eq + 1)));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("override '", assignment, "': value is not valid YAML: ", e.msg));
  }
  if (!state_->root || state_->root.IsNull()) state_->root = YAML::Node(YAML::NodeType::Map);
  // yaml-cpp nodes are handles: walking with operator[] on copies edits the
  // tree in place and creates missing maps.
  std::vector<YAML::Node> chain{state_->root};
  for (size_t i = 0; i + 1 < keys.size(); ++i) {
    YAML::Node next = chain.back()[keys[i]];
    if (next && !next.IsMap() && !next.IsNull()) {
      return absl::InvalidArgumentError(
          absl::StrCat("override '", assignment, "': '", keys[i], "' is not a mapping"));
    }
    if (!next || next.IsNull()) {
      chain.back()[keys[i]] = YAML::Node(YAML::NodeType::Map);
      next = chain.back()[keys[i]];
    }
    chain.push_back(next);
  }
  chain.back()[keys.back()] = value;
  return absl::OkStatus();
}

ConfigSection ConfigReader::Root() {
  auto existing = state_->sections.find("");
  if (existing != state_->sections.end()) return ConfigSection(existing->second);
  auto root = std::make_shared<SectionState>();
  root->config = state_.get();
  if (state_->root && state_->root.IsMap()) root->node = state_->root;
  state_->sections[""] = root;
  return ConfigSection(root);
}

absl::Status ConfigReader::Finish() {
  for (const auto& [path, section] : state_->sections) {
    if (!section->node || !section->node.IsMap()) continue;
    for (const auto& entry : section->node) {
      const std::string key = entry.first.Scalar();
      if (section->known.count(key)) continue;
      state_->errors.push_back(
          absl::StrCat(Where(*section, entry.first), ": unknown key '", Join(section->path, key),
                       "' (valid keys here: ", absl::StrJoin(section->known, ", "), ")"));
    }
  }
  if (state_->errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(state_->errors, "\n"));
}

const std::string& ConfigReader::file() const { return state_->file; }

}  // namespace taco
