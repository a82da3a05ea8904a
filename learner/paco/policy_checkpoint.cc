#include "learner/paco/policy_checkpoint.h"

#include <torch/csrc/jit/serialization/pickle.h>

#include <cstring>

#include "learner/paco/checkpoint.h"
#include "learner/paco/learner.h"

namespace paco {
namespace {

// Shared with Learner::Save, so ReadCheckpointOptions reads both kinds.
constexpr char kOptionsRecord[] = "options";
constexpr char kPolicyUpdatesRecord[] = "policy/updates";
constexpr char kPolicyPrefix[] = "policy/";

StatusOr<SavedPolicy> ReadPolicyRecords(const std::string& path,
                                        const std::map<std::string, CheckpointRecord>& records) {
  auto opts = records.find(kOptionsRecord);
  if (opts == records.end())
    return DataLossError("policy checkpoint " + path + " holds no options");
  StatusOr<PacoOptions> options = PacoOptions::Parse(opts->second.data);
  if (!options.ok()) return Annotate(options.status(), "policy checkpoint " + path + " options");
  options->device = "cpu";
  // The names and shapes a learner with these options exports: every one
  // must be there, float32, of that shape; nothing is taken on trust.
  PACO_ASSIGN_OR_RETURN(std::unique_ptr<Learner> shape_of, Learner::Create(*options));
  SavedPolicy policy;
  policy.options = *options;
  for (const auto& [name, expected] : shape_of->ExportActorParameters()) {
    auto it = records.find(kPolicyPrefix + name);
    if (it == records.end()) {
      return DataLossError("policy checkpoint " + path + " lacks '" + name + "'");
    }
    const CheckpointRecord& r = it->second;
    const std::vector<int64_t> shape = expected.sizes().vec();
    if (r.type != RecordType::kFloat32 || r.shape != shape ||
        r.data.size() != static_cast<size_t>(expected.numel()) * sizeof(float)) {
      return DataLossError("policy checkpoint " + path + ": '" + name +
                           "' has another type or shape than the options give");
    }
    torch::Tensor t = torch::empty(shape, torch::kFloat32);
    std::memcpy(t.data_ptr<float>(), r.data.data(), r.data.size());
    if (!torch::isfinite(t).all().item<bool>()) {
      return DataLossError("policy checkpoint " + path + ": '" + name + "' holds NaN or Inf");
    }
    policy.actor_parameters.emplace_back(name, t);
  }
  const CheckpointRecord& updates = records.at(kPolicyUpdatesRecord);
  if (updates.type != RecordType::kInt64 || updates.data.size() != sizeof(int64_t)) {
    return DataLossError("policy checkpoint " + path + ": 'updates' is not one int64");
  }
  std::memcpy(&policy.updates, updates.data.data(), sizeof(int64_t));
  return policy;
}

}  // namespace

Status SavePolicyCheckpoint(const std::string& path, const PacoOptions& options,
                            const NamedTensors& actor_parameters, int64_t updates) {
  try {
    CheckpointWriter writer;
    writer.AddString(kOptionsRecord, options.Serialize());
    std::vector<torch::Tensor> host;  // alive until Commit
    host.reserve(actor_parameters.size() + 1);
    for (const auto& [name, t] : actor_parameters) {
      host.push_back(t.detach().to(torch::kCPU, torch::kFloat32).contiguous());
      writer.Add(kPolicyPrefix + name, RecordType::kFloat32, host.back().sizes().vec(),
                 host.back().data_ptr(), host.back().nbytes());
    }
    host.push_back(torch::tensor({updates}, torch::kInt64));
    writer.Add(kPolicyUpdatesRecord, RecordType::kInt64, {1}, host.back().data_ptr(),
               host.back().nbytes());
    return Annotate(writer.Commit(path), "saving policy checkpoint");
  } catch (const std::exception& e) {
    return InternalError(std::string("saving policy checkpoint failed: ") + e.what());
  }
}

StatusOr<SavedPolicy> LoadSavedPolicy(const std::string& path) {
  {
    PACO_ASSIGN_OR_RETURN(auto records, ReadCheckpointFile(path));
    if (records.count(kPolicyUpdatesRecord) > 0) return ReadPolicyRecords(path, records);
  }
  // A learner checkpoint: its Load checks every record against the options.
  PACO_ASSIGN_OR_RETURN(PacoOptions options, Learner::ReadCheckpointOptions(path));
  options.device = "cpu";
  PACO_ASSIGN_OR_RETURN(std::unique_ptr<Learner> learner, Learner::Create(options));
  PACO_RETURN_IF_ERROR(learner->Load(path));
  SavedPolicy policy;
  policy.options = options;
  policy.actor_parameters = learner->ExportActorParameters();
  policy.updates = learner->num_updates();
  return policy;
}

StatusOr<std::unique_ptr<PolicyInference>> MakeInference(const SavedPolicy& policy) {
  PACO_ASSIGN_OR_RETURN(std::unique_ptr<PolicyInference> inference,
                        PolicyInference::Create(policy.options));
  PACO_RETURN_IF_ERROR(inference->SetParameters(policy.actor_parameters, policy.updates));
  return inference;
}

StatusOr<std::string> ExportForPyTorch(const SavedPolicy& policy,
                                       const std::vector<std::string>& tasks) {
  const PacoOptions& o = policy.options;
  if (o.algorithm != Algorithm::kPaco) {
    return UnimplementedError(std::string("export writes PaCo policies (composed per-task "
                                          "weights); this checkpoint was trained with ") +
                              AlgorithmName(o.algorithm));
  }
  if (static_cast<int64_t>(tasks.size()) != o.num_tasks) {
    return InvalidArgumentError("the policy has " + std::to_string(o.num_tasks) + " tasks, but " +
                                std::to_string(tasks.size()) + " task names were given");
  }
  // LibTorch reports failures as exceptions.
  try {
    PACO_ASSIGN_OR_RETURN(std::unique_ptr<PolicyInference> inference, MakeInference(policy));
    // Tuples of (key, value) pairs rather than dicts and lists: LibTorch's
    // pickler tags typed dicts and lists with a TorchScript type, which
    // torch.load(weights_only=True) — PyTorch's default since 2.6 — refuses;
    // tuples load everywhere, and dict(...) turns the pairs into a dict.
    std::vector<c10::IValue> out;
    auto add = [&out](const std::string& key, c10::IValue value) {
      out.push_back(c10::ivalue::Tuple::create({c10::IValue(key), std::move(value)}));
    };
    add("format", std::string("taco-policy-v1"));
    add("algorithm", std::string(AlgorithmName(o.algorithm)));
    add("tasks", c10::ivalue::Tuple::create(std::vector<c10::IValue>(tasks.begin(), tasks.end())));
    add("obs_dim", o.obs_dim);
    add("action_dim", o.action_dim);
    add("updates", policy.updates);
    // As 0-d tensors: PyTorch 1.13's weights_only reader knows no pickled floats.
    add("log_std_min", torch::tensor(o.log_std_min, torch::kFloat64));
    add("log_std_max", torch::tensor(o.log_std_max, torch::kFloat64));
    std::vector<c10::IValue> weights, biases, phi;
    for (const auto& [w, b] : inference->composed_layers()) {
      weights.emplace_back(w.clone());
      biases.emplace_back(b.clone());
    }
    add("weights", c10::ivalue::Tuple::create(std::move(weights)));
    add("biases", c10::ivalue::Tuple::create(std::move(biases)));
    for (const auto& [name, t] : policy.actor_parameters) {
      if (name == "task_weights") {
        add("task_weights", t);
      } else {
        phi.push_back(c10::ivalue::Tuple::create({c10::IValue(name), c10::IValue(t)}));
      }
    }
    add("phi", c10::ivalue::Tuple::create(std::move(phi)));
    const std::vector<char> bytes = torch::pickle_save(c10::ivalue::Tuple::create(std::move(out)));
    return std::string(bytes.begin(), bytes.end());
  } catch (const std::exception& e) {
    return InternalError(std::string("export failed: ") + e.what());
  }
}

}  // namespace paco
