#include "common/logging.h"

#include "gtest/gtest.h"

namespace taco {
namespace {

TEST(LoggingTest, ParsesLevels) {
  EXPECT_EQ(*ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(*ParseLogLevel("WARNING"), LogLevel::kWarning);
  EXPECT_FALSE(ParseLogLevel("loud").ok());
}

TEST(LoggingTest, LinesBelowTheLevelAreNotFormatted) {
  SetLogLevel(LogLevel::kWarning);
  int evaluated = 0;
  auto count = [&evaluated] { return ++evaluated; };
  testing::internal::CaptureStderr();
  TACO_LOG(INFO) << "hidden " << count();
  TACO_LOG(ERROR) << "shown " << count();
  const std::string err = testing::internal::GetCapturedStderr();
  SetLogLevel(LogLevel::kInfo);
  EXPECT_EQ(evaluated, 1);
  EXPECT_EQ(err.find("hidden"), std::string::npos);
  EXPECT_NE(err.find("shown 1"), std::string::npos);
  EXPECT_EQ(err[0], 'E');
}

}  // namespace
}  // namespace taco
