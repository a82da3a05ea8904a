#include "proto/testing/test_certificates.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace taco {
namespace {

absl::Status Run(const std::string& command) {
  const std::string quiet = command + " >/dev/null 2>&1";
  if (std::system(quiet.c_str()) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("failed: ", command, " (is openssl installed? scripts/setup installs it)"));
  }
  return absl::OkStatus();
}

// A CA, then a certificate for localhost signed by it. P-256 keys: fast to make.
absl::Status MakePair(const std::string& dir, const std::string& name, std::string* ca,
                      std::string* cert, std::string* key) {
  const std::string p = dir + "/" + name;
  const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  *ca = p + "-ca.pem";
  *cert = p + "-cert.pem";
  *key = p + "-key.pem";
  absl::Status s = Run(absl::StrCat("openssl req -x509 ", ec, " -keyout ", p, "-ca.key -out ", *ca,
                                    " -days 2 -subj /CN=taco-test-", name, "-ca"));
  if (!s.ok()) return s;
  WriteTestFile(p + ".ext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                "extendedKeyUsage=serverAuth,clientAuth\n");
  s = Run(
      absl::StrCat("openssl req ", ec, " -keyout ", *key, " -out ", p, ".csr -subj /CN=localhost"));
  if (!s.ok()) return s;
  return Run(absl::StrCat("openssl x509 -req -in ", p, ".csr -CA ", *ca, " -CAkey ", p,
                          "-ca.key -CAcreateserial -out ", *cert, " -days 2 -extfile ", p, ".ext"));
}

}  // namespace

std::string WriteTestFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
  chmod(path.c_str(), 0600);
  return path;
}

absl::StatusOr<TestCertificates> MakeTestCertificates(const std::string& parent) {
  const std::string dir = absl::StrCat(parent, "/", getpid());
  std::filesystem::create_directories(dir);
  TestCertificates c;
  c.dir = dir;
  absl::Status s = MakePair(dir, "main", &c.ca, &c.cert, &c.key);
  if (s.ok()) s = MakePair(dir, "other", &c.other_ca, &c.other_cert, &c.other_key);
  if (!s.ok()) return s;
  return c;
}

}  // namespace taco
