// TLS and bearer tokens for every taco gRPC endpoint (`security.*` in the run
// config).
//
// Servers use TLS when security.tls_cert and tls_key are set, and require
// client certificates signed by security.client_ca when that is set. Without
// TLS a server listens only on loopback unless security.allow_insecure_remote
// says otherwise: plaintext across machines must be a decision, not a default.
// With security.token_file every call must carry
// "authorization: Bearer <token>"; the check compares in constant time.
//
// Clients use TLS when security.ca_cert is set (the CA that signed the
// servers' certificates), present tls_cert/tls_key as their own certificate
// when set (mutual TLS), and send the token with every call.
#ifndef TACO_PROTO_SECURITY_H_
#define TACO_PROTO_SECURITY_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/run_config.h"

namespace taco {

// The server side of the token check.
class CallAuthenticator {
 public:
  // An empty token lets every call through (no token configured).
  explicit CallAuthenticator(std::string token = "");
  // OK, or UNAUTHENTICATED naming what is wrong (never the token itself).
  grpc::Status Check(const grpc::ServerContext& context) const;
  bool enabled() const { return !expected_.empty(); }

 private:
  std::string expected_;  // "Bearer <token>"
};

struct ServerSecurity {
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  std::shared_ptr<const CallAuthenticator> authenticator = std::make_shared<CallAuthenticator>();
};

// Credentials and token check for a server listening on `listen_address`
// ("host:port"). Unreadable files, a non-loopback address without TLS (unless
// allowed) and a bad token file are errors naming the key and the file.
absl::StatusOr<ServerSecurity> MakeServerSecurity(const SecurityConfig& config,
                                                  const std::string& listen_address);

class ClientSecurity {
 public:
  // Plaintext without a token: tests and loopback runs without security.
  ClientSecurity();
  static absl::StatusOr<ClientSecurity> FromConfig(const SecurityConfig& config);

  // A channel to `address` with taco's message size limits and backoff.
  std::shared_ptr<grpc::Channel> Channel(const std::string& address, int max_message_bytes) const;
  // Adds the token to a call's metadata; call before starting the call.
  void Prepare(grpc::ClientContext* context) const;

 private:
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::string authorization_;  // "Bearer <token>", or empty
  std::string server_name_;    // overrides the name checked against certificates
};

// Lets a server accept the keepalive pings of ClientSecurity's channels
// (gRPC servers otherwise answer frequent pings by closing the connection).
void AcceptClientKeepalive(grpc::ServerBuilder* builder);

// True for addresses that only this machine can reach: 127.0.0.0/8, ::1,
// localhost and unix sockets.
bool IsLoopbackAddress(absl::string_view address);

// Equal contents, in time that does not depend on where they differ.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace taco

#endif  // TACO_PROTO_SECURITY_H_
