#include "learner/paco/options.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <set>
#include <sstream>

namespace paco {
namespace {

template <typename E>
struct EnumName {
  E value;
  const char* name;
};

constexpr EnumName<Algorithm> kAlgorithms[] = {
    {Algorithm::kPaco, "paco"}, {Algorithm::kMtSac, "mtsac"}, {Algorithm::kMhSac, "mhsac"}};
constexpr EnumName<ComputePath> kComputePaths[] = {{ComputePath::kComposed, "composed"},
                                                   {ComputePath::kOutputSpace, "output_space"}};
constexpr EnumName<WInit> kWInits[] = {{WInit::kNormal, "normal"}, {WInit::kSimplex, "simplex"}};
constexpr EnumName<WResetWeights> kWResetWeights[] = {{WResetWeights::kSimplex, "simplex"},
                                                      {WResetWeights::kL1Uniform, "l1_uniform"}};
constexpr EnumName<TargetEntropyRule> kTargetEntropyRules[] = {
    {TargetEntropyRule::kAlf, "alf"},
    {TargetEntropyRule::kActionDim, "action_dim"},
    {TargetEntropyRule::kExplicit, "explicit"}};
constexpr EnumName<LossAggregation> kLossAggregations[] = {
    {LossAggregation::kSumOfTaskMeans, "sum_of_task_means"},
    {LossAggregation::kMeanOverEntries, "mean_over_entries"}};

template <typename E, size_t N>
const char* NameOf(const EnumName<E> (&table)[N], E value) {
  for (const auto& e : table) {
    if (e.value == value) return e.name;
  }
  return "?";
}

template <typename E, size_t N>
StatusOr<E> ParseEnum(const EnumName<E> (&table)[N], const std::string& name, const char* what) {
  std::string allowed;
  for (const auto& e : table) {
    if (name == e.name) return e.value;
    allowed += allowed.empty() ? "" : ", ";
    allowed += e.name;
  }
  return InvalidArgumentError(std::string("unknown ") + what + " '" + name + "' (expected one of " +
                              allowed + ")");
}

std::string FormatDouble(double v) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

Status ParseDouble(const std::string& s, double* out) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  // glibc also reports ERANGE for a subnormal result, which is a value like
  // any other and which Serialize writes in that form.
  const bool out_of_range = errno == ERANGE && (std::isinf(v) || v == 0.0);
  if (s.empty() || end != s.c_str() + s.size() || out_of_range) {
    return InvalidArgumentError("'" + s + "' is not a number");
  }
  *out = v;
  return OkStatus();
}

Status ParseInt(const std::string& s, int64_t* out) {
  errno = 0;
  char* end = nullptr;
  const int64_t v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE) {
    return InvalidArgumentError("'" + s + "' is not an integer");
  }
  *out = v;
  return OkStatus();
}

Status ParseUint(const std::string& s, uint64_t* out) {
  // strtoull would take "-1" as 2^64 - 1.
  if (s.empty() || s[0] < '0' || s[0] > '9') {
    return InvalidArgumentError("'" + s + "' is not an unsigned integer");
  }
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (end != s.c_str() + s.size() || errno == ERANGE) {
    return InvalidArgumentError("'" + s + "' is not an unsigned integer");
  }
  *out = v;
  return OkStatus();
}

Status ParseBool(const std::string& s, bool* out) {
  if (s == "true" || s == "1") {
    *out = true;
  } else if (s == "false" || s == "0") {
    *out = false;
  } else {
    return InvalidArgumentError("'" + s + "' is not a boolean");
  }
  return OkStatus();
}

// One serialisable field: how to print it and how to read it back.
struct Field {
  const char* key;
  std::function<std::string(const PacoOptions&)> write;
  std::function<Status(const std::string&, PacoOptions*)> read;
};

Field DoubleField(const char* key, double PacoOptions::*member) {
  return {key, [member](const PacoOptions& o) { return FormatDouble(o.*member); },
          [member](const std::string& s, PacoOptions* o) { return ParseDouble(s, &(o->*member)); }};
}

Field IntField(const char* key, int64_t PacoOptions::*member) {
  return {key, [member](const PacoOptions& o) { return std::to_string(o.*member); },
          [member](const std::string& s, PacoOptions* o) { return ParseInt(s, &(o->*member)); }};
}

Field BoolField(const char* key, bool PacoOptions::*member) {
  return {key, [member](const PacoOptions& o) { return std::string(o.*member ? "true" : "false"); },
          [member](const std::string& s, PacoOptions* o) { return ParseBool(s, &(o->*member)); }};
}

template <typename E, size_t N>
Field EnumField(const char* key, E PacoOptions::*member, const EnumName<E> (&table)[N]) {
  return {key,
          [member, &table](const PacoOptions& o) { return std::string(NameOf(table, o.*member)); },
          [member, &table, key](const std::string& s, PacoOptions* o) {
            StatusOr<E> v = ParseEnum(table, s, key);
            if (!v.ok()) return v.status();
            o->*member = *v;
            return OkStatus();
          }};
}

const std::vector<Field>& Fields() {
  static const std::vector<Field>* fields = new std::vector<Field>{
      EnumField("algorithm", &PacoOptions::algorithm, kAlgorithms),
      IntField("num_tasks", &PacoOptions::num_tasks),
      IntField("obs_dim", &PacoOptions::obs_dim),
      IntField("action_dim", &PacoOptions::action_dim),
      IntField("num_components", &PacoOptions::num_components),
      {"hidden_sizes",
       [](const PacoOptions& o) {
         std::string s;
         for (size_t i = 0; i < o.hidden_sizes.size(); ++i) {
           s += (i ? "," : "") + std::to_string(o.hidden_sizes[i]);
         }
         return s;
       },
       [](const std::string& s, PacoOptions* o) {
         o->hidden_sizes.clear();
         std::stringstream in(s);
         std::string item;
         while (std::getline(in, item, ',')) {
           int64_t v = 0;
           PACO_RETURN_IF_ERROR(ParseInt(item, &v));
           o->hidden_sizes.push_back(v);
         }
         return OkStatus();
       }},
      IntField("num_critic_replicas", &PacoOptions::num_critic_replicas),
      BoolField("identical_component_init", &PacoOptions::identical_component_init),
      EnumField("w_init", &PacoOptions::w_init, kWInits),
      DoubleField("w_init_std", &PacoOptions::w_init_std),
      DoubleField("projection_init_gain", &PacoOptions::projection_init_gain),
      DoubleField("critic_output_init", &PacoOptions::critic_output_init),
      DoubleField("log_std_min", &PacoOptions::log_std_min),
      DoubleField("log_std_max", &PacoOptions::log_std_max),
      EnumField("compute_path", &PacoOptions::compute_path, kComputePaths),
      DoubleField("actor_lr", &PacoOptions::actor_lr),
      DoubleField("critic_lr", &PacoOptions::critic_lr),
      DoubleField("w_lr", &PacoOptions::w_lr),
      DoubleField("alpha_lr", &PacoOptions::alpha_lr),
      DoubleField("adam_beta1", &PacoOptions::adam_beta1),
      DoubleField("adam_beta2", &PacoOptions::adam_beta2),
      DoubleField("adam_epsilon", &PacoOptions::adam_epsilon),
      DoubleField("dqda_clipping", &PacoOptions::dqda_clipping),
      DoubleField("max_grad_norm", &PacoOptions::max_grad_norm),
      DoubleField("discount", &PacoOptions::discount),
      DoubleField("target_update_tau", &PacoOptions::target_update_tau),
      IntField("target_update_period", &PacoOptions::target_update_period),
      EnumField("target_entropy", &PacoOptions::target_entropy, kTargetEntropyRules),
      DoubleField("target_entropy_value", &PacoOptions::target_entropy_value),
      DoubleField("initial_log_alpha", &PacoOptions::initial_log_alpha),
      DoubleField("min_log_alpha", &PacoOptions::min_log_alpha),
      DoubleField("max_log_alpha", &PacoOptions::max_log_alpha),
      EnumField("loss_aggregation", &PacoOptions::loss_aggregation, kLossAggregations),
      DoubleField("loss_threshold", &PacoOptions::loss_threshold),
      BoolField("mask_extreme_tasks", &PacoOptions::mask_extreme_tasks),
      BoolField("reset_extreme_w", &PacoOptions::reset_extreme_w),
      EnumField("w_reset_weights", &PacoOptions::w_reset_weights, kWResetWeights),
      BoolField("w_reset_includes_absent_tasks", &PacoOptions::w_reset_includes_absent_tasks),
      IntField("batch_size", &PacoOptions::batch_size),
      {"device", [](const PacoOptions& o) { return o.device; },
       [](const std::string& s, PacoOptions* o) {
         o->device = s;
         return OkStatus();
       }},
      BoolField("cuda_graphs", &PacoOptions::cuda_graphs),
      BoolField("tf32", &PacoOptions::tf32),
      {"seed", [](const PacoOptions& o) { return std::to_string(o.seed); },
       [](const std::string& s, PacoOptions* o) { return ParseUint(s, &o->seed); }},
  };
  return *fields;
}

bool IsFinitePositive(double v) { return std::isfinite(v) && v > 0; }

}  // namespace

const char* AlgorithmName(Algorithm a) { return NameOf(kAlgorithms, a); }
const char* ComputePathName(ComputePath p) { return NameOf(kComputePaths, p); }
const char* WResetWeightsName(WResetWeights w) { return NameOf(kWResetWeights, w); }
const char* WInitName(WInit w) { return NameOf(kWInits, w); }
const char* TargetEntropyRuleName(TargetEntropyRule r) { return NameOf(kTargetEntropyRules, r); }
const char* LossAggregationName(LossAggregation a) { return NameOf(kLossAggregations, a); }

StatusOr<Algorithm> ParseAlgorithm(const std::string& name) {
  return ParseEnum(kAlgorithms, name, "algorithm");
}
StatusOr<ComputePath> ParseComputePath(const std::string& name) {
  return ParseEnum(kComputePaths, name, "compute_path");
}
StatusOr<WResetWeights> ParseWResetWeights(const std::string& name) {
  return ParseEnum(kWResetWeights, name, "w_reset_weights");
}
StatusOr<WInit> ParseWInit(const std::string& name) { return ParseEnum(kWInits, name, "w_init"); }
StatusOr<TargetEntropyRule> ParseTargetEntropyRule(const std::string& name) {
  return ParseEnum(kTargetEntropyRules, name, "target_entropy");
}
StatusOr<LossAggregation> ParseLossAggregation(const std::string& name) {
  return ParseEnum(kLossAggregations, name, "loss_aggregation");
}

double PacoOptions::TargetEntropy() const {
  switch (target_entropy) {
    case TargetEntropyRule::kAlf:
      // ALF's calc_default_target_entropy with min_prob 0.1 for bounds [−1, 1].
      return static_cast<double>(action_dim) * std::log(0.1 * 2.0);
    case TargetEntropyRule::kActionDim:
      return -static_cast<double>(action_dim);
    case TargetEntropyRule::kExplicit:
      return target_entropy_value;
  }
  return target_entropy_value;
}

Status PacoOptions::Validate() const {
  auto bad = [](const std::string& field, const std::string& why) {
    return InvalidArgumentError("PacoOptions." + field + " " + why);
  };
  if (num_tasks < 1) return bad("num_tasks", "must be ≥ 1");
  if (obs_dim < 1) return bad("obs_dim", "must be ≥ 1");
  if (action_dim < 1) return bad("action_dim", "must be ≥ 1");
  if (num_components < 1) return bad("num_components", "must be ≥ 1");
  if (hidden_sizes.empty()) return bad("hidden_sizes", "must hold at least one layer");
  for (int64_t h : hidden_sizes) {
    if (h < 1) return bad("hidden_sizes", "entries must be ≥ 1");
  }
  if (num_critic_replicas < 1) return bad("num_critic_replicas", "must be ≥ 1");
  if (!(w_init_std >= 0) || !std::isfinite(w_init_std)) return bad("w_init_std", "must be ≥ 0");
  if (!IsFinitePositive(projection_init_gain)) return bad("projection_init_gain", "must be > 0");
  if (!(critic_output_init >= 0) || !std::isfinite(critic_output_init)) {
    return bad("critic_output_init", "must be ≥ 0");
  }
  if (!std::isfinite(log_std_min) || !std::isfinite(log_std_max) || log_std_min >= log_std_max) {
    return bad("log_std_min", "must be finite and below log_std_max");
  }
  const std::pair<const char*, double> lrs[] = {
      {"actor_lr", actor_lr}, {"critic_lr", critic_lr}, {"w_lr", w_lr}, {"alpha_lr", alpha_lr}};
  for (const auto& [name, lr] : lrs) {
    if (!(lr >= 0) || !std::isfinite(lr)) return bad(name, "must be ≥ 0");
  }
  if (!(adam_beta1 >= 0 && adam_beta1 < 1)) return bad("adam_beta1", "must be in [0, 1)");
  if (!(adam_beta2 >= 0 && adam_beta2 < 1)) return bad("adam_beta2", "must be in [0, 1)");
  if (!IsFinitePositive(adam_epsilon)) return bad("adam_epsilon", "must be > 0");
  if (!(dqda_clipping >= 0) || !std::isfinite(dqda_clipping)) {
    return bad("dqda_clipping", "must be ≥ 0 (0: no clipping)");
  }
  if (!(max_grad_norm >= 0) || !std::isfinite(max_grad_norm)) {
    return bad("max_grad_norm", "must be ≥ 0 (0: no clipping)");
  }
  if (!(discount >= 0 && discount <= 1)) return bad("discount", "must be in [0, 1]");
  if (!(target_update_tau > 0 && target_update_tau <= 1)) {
    return bad("target_update_tau", "must be in (0, 1]");
  }
  if (target_update_period < 1) return bad("target_update_period", "must be ≥ 1");
  if (!std::isfinite(target_entropy_value)) return bad("target_entropy_value", "must be finite");
  if (!std::isfinite(min_log_alpha) || !std::isfinite(max_log_alpha) ||
      min_log_alpha > max_log_alpha) {
    return bad("min_log_alpha", "must be finite and ≤ max_log_alpha");
  }
  if (!(initial_log_alpha >= min_log_alpha && initial_log_alpha <= max_log_alpha)) {
    return bad("initial_log_alpha", "must lie in [min_log_alpha, max_log_alpha]");
  }
  if (!IsFinitePositive(loss_threshold)) return bad("loss_threshold", "must be > 0");
  if (batch_size < 1) return bad("batch_size", "must be ≥ 1");
  if (device != "auto" && device != "cpu" && device != "cuda" && device.rfind("cuda:", 0) != 0) {
    return bad("device", "must be auto, cpu, cuda or cuda:N (got '" + device + "')");
  }
  return OkStatus();
}

std::string PacoOptions::Serialize() const {
  std::string out;
  for (const Field& f : Fields()) {
    out += f.key;
    out += '=';
    out += f.write(*this);
    out += '\n';
  }
  return out;
}

StatusOr<PacoOptions> PacoOptions::Parse(const std::string& text) {
  PacoOptions o;
  std::set<std::string> seen;
  std::stringstream in(text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) {
      return InvalidArgumentError("options line " + std::to_string(line_no) + " has no '='");
    }
    const std::string key = line.substr(0, eq);
    const std::string value = line.substr(eq + 1);
    const Field* field = nullptr;
    for (const Field& f : Fields()) {
      if (key == f.key) field = &f;
    }
    if (field == nullptr) return InvalidArgumentError("unknown option '" + key + "'");
    if (!seen.insert(key).second) return InvalidArgumentError("option '" + key + "' repeated");
    PACO_RETURN_IF_ERROR(Annotate(field->read(value, &o), "option '" + key + "'"));
  }
  return o;
}

std::string PacoOptions::StructuralMismatch(const PacoOptions& other) const {
  std::string diff;
  auto check = [&diff](bool same, const std::string& what, const std::string& mine,
                       const std::string& theirs) {
    if (!same) diff += (diff.empty() ? "" : "; ") + what + " " + mine + " vs " + theirs;
  };
  check(algorithm == other.algorithm, "algorithm", AlgorithmName(algorithm),
        AlgorithmName(other.algorithm));
  check(num_tasks == other.num_tasks, "num_tasks", std::to_string(num_tasks),
        std::to_string(other.num_tasks));
  check(obs_dim == other.obs_dim, "obs_dim", std::to_string(obs_dim),
        std::to_string(other.obs_dim));
  check(action_dim == other.action_dim, "action_dim", std::to_string(action_dim),
        std::to_string(other.action_dim));
  if (algorithm == Algorithm::kPaco) {
    check(num_components == other.num_components, "num_components", std::to_string(num_components),
          std::to_string(other.num_components));
  }
  auto join = [](const std::vector<int64_t>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return "[" + s + "]";
  };
  check(hidden_sizes == other.hidden_sizes, "hidden_sizes", join(hidden_sizes),
        join(other.hidden_sizes));
  check(num_critic_replicas == other.num_critic_replicas, "num_critic_replicas",
        std::to_string(num_critic_replicas), std::to_string(other.num_critic_replicas));
  return diff;
}

}  // namespace paco
