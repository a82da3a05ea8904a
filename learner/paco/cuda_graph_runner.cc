#include "learner/paco/cuda_graph_runner.h"

#include <torch/version.h>

#include <exception>
#include <string>
#include <vector>

#if defined(TACO_PACO_WITH_CUDA) && \
    (TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4))
#define TACO_PACO_CUDA_GRAPHS 1
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace paco {
namespace {

#ifdef TACO_PACO_CUDA_GRAPHS
class Runner final : public CudaGraphRunner {
 public:
  explicit Runner(c10::Device device)
      : side_(c10::cuda::getStreamFromPool(/*isHighPriority=*/false, device.index())) {}

  Status RunOnSideStream(const std::function<void()>& work) override {
    OnSideStream(work);
    return OkStatus();
  }

  StatusOr<int> Capture(const std::function<void()>& work, at::Generator& generator) override {
    auto graph = std::make_unique<at::cuda::CUDAGraph>();
    bool capturing = false;
    try {
      graph->register_generator_state(generator);
      OnSideStream([&] {
        graph->capture_begin();
        capturing = true;
        work();
        capturing = false;
        graph->capture_end();
      });
    } catch (const std::exception& e) {
      if (capturing) {
        // Leave capture mode, or every later CUDA call on the stream fails.
        try {
          graph->capture_end();
        } catch (const std::exception&) {
        }
      }
      return InternalError(std::string("CUDA graph capture failed: ") + e.what());
    }
    graphs_.push_back(std::move(graph));
    return static_cast<int>(graphs_.size()) - 1;
  }

  void Replay(int handle) override { graphs_.at(static_cast<size_t>(handle))->replay(); }

  void Clear() override { graphs_.clear(); }

 private:
  void OnSideStream(const std::function<void()>& work) {
    c10::cuda::CUDAStream current = c10::cuda::getCurrentCUDAStream(side_.device_index());
    at::cuda::CUDAEvent queued;
    queued.record(current);
    queued.block(side_);
    {
      c10::cuda::CUDAStreamGuard guard(side_);
      work();
    }
    at::cuda::CUDAEvent done;
    done.record(side_);
    done.block(current);
  }

  c10::cuda::CUDAStream side_;
  std::vector<std::unique_ptr<at::cuda::CUDAGraph>> graphs_;
};
#endif

}  // namespace

StatusOr<std::unique_ptr<CudaGraphRunner>> CudaGraphRunner::Create(c10::Device device) {
#ifdef TACO_PACO_CUDA_GRAPHS
  if (!device.is_cuda()) {
    return InvalidArgumentError("CUDA graphs need a CUDA device, not " + device.str());
  }
  return std::unique_ptr<CudaGraphRunner>(new Runner(device));
#else
  (void)device;
  return UnimplementedError(
      "cuda_graphs needs a LibTorch built with CUDA, version 2.4 or newer (this is " +
      std::string(TORCH_VERSION) + "); set cuda_graphs to false to run updates eagerly");
#endif
}

}  // namespace paco
