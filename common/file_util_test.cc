#include "common/file_util.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

using ::testing::HasSubstr;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(WriteFileAtomicallyTest, ReplacesTheWholeFileAndLeavesNoTemporary) {
  const std::string path = ::testing::TempDir() + "/file_util_test.bin";
  ASSERT_TRUE(WriteFileAtomically(path, "first version, longer").ok());
  const std::string binary("a\0b\n", 4);
  ASSERT_TRUE(WriteFileAtomically(path, binary).ok());
  EXPECT_EQ(ReadAll(path), binary);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(WriteFileAtomicallyTest, FailureNamesThePathAndKeepsTheOldFile) {
  const absl::Status missing_folder = WriteFileAtomically("/nonexistent-folder/x.svg", "x");
  EXPECT_FALSE(missing_folder.ok());
  EXPECT_THAT(missing_folder.message(), HasSubstr("/nonexistent-folder/x.svg"));

  // A folder in the way of the rename: the write fails and the folder stays.
  const std::string dir = ::testing::TempDir() + "/file_util_test_dir";
  std::filesystem::create_directories(dir + "/inside");
  const absl::Status onto_folder = WriteFileAtomically(dir, "x");
  EXPECT_FALSE(onto_folder.ok());
  EXPECT_THAT(onto_folder.message(), HasSubstr(dir));
  EXPECT_TRUE(std::filesystem::is_directory(dir + "/inside"));
  EXPECT_FALSE(std::filesystem::exists(dir + ".tmp"));
}

}  // namespace
}  // namespace taco
