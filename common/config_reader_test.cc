#include "common/config_reader.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

using ::testing::HasSubstr;

struct Example {
  int64_t steps = 10;
  double lr = 0.1;
  bool flag = false;
  std::string mode = "a";
  std::vector<int> sizes = {1};
};

absl::Status ReadExample(absl::string_view yaml, Example* out) {
  auto reader = ConfigReader::FromString(yaml, "example.yaml");
  if (!reader.ok()) return reader.status();
  ConfigSection section = reader->Root().Child("section");
  section.ReadInt("steps", &out->steps, 1, 1000);
  section.ReadDouble("lr", &out->lr, 0.0, 1.0);
  section.ReadBool("flag", &out->flag);
  section.ReadString("mode", &out->mode, {"a", "b"});
  section.ReadIntList("sizes", &out->sizes, 1, 100);
  return reader->Finish();
}

TEST(ConfigReaderTest, AbsentKeysKeepDefaults) {
  Example e;
  ASSERT_TRUE(ReadExample("{}", &e).ok());
  EXPECT_EQ(e.steps, 10);
  EXPECT_EQ(e.mode, "a");
}

TEST(ConfigReaderTest, ReadsTypedValues) {
  Example e;
  absl::Status status = ReadExample(
      "section:\n  steps: 2e2\n  lr: 0.5\n  flag: true\n  mode: b\n  sizes: [3, 4]\n", &e);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(e.steps, 200);
  EXPECT_DOUBLE_EQ(e.lr, 0.5);
  EXPECT_TRUE(e.flag);
  EXPECT_EQ(e.mode, "b");
  EXPECT_EQ(e.sizes, (std::vector<int>{3, 4}));
}

TEST(ConfigReaderTest, UnknownKeyIsNamedWithFileAndLine) {
  Example e;
  absl::Status status = ReadExample("section:\n  steps: 5\n  stesp: 6\n", &e);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("example.yaml:3: unknown key 'section.stesp'"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("valid keys here"));
}

TEST(ConfigReaderTest, UnknownTopLevelKeyIsReported) {
  Example e;
  absl::Status status = ReadExample("other: 1\n", &e);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr("unknown key 'other'"));
}

TEST(ConfigReaderTest, WrongTypeNamesKeyAndValue) {
  Example e;
  absl::Status status = ReadExample("section:\n  steps: many\n", &e);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("key 'section.steps' has value 'many': must be an integer"));
  EXPECT_EQ(e.steps, 10);
}

TEST(ConfigReaderTest, FractionIsNotAnInteger) {
  Example e;
  EXPECT_FALSE(ReadExample("section:\n  steps: 1.5\n", &e).ok());
}

TEST(ConfigReaderTest, OutOfRangeNamesTheBounds) {
  Example e;
  absl::Status status = ReadExample("section:\n  lr: 3\n", &e);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr("'section.lr' has value '3'"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("between 0 and 1"));
}

TEST(ConfigReaderTest, EnumListsTheChoices) {
  Example e;
  absl::Status status = ReadExample("section:\n  mode: c\n", &e);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr("must be one of: a, b"));
}

TEST(ConfigReaderTest, ReportsEveryProblemAtOnce) {
  Example e;
  absl::Status status = ReadExample("section:\n  steps: 0\n  lr: x\n  bad: 1\n", &e);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr("section.steps"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("section.lr"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("section.bad"));
}

TEST(ConfigReaderTest, SectionMustBeAMapping) {
  Example e;
  absl::Status status = ReadExample("section: 5\n", &e);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr("must be a mapping"));
}

TEST(ConfigReaderTest, SyntaxErrorNamesTheLine) {
  auto reader = ConfigReader::FromString("a: [1, 2\nb: 3\n", "broken.yaml");
  ASSERT_FALSE(reader.ok());
  EXPECT_THAT(std::string(reader.status().message()), HasSubstr("broken.yaml:"));
  EXPECT_THAT(std::string(reader.status().message()), HasSubstr("YAML syntax error"));
}

TEST(ConfigReaderTest, MissingFileIsNotFound) {
  auto reader = ConfigReader::FromFile("/nonexistent/config.yaml");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kNotFound);
}

TEST(ConfigReaderTest, OverridesReplaceAndCreateKeys) {
  auto reader = ConfigReader::FromString("section:\n  steps: 5\n", "o.yaml");
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(reader->Override("section.steps=7").ok());
  ASSERT_TRUE(reader->Override("section.sizes=[2, 3]").ok());
  EXPECT_FALSE(reader->Override("no-equals-sign").ok());
  ConfigSection section = reader->Root().Child("section");
  int64_t steps = 0;
  std::vector<int> sizes;
  section.ReadInt("steps", &steps, 0, 100);
  section.ReadIntList("sizes", &sizes, 0, 100);
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(steps, 7);
  EXPECT_EQ(sizes, (std::vector<int>{2, 3}));
}

TEST(ConfigReaderTest, SameSectionTwiceSharesKnownKeys) {
  auto reader = ConfigReader::FromString("s:\n  a: 1\n  b: 2\n", "twice.yaml");
  ASSERT_TRUE(reader.ok());
  int a = 0, b = 0;
  reader->Root().Child("s").ReadInt("a", &a, 0, 9);
  reader->Root().Child("s").ReadInt("b", &b, 0, 9);
  EXPECT_TRUE(reader->Finish().ok());
}

}  // namespace
}  // namespace taco
