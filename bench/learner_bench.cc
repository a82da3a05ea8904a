// taco_bench_learner: PaCo-SAC updates per second at the paper's shape
// (batch 1280 = 128 × 10 tasks, K = 5, hidden [400, 400, 400]) against a
// Python PyTorch eager reference of the same update
// (bench/reference_paco_update.py). The reference runs as a child process with
// the same thread count and its updates interleave with ours one for one, so
// both see the same load on a shared machine; each side reports its median
// update time. Three pairs: our path against the reference in the official
// code's form (output-space mixing, critics in a loop, Adam per parameter),
// then like for like: our composed path against the same composed computation
// in PyTorch, and our output-space path against PyTorch's output-space form.
//
// Prints what it measures, then one JSON object as its last line:
//   updates_per_s, reference_updates_per_s, speedup_vs_reference, device, …,
//   composed_updates_per_s, reference_composed_updates_per_s,
//   speedup_vs_reference_composed, and the same three for output_space;
// and on CUDA eager_cuda_updates_per_s and cuda_graph_speedup (the same
// updates without CUDA graphs).
// --crosscheck instead checks numerically that the reference computes the
// same update in each of its forms (see CrossCheck).
#include <sys/stat.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "learner/paco/learner.h"

namespace {

struct Flags {
  std::string reference;  // empty: bench/reference_paco_update.py under cwd or the source tree
  std::string python = "/usr/bin/python3";
  std::string device = "cpu";
  std::string path = "composed";
  int threads = 0;  // 0: every core
  int updates = 10;
  int warmup = 2;
  int output_space_updates = 3;  // 0 skips timing our own output-space path
  int tasks = 10;
  int per_task = 128;
  std::vector<int64_t> hidden = {400, 400, 400};
  bool skip_reference = false;
  bool cuda_graphs = true;  // on CUDA; the eager rate is measured beside it
  std::string crosscheck;   // non-empty: numeric cross-check with the reference in this folder
  // With --crosscheck: break the learner's optimizer step before the dump
  // (missing, flipped or doubled) and succeed only if the check catches it.
  std::string tamper = "none";
};

void Usage() {
  std::cerr
      << "usage: taco_bench_learner [--reference=PATH] [--python=BIN] [--device=cpu|cuda|auto]\n"
         "  [--path=composed|output_space] [--threads=N] [--updates=N] [--warmup=N]\n"
         "  [--output_space_updates=N] [--tasks=N]\n"
         "  [--per_task=N] [--hidden=W,W,...] [--skip_reference] [--cuda_graphs=0|1]\n"
         "  taco_bench_learner --crosscheck[=DIR] [--tamper=missing|flipped|doubled]\n";
}

bool ParseFlags(int argc, char** argv, Flags* f) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    const std::string key = arg.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    auto to_int = [&value](int* out) {
      char* end = nullptr;
      const int64_t v = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || v < 0) return false;
      *out = static_cast<int>(v);
      return true;
    };
    bool ok = true;
    if (key == "--reference") {
      f->reference = value;
    } else if (key == "--python") {
      f->python = value;
    } else if (key == "--device") {
      f->device = value;
    } else if (key == "--path") {
      f->path = value;
    } else if (key == "--threads") {
      ok = to_int(&f->threads);
    } else if (key == "--updates") {
      ok = to_int(&f->updates) && f->updates > 0;
    } else if (key == "--warmup") {
      ok = to_int(&f->warmup);
    } else if (key == "--output_space_updates") {
      ok = to_int(&f->output_space_updates);
    } else if (key == "--tasks") {
      ok = to_int(&f->tasks) && f->tasks > 0;
    } else if (key == "--per_task") {
      ok = to_int(&f->per_task) && f->per_task > 0;
    } else if (key == "--crosscheck") {
      f->crosscheck = value.empty() ? "/tmp/taco_paco_crosscheck" : value;
    } else if (key == "--hidden") {
      // Comma-separated layer widths, e.g. 128,128 (the CPU proxy's).
      f->hidden.clear();
      std::stringstream widths(value);
      for (std::string w; ok && std::getline(widths, w, ',');) {
        char* end = nullptr;
        const int64_t v = std::strtoll(w.c_str(), &end, 10);
        ok = !w.empty() && *end == '\0' && v > 0 && v <= 65536;
        f->hidden.push_back(v);
      }
      ok = ok && !f->hidden.empty();
    } else if (key == "--tamper") {
      f->tamper = value;
      ok = value == "none" || value == "missing" || value == "flipped" || value == "doubled";
    } else if (key == "--cuda_graphs") {
      int v = 0;
      ok = to_int(&v) && v <= 1;
      f->cuda_graphs = v == 1;
    } else if (key == "--skip_reference") {
      f->skip_reference = true;
    } else {
      ok = false;
    }
    if (!ok) {
      std::cerr << "bad flag: " << arg << "\n";
      return false;
    }
  }
  return true;
}

// A stratified batch like the learner's sampler asks for (per_task of each
// task), in shuffled order so the task routing does real work.
paco::TransitionBatch MakeBatch(int tasks, int per_task) {
  const int64_t b = static_cast<int64_t>(tasks) * per_task;
  torch::manual_seed(7);
  paco::TransitionBatch batch;
  batch.obs = torch::randn({b, 39});
  batch.action = torch::rand({b, 4}) * 2 - 1;
  batch.reward = torch::rand({b}) * 10;
  batch.next_obs = torch::randn({b, 39});
  batch.terminal = torch::zeros({b}, torch::kBool);
  batch.truncated = torch::zeros({b}, torch::kBool);
  batch.task = torch::arange(tasks, torch::kInt64)
                   .repeat_interleave(per_task)
                   .index_select(0, torch::randperm(b, torch::kInt64));
  return batch;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Updates per second of our learner; -1 on error. `between`, when set, runs
// untimed after each timed update (the interleaved reference update).
double MeasureLearner(const Flags& f, const std::string& device, paco::ComputePath path,
                      int updates, int warmup, const std::function<bool()>& between = nullptr,
                      bool cuda_graphs = true) {
  paco::PacoOptions o;
  o.num_tasks = f.tasks;
  o.hidden_sizes = f.hidden;
  o.batch_size = static_cast<int64_t>(f.tasks) * f.per_task;
  o.device = device;
  o.compute_path = path;
  o.cuda_graphs = cuda_graphs;
  auto learner = paco::Learner::Create(o);
  if (!learner.ok()) {
    std::cerr << learner.status().ToString() << "\n";
    return -1;
  }
  const paco::TransitionBatch batch = MakeBatch(f.tasks, f.per_task);
  const bool cuda = (*learner)->device().is_cuda();
  // On CUDA the third update of a batch layout is captured as a graph: keep
  // the capture out of the timed updates.
  if (cuda && cuda_graphs) warmup = std::max(warmup, 3);
  for (int i = 0; i < warmup; ++i) {
    paco::Status s = (*learner)->Update(batch);
    if (!s.ok()) {
      std::cerr << s.ToString() << "\n";
      return -1;
    }
  }
  // On the CPU each update is timed alone and the median kept, which shrugs
  // off load spikes from other processes on a shared machine. On CUDA only
  // the total is meaningful.
  std::vector<double> times;
  double elapsed = 0;
  if (cuda) torch::cuda::synchronize();
  for (int i = 0; i < updates; ++i) {
    const double t0 = Now();
    if (!(*learner)->Update(batch).ok()) return -1;
    if (cuda && (between || i + 1 == updates)) torch::cuda::synchronize();
    times.push_back(Now() - t0);
    elapsed += times.back();
    if (between && !between()) return -1;
  }
  const double median = Median(times);
  paco::UpdateStats stats;
  if (!(*learner)->Update(batch, &stats).ok()) return -1;
  const double mean_rate = updates / elapsed;
  const double rate = cuda ? mean_rate : 1.0 / median;
  std::printf(
      "  %s%s, %s path: %d updates in %.3f s (mean %.3f updates/s), median update %.1f ms = %.3f "
      "updates/s (loss %.3f)\n",
      (*learner)->device().str().c_str(), cuda ? (cuda_graphs ? " graphs" : " eager") : "",
      paco::ComputePathName(path), updates, elapsed, mean_rate, 1e3 * median, 1.0 / median,
      stats.loss);
  std::fflush(stdout);
  return rate;
}

std::string DefaultReferencePath() {
  const std::string rel = "bench/reference_paco_update.py";
  if (std::ifstream(rel).good()) return rel;
  return std::string(TACO_SOURCE_DIR) + "/" + rel;
}

// The Python reference as a child process that runs one update per request
// ("--serve"), so its updates interleave with ours one for one: both then
// sample the same load of a shared machine, and their medians compare.
class ReferenceServer {
 public:
  ~ReferenceServer() { Stop(); }

  bool Start(const Flags& f, int threads, const std::string& device, const std::string& form) {
    const std::string script = f.reference.empty() ? DefaultReferencePath() : f.reference;
    if (!std::ifstream(script).good()) {
      std::cerr << "reference script not found: " << script << "\n";
      return false;
    }
    // The reference gets the glibc settings paco::TuneHostAllocator applies here.
    std::ostringstream cmd;
    cmd << "MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824 "
           "MALLOC_TOP_PAD_=268435456 exec '"
        << f.python << "' '" << script << "' --serve --threads " << threads << " --warmup 1"
        << " --tasks " << f.tasks << " --per_task " << f.per_task << " --device " << device
        << " --hidden";
    for (int64_t w : f.hidden) cmd << " " << w;
    cmd << " --form " << form;
    std::printf("  reference: %s\n", cmd.str().c_str());
    std::fflush(stdout);
    int to_child[2], from_child[2];
    if (::pipe(to_child) != 0 || ::pipe(from_child) != 0) return false;
    pid_ = ::fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      ::dup2(to_child[0], 0);
      ::dup2(from_child[1], 1);
      ::close(to_child[0]);
      ::close(to_child[1]);
      ::close(from_child[0]);
      ::close(from_child[1]);
      ::execl("/bin/sh", "sh", "-c", cmd.str().c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    to_ = ::fdopen(to_child[1], "w");
    from_ = ::fdopen(from_child[0], "r");
    // Lines before "ready" (its description) are passed through.
    std::string line;
    while (ReadLine(&line)) {
      if (line == "ready") return true;
      std::printf("  reference: %s\n", line.c_str());
    }
    std::cerr << "reference did not start\n";
    return false;
  }

  // Seconds the reference took for one update; -1 on error.
  double Update() {
    std::string line;
    if (std::fputs("update\n", to_) < 0 || std::fflush(to_) != 0 || !ReadLine(&line)) return -1;
    return std::strtod(line.c_str(), nullptr);
  }

  void Stop() {
    if (to_ != nullptr) {
      std::fputs("quit\n", to_);
      std::fclose(to_);
      to_ = nullptr;
    }
    if (from_ != nullptr) {
      std::fclose(from_);
      from_ = nullptr;
    }
    if (pid_ > 0) {
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
  }

 private:
  bool ReadLine(std::string* line) {
    char buf[4096];
    if (from_ == nullptr || std::fgets(buf, sizeof(buf), from_) == nullptr) return false;
    *line = buf;
    while (!line->empty() && (line->back() == '\n' || line->back() == '\r')) line->pop_back();
    return true;
  }

  pid_t pid_ = -1;
  FILE* to_ = nullptr;
  FILE* from_ = nullptr;
};

// Raw dumps for the reference's --crosscheck: DIR/manifest.txt lists
// "name dtype dims..." and DIR/name.bin holds the little-endian data.
class Dump {
 public:
  explicit Dump(std::string dir) : dir_(std::move(dir)), manifest_(dir_ + "/manifest.txt") {}
  bool ok() const { return manifest_.good(); }
  void Add(const std::string& name, const torch::Tensor& t) {
    const bool is_int = !at::isFloatingType(t.scalar_type()) && t.scalar_type() != torch::kBool;
    torch::Tensor c =
        t.detach().to(torch::kCPU, is_int ? torch::kInt64 : torch::kFloat).contiguous();
    std::ofstream(dir_ + "/" + name + ".bin", std::ios::binary)
        .write(static_cast<const char*>(c.data_ptr()), static_cast<std::streamsize>(c.nbytes()));
    manifest_ << name << (is_int ? " i64" : " f32");
    for (int64_t d : c.sizes()) manifest_ << " " << d;
    manifest_ << "\n" << std::flush;
  }
  void AddModule(const std::string& prefix, const torch::nn::Module& m, bool grads) {
    for (const auto& item : m.named_parameters()) {
      const torch::Tensor& p = item.value();
      Add(prefix + item.key(), grads ? (p.grad().defined() ? p.grad() : torch::zeros_like(p)) : p);
    }
  }

 private:
  std::string dir_;
  std::ofstream manifest_;
};

void DumpState(Dump& d, const std::string& prefix, paco::Learner& l) {
  d.AddModule(prefix + "actor.", *l.actor(), false);
  d.AddModule(prefix + "critic.", *l.critic(), false);
  d.AddModule(prefix + "target_critic.", *l.target_critic(), false);
  d.Add(prefix + "task_weights", l.task_weights());
  d.Add(prefix + "log_alpha", l.log_alpha());
}

// The tensors the optimizers step, with their values before the update.
struct SteppedTensor {
  std::string group;  // "actor", "critic", "task_weights", "log_alpha"
  torch::Tensor live;
  torch::Tensor before;
  bool moved = false;  // whether the real update changed it
};

std::vector<SteppedTensor> SteppedTensors(paco::Learner& l) {
  std::vector<SteppedTensor> out;
  auto add = [&out](const std::string& group, const torch::Tensor& t) {
    out.push_back({group, t, t.detach().clone()});
  };
  for (const torch::Tensor& p : l.actor()->parameters()) add("actor", p);
  for (const torch::Tensor& p : l.critic()->parameters()) add("critic", p);
  add("task_weights", l.task_weights());
  add("log_alpha", l.log_alpha());
  return out;
}

// Replaces every optimizer step s by k·s: a learner whose step went missing
// (k = 0), flipped sign (k = −1) or ran twice (k = 2).
void Tamper(const std::string& how, std::vector<SteppedTensor>* stepped) {
  const double k = how == "missing" ? 0.0 : how == "flipped" ? -1.0 : 2.0;
  torch::NoGradGuard no_grad;
  for (SteppedTensor& s : *stepped) {
    s.moved = !torch::equal(s.live, s.before);
    s.live.copy_(s.before + k * (s.live - s.before));
  }
}

// A tampered step is caught when the reference fails on post-step checks
// only (loss and gradients still agree) and on every group whose step moved
// anything (the α cap can hold log α at 0).
bool TamperCaught(const std::string& how, int rc, const std::string& failures_file,
                  const std::vector<SteppedTensor>& stepped) {
  std::vector<std::string> failures;
  std::ifstream in(failures_file);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) failures.push_back(line);
  }
  bool caught = rc != 0 && !failures.empty();
  for (const std::string& name : failures) {
    if (name.rfind("after.", 0) != 0) {
      std::printf("tamper %s: the check failed on %s, which the step does not touch\n", how.c_str(),
                  name.c_str());
      caught = false;
    }
  }
  std::map<std::string, bool> moved;
  for (const SteppedTensor& s : stepped) {
    moved[s.group] = moved[s.group] || s.moved;
  }
  for (const auto& [group, did_move] : moved) {
    const std::string prefix = "after." + group;
    const bool failed = std::any_of(failures.begin(), failures.end(),
                                    [&](const std::string& n) { return n.rfind(prefix, 0) == 0; });
    std::printf("tamper %s: %s %s\n", how.c_str(), group.c_str(),
                failed     ? "caught"
                : did_move ? "NOT caught"
                           : "did not move (nothing to catch)");
    if (did_move && !failed) caught = false;
  }
  std::printf("tamper %s: %s\n", how.c_str(),
              caught ? "the cross-check caught the broken step" : "NOT caught");
  return caught;
}

// One update of a small PaCo learner (distinct components, a masked task, a
// terminal and a truncated step) recomputed by the Python reference from the
// same parameters and noise: loss, every gradient and the stepped parameters
// must agree. Shows that the reference times the same update.
int CrossCheck(const Flags& f) {
  // 77: the ctest convention for "skipped".
  const std::string probe_cmd = "'" + f.python + "' -c 'import torch' >/dev/null 2>&1";
  if (std::system(probe_cmd.c_str()) != 0) {
    std::printf("cross-check skipped: %s cannot import torch\n", f.python.c_str());
    return 77;
  }
  if (::mkdir(f.crosscheck.c_str(), 0755) != 0 && errno != EEXIST) {
    std::cerr << "cannot create " << f.crosscheck << "\n";
    return 1;
  }
  paco::PacoOptions o;
  o.num_tasks = 3;
  o.num_components = 3;
  o.hidden_sizes = {16, 16};
  o.identical_component_init = false;
  o.device = "cpu";
  o.seed = 5;
  auto probe = paco::Learner::Create(o);
  auto learner = paco::Learner::Create(o);
  if (!probe.ok() || !learner.ok()) return 1;
  const std::vector<int64_t> tasks = {0, 2, 1, 0, 2, 2, 1, 0, 0, 2, 1, 0};
  const int64_t b = static_cast<int64_t>(tasks.size());
  torch::manual_seed(3);
  paco::TransitionBatch batch;
  batch.obs = torch::randn({b, 39});
  batch.action = torch::rand({b, 4}) * 2 - 1;
  batch.reward = torch::rand({b}) * 10;
  batch.next_obs = torch::randn({b, 39});
  batch.terminal = torch::zeros({b});
  batch.truncated = torch::zeros({b});
  batch.task = torch::tensor(tasks, torch::kInt64);
  batch.terminal[3] = 1;
  batch.truncated[6] = 1;
  for (int64_t i = 0; i < b; ++i) {
    if (tasks[i] == 2) batch.reward[i] = 2e3;  // task 2 exceeds ε
  }
  // Same seed, same generator state: the probe's loss evaluation draws the
  // noise the real update will draw.
  auto terms = (*probe)->ComputeLossAndGradients(batch);
  if (!terms.ok()) return 1;
  Dump d(f.crosscheck);
  if (!d.ok()) return 1;
  d.Add("hidden_sizes", torch::tensor(o.hidden_sizes, torch::kInt64));
  for (const auto& [name, t] : {std::pair<const char*, torch::Tensor>{"obs", batch.obs},
                                {"action", batch.action},
                                {"reward", batch.reward},
                                {"next_obs", batch.next_obs},
                                {"terminal", batch.terminal},
                                {"truncated", batch.truncated},
                                {"task", batch.task}}) {
    d.Add(name, t);
  }
  d.Add("noise", terms->noise);
  d.Add("loss", terms->loss.reshape({1}));
  d.Add("masked", terms->masked.to(torch::kFloat));
  d.AddModule("grad.actor.", *(*probe)->actor(), true);
  d.AddModule("grad.critic.", *(*probe)->critic(), true);
  d.Add("grad.task_weights", (*probe)->task_weights().grad());
  d.Add("grad.log_alpha", (*probe)->log_alpha().grad());
  DumpState(d, "before.", **learner);
  std::vector<SteppedTensor> stepped = SteppedTensors(**learner);
  if (!(*learner)->Update(batch).ok()) return 1;
  if (f.tamper != "none") Tamper(f.tamper, &stepped);
  DumpState(d, "after.", **learner);

  const std::string script = f.reference.empty() ? DefaultReferencePath() : f.reference;
  const std::string failures_file = f.crosscheck + "/failures.txt";
  std::remove(failures_file.c_str());
  const std::string cmd = "'" + f.python + "' '" + script + "' --crosscheck '" + f.crosscheck + "'";
  std::printf("cross-check: %s\n", cmd.c_str());
  std::fflush(stdout);
  const int rc = std::system(cmd.c_str());
  if (f.tamper == "none") return rc == 0 ? 0 : 1;
  return TamperCaught(f.tamper, rc, failures_file, stepped) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // libgomp spins ~300k iterations at every barrier before sleeping, and
  // every ATen op above its grain size is a parallel region. With another
  // process on a core, each region then waits for a descheduled thread: on
  // the shared 2-core machine that made both this learner and the reference
  // 5–10x slower. Passive waiting must be set before libgomp loads, hence
  // the re-exec; an explicit OMP_WAIT_POLICY is kept as given.
  if (std::getenv("OMP_WAIT_POLICY") == nullptr) {
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    ::execv("/proc/self/exe", argv);  // returns only on failure: carry on as we are
  }
  Flags f;
  if (!ParseFlags(argc, argv, &f)) {
    Usage();
    return 2;
  }
  // Keeps freed activations in the heap (see paco::TuneHostAllocator); the
  // reference gets the same glibc settings through the environment.
  paco::TuneHostAllocator();
  const int threads = f.threads > 0
                          ? f.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  if (!f.crosscheck.empty()) return CrossCheck(f);
  auto path = paco::ParseComputePath(f.path);
  if (!path.ok()) {
    std::cerr << path.status().ToString() << "\n";
    return 2;
  }
  auto device = paco::ResolveDevice(f.device);
  if (!device.ok()) {
    std::cerr << device.status().ToString() << "\n";
    return 2;
  }
  const std::string device_name = device->is_cuda() ? "cuda" : "cpu";
  std::string hidden;
  for (int64_t w : f.hidden) hidden += (hidden.empty() ? "" : ",") + std::to_string(w);
  std::printf(
      "taco_bench_learner: PaCo-SAC updates/s at batch %d (%d per task x %d tasks), K=5, hidden "
      "[%s], two-step sequences (actor at %d states), %d torch threads, "
      "OMP_WAIT_POLICY=%s\n",
      f.tasks * f.per_task, f.per_task, f.tasks, hidden.c_str(), 2 * f.tasks * f.per_task, threads,
      std::getenv("OMP_WAIT_POLICY") ? std::getenv("OMP_WAIT_POLICY") : "(unset)");
  std::fflush(stdout);

  // Each of our paths timed with a reference form interleaved, one update
  // for one: the official form (the Python stack users have today) and the
  // same computation in PyTorch (like for like).
  struct Pair {
    double ours = -1;
    double reference = -1;
  };
  auto measure_pair = [&](paco::ComputePath ours_path, const std::string& form, int updates,
                          int warmup) -> Pair {
    Pair pair;
    ReferenceServer server;
    std::vector<double> times;
    std::function<bool()> between;
    if (!f.skip_reference) {
      if (!server.Start(f, threads, device_name, form)) return pair;
      between = [&server, &times] {
        const double t = server.Update();
        times.push_back(t);
        return t > 0;
      };
    }
    pair.ours = MeasureLearner(f, device_name, ours_path, updates, warmup, between, f.cuda_graphs);
    server.Stop();
    if (pair.ours < 0 || f.skip_reference) return pair;
    const double median = Median(times);
    pair.reference = 1.0 / median;
    double total = 0;
    for (double t : times) total += t;
    std::printf(
        "  reference (%s), interleaved with the updates above: %zu updates in %.3f s, median "
        "update %.1f ms = %.3f updates/s\n",
        form.c_str(), times.size(), total, 1e3 * median, pair.reference);
    return pair;
  };
  const Pair official = measure_pair(*path, "official", f.updates, f.warmup);
  const double rate = official.ours;
  if (rate < 0 || (!f.skip_reference && official.reference < 0)) return 1;
  const double reference = official.reference;
  Pair composed, output_space;
  if (*path == paco::ComputePath::kComposed) {
    composed = measure_pair(paco::ComputePath::kComposed, "composed", f.updates, f.warmup);
    if (composed.ours < 0 || (!f.skip_reference && composed.reference < 0)) return 1;
  }
  if (*path == paco::ComputePath::kOutputSpace || f.output_space_updates > 0) {
    const bool main_path = *path == paco::ComputePath::kOutputSpace;
    output_space =
        measure_pair(paco::ComputePath::kOutputSpace, "output_space",
                     main_path ? f.updates : f.output_space_updates, main_path ? f.warmup : 1);
    if (output_space.ours < 0 || (!f.skip_reference && output_space.reference < 0)) return 1;
  }
  // The same updates without CUDA graphs, to show what capture buys.
  double eager_cuda = -1;
  if (device->is_cuda() && f.cuda_graphs) {
    eager_cuda = MeasureLearner(f, device_name, *path, f.updates, f.warmup, nullptr, false);
  }
  double cuda_rate = -1;
  if (!device->is_cuda() && torch::cuda::is_available()) {
    cuda_rate = MeasureLearner(f, "cuda", *path, std::max(f.updates, 200), 20);
  }

  std::ostringstream json;
  json.precision(6);
  json << "{\"updates_per_s\": " << rate
       << ", \"reference_updates_per_s\": " << (reference > 0 ? std::to_string(reference) : "null")
       << ", \"speedup_vs_reference\": "
       << (reference > 0 ? std::to_string(rate / reference) : "null") << ", \"device\": \""
       << device_name << "\", \"compute_path\": \"" << paco::ComputePathName(*path)
       << "\", \"threads\": " << threads << ", \"batch\": " << f.tasks * f.per_task;
  // Like for like: each of our paths against the same computation in PyTorch.
  auto like_for_like = [&json](const std::string& name, const Pair& pair) {
    if (pair.ours <= 0) return;
    json << ", \"" << name << "_updates_per_s\": " << pair.ours;
    if (pair.reference > 0) {
      json << ", \"reference_" << name << "_updates_per_s\": " << pair.reference
           << ", \"speedup_vs_reference_" << name << "\": " << pair.ours / pair.reference;
    }
  };
  like_for_like("composed", composed);
  like_for_like("output_space", output_space);
  if (cuda_rate > 0) json << ", \"cuda_updates_per_s\": " << cuda_rate;
  if (device->is_cuda()) json << ", \"cuda_graphs\": " << (f.cuda_graphs ? "true" : "false");
  if (eager_cuda > 0) {
    json << ", \"eager_cuda_updates_per_s\": " << eager_cuda
         << ", \"cuda_graph_speedup\": " << rate / eager_cuda;
  }
  json << "}";
  std::printf("%s\n", json.str().c_str());
  return 0;
}
