// Parameter broadcast over loopback gRPC: the learner's store and service,
// the actor's subscriber.
#include "actor/parameter_subscriber.h"
#include "gtest/gtest.h"
#include "learner/parameter_service.h"
#include "proto/testing/test_certificates.h"

namespace taco {
namespace {

ParameterSet Version(uint64_t v, int64_t elements) {
  ParameterSet set;
  set.version = v;
  set.updates = v * 100;
  set.tasks = {"reach-v2"};
  NamedArray a{"actor.fc0.weight", {elements}, std::vector<float>(elements, static_cast<float>(v))};
  set.arrays = {a, NamedArray{"task_weights", {5, 1}, {1, 2, 3, 4, 5}}};
  return set;
}

class BroadcastTest : public testing::Test {
 protected:
  void SetUp() override {
    service_ = std::make_unique<ParameterService>(&store_, /*default_chunk_bytes=*/4096);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_GT(port_, 0);
  }
  void TearDown() override {
    store_.Close();
    if (server_ != nullptr) server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
  }
  ParameterSubscriberOptions Options() {
    ParameterSubscriberOptions o;
    o.address = "127.0.0.1:" + std::to_string(port_);
    o.initial_backoff = absl::Milliseconds(20);
    return o;
  }

  ParameterStore store_;
  std::unique_ptr<ParameterService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(BroadcastTest, SubscriberPicksUpNewVersionsWithoutStopping) {
  ASSERT_TRUE(store_.Publish(Version(1, 10000)).ok());  // 40 kB: ten chunks
  ParameterSubscriber subscriber(Options());
  auto first = subscriber.WaitNewer(0, absl::Seconds(10));
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->version, 1u);
  EXPECT_EQ(first->arrays[0].values.size(), 10000u);
  EXPECT_EQ(first->arrays[0].values[9999], 1.0f);
  EXPECT_EQ(first->arrays[1].values[4], 5.0f);

  ASSERT_TRUE(store_.Publish(Version(2, 10000)).ok());
  ASSERT_TRUE(store_.Publish(Version(3, 10000)).ok());
  auto newest = subscriber.WaitNewer(2, absl::Seconds(10));
  ASSERT_NE(newest, nullptr);
  EXPECT_EQ(newest->version, 3u);
  EXPECT_EQ(newest->updates, 300u);
  EXPECT_EQ(newest->arrays[0].values[0], 3.0f);
  EXPECT_EQ(subscriber.damaged_versions(), 0);
}

TEST(SecureBroadcastTest, OnlySubscribersWithTheTokenOverTlsReceiveParameters) {
  auto certs = MakeTestCertificates(testing::TempDir() + "/broadcast-certs");
  ASSERT_TRUE(certs.ok()) << certs.status();
  SecurityConfig config;
  config.tls_cert = certs->cert;
  config.tls_key = certs->key;
  config.ca_cert = certs->ca;
  config.token_file = WriteTestFile(certs->dir + "/broadcast.token", "learner-token\n");
  auto security = MakeServerSecurity(config, "127.0.0.1:0");
  ASSERT_TRUE(security.ok()) << security.status();
  ParameterStore store;
  ParameterService service(&store, 4096, security->authenticator);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", security->credentials, &port);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  ASSERT_GT(port, 0);
  ASSERT_TRUE(store.Publish(Version(1, 100)).ok());

  ParameterSubscriberOptions o;
  o.address = "localhost:" + std::to_string(port);
  o.initial_backoff = absl::Milliseconds(20);
  SecurityConfig wrong = config;
  wrong.token_file = WriteTestFile(certs->dir + "/broadcast-wrong.token", "guess\n");
  o.security = *ClientSecurity::FromConfig(wrong);
  {
    ParameterSubscriber intruder(o);
    EXPECT_EQ(intruder.WaitNewer(0, absl::Seconds(1)), nullptr);
  }
  o.security = *ClientSecurity::FromConfig(config);
  ParameterSubscriber subscriber(o);
  auto first = subscriber.WaitNewer(0, absl::Seconds(10));
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->version, 1u);
  store.Close();
  server->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
}

TEST_F(BroadcastTest, VersionsOnlyGoUp) {
  ASSERT_TRUE(store_.Publish(Version(5, 4)).ok());
  EXPECT_FALSE(store_.Publish(Version(5, 4)).ok());
  EXPECT_FALSE(store_.Publish(Version(4, 4)).ok());
  EXPECT_EQ(store_.Latest()->version, 5u);
}

TEST_F(BroadcastTest, SubscriberWaitsForTheFirstVersionAndSurvivesALearnerRestart) {
  ParameterSubscriber subscriber(Options());
  EXPECT_EQ(subscriber.WaitNewer(0, absl::Milliseconds(100)), nullptr);
  ASSERT_TRUE(store_.Publish(Version(1, 8)).ok());
  ASSERT_NE(subscriber.WaitNewer(0, absl::Seconds(10)), nullptr);

  // The learner goes away and comes back on the same port.
  server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Milliseconds(200)));
  server_.reset();
  ParameterStore restarted;
  ParameterService service(&restarted, 4096);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:" + std::to_string(port_), grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  ASSERT_EQ(port, port_);
  ASSERT_TRUE(restarted.Publish(Version(2, 8)).ok());
  auto after = subscriber.WaitNewer(1, absl::Seconds(20));
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->version, 2u);
  // The actor kept version 1 the whole time.
  EXPECT_GE(subscriber.versions_received(), 2);
  restarted.Close();
  subscriber.Stop();
  server->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
}

}  // namespace
}  // namespace taco
