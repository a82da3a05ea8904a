#include "proto/security.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/logging.h"

namespace taco {
namespace {

constexpr char kAuthorization[] = "authorization";
constexpr char kBearer[] = "Bearer ";
constexpr int kKeepaliveMs = 20'000;

absl::StatusOr<std::string> ReadSecret(const std::string& key, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat("security.", key, ": cannot read '", path, "'"));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<std::string> ReadPem(const std::string& key, const std::string& path) {
  auto pem = ReadSecret(key, path);
  if (!pem.ok()) return pem.status();
  if (!absl::StrContains(*pem, "-----BEGIN ")) {
    return absl::InvalidArgumentError(
        absl::StrCat("security.", key, ": '", path, "' is not a PEM file"));
  }
  return pem;
}

absl::StatusOr<std::string> ReadToken(const std::string& path) {
  auto text = ReadSecret("token_file", path);
  if (!text.ok()) return text.status();
  const std::string token(absl::StripAsciiWhitespace(*text));
  if (token.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("security.token_file: '", path, "' holds no token"));
  }
  for (unsigned char c : token) {
    // A header value: visible ASCII only.
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(absl::StrCat(
          "security.token_file: '", path,
          "' holds whitespace or non-ASCII characters inside the token; use one line of visible "
          "ASCII (e.g. openssl rand -hex 32)"));
    }
  }
  struct stat info {};
  // Group-readable is how Kubernetes hands a Secret to a pod's fsGroup;
  // world-readable is a mistake.
  if (stat(path.c_str(), &info) == 0 && (info.st_mode & 007) != 0) {
    TACO_LOG(WARNING) << "security.token_file '" << path
                      << "' is readable by every user of this host; chmod 600 (or 640) it";
  }
  return token;
}

// The host part of "host:port", "[v6]:port" or "unix:path".
std::string HostOf(absl::string_view address) {
  if (absl::StartsWith(address, "unix:")) return "unix";
  if (absl::StartsWith(address, "[")) {
    const size_t end = address.find(']');
    return std::string(address.substr(1, end == absl::string_view::npos ? end : end - 1));
  }
  const size_t colon = address.rfind(':');
  return std::string(colon == absl::string_view::npos ? address : address.substr(0, colon));
}

}  // namespace

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  const size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

bool IsLoopbackAddress(absl::string_view address) {
  const std::string host = absl::AsciiStrToLower(HostOf(address));
  if (host == "unix" || host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8: four numbers, the first 127.
  const size_t dot = host.find('.');
  int first = 0;
  return dot != std::string::npos && absl::SimpleAtoi(host.substr(0, dot), &first) &&
         first == 127 && std::count(host.begin(), host.end(), '.') == 3;
}

CallAuthenticator::CallAuthenticator(std::string token)
    : expected_(token.empty() ? "" : absl::StrCat(kBearer, token)) {}

grpc::Status CallAuthenticator::Check(const grpc::ServerContext& context) const {
  if (expected_.empty()) return grpc::Status::OK;
  const auto& metadata = context.client_metadata();
  const auto found = metadata.find(kAuthorization);
  if (found == metadata.end()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "missing bearer token: this server requires security.token_file");
  }
  const absl::string_view given(found->second.data(), found->second.size());
  if (!ConstantTimeEquals(given, expected_)) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "wrong bearer token");
  }
  return grpc::Status::OK;
}

absl::StatusOr<ServerSecurity> MakeServerSecurity(const SecurityConfig& config,
                                                  const std::string& listen_address) {
  ServerSecurity security;
  if (!config.tls_cert.empty()) {
    auto cert = ReadPem("tls_cert", config.tls_cert);
    if (!cert.ok()) return cert.status();
    auto key = ReadPem("tls_key", config.tls_key);
    if (!key.ok()) return key.status();
    grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
    options.pem_key_cert_pairs.push_back({*key, *cert});
    if (!config.client_ca.empty()) {
      auto ca = ReadPem("client_ca", config.client_ca);
      if (!ca.ok()) return ca.status();
      options.pem_root_certs = *ca;
      options.client_certificate_request =
          GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
    }
    security.credentials = grpc::SslServerCredentials(options);
  } else if (!IsLoopbackAddress(listen_address) && !config.allow_insecure_remote) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to listen on ", listen_address,
        " without TLS: other machines could read and write this run. Set security.tls_cert and "
        "security.tls_key (README: certificates for a cluster), listen on 127.0.0.1, or set "
        "security.allow_insecure_remote: true on a private network"));
  }
  if (!config.token_file.empty()) {
    auto token = ReadToken(config.token_file);
    if (!token.ok()) return token.status();
    security.authenticator = std::make_shared<CallAuthenticator>(*token);
  }
  return security;
}

ClientSecurity::ClientSecurity() : credentials_(grpc::InsecureChannelCredentials()) {}

absl::StatusOr<ClientSecurity> ClientSecurity::FromConfig(const SecurityConfig& config) {
  ClientSecurity security;
  if (!config.ca_cert.empty()) {
    grpc::SslCredentialsOptions options;
    auto ca = ReadPem("ca_cert", config.ca_cert);
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
    if (!config.tls_cert.empty()) {
      auto cert = ReadPem("tls_cert", config.tls_cert);
      if (!cert.ok()) return cert.status();
      auto key = ReadPem("tls_key", config.tls_key);
      if (!key.ok()) return key.status();
      options.pem_cert_chain = *cert;
      options.pem_private_key = *key;
    }
    security.credentials_ = grpc::SslCredentials(options);
    security.server_name_ = config.tls_server_name;
  }
  if (!config.token_file.empty()) {
    auto token = ReadToken(config.token_file);
    if (!token.ok()) return token.status();
    security.authorization_ = absl::StrCat(kBearer, *token);
  }
  return security;
}

std::shared_ptr<grpc::Channel> ClientSecurity::Channel(const std::string& address,
                                                       int max_message_bytes) const {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(max_message_bytes);
  args.SetMaxSendMessageSize(max_message_bytes);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  // Pings find a peer that vanished without closing the connection (a
  // machine lost, a cable pulled) instead of waiting for TCP to give up.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10'000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  if (!server_name_.empty()) args.SetSslTargetNameOverride(server_name_);
  return grpc::CreateCustomChannel(address, credentials_, args);
}

void AcceptClientKeepalive(grpc::ServerBuilder* builder) {
  builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder->AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                              kKeepaliveMs / 2);
  builder->AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
}

void ClientSecurity::Prepare(grpc::ClientContext* context) const {
  if (!authorization_.empty()) context->AddMetadata(kAuthorization, authorization_);
}

}  // namespace taco
