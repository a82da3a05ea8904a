// scripts/bench replay: the replay service over loopback gRPC on this machine.
//
// Inserts: 4 concurrent writer streams, batches of 256 MT10 transitions
// (obs 39, action 4), each stream keeping up to 16 batches in flight; the
// latency of a batch is the time from its write to its acknowledgement.
// Batches are encoded once up front so the writers measure the service,
// not the client's encoding. Samples: batches of 1280 across the 10 tasks
// through the fan-out sampler, one call at a time. Both for one shard, then
// inserts again for two shards. The last line is one JSON object.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "common/run_config.h"
#include "replay/replay_client.h"
#include "replay/replay_server.h"
#include "replay/shard_map.h"
#include "replay/wire.h"

namespace taco {
namespace {

using Clock = std::chrono::steady_clock;
constexpr TransitionShape kShape{39, 4};
constexpr int kBatch = 256;
constexpr int kWriters = 4;
constexpr int kWindow = 16;
constexpr int kSamplers = 2;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

Transitions RandomBatch(std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Transitions t;
  t.shape = kShape;
  std::vector<float> obs(39), next(39), act(4);
  for (int i = 0; i < kBatch; ++i) {
    for (float& x : obs) x = u(rng);
    for (float& x : next) x = u(rng);
    for (float& x : act) x = u(rng);
    t.Append(obs.data(), act.data(), 5.0f + u(rng), next.data(), false, i % 150 == 149, 1);
  }
  return t;
}

struct InsertResult {
  double transitions_per_s = 0;
  double p50_ms = 0, p99_ms = 0;
};

// One writer: a raw stream, pipelined, to one shard with the given tasks.
void Writer(const std::string& address, const std::vector<std::string>& tasks, int id,
            Clock::time_point end, std::atomic<int64_t>* stored, std::vector<double>* latencies,
            std::mutex* latencies_mu) {
  auto stub = v1::ReplayService::NewStub(MakeChannel(address, 64 << 20));
  std::mt19937 rng(id);
  std::vector<v1::InsertRequest> encoded;
  for (const std::string& task : tasks) {
    v1::InsertRequest r;
    *r.mutable_batch() = *ToProto(task, "bench-" + std::to_string(id), 0, RandomBatch(rng));
    encoded.push_back(std::move(r));
  }
  grpc::ClientContext context;
  auto stream = stub->Insert(&context);
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Clock::time_point> in_flight;
  std::vector<double> local;
  bool done_writing = false;
  std::thread reader([&] {
    v1::InsertAck ack;
    while (stream->Read(&ack)) {
      std::lock_guard<std::mutex> lock(mu);
      local.push_back(Seconds(Clock::now() - in_flight.front()) * 1e3);
      in_flight.pop_front();
      *stored += ack.stored();
      cv.notify_all();
    }
  });
  std::vector<uint64_t> sequence(tasks.size(), 0);
  for (size_t i = 0; Clock::now() < end; ++i) {
    const size_t t = i % tasks.size();
    encoded[t].mutable_batch()->set_sequence(++sequence[t]);
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return in_flight.size() < kWindow; });
      in_flight.push_back(Clock::now());
    }
    if (!stream->Write(encoded[t])) break;
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return in_flight.empty(); });
    done_writing = true;
  }
  stream->WritesDone();
  reader.join();
  grpc::Status status = stream->Finish();
  if (!status.ok()) std::fprintf(stderr, "writer %d: %s\n", id, status.error_message().c_str());
  std::lock_guard<std::mutex> lock(*latencies_mu);
  latencies->insert(latencies->end(), local.begin(), local.end());
  (void)done_writing;
}

InsertResult MeasureInserts(const std::vector<std::string>& addresses,
                            const std::vector<std::string>& tasks, double seconds) {
  std::atomic<int64_t> stored{0};
  std::vector<double> latencies;
  std::mutex latencies_mu;
  const Clock::time_point start = Clock::now();
  const Clock::time_point end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> writers;
  const int shards = static_cast<int>(addresses.size());
  for (int w = 0; w < kWriters; ++w) {
    const int shard = w % shards;
    writers.emplace_back(Writer, addresses[shard], TasksOfShard(tasks, shard, shards), w, end,
                         &stored, &latencies, &latencies_mu);
  }
  for (auto& t : writers) t.join();
  const double elapsed = Seconds(Clock::now() - start);
  return {static_cast<double>(stored.load()) / elapsed, Percentile(latencies, 0.5),
          Percentile(latencies, 0.99)};
}

std::vector<std::unique_ptr<ReplayServer>> StartShards(int count,
                                                       const std::vector<std::string>& tasks) {
  std::vector<std::unique_ptr<ReplayServer>> servers;
  for (int i = 0; i < count; ++i) {
    ReplayServerOptions o;
    o.shard.shard_index = i;
    o.shard.shard_count = count;
    o.shard.tasks = tasks;
    o.shard.shape = kShape;
    o.shard.capacity_per_task = 100'000;
    o.max_message_bytes = 64 << 20;
    auto server = ReplayServer::Start(o);
    if (!server.ok()) {
      std::fprintf(stderr, "cannot start shard: %s\n",
                   std::string(server.status().message()).c_str());
      std::exit(1);
    }
    servers.push_back(std::move(*server));
  }
  return servers;
}

int Main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 5.0;
  const std::vector<std::string>& tasks = Mt10Tasks();
  std::printf(
      "replay bench: %d writers x batches of %d MT10 transitions (%lld bytes each), "
      "%d in flight per writer; samples of 1280 over 10 tasks, 2 in flight; %.0f s per phase\n",
      kWriters, kBatch, static_cast<long long>(kShape.BytesPerTransition()), kWindow, seconds);

  auto one = StartShards(1, tasks);
  const std::vector<std::string> one_address = {absl::StrCat("127.0.0.1:", one[0]->port())};
  const InsertResult insert1 = MeasureInserts(one_address, tasks, seconds);
  std::printf("1 shard insert: %.0f transitions/s, p50 %.2f ms, p99 %.2f ms per batch\n",
              insert1.transitions_per_s, insert1.p50_ms, insert1.p99_ms);

  ReplaySamplerOptions so;
  so.shard_addresses = one_address;
  so.tasks = tasks;
  auto sampler = *ReplaySampler::Create(so);
  std::vector<TaskCount> counts;
  for (const std::string& t : tasks) counts.push_back({t, 128});
  // The learner keeps batches in flight while it computes: kSamplers calls
  // at a time.
  std::vector<double> sample_ms;
  std::mutex sample_mu;
  std::atomic<int64_t> sampled{0};
  std::atomic<bool> failed{false};
  const Clock::time_point sample_start = Clock::now();
  std::vector<std::thread> samplers;
  for (int i = 0; i < kSamplers; ++i) {
    samplers.emplace_back([&] {
      while (!failed && Seconds(Clock::now() - sample_start) < seconds) {
        const Clock::time_point t0 = Clock::now();
        auto batch = sampler->Sample(counts, kShape, absl::Seconds(30));
        if (!batch.ok()) {
          std::fprintf(stderr, "sample failed: %s\n",
                       std::string(batch.status().message()).c_str());
          failed = true;
          return;
        }
        std::lock_guard<std::mutex> lock(sample_mu);
        sample_ms.push_back(Seconds(Clock::now() - t0) * 1e3);
        sampled += batch->size;
      }
    });
  }
  for (auto& t : samplers) t.join();
  if (failed) return 1;
  const double sample_rate = static_cast<double>(sampled) / Seconds(Clock::now() - sample_start);
  std::printf(
      "1 shard sample: %.0f transitions/s with %d calls in flight, p50 %.2f ms, p99 %.2f ms "
      "per 1280-batch\n",
      sample_rate, kSamplers, Percentile(sample_ms, 0.5), Percentile(sample_ms, 0.99));
  for (auto& s : one) s->Shutdown(false);
  one.clear();

  auto two = StartShards(2, tasks);
  const std::vector<std::string> two_addresses = {absl::StrCat("127.0.0.1:", two[0]->port()),
                                                  absl::StrCat("127.0.0.1:", two[1]->port())};
  const InsertResult insert2 = MeasureInserts(two_addresses, tasks, seconds);
  std::printf(
      "2 shards insert: %.0f transitions/s, p50 %.2f ms, p99 %.2f ms per batch "
      "(writers, shards and gRPC share this machine's %u cores)\n",
      insert2.transitions_per_s, insert2.p50_ms, insert2.p99_ms,
      std::thread::hardware_concurrency());
  for (auto& s : two) s->Shutdown(false);

  std::printf(
      "{\"insert_transitions_per_s\": %.0f, \"sample_transitions_per_s\": %.0f, "
      "\"insert_p50_ms\": %.3f, \"insert_p99_ms\": %.3f, \"sample_p50_ms\": %.3f, "
      "\"sample_p99_ms\": %.3f, \"two_shard_insert_transitions_per_s\": %.0f, "
      "\"two_shard_insert_scaling\": %.3f}\n",
      insert1.transitions_per_s, sample_rate, insert1.p50_ms, insert1.p99_ms,
      Percentile(sample_ms, 0.5), Percentile(sample_ms, 0.99), insert2.transitions_per_s,
      insert2.transitions_per_s / insert1.transitions_per_s);
  return 0;
}

}  // namespace
}  // namespace taco

int main(int argc, char** argv) { return taco::Main(argc, argv); }
