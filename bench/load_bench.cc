// scripts/bench load: one real `taco replay` shard process (MT10, 200k
// transitions per task) under 16 simulated actors. Each actor is its own
// process with its own channel and insert stream, as real actors are, and
// inserts batches of 64 transitions (topology.actor_batch's default) of its
// tasks in turn, as fast as the shard takes them, keeping up to 64
// unacknowledged (ReplayWriter's window). A batch's latency runs from its
// write to its acknowledgement. Batches are encoded once up front so that
// the actors, which share this machine's cores with the shard, spend their
// time on the wire rather than on encoding.
//
// TACO_LOAD_SECONDS (default 60) sets the duration, TACO_LOAD_ACTORS
// (default 16) the number of actors. The last line is one JSON object.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/run_config.h"
#include "replay/replay_client.h"
#include "replay/wire.h"
#include "tests/subprocess.h"

namespace taco {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr TransitionShape kShape{39, 4};
constexpr int64_t kCapacityPerTask = 200'000;
constexpr int kBatch = 64;
constexpr int kWindow = 64;
constexpr int kVariants = 4;  // distinct pre-encoded batches per task
constexpr int kEpisodeSteps = 500;
// The shard process without its tables (the taco binary maps LibTorch,
// MuJoCo and gRPC: about 160 MiB) plus gRPC's and the allocator's buffers
// for the actors' connections under load.
constexpr double kOverheadMb = 256;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double EnvOr(const char* name, double fallback) {
  const char* value = std::getenv(name);
  double parsed;
  return value != nullptr && absl::SimpleAtod(value, &parsed) && parsed > 0 ? parsed : fallback;
}

double Percentile(std::vector<float> v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// One of /proc/PID/status's memory lines ("VmHWM", "VmRSS") in MiB; -1 if absent.
double ProcStatusMb(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) != 0) continue;
    std::istringstream fields(line.substr(key.size() + 1));
    double kb = -1;
    fields >> kb;
    return kb / 1024.0;
  }
  return -1;
}

// An actor's batch of one task: a few episodes' worth of consecutive steps,
// observations drifting as a moving arm's do, actions in [-1, 1], shaped
// rewards in [0, 10], truncation at the episode limit.
Transitions ActorBatch(std::mt19937& rng, int64_t* step, uint64_t version) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Transitions t;
  t.shape = kShape;
  std::vector<float> obs(kShape.obs_dim), next(kShape.obs_dim), action(kShape.action_dim);
  for (float& x : obs) x = 0.5f * u(rng);
  for (int i = 0; i < kBatch; ++i) {
    for (float& a : action) a = u(rng);
    for (int d = 0; d < kShape.obs_dim; ++d) next[d] = obs[d] + 0.01f * u(rng);
    ++*step;
    const bool truncated = *step % kEpisodeSteps == 0;
    t.Append(obs.data(), action.data(), 5.0f + 5.0f * u(rng), next.data(), false, truncated,
             version);
    obs = next;
  }
  return t;
}

struct WriterResult {
  int64_t batches = 0;
  int64_t stored = 0;
  int64_t errors = 0;
  double first_write_s = 0;  // steady clock, shared by all processes on the machine
  double last_ack_s = 0;
  std::vector<float> latency_ms;
};

double SteadyNow() { return Seconds(Clock::now().time_since_epoch()); }

// One simulated actor: `taco_bench_load --writer INDEX ADDRESS START_S SECONDS OUT`.
int WriterMain(int index, const std::string& address, double start_s, double seconds,
               const std::string& out_path) {
  const std::vector<std::string>& tasks = Mt10Tasks();
  const std::string actor_id = absl::StrCat("load-actor-", index, "-", getpid());
  std::mt19937 rng(1000 + index);
  std::vector<std::vector<v1::InsertRequest>> encoded(tasks.size());
  int64_t step = 0;
  for (size_t t = 0; t < tasks.size(); ++t) {
    for (int v = 0; v < kVariants; ++v) {
      v1::InsertRequest request;
      auto batch = ToProto(tasks[t], actor_id, 1, ActorBatch(rng, &step, 1 + v));
      if (!batch.ok()) {
        std::fprintf(stderr, "encoding: %s\n", std::string(batch.status().message()).c_str());
        return 1;
      }
      *request.mutable_batch() = std::move(*batch);
      encoded[t].push_back(std::move(request));
    }
  }
  auto stub = v1::ReplayService::NewStub(MakeChannel(address, 64 << 20));
  std::this_thread::sleep_for(std::chrono::duration<double>(std::max(0.0, start_s - SteadyNow())));
  const double end_s = start_s + seconds;

  WriterResult result;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<double> in_flight;  // write times; one stream acknowledges in order
  bool reader_done = false;
  grpc::ClientContext context;
  context.set_wait_for_ready(true);
  auto stream = stub->Insert(&context);
  std::thread reader([&] {
    v1::InsertAck ack;
    while (stream->Read(&ack)) {
      const double now = SteadyNow();
      std::lock_guard<std::mutex> lock(mu);
      if (in_flight.empty()) {
        ++result.errors;  // an acknowledgement for nothing sent
        continue;
      }
      result.latency_ms.push_back(static_cast<float>((now - in_flight.front()) * 1e3));
      in_flight.pop_front();
      // Every batch carries a new sequence number: stored = 0 would be a
      // batch the shard took for a re-send.
      if (ack.stored() == 0) ++result.errors;
      result.stored += ack.stored();
      result.last_ack_s = now;
      cv.notify_all();
    }
    std::lock_guard<std::mutex> lock(mu);
    reader_done = true;
    cv.notify_all();
  });
  std::vector<uint64_t> sequence(tasks.size(), 0);
  result.first_write_s = SteadyNow();
  for (int64_t i = 0; SteadyNow() < end_s; ++i) {
    const size_t t = static_cast<size_t>(i) % tasks.size();
    v1::InsertRequest& request = encoded[t][(static_cast<size_t>(i) / tasks.size()) % kVariants];
    request.mutable_batch()->set_sequence(++sequence[t]);
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return in_flight.size() < kWindow || reader_done; });
      if (reader_done) break;
      in_flight.push_back(SteadyNow());
    }
    if (!stream->Write(request)) break;
    ++result.batches;
  }
  stream->WritesDone();
  reader.join();
  const grpc::Status status = stream->Finish();
  // Whatever was written and not acknowledged failed.
  result.errors += static_cast<int64_t>(in_flight.size());
  if (!status.ok()) {
    std::fprintf(stderr, "actor %d: insert stream failed: %s\n", index,
                 status.error_message().c_str());
    ++result.errors;
  }
  std::ofstream out(out_path);
  out << result.batches << " " << result.stored << " " << result.errors << " "
      << std::to_string(result.first_write_s) << " " << std::to_string(result.last_ack_s) << " "
      << result.latency_ms.size() << "\n";
  out.write(reinterpret_cast<const char*>(result.latency_ms.data()),
            static_cast<std::streamsize>(result.latency_ms.size() * sizeof(float)));
  return out ? 0 : 1;
}

bool ReadResult(const std::string& path, WriterResult* r) {
  std::ifstream in(path);
  size_t n = 0;
  if (!(in >> r->batches >> r->stored >> r->errors >> r->first_write_s >> r->last_ack_s >> n)) {
    return false;
  }
  in.get();  // the newline
  r->latency_ms.resize(n);
  in.read(reinterpret_cast<char*>(r->latency_ms.data()),
          static_cast<std::streamsize>(n * sizeof(float)));
  return static_cast<bool>(in);
}

int64_t ShardInserted(ReplaySampler& sampler) {
  auto infos = sampler.Info(absl::Seconds(10));
  if (!infos.ok()) return -1;
  int64_t total = 0;
  for (const auto& info : *infos) {
    for (const auto& t : info.tasks()) total += static_cast<int64_t>(t.inserted_total());
  }
  return total;
}

int Main(int argc, char** argv) {
  if (argc == 7 && std::string(argv[1]) == "--writer") {
    return WriterMain(std::atoi(argv[2]), argv[3], std::atof(argv[4]), std::atof(argv[5]), argv[6]);
  }
  const double seconds = EnvOr("TACO_LOAD_SECONDS", 60);
  const int actors = static_cast<int>(EnvOr("TACO_LOAD_ACTORS", 16));
  const std::vector<std::string>& tasks = Mt10Tasks();
  const double capacity_mb = static_cast<double>(kCapacityPerTask) *
                             static_cast<double>(tasks.size()) *
                             static_cast<double>(kShape.BytesPerTransition()) / (1 << 20);
  std::printf(
      "load bench: one `taco replay` shard process, MT10 (%zu tasks) x %lld transitions per task "
      "(%.0f MiB at %lld bytes per transition); %d actor processes, each its own connection, "
      "batches of %d transitions, up to %d unacknowledged; %.0f s\n",
      tasks.size(), static_cast<long long>(kCapacityPerTask), capacity_mb,
      static_cast<long long>(kShape.BytesPerTransition()), actors, kBatch, kWindow, seconds);
  std::fflush(stdout);

  const fs::path dir = fs::temp_directory_path() / absl::StrCat("taco-load-bench-", getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  const int port = FreePort();
  const std::string config = (dir / "load.yaml").string();
  {
    std::ofstream yaml(config);
    yaml << "run: {name: load, output_dir: " << dir.string() << "}\ntasks: [";
    for (size_t t = 0; t < tasks.size(); ++t) yaml << (t > 0 ? ", " : "") << tasks[t];
    // No learner samples here: the rate limiter would hold the inserts back.
    yaml << "]\ntrainer: {replay_capacity: "
         << kCapacityPerTask * static_cast<int64_t>(tasks.size())
         << "}\ntopology: {replay_shards: 1, replay_base_port: " << port
         << ", learner_port: " << port + 1 << "}\n"
         << "replay: {samples_per_insert: 0}\nmetrics: {enabled: false}\n"
         << "checkpoint: {interval_minutes: 600}\n";
  }
  const std::string address = absl::StrCat("127.0.0.1:", port);
  Subprocess shard({TACO_BINARY, "replay", config, "--shard", "0"}, (dir / "shard.log").string());
  ReplaySamplerOptions so;
  so.shard_addresses = {address};
  so.tasks = tasks;
  auto sampler = ReplaySampler::Create(so);
  bool ready = false;
  for (int i = 0; i < 600 && !ready && shard.running(); ++i) {
    ready = sampler.ok() && (*sampler)->Info(absl::Milliseconds(200)).ok();
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!ready) {
    std::fprintf(stderr, "the shard did not come up:\n%s\n", shard.Log().c_str());
    return 1;
  }
  const double idle_rss_mb = ProcStatusMb(shard.pid(), "VmRSS");
  std::printf("shard pid %d on %s: %.0f MiB resident with its tables reserved, before any insert\n",
              static_cast<int>(shard.pid()), address.c_str(), idle_rss_mb);
  std::fflush(stdout);

  const std::string self = fs::read_symlink("/proc/self/exe").string();
  // A common start, so that every actor writes for the whole window.
  const double start_s = SteadyNow() + 3.0;
  std::vector<std::unique_ptr<Subprocess>> writers;
  for (int i = 0; i < actors; ++i) {
    writers.push_back(std::make_unique<Subprocess>(
        std::vector<std::string>{self, "--writer", std::to_string(i), address,
                                 std::to_string(start_s), std::to_string(seconds),
                                 (dir / absl::StrCat("actor-", i, ".out")).string()},
        (dir / absl::StrCat("actor-", i, ".log")).string()));
  }
  int64_t stored = 0, batches = 0, errors = 0;
  double first = 1e300, last = 0;
  std::vector<float> latencies;
  for (int i = 0; i < actors; ++i) {
    const int code = writers[i]->Wait(seconds + 120);
    WriterResult r;
    if (code != 0 || !ReadResult((dir / absl::StrCat("actor-", i, ".out")).string(), &r)) {
      std::fprintf(stderr, "actor %d failed (exit %d):\n%s\n", i, code, writers[i]->Log().c_str());
      ++errors;
      continue;
    }
    stored += r.stored;
    batches += r.batches;
    errors += r.errors;
    first = std::min(first, r.first_write_s);
    last = std::max(last, r.last_ack_s);
    latencies.insert(latencies.end(), r.latency_ms.begin(), r.latency_ms.end());
  }
  const int64_t shard_inserted = sampler.ok() ? ShardInserted(**sampler) : -1;
  // Every acknowledged transition is one the shard counts as inserted.
  if (shard_inserted != stored) {
    std::fprintf(stderr, "the shard counts %lld inserted transitions, the actors %lld stored\n",
                 static_cast<long long>(shard_inserted), static_cast<long long>(stored));
    ++errors;
  }
  const double peak_rss_mb = ProcStatusMb(shard.pid(), "VmHWM");
  // SIGKILL: a final checkpoint would write the whole 660 MiB and time the disk.
  shard.Signal(SIGKILL);
  shard.Wait(30);
  fs::remove_all(dir);

  const double window = last > first ? last - first : seconds;
  const double rate = static_cast<double>(stored) / window;
  const double p50 = Percentile(latencies, 0.5), p99 = Percentile(latencies, 0.99);
  const bool within = peak_rss_mb <= capacity_mb + kOverheadMb;
  std::printf(
      "%d actors: %lld batches, %lld transitions stored in %.1f s = %.0f transitions/s; insert "
      "latency (write -> ack) p50 %.2f ms, p99 %.2f ms; %lld errors; shard counts %lld inserted\n",
      actors, static_cast<long long>(batches), static_cast<long long>(stored), window, rate, p50,
      p99, static_cast<long long>(errors), static_cast<long long>(shard_inserted));
  std::printf(
      "shard memory: peak %.0f MiB resident (VmHWM) vs %.0f MiB for the configured capacity + "
      "%.0f MiB fixed overhead: %s (%.0f MiB before the load; actors, shard and gRPC share this "
      "machine's %u cores)\n",
      peak_rss_mb, capacity_mb, kOverheadMb, within ? "within" : "OVER", idle_rss_mb,
      std::thread::hardware_concurrency());
  std::printf(
      "{\"transitions_per_s\": %.0f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"peak_rss_mb\": %.1f, "
      "\"idle_rss_mb\": %.1f, \"capacity_mb\": %.1f, \"overhead_mb\": %.0f, "
      "\"within_capacity\": %s, \"errors\": %lld, \"actors\": %d, \"seconds\": %.1f, "
      "\"batch_transitions\": %d, \"window_batches\": %d, \"shard_inserted\": %lld}\n",
      rate, p50, p99, peak_rss_mb, idle_rss_mb, capacity_mb, kOverheadMb, within ? "true" : "false",
      static_cast<long long>(errors), actors, window, kBatch, kWindow,
      static_cast<long long>(shard_inserted));
  return errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace taco

int main(int argc, char** argv) { return taco::Main(argc, argv); }
