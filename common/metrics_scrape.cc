#include "common/metrics_scrape.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/time/time.h"

namespace taco {

std::string HttpGetLocal(int port, const std::string& target, double timeout_s) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  const timeval timeout = absl::ToTimeval(absl::Seconds(timeout_s));
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string body;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    // HTTP/1.0: the reply is never chunked and ends when the server closes.
    const std::string request = "GET " + target + " HTTP/1.0\r\nHost: localhost\r\n\r\n";
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) > 0) {
      char buffer[8192];
      ssize_t n;
      while ((n = read(fd, buffer, sizeof(buffer))) > 0)
        body.append(buffer, static_cast<size_t>(n));
    }
  }
  close(fd);
  const size_t end_of_headers = body.find("\r\n\r\n");
  if (body.rfind("HTTP/1.", 0) != 0 || body.find(" 200 ") != body.find(' ') ||
      end_of_headers == std::string::npos) {
    return "";
  }
  return body.substr(end_of_headers + 4);
}

std::string ScrapeMetrics(int port) { return HttpGetLocal(port, "/metrics", 2.0); }

std::map<std::string, double> MetricValues(const std::string& text, const std::string& name,
                                           const std::string& label) {
  std::map<std::string, double> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(name, 0) != 0) continue;
    const size_t rest = name.size();
    if (rest < line.size() && line[rest] != '{' && line[rest] != ' ') continue;
    std::string key;
    if (!label.empty()) {
      const size_t at = line.find(label + "=\"");
      if (at == std::string::npos) continue;
      const size_t begin = at + label.size() + 2;
      key = line.substr(begin, line.find('"', begin) - begin);
    }
    double value;
    if (absl::SimpleAtod(line.substr(line.find_last_of(' ') + 1), &value)) out[key] += value;
  }
  return out;
}

}  // namespace taco
