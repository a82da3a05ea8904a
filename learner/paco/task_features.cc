// TaskFeatures (task_grouping.h): the one part of the task grouping that
// reads torch tensors.
#include <torch/torch.h>

#include <string>

#include "learner/paco/networks.h"
#include "learner/paco/task_grouping.h"

namespace paco {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string ShapeString(at::IntArrayRef shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

}  // namespace

StatusOr<std::vector<std::vector<double>>> TaskFeatures(const NamedTensors& actor_params,
                                                        GroupingFeatures features) {
  // LibTorch reports failures as exceptions.
  try {
    const torch::Tensor* w = nullptr;
    for (const auto& [name, t] : actor_params) {
      if (name == "task_weights") w = &t;
    }
    if (w == nullptr || !w->defined()) {
      return FailedPreconditionError(
          "online task grouping needs the task weights W ('task_weights'), which only "
          "algorithm paco has");
    }
    if (w->dim() != 2 || w->size(0) < 1 || w->size(1) < 1) {
      return InvalidArgumentError("'task_weights' has shape " + ShapeString(w->sizes()) +
                                  ", expected [K, T]");
    }
    torch::NoGradGuard no_grad;
    // Double precision: the features of tasks with equal w must come out
    // equal, and distances between nearly parallel features stay accurate.
    const torch::Tensor wt = w->to(torch::kCPU, torch::kFloat64).t().contiguous();  // [T, K]
    const int64_t k = wt.size(1);
    torch::Tensor f;
    if (features == GroupingFeatures::kW) {
      f = wt;
    } else {
      std::vector<torch::Tensor> parts;
      for (const auto& [name, t] : actor_params) {
        if (name.rfind("actor.", 0) != 0 || !t.defined()) continue;
        // Compositional layers are the ones with a component dimension after
        // the replica dimension: weight [1, K, out, in], bias [1, K, out].
        const bool weight = EndsWith(name, ".weight") && t.dim() == 4;
        const bool bias = EndsWith(name, ".bias") && t.dim() == 3;
        if (!weight && !bias) continue;
        if (t.size(0) != 1 || t.size(1) != k) {
          return InvalidArgumentError("'" + name + "' has shape " + ShapeString(t.sizes()) +
                                      ", expected [1, " + std::to_string(k) + ", ...]");
        }
        // θ_τ = Σ_k w_τ,k φ_k for all tasks at once: [T, K] × [K, out·in].
        parts.push_back(torch::mm(wt, t.to(torch::kCPU, torch::kFloat64).reshape({k, -1})));
      }
      if (parts.empty()) {
        return InvalidArgumentError("the actor parameters have no compositional layer");
      }
      f = torch::cat(parts, 1).contiguous();
    }
    const int64_t tasks = f.size(0);
    const int64_t dims = f.size(1);
    const double* data = f.data_ptr<double>();
    std::vector<std::vector<double>> out(static_cast<size_t>(tasks));
    for (int64_t t = 0; t < tasks; ++t) out[t].assign(data + t * dims, data + (t + 1) * dims);
    return out;
  } catch (const std::exception& e) {
    return InternalError(std::string("task features: ") + e.what());
  }
}

}  // namespace paco
