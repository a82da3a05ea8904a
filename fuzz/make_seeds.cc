// Writes the seed corpora of the fuzz targets: small valid inputs of each
// kind, built with taco's own writers so that they stay valid as formats
// change.
//
//   build-fuzz/fuzz/taco_fuzz_make_seeds fuzz/corpus
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/codec.h"
#include "learner/paco/checkpoint.h"
#include "learner/paco/options.h"
#include "proto/parameter_chunks.h"
#include "replay/table_file.h"
#include "replay/wire.h"

namespace {

namespace fs = std::filesystem;

fs::path out_root;

void Put(const std::string& target, const std::string& name, const std::string& bytes) {
  const fs::path dir = out_root / target;
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", (dir / name).c_str());
    std::exit(1);
  }
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

template <typename T>
std::string Bytes(const T& v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof(v));
}

// Rows of shape {3, 2}, as the replay targets expect.
taco::Transitions Rows(int n) {
  taco::Transitions t = taco::Transitions::Zeros({3, 2}, 0);
  for (int i = 0; i < n; ++i) {
    const float v = 0.5f + static_cast<float>(i);
    const float obs[3] = {v, -v, 2 * v};
    const float act[2] = {-0.25f, 0.75f};
    t.Append(obs, act, v, obs, i == n - 1, i == 1, 10 + static_cast<uint64_t>(i));
  }
  return t;
}

void CodecSeeds() {
  const float values[6] = {0.0f, -1.5f, 3.25f, 1e-30f, -0.0f, 65504.0f};
  const std::string payload(reinterpret_cast<const char*>(values), sizeof(values));
  // flags: rank 2, non-finite rejected; dims 2 x 3.
  Put("codec", "matrix", std::string("\x02\x02\x03", 3) + payload);
  // rank 1 with NaN allowed.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Put("codec", "nan_allowed", std::string("\x09\x01", 2) + Bytes(nan));
  // A scalar, and an empty tensor with a zero dimension.
  Put("codec", "scalar", std::string("\x00", 1) + Bytes(1.0f));
  Put("codec", "empty", std::string("\x02\x00\x05", 3));
  // A dimension given as a full int64.
  Put("codec", "wide_dim", std::string("\x01\xF0", 2) + Bytes(int64_t{2}) + payload.substr(0, 8));
}

void TransitionSeeds() {
  auto put = [](const std::string& name, const taco::v1::TransitionBatch& b) {
    Put("transition_batch", name, b.SerializeAsString());
  };
  put("four_rows", *taco::ToProto("reach-v2", "actor-0", 1, Rows(4)));
  put("one_row", *taco::ToProto("push-v2", "actor-1", 7, Rows(1)));
  put("empty", *taco::ToProto("reach-v2", "actor-0", 2, Rows(0)));
  put("not_owned", *taco::ToProto("door-open-v2", "actor-0", 1, Rows(2)));
  taco::v1::TransitionBatch bad_flag = *taco::ToProto("reach-v2", "actor-0", 3, Rows(2));
  const float half = 0.5f;
  std::string terminal = bad_flag.terminal();
  terminal.replace(0, 4, Bytes(half));
  bad_flag.set_terminal(terminal);
  put("bad_flag", bad_flag);
}

taco::ParameterSet ExampleParameters() {
  taco::ParameterSet set;
  set.version = 3;
  set.updates = 300;
  set.tasks = {"reach-v2", "push-v2"};
  taco::NamedArray a{"actor.fc0.weight", {2, 3}, {0.5f, -1, 2, 0, 1e-3f, 4}};
  taco::NamedArray w{"task_weights", {2, 2}, {1, 0, 0, 1}};
  taco::NamedArray s{"actor.scale", {}, {0.25f}};
  set.arrays = {a, w, s};
  return set;
}

void ParameterChunkSeeds() {
  for (int64_t bytes : {int64_t{1} << 20, int64_t{16}}) {
    std::string input(1, '\x01');  // the subscriber's default element limit
    for (const auto& chunk : taco::ChunkParameters(ExampleParameters(), bytes)) {
      const std::string msg = chunk.SerializeAsString();
      const uint16_t n = static_cast<uint16_t>(msg.size());
      input += Bytes(n) + msg;
    }
    Put("parameter_chunks", absl::StrCat("chunks_of_", bytes), input);
  }
  // Regression: declares 2 GiB of floats and carries one.
  taco::v1::ParameterChunk huge;
  huge.set_version(1);
  huge.set_chunk_count(2);
  taco::v1::TensorSlice* slice = huge.add_slices();
  slice->mutable_tensor()->set_name("w");
  slice->mutable_tensor()->add_shape(int64_t{1} << 29);
  slice->mutable_tensor()->set_data(Bytes(1.0f));
  slice->set_total_elements(uint64_t{1} << 29);
  const std::string msg = huge.SerializeAsString();
  Put("parameter_chunks", "huge_declared_tensor",
      "\x01" + Bytes(static_cast<uint16_t>(msg.size())) + msg);
}

std::string TableFile(const std::string& task, int rows, const fs::path& scratch,
                      int64_t inserted_total = -1) {
  taco::TableFileContents c;
  c.task = task;
  c.capacity = 8;
  c.inserted_total = inserted_total >= 0 ? inserted_total : rows + 2;
  c.sampled_total = 5;
  c.last_sequence = {{"actor-0", 4}, {"actor-1", 9}};
  c.transitions = Rows(rows);
  const std::string path = (scratch / "seed.table").string();
  if (!taco::WriteTableFile(path, c).ok()) std::exit(1);
  return ReadAll(path);
}

void ReplayCheckpointSeeds(const fs::path& scratch) {
  Put("replay_checkpoint", "one_table", TableFile("reach-v2", 4, scratch));
  Put("replay_checkpoint", "two_tables",
      "taco-replay-checkpoint 1\nshard 0 1\ntable reach-v2\ntable push-v2\n" +
          TableFile("reach-v2", 2, scratch) + TableFile("push-v2", 4, scratch));
  // Regression: counters that add up beyond int64.
  const int64_t most = std::numeric_limits<int64_t>::max();
  Put("replay_checkpoint", "counters_overflow",
      "taco-replay-checkpoint 1\nshard 0 1\ntable reach-v2\ntable push-v2\n" +
          TableFile("reach-v2", 2, scratch, most) + TableFile("push-v2", 4, scratch, most));
}

void PacoCheckpointSeeds(const fs::path& scratch) {
  paco::PacoOptions options;
  options.num_tasks = 2;
  options.obs_dim = 3;
  options.action_dim = 2;
  options.hidden_sizes = {4, 4};
  const std::vector<float> weights = {0.5f, -1.0f, 2.0f, 0.0f, 1.0f, -0.25f};
  const std::vector<int64_t> steps = {10, 10, 10, 10, 0};
  const std::vector<uint8_t> rng = {1, 2, 3, 4, 5, 6, 7, 8};
  paco::CheckpointWriter writer;
  writer.AddString("options", options.Serialize());
  writer.Add("actor/fc0/weight", paco::RecordType::kFloat32, {2, 3}, weights.data(),
             weights.size() * sizeof(float));
  writer.Add("counters/steps", paco::RecordType::kInt64, {5}, steps.data(),
             steps.size() * sizeof(int64_t));
  writer.Add("rng/state", paco::RecordType::kUInt8, {8}, rng.data(), rng.size());
  writer.AddString("rng/device", "cpu");
  const std::string path = (scratch / "seed.ckpt").string();
  if (!writer.Commit(path).ok()) std::exit(1);
  Put("paco_checkpoint", "learner", ReadAll(path));
  // Regression: options that must come back as they were written.
  paco::CheckpointWriter edge;
  edge.AddString("options", "actor_lr=0x1p-1074\nseed=18446744073709551615\n");
  if (!edge.Commit(path).ok()) std::exit(1);
  Put("paco_checkpoint", "options_edge_values", ReadAll(path));
}

void ConfigSeeds() {
  Put("run_config", "minimal", "tasks: [reach-v2]\n");
  Put("run_config", "sections",
      "run: {name: fuzz, seed: 3}\ntasks: [reach-v2, push-v2]\ntrainer:\n  batch_size: 8\n"
      "task_distribution:\n  kind: weights\n  weights: {reach-v2: 2.0}\n"
      "topology: {replay_shards: 1, replay_addresses: ['127.0.0.1:1']}\n");
  Put("run_config", "groups",
      "tasks: [reach-v2, push-v2]\ntask_distribution:\n  kind: groups\n"
      "  groups: [[reach-v2], [push-v2]]\nalgorithm: {hidden_sizes: [8], log_std_min: -5}\n");
  Put("config_override", "numbers", "trainer.batch_size=128\nalgorithm.actor_lr=1e-3\n");
  Put("config_override", "lists",
      "tasks=[reach-v2, push-v2, door-open-v2]\ntopology.replay_addresses=[a:1, b:2]\n");
  Put("config_override", "new_section", "task_distribution.online.eps=0.25\nrun.name=x\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  out_root = argv[1];
  const fs::path scratch = fs::temp_directory_path() / "taco-fuzz-seeds";
  fs::create_directories(scratch);
  CodecSeeds();
  TransitionSeeds();
  ParameterChunkSeeds();
  ReplayCheckpointSeeds(scratch);
  PacoCheckpointSeeds(scratch);
  ConfigSeeds();
  fs::remove_all(scratch);
  return 0;
}
