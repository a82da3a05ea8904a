#include "learner/paco/transfer.h"

#include <cstring>

#include "learner/paco/checkpoint.h"
#include "learner/paco/policy_checkpoint.h"

namespace paco {
const char* NewTaskWeightsName(NewTaskWeights w) {
  return w == NewTaskWeights::kRandom ? "random" : "convex";
}

StatusOr<NewTaskWeights> ParseNewTaskWeights(const std::string& name) {
  if (name == "random") return NewTaskWeights::kRandom;
  if (name == "convex") return NewTaskWeights::kConvex;
  return InvalidArgumentError("new task weights '" + name + "': expected random or convex");
}

StatusOr<TransferSource> LoadTransferSource(const std::string& checkpoint) {
  PACO_ASSIGN_OR_RETURN(SavedPolicy policy, LoadSavedPolicy(checkpoint));
  if (policy.options.algorithm != Algorithm::kPaco) {
    return InvalidArgumentError("transfer source " + checkpoint + " was trained with " +
                                AlgorithmName(policy.options.algorithm) +
                                "; the transfer phase reuses PaCo's Φ and needs a paco checkpoint");
  }
  TransferSource source;
  source.options = policy.options;
  for (auto& [name, tensor] : policy.actor_parameters) {
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
