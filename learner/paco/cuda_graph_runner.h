#ifndef TACO_LEARNER_PACO_CUDA_GRAPH_RUNNER_H_
#define TACO_LEARNER_PACO_CUDA_GRAPH_RUNNER_H_

#include <ATen/core/Generator.h>
#include <c10/core/Device.h>

#include <functional>
#include <memory>

#include "learner/paco/status.h"

namespace paco {

// Captures device work as CUDA graphs and replays it, so that a sequence of
// ~1800 small operations costs one launch. Work that is captured must not
// read the host or synchronise; its tensors are allocated once, during the
// capture, and every replay reads and writes the same memory. Lives behind
// this interface so that learner/paco still builds against a CPU LibTorch.
class CudaGraphRunner {
 public:
  // UNIMPLEMENTED where this LibTorch lacks CUDA or predates 2.4 (the first
  // that replays work drawing from a generator of its own).
  static StatusOr<std::unique_ptr<CudaGraphRunner>> Create(c10::Device device);
  virtual ~CudaGraphRunner() = default;

  // Runs `work` eagerly on the runner's side stream, after the work already
  // queued on the current stream and before any queued on it later (the
  // warm-up that capture needs, on the stream that captures).
  virtual Status RunOnSideStream(const std::function<void()>& work) = 0;
  // Captures `work` on the side stream into a new graph, running nothing.
  // `generator` is the CUDA generator it draws from: each replay then draws
  // what eager runs would have drawn. Returns the graph's handle.
  virtual StatusOr<int> Capture(const std::function<void()>& work, at::Generator& generator) = 0;
  // Launches the graph on the current stream.
  virtual void Replay(int handle) = 0;
  // Releases every graph and its memory.
  virtual void Clear() = 0;
};

}  // namespace paco

#endif  // TACO_LEARNER_PACO_CUDA_GRAPH_RUNNER_H_
