#include "common/health_file.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

class HealthFileTest : public testing::Test {
 protected:
  void SetUp() override {
    // ctest runs each test as its own process, side by side: one file per test and process.
    path_ = testing::TempDir() + "/health_file_test_" +
            testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
            std::to_string(getpid());
    std::filesystem::remove(path_);
    setenv("TACO_HEALTH_FILE", path_.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("TACO_HEALTH_FILE");
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  void Write(const std::string& text) { std::ofstream(path_) << text; }
  std::string path_;
};

TEST_F(HealthFileTest, NothingIsWrittenWithoutTheVariable) {
  unsetenv("TACO_HEALTH_FILE");
  ASSERT_TRUE(AnnounceHealthTarget({"metrics", "127.0.0.1", 9500, {}}).ok());
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(HealthFileTest, AGrpcServerReplacesTheMetricsPageAndKeepsItsPlace) {
  ASSERT_TRUE(AnnounceHealthTarget({"metrics", "127.0.0.1", 9410, {}}).ok());
  auto first = ReadHealthTarget(path_);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->kind, "metrics");
  EXPECT_EQ(first->port, 9410);

  HealthTarget grpc{"grpc", "10.0.0.7", 50100, {}};
  grpc.tls.ca_cert = "/run/secrets/ca.pem";
  grpc.tls.tls_server_name = "taco";
  grpc.tls.token_file = "/run/secrets/token";  // never written: health needs no token
  ASSERT_TRUE(AnnounceHealthTarget(grpc).ok());
  ASSERT_TRUE(AnnounceHealthTarget({"metrics", "127.0.0.1", 9411, {}}).ok());
  auto read = ReadHealthTarget(path_);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->kind, "grpc");
  EXPECT_EQ(read->host, "10.0.0.7");
  EXPECT_EQ(read->port, 50100);
  EXPECT_EQ(read->tls.ca_cert, "/run/secrets/ca.pem");
  EXPECT_EQ(read->tls.tls_server_name, "taco");
  EXPECT_EQ(read->tls.token_file, "");
}

TEST_F(HealthFileTest, AWildcardListenAddressIsProbedOnLoopback) {
  SecurityConfig security;
  security.ca_cert = "/ca.pem";
  security.token_file = "/token";
  const HealthTarget any = GrpcHealthTarget("0.0.0.0", 50090, security);
  EXPECT_EQ(any.kind, "grpc");
  EXPECT_EQ(any.host, "127.0.0.1");
  EXPECT_EQ(any.port, 50090);
  EXPECT_EQ(any.tls.ca_cert, "/ca.pem");
  EXPECT_EQ(any.tls.token_file, "");
  EXPECT_EQ(GrpcHealthTarget("10.1.2.3", 1, security).host, "10.1.2.3");
}

TEST_F(HealthFileTest, BrokenFilesAreRefusedWithWhatIsWrong) {
  EXPECT_FALSE(ReadHealthTarget(path_ + ".missing").ok());
  Write("kind http\nport 80\n");
  EXPECT_THAT(ReadHealthTarget(path_).status().message(), testing::HasSubstr("kind"));
  Write("kind grpc\nport 70000\n");
  EXPECT_THAT(ReadHealthTarget(path_).status().message(), testing::HasSubstr("port"));
  Write("kind grpc\nhost a b\nport 50100\n");
  EXPECT_THAT(ReadHealthTarget(path_).status().message(), testing::HasSubstr("host"));
  Write("kind grpc\nport 50100\nshell rm -rf /\n");
  EXPECT_THAT(ReadHealthTarget(path_).status().message(), testing::HasSubstr("unknown key"));
}

}  // namespace
}  // namespace taco
