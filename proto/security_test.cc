#include "proto/security.h"

#include <grpcpp/grpcpp.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/health_probe.h"
#include "proto/health_service.h"
#include "proto/testing/test_certificates.h"
#include "taco/v1/health.grpc.pb.h"

namespace taco {
namespace {

using ::testing::HasSubstr;

TEST(SecurityTest, LoopbackAddresses) {
  for (const char* address : {"127.0.0.1:50100", "127.1.2.3:1", "localhost:5", "LOCALHOST:5",
                              "[::1]:7", "unix:/tmp/taco.sock"}) {
    EXPECT_TRUE(IsLoopbackAddress(address)) << address;
  }
  for (const char* address : {"0.0.0.0:50100", "10.0.0.7:1", ":5", "[::]:7", "replay-0:50100",
                              "127.example.com:5", "127.0.0:5", "[2001:db8::1]:5"}) {
    EXPECT_FALSE(IsLoopbackAddress(address)) << address;
  }
}

TEST(SecurityTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("Bearer abc", "Bearer abc"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("Bearer abc", "Bearer abd"));
  EXPECT_FALSE(ConstantTimeEquals("Bearer abc", "Bearer abcd"));
  EXPECT_FALSE(ConstantTimeEquals("Bearer abc", "Bearer ab"));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(SecurityTest, PlaintextOnANonLoopbackAddressIsRefusedUnlessAllowed) {
  SecurityConfig config;
  auto refused = MakeServerSecurity(config, "0.0.0.0:50100");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("refusing to listen on 0.0.0.0:50100"));
  EXPECT_THAT(refused.status().message(), HasSubstr("allow_insecure_remote"));
  EXPECT_TRUE(MakeServerSecurity(config, "127.0.0.1:50100").ok());
  config.allow_insecure_remote = true;
  EXPECT_TRUE(MakeServerSecurity(config, "0.0.0.0:50100").ok());
}

TEST(SecurityTest, BadFilesAreErrorsNamingKeyAndFile) {
  const std::string dir = testing::TempDir();
  SecurityConfig config;
  config.tls_cert = dir + "/missing.pem";
  config.tls_key = dir + "/missing.key";
  auto missing = MakeServerSecurity(config, "127.0.0.1:1");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("security.tls_cert"));
  EXPECT_THAT(missing.status().message(), HasSubstr(dir + "/missing.pem"));

  config.tls_cert = WriteTestFile(dir + "/not-pem.pem", "hello");
  auto not_pem = MakeServerSecurity(config, "127.0.0.1:1");
  ASSERT_FALSE(not_pem.ok());
  EXPECT_THAT(not_pem.status().message(), HasSubstr("is not a PEM file"));

  SecurityConfig tokens;
  tokens.token_file = WriteTestFile(dir + "/empty.token", "\n");
  auto empty = ClientSecurity::FromConfig(tokens);
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("holds no token"));
  tokens.token_file = WriteTestFile(dir + "/spaced.token", "two words\n");
  auto spaced = MakeServerSecurity(tokens, "127.0.0.1:1");
  ASSERT_FALSE(spaced.ok());
  EXPECT_THAT(spaced.status().message(), HasSubstr("security.token_file"));
}

// A Health server with the given security and a client for it.
class SecureHealthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto certs = MakeTestCertificates(testing::TempDir() + "/certs");
    ASSERT_TRUE(certs.ok()) << certs.status();
    certs_ = new TestCertificates(*certs);
    token_ = WriteTestFile(certs_->dir + "/right.token", "s3cret-token-0123456789\n");
    wrong_token_ = WriteTestFile(certs_->dir + "/wrong.token", "s3cret-token-0123456780\n");
  }
  static void TearDownTestSuite() { delete certs_; }

  void Serve(const SecurityConfig& config) {
    auto security = MakeServerSecurity(config, "127.0.0.1:0");
    ASSERT_TRUE(security.ok()) << security.status();
    service_ = std::make_unique<HealthService>("test", "0", security->authenticator);
    EnableStandardHealthService();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", security->credentials, &port_);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    MarkNotServingUntilReady(server_.get());
  }

  // The status of one Health.Check with the client side of `config`.
  grpc::Status Call(const SecurityConfig& config) {
    auto security = ClientSecurity::FromConfig(config);
    EXPECT_TRUE(security.ok()) << security.status();
    if (!security.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, "bad client config");
    auto stub =
        v1::Health::NewStub(security->Channel("localhost:" + std::to_string(port_), 1 << 20));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    security->Prepare(&context);
    v1::HealthCheckRequest request;
    v1::HealthCheckResponse response;
    return stub->Check(&context, request, &response);
  }

  SecurityConfig Server(bool mutual) const {
    SecurityConfig c;
    c.tls_cert = certs_->cert;
    c.tls_key = certs_->key;
    c.ca_cert = certs_->ca;
    if (mutual) c.client_ca = certs_->ca;
    c.token_file = token_;
    return c;
  }

  static TestCertificates* certs_;
  static std::string token_, wrong_token_;
  std::unique_ptr<HealthService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TestCertificates* SecureHealthTest::certs_ = nullptr;
std::string SecureHealthTest::token_;
std::string SecureHealthTest::wrong_token_;

TEST_F(SecureHealthTest, TlsAndTokenServeOnlyTheRightClients) {
  Serve(Server(/*mutual=*/false));
  SecurityConfig right;
  right.ca_cert = certs_->ca;
  right.token_file = token_;
  EXPECT_TRUE(Call(right).ok()) << Call(right).error_message();

  SecurityConfig no_token = right;
  no_token.token_file.clear();
  grpc::Status s = Call(no_token);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("missing bearer token"));

  SecurityConfig wrong_token = right;
  wrong_token.token_file = wrong_token_;
  s = Call(wrong_token);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("wrong bearer token"));
  EXPECT_THAT(s.error_message(), testing::Not(HasSubstr("s3cret")));

  // A client that trusts another CA does not accept the server.
  SecurityConfig wrong_ca = right;
  wrong_ca.ca_cert = certs_->other_ca;
  EXPECT_EQ(Call(wrong_ca).error_code(), grpc::StatusCode::UNAVAILABLE);

  // Plaintext against a TLS port gets nowhere either.
  SecurityConfig plaintext;
  plaintext.token_file = token_;
  EXPECT_EQ(Call(plaintext).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(SecureHealthTest, MutualTlsRequiresAClientCertificateFromTheClientCa) {
  Serve(Server(/*mutual=*/true));
  SecurityConfig right;
  right.ca_cert = certs_->ca;
  right.tls_cert = certs_->cert;
  right.tls_key = certs_->key;
  right.token_file = token_;
  EXPECT_TRUE(Call(right).ok()) << Call(right).error_message();

  SecurityConfig no_certificate = right;
  no_certificate.tls_cert.clear();
  no_certificate.tls_key.clear();
  EXPECT_EQ(Call(no_certificate).error_code(), grpc::StatusCode::UNAVAILABLE);

  SecurityConfig foreign_certificate = right;
  foreign_certificate.tls_cert = certs_->other_cert;
  foreign_certificate.tls_key = certs_->other_key;
  EXPECT_EQ(Call(foreign_certificate).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(SecureHealthTest, TokenWithoutTlsOnLoopback) {
  SecurityConfig server;
  server.token_file = token_;
  Serve(server);
  SecurityConfig right;
  right.token_file = token_;
  EXPECT_TRUE(Call(right).ok());
  EXPECT_EQ(Call(SecurityConfig()).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

// The standard grpc.health.v1 service answers probes that carry no token
// (Kubernetes' and the image's), over the server's TLS, while taco's own
// services keep refusing them; it says NOT_SERVING until the role is ready.
TEST_F(SecureHealthTest, StandardHealthNeedsNoTokenAndFollowsReadiness) {
  Serve(Server(/*mutual=*/false));
  SecurityConfig probe;
  probe.ca_cert = certs_->ca;
  auto client = ClientSecurity::FromConfig(probe);
  ASSERT_TRUE(client.ok()) << client.status();
  const std::string address = "localhost:" + std::to_string(port_);
  auto before = CheckGrpcHealth(address, *client, absl::Seconds(5));
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(*before, "NOT_SERVING");
  SetServing(server_.get(), true);
  auto ready = CheckGrpcHealth(address, *client, absl::Seconds(5));
  ASSERT_TRUE(ready.ok()) << ready.status();
  EXPECT_EQ(*ready, "SERVING");
  EXPECT_EQ(Call(probe).error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // Plaintext against the TLS port, and a port nobody serves, are errors.
  EXPECT_FALSE(CheckGrpcHealth(address, ClientSecurity(), absl::Seconds(2)).ok());
  server_->Shutdown();
  EXPECT_FALSE(CheckGrpcHealth(address, *client, absl::Seconds(2)).ok());
}

}  // namespace
}  // namespace taco
