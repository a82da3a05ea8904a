// Certificates for tests of TLS, made with the openssl command line: a CA,
// a certificate for localhost/127.0.0.1 signed by it (usable by servers and
// clients), and a second, unrelated CA with its own certificate.
#ifndef TACO_PROTO_TESTING_TEST_CERTIFICATES_H_
#define TACO_PROTO_TESTING_TEST_CERTIFICATES_H_

#include <string>

#include "absl/status/statusor.h"

namespace taco {

struct TestCertificates {
  std::string dir;   // this process's folder (tokens may go there too)
  std::string ca;    // PEM files, all in that folder
  std::string cert;  // signed by ca: CN and SAN localhost, SAN 127.0.0.1
  std::string key;
  std::string other_ca;    // a CA that signed nothing of the above
  std::string other_cert;  // signed by other_ca, same names
  std::string other_key;
};

// Writes the files into a folder of this process below `dir` (created), so
// that test processes running side by side never mix their certificates.
// Fails when openssl is missing.
absl::StatusOr<TestCertificates> MakeTestCertificates(const std::string& dir);

// Writes `text` to `path` with mode 0600 and returns `path`.
std::string WriteTestFile(const std::string& path, const std::string& text);

}  // namespace taco

#endif  // TACO_PROTO_TESTING_TEST_CERTIFICATES_H_
