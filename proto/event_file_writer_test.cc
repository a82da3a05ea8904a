// The writer's files read back by proto/testing/event_file_reader, which
// shares no code with it.
#include "proto/event_file_writer.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "gtest/gtest.h"
#include "proto/testing/event_file_reader.h"

namespace taco {
namespace {

namespace fs = std::filesystem;
using testing::BitwiseCrc32c;
using testing::DecodedEvent;
using testing::ReadEventFile;

TEST(Crc32cTest, MatchesTheStandardCheckValue) {
  // The CRC-32C check value of "123456789" (RFC 3720, iSCSI).
  EXPECT_EQ(Crc32c("123456789", 9), 0xE3069283u);
  EXPECT_EQ(BitwiseCrc32c("123456789"), 0xE3069283u);
  const std::string longer(1000, '\x5a');
  EXPECT_EQ(Crc32c(longer.data(), longer.size()), BitwiseCrc32c(longer));
}

TEST(EventFileWriterTest, WritesFramedScalarEventsThatReadBack) {
  const fs::path dir = fs::path(::testing::TempDir()) / "tensorboard-events";
  fs::remove_all(dir);
  auto writer = EventFileWriter::Create(dir.string(), "learner");
  ASSERT_TRUE(writer.ok()) << writer.status();
  const std::string path = (*writer)->path();
  EXPECT_NE(fs::path(path).filename().string().find("events.out.tfevents."), std::string::npos);
  ASSERT_TRUE((*writer)->AddScalars(1000, {{"loss/critic", 1.5}, {"success/reach-v2", 0.25}}).ok());
  // NaN (a task absent from the batch) is left out; an all-NaN event is none.
  ASSERT_TRUE((*writer)->AddScalars(2000, {{"loss/critic", 0.75}, {"alpha/push-v2", NAN}}).ok());
  ASSERT_TRUE((*writer)->AddScalars(3000, {{"alpha/push-v2", NAN}}).ok());
  // Readable while the writer is open: every record is flushed whole.
  const auto events = ReadEventFile(path);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 3u);
  const DecodedEvent& first = (*events)[0];
  EXPECT_EQ(first.file_version, "brain.Event:2");
  EXPECT_GT(first.wall_time, 1.6e9);
  const DecodedEvent& a = (*events)[1];
  EXPECT_EQ(a.step, 1000);
  EXPECT_EQ(a.scalars,
            (std::map<std::string, float>{{"loss/critic", 1.5f}, {"success/reach-v2", 0.25f}}));
  const DecodedEvent& b = (*events)[2];
  EXPECT_EQ(b.step, 2000);
  EXPECT_EQ(b.scalars, (std::map<std::string, float>{{"loss/critic", 0.75f}}));
  EXPECT_GE(b.wall_time, a.wall_time);
}

TEST(EventFileWriterTest, TheReaderCatchesAFlippedByte) {
  const fs::path dir = fs::path(::testing::TempDir()) / "tensorboard-flipped";
  fs::remove_all(dir);
  std::string path;
  {
    auto writer = EventFileWriter::Create(dir.string(), "learner");
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->AddScalars(5, {{"loss/critic", 2.0}}).ok());
    path = (*writer)->path();
  }
  ASSERT_TRUE(ReadEventFile(path).ok());
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(static_cast<std::streamoff>(fs::file_size(path) - 8));
  file.put('\x7f');
  file.close();
  EXPECT_FALSE(ReadEventFile(path).ok());
}

TEST(EventFileWriterTest, EveryWriterHasAFileOfItsOwn) {
  const fs::path dir = fs::path(::testing::TempDir()) / "tensorboard-two";
  fs::remove_all(dir);
  auto learner = EventFileWriter::Create(dir.string(), "learner");
  auto eval = EventFileWriter::Create(dir.string(), "eval");
  ASSERT_TRUE(learner.ok() && eval.ok());
  EXPECT_NE((*learner)->path(), (*eval)->path());
}

TEST(EventFileWriterTest, AnUnwritableFolderIsAnError) {
  const fs::path file = fs::path(::testing::TempDir()) / "tensorboard-not-a-folder";
  std::ofstream(file) << "x";
  auto writer = EventFileWriter::Create((file / "sub").string(), "learner");
  EXPECT_FALSE(writer.ok());
}

}  // namespace
}  // namespace taco
