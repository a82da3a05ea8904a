#include "learner/paco/transfer.h"

#include <cstring>

#include "learner/paco/checkpoint.h"

namespace paco {
namespace {

// Shared with Learner::Save, so ReadCheckpointOptions reads both kinds.
constexpr char kOptionsRecord[] = "options";
constexpr char kPolicyUpdatesRecord[] = "policy/updates";
constexpr char kPolicyPrefix[] = "policy/";

StatusOr<TransferSource> LoadPolicyCheckpoint(
    const std::string& path, const std::map<std::string, CheckpointRecord>& records) {
  auto opts = records.find(kOptionsRecord);
  if (opts == records.end())
    return DataLossError("policy checkpoint " + path + " holds no options");
  StatusOr<PacoOptions> options = PacoOptions::Parse(opts->second.data);
  if (!options.ok()) return Annotate(options.status(), "policy checkpoint " + path + " options");
  options->device = "cpu";
  // The names and shapes a learner with these options exports: every one
  // must be there, float32, of that shape; nothing is taken on trust.
  PACO_ASSIGN_OR_RETURN(std::unique_ptr<Learner> shape_of, Learner::Create(*options));
  TransferSource source;
  source.options = *options;
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
    if (name == "task_weights") {
      source.task_weights = t;
    } else {
      source.actor_phi.emplace_back(name, t);
    }
  }
  return source;
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

const char* NewTaskWeightsName(NewTaskWeights w) {
  return w == NewTaskWeights::kRandom ? "random" : "convex";
}

StatusOr<NewTaskWeights> ParseNewTaskWeights(const std::string& name) {
  if (name == "random") return NewTaskWeights::kRandom;
  if (name == "convex") return NewTaskWeights::kConvex;
  return InvalidArgumentError("new task weights '" + name + "': expected random or convex");
}

StatusOr<TransferSource> LoadTransferSource(const std::string& checkpoint) {
  {
    PACO_ASSIGN_OR_RETURN(auto records, ReadCheckpointFile(checkpoint));
    if (records.count(kPolicyUpdatesRecord) > 0) {
      PACO_ASSIGN_OR_RETURN(TransferSource source, LoadPolicyCheckpoint(checkpoint, records));
      if (source.options.algorithm != Algorithm::kPaco) {
        return InvalidArgumentError("transfer source " + checkpoint + " was trained with " +
                                    AlgorithmName(source.options.algorithm) +
                                    "; the transfer phase reuses PaCo's Φ and needs a paco one");
      }
      return source;
    }
  }
  PACO_ASSIGN_OR_RETURN(PacoOptions options, Learner::ReadCheckpointOptions(checkpoint));
  if (options.algorithm != Algorithm::kPaco) {
    return InvalidArgumentError("transfer source " + checkpoint + " was trained with " +
                                AlgorithmName(options.algorithm) +
                                "; the transfer phase reuses PaCo's Φ and needs a paco checkpoint");
  }
  // The source is read on the CPU whatever device trained it.
  options.device = "cpu";
  PACO_ASSIGN_OR_RETURN(std::unique_ptr<Learner> learner, Learner::Create(options));
  PACO_RETURN_IF_ERROR(learner->Load(checkpoint));
  TransferSource source;
  source.options = options;
  for (auto& [name, tensor] : learner->ExportActorParameters()) {
    if (name == "task_weights") {
      source.task_weights = tensor;
    } else {
      source.actor_phi.emplace_back(name, tensor);
    }
  }
  return source;
}

torch::Tensor SimplexColumns(int64_t num_source_tasks, int64_t n, at::Generator& gen) {
  // Normalised Exp(1) draws are Dirichlet(1, …, 1).
  torch::Tensor draws = torch::empty({num_source_tasks, n}, torch::kFloat32);
  draws.exponential_(1.0, gen);
  return draws / draws.sum(0, /*keepdim=*/true).clamp_min(1e-30);
}

Status InitializeForTransfer(const TransferSource& source, NewTaskWeights init, uint64_t seed,
                             Learner* learner) {
  const PacoOptions& target = learner->options();
  if (target.algorithm != Algorithm::kPaco) {
    return InvalidArgumentError("the transfer learner must use the paco algorithm");
  }
  if (target.num_components != source.options.num_components ||
      target.hidden_sizes != source.options.hidden_sizes) {
    auto shape = [](const PacoOptions& o) {
      std::string text = "num_components " + std::to_string(o.num_components) + ", hidden_sizes [";
      for (size_t i = 0; i < o.hidden_sizes.size(); ++i) {
        text += (i > 0 ? ", " : "") + std::to_string(o.hidden_sizes[i]);
      }
      return text + "]";
    };
    return InvalidArgumentError("the source checkpoint's policy has " + shape(source.options) +
                                ", this run's " + shape(target) + ": they must be equal");
  }
  PACO_RETURN_IF_ERROR(learner->ImportActorPhi(source.actor_phi));
  if (init == NewTaskWeights::kConvex) {
    try {
      at::Generator gen = at::detail::createCPUGenerator(seed);
      const torch::Tensor beta = SimplexColumns(source.task_weights.size(1), target.num_tasks, gen);
      torch::NoGradGuard no_grad;
      learner->task_weights().copy_(source.task_weights.mm(beta));
    } catch (const std::exception& e) {
      return InternalError(std::string("initialising the new tasks' w failed: ") + e.what());
    }
  }
  return OkStatus();
}

NamedTensors ExplorationParameters(const TransferSource& source, const torch::Tensor& beta) {
  NamedTensors params = source.actor_phi;
  params.emplace_back("task_weights", source.task_weights.mm(beta).contiguous());
  return params;
}

StatusOr<std::unique_ptr<ExplorationPolicy>> ExplorationPolicy::Create(const PacoOptions& network,
                                                                       TransferSource source,
                                                                       int64_t num_envs,
                                                                       uint64_t seed) {
  if (num_envs < 1) return InvalidArgumentError("π_explore needs at least one env");
  if (!source.task_weights.defined() || source.task_weights.dim() != 2) {
    return InvalidArgumentError("π_explore needs the source tasks' W [K, T]");
  }
  std::unique_ptr<ExplorationPolicy> p(new ExplorationPolicy());
  PacoOptions options = network;
  options.device = "cpu";
  options.num_tasks = num_envs;
  PACO_ASSIGN_OR_RETURN(p->policy_, PolicyInference::Create(options));
  p->policy_->Reseed(seed * 7919 + 2);
  p->gen_ = at::detail::createCPUGenerator(seed * 104729 + 3);
  p->source_ = std::move(source);
  p->beta_ = torch::zeros({p->source_.task_weights.size(1), num_envs});
  p->env_ids_ = torch::arange(num_envs, torch::kInt64);
  std::vector<int> all(static_cast<size_t>(num_envs));
  for (int i = 0; i < num_envs; ++i) all[i] = i;
  PACO_RETURN_IF_ERROR(p->Redraw(all));
  return p;
}

Status ExplorationPolicy::Redraw(const std::vector<int>& envs) {
  try {
    const torch::Tensor fresh =
        SimplexColumns(beta_.size(0), static_cast<int64_t>(envs.size()), gen_);
    for (size_t j = 0; j < envs.size(); ++j) {
      if (envs[j] < 0 || envs[j] >= beta_.size(1)) {
        return InvalidArgumentError("env " + std::to_string(envs[j]) + " is out of range");
      }
      beta_.select(1, envs[j]).copy_(fresh.select(1, static_cast<int64_t>(j)));
    }
  } catch (const std::exception& e) {
    return InternalError(std::string("drawing β failed: ") + e.what());
  }
  return policy_->SetParameters(ExplorationParameters(source_, beta_), ++version_);
}

StatusOr<torch::Tensor> ExplorationPolicy::Act(const torch::Tensor& obs) {
  if (!obs.defined() || obs.dim() != 2 || obs.size(0) != env_ids_.size(0)) {
    return InvalidArgumentError("π_explore acts for exactly " + std::to_string(env_ids_.size(0)) +
                                " envs");
  }
  return policy_->Act(obs, env_ids_, /*deterministic=*/false);
}

}  // namespace paco
