#include "replay/table_file.h"

#include <filesystem>
#include <fstream>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

TableFileContents Example() {
  TableFileContents c;
  c.task = "push-v2";
  c.capacity = 10;
  c.inserted_total = 12;
  c.sampled_total = 40;
  c.last_sequence = {{"actor-0", 5}, {"actor-1", 7}};
  c.transitions.shape = TransitionShape{3, 2};
  for (int i = 0; i < 4; ++i) {
    const float v = static_cast<float>(i) + 0.5f;
    const float obs[3] = {v, -v, v};
    const float act[2] = {v, v};
    c.transitions.Append(obs, act, v, obs, i == 3, i == 2, 100 + i);
  }
  return c;
}

std::string Path(const std::string& name) { return testing::TempDir() + "/" + name; }

TEST(TableFileTest, RoundTrip) {
  const std::string path = Path("round.table");
  ASSERT_TRUE(WriteTableFile(path, Example()).ok());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  auto read = ReadTableFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  const TableFileContents want = Example();
  EXPECT_EQ(read->task, want.task);
  EXPECT_EQ(read->capacity, 10);
  EXPECT_EQ(read->inserted_total, 12);
  EXPECT_EQ(read->sampled_total, 40);
  EXPECT_EQ(read->last_sequence, want.last_sequence);
  EXPECT_EQ(read->transitions.obs, want.transitions.obs);
  EXPECT_EQ(read->transitions.terminal, want.transitions.terminal);
  EXPECT_EQ(read->transitions.policy_version, want.transitions.policy_version);
}

TEST(TableFileTest, EveryFlippedByteIsDetected) {
  const std::string path = Path("flip.table");
  ASSERT_TRUE(WriteTableFile(path, Example()).ok());
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  for (size_t i = 0; i < bytes.size(); i += 7) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << damaged;
    auto read = ReadTableFile(path);
    ASSERT_FALSE(read.ok()) << "byte " << i;
    EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss);
  }
}

TEST(TableFileTest, TruncationIsDetected) {
  const std::string path = Path("trunc.table");
  ASSERT_TRUE(WriteTableFile(path, Example()).ok());
  const auto size = std::filesystem::file_size(path);
  for (auto keep : {size - 1, size / 2, uintmax_t{8}, uintmax_t{0}}) {
    std::filesystem::resize_file(path, keep);
    auto read = ReadTableFile(path);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss);
  }
}

// Found by fuzz/replay_checkpoint_fuzzer.cc: counters above int64 came back
// negative (a capacity of 0xfbffffff00000008 passed as a negative number),
// and a table claiming fewer inserts than rows passed the reader only to be
// refused by Table::Restore after other tables were already restored.
TEST(TableFileTest, CountersOutOfRangeAreDamage) {
  const std::string path = Path("counters.table");
  for (int which = 0; which < 4; ++which) {
    TableFileContents c = Example();  // 4 rows
    if (which == 0) c.capacity = static_cast<int64_t>(0xfbffffff00000008u);
    if (which == 1) c.inserted_total = -1;
    if (which == 2) c.sampled_total = std::numeric_limits<int64_t>::min();
    if (which == 3) c.inserted_total = 3;
    ASSERT_TRUE(WriteTableFile(path, c).ok());
    auto read = ReadTableFile(path);
    ASSERT_FALSE(read.ok()) << "case " << which;
    EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(std::string(read.status().message()), ::testing::HasSubstr("counters"));
  }
}

TEST(TableFileTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadTableFile(Path("absent.table")).status().code(), absl::StatusCode::kNotFound);
}

TEST(TableFileTest, AtomicWriteReplacesWholeFile) {
  const std::string path = Path("atomic.txt");
  ASSERT_TRUE(WriteFileAtomically(path, "first version, long").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "second").ok());
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "second");
  EXPECT_FALSE(WriteFileAtomically("/nonexistent-dir/x", "y").ok());
}

}  // namespace
}  // namespace taco
