// deploy/docker-compose.yml run for real: the image built from
// deploy/Dockerfile (podman, scripts/container-engine), then two replay
// shards, the learner, two scaled actors, the evaluator and Prometheus over
// TLS and the bearer token on a small config (tests/compose/cluster-small.yaml)
// to its total_env_steps, with one shard killed on the way. Checked: every
// role's health check, Prometheus scraping every target as up, stable actor
// indices, the shard restarted and the run going on, every role exiting 0,
// and the eval CSV and checkpoints in the named volumes.
//
// docs/deployment.md shows the same commands. Where podman cannot run
// containers the test skips saying why, unless TACO_REQUIRE_CONTAINERS=1
// (.ci/run sets it), where it fails instead.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "actor/envs/asset_locator.h"
#include "common/metrics_scrape.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cluster_checks.h"
#include "tests/subprocess.h"

namespace taco {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kProject[] = "tacocompose";
const std::vector<std::string> kTacoServices = {"replay-0", "replay-1", "learner", "actor", "eval"};

const fs::path& Root() {
  static const fs::path root(TACO_SOURCE_DIR);
  return root;
}

// The folder the test works in: a copy of the sources as the build context
// (with the Meta-World scenes inside it, which the repository never holds)
// and the secrets.
fs::path WorkDir() {
  static const fs::path dir = fs::path(testing::TempDir()) / "taco_compose_test";
  return dir;
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a shell command line in the staged sources' deploy/ folder with the
// engine's environment.
CommandResult Sh(const std::string& command, double timeout_s = 120) {
  static const std::string engine_env = [] {
    std::string env;
    for (const char* name : {"DOCKER_HOST", "CONTAINERS_CONF"}) {
      if (const char* v = std::getenv(name)) env += std::string(name) + "=" + Quote(v) + " ";
    }
    return env;
  }();
  const std::string line = "cd " + Quote((WorkDir() / "src" / "deploy").string()) + " && " +
                           engine_env + "COMPOSE_PROJECT_NAME=" + kProject + " " + command;
  return RunCommand({"/bin/bash", "-c", line}, timeout_s);
}

std::string Describe(const std::string& what, const CommandResult& r) {
  return what + " exited " + std::to_string(r.exit_code) + ":\n" + r.output;
}

std::string Trim(const std::string& s) { return std::string(absl::StripAsciiWhitespace(s)); }

// Compose project's containers of `service` ("" for all), by name.
std::vector<std::string> Containers(const std::string& service) {
  std::string filter = std::string("--filter label=com.docker.compose.project=") + kProject;
  if (!service.empty()) filter += " --filter label=com.docker.compose.service=" + service;
  const CommandResult r = Sh("podman ps -a " + filter + " --format '{{.Names}}'");
  std::vector<std::string> names;
  for (absl::string_view line : absl::StrSplit(r.output, '\n', absl::SkipWhitespace())) {
    names.emplace_back(absl::StripAsciiWhitespace(line));
  }
  return names;
}

std::string Inspect(const std::string& container, const std::string& format) {
  return Trim(Sh("podman inspect --format " + Quote(format) + " " + container).output);
}

// The newest value of a PromQL expression (summed), or -1.
double Query(const std::string& expression) {
  std::string encoded;
  for (unsigned char c : expression) {
    if (std::isalnum(c) || c == '_' || c == '.' || c == '-') {
      encoded += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      encoded += buf;
    }
  }
  const std::string body = HttpGetLocal(9090, "/api/v1/query?query=" + encoded, 5.0);
  if (body.empty()) return -1;
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.contains("data")) return -1;
  double sum = 0;
  bool any = false;
  for (const auto& r : json["data"]["result"]) {
    double v = 0;
    if (absl::SimpleAtod(r["value"][1].get<std::string>(), &v)) {
      sum += v;
      any = true;
    }
  }
  return any ? sum : -1;
}

template <typename Predicate>
bool WaitFor(double timeout_s, Predicate done) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  return done();
}

class ComposeTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    const bool required = std::getenv("TACO_REQUIRE_CONTAINERS") != nullptr &&
                          std::string(std::getenv("TACO_REQUIRE_CONTAINERS")) == "1";
    const std::string engine = (Root() / "scripts/container-engine").string();
    const CommandResult check = RunCommand({engine, "check"}, 600);
    if (check.exit_code != 0) {
      skip_reason_ = "podman cannot run containers here (" + Trim(check.output) +
                     "); TACO_REQUIRE_CONTAINERS=1 makes this a failure";
      if (required) failure_ = skip_reason_;
      return;
    }
    const CommandResult start = RunCommand({engine, "start"}, 600);
    if (start.exit_code != 0) {
      failure_ = Describe("scripts/container-engine start", start);
      return;
    }
    // "export DOCKER_HOST=... CONTAINERS_CONF=..."
    std::string exports = start.output.substr(start.output.rfind("export ") + 7);
    for (absl::string_view kv :
         absl::StrSplit(exports, absl::ByAnyChar(" \n"), absl::SkipEmpty())) {
      const std::pair<std::string, std::string> p = absl::StrSplit(kv, absl::MaxSplits('=', 1));
      setenv(p.first.c_str(), p.second.c_str(), 1);
    }
  }

  void SetUp() override {
    if (!failure_.empty()) FAIL() << failure_;
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
  }

  void TearDown() override {
    if (HasFailure()) {
      for (const std::string& c : Containers("")) {
        const std::string log = Sh("podman logs " + c + " 2>&1").output;
        std::cerr << "---- " << c << " (end of its log)\n"
                  << log.substr(log.size() > 3000 ? log.size() - 3000 : 0) << "\n";
      }
    }
    Sh("docker-compose -f docker-compose.yml -f docker-compose.tls.yml down -v --timeout 5", 300);
  }

  static std::string skip_reason_;
  static std::string failure_;
};

std::string ComposeTest::skip_reason_;
std::string ComposeTest::failure_;

TEST_F(ComposeTest, ImagesBuildAndAClusterTrainsToItsBudgetThroughAShardKill) {
  // The build context: the sources as a clean clone has them, plus the scenes.
  const fs::path src = WorkDir() / "src";
  fs::remove_all(WorkDir());
  fs::create_directories(src);
  envs::AssetSearchOptions search;
  search.working_dir = Root().string();
  auto located = envs::LocateMetaWorldAssets(search);
  ASSERT_TRUE(located.ok()) << located.status();
  const fs::path assets = *located;
  CommandResult r = RunCommand(
      {"/bin/bash", "-c",
       "cd " + Quote(Root().string()) +
           " && { git ls-files -z --cached --others --exclude-standard 2>/dev/null || "
           "find . -path ./build -prune -o -path './build-*' -prune -o -path ./.git -prune -o "
           "-type f -print0; } | tar --null -T - -c | tar -x -C " +
           Quote(src.string()) + " && cp -r " + Quote(assets.string()) + " " +
           Quote((src / "metaworld-assets").string())},
      300);
  ASSERT_EQ(r.exit_code, 0) << Describe("staging the build context", r);
  r = Sh("./make-secrets --tls");
  ASSERT_EQ(r.exit_code, 0) << Describe("deploy/make-secrets --tls", r);

  // The image, with the host's compiler cache (a build of the same sources
  // on this machine fills it) mounted where deploy/Dockerfile looks.
  const std::string ccache_dir = Trim(Sh("ccache --get-config cache_dir").output);
  fs::create_directories(ccache_dir);
  r = Sh("podman build --format docker --network host -v " + Quote(ccache_dir) +
             ":/ccache -f deploy/Dockerfile --build-arg METAWORLD_ASSETS=metaworld-assets "
             "-t taco:0.1.0 .. 2>&1 | tail -40; exit ${PIPESTATUS[0]}",
         3600);
  ASSERT_EQ(r.exit_code, 0) << Describe("podman build deploy/Dockerfile", r);
  r =
      Sh("podman run --rm --entrypoint /bin/sh taco:0.1.0 -c "
         "'ldd /usr/local/bin/taco | grep -c \"not found\"; taco version; ls /assets'");
  EXPECT_THAT(r.output, HasSubstr("taco 0.1.0")) << r.output;
  EXPECT_THAT(r.output, HasSubstr("sawyer_xyz")) << "the scenes are not in the image";
  r = Sh("docker-compose -f docker-compose.yml build prometheus 2>&1 | tail -20", 1200);
  ASSERT_EQ(r.exit_code, 0) << Describe("docker-compose build prometheus", r);

  // The cluster, with TLS between the roles and the token on every call.
  const std::string compose =
      "TACO_CLUSTER_CONFIG=" + Quote((Root() / "tests/compose/cluster-small.yaml").string()) +
      " docker-compose -f docker-compose.yml -f docker-compose.tls.yml ";
  r = Sh(compose + "up -d --scale actor=2 replay-0 replay-1 learner actor eval prometheus 2>&1",
         600);
  ASSERT_EQ(r.exit_code, 0) << Describe("docker-compose up", r);

  // Every taco container passes its image's health check once it is ready.
  std::map<std::string, std::string> health;
  ASSERT_TRUE(WaitFor(240, [&] {
    bool all = true;
    for (const std::string& service : kTacoServices) {
      for (const std::string& c : Containers(service)) {
        const CommandResult h = Sh("podman healthcheck run " + c + " 2>&1");
        health[c] = Trim(h.output);
        all = all && h.exit_code == 0;
      }
    }
    return all && health.size() == 6;
  })) << ::testing::PrintToString(health);

  // Prometheus scrapes all six taco processes, and the run trains.
  ASSERT_TRUE(WaitFor(240, [] { return Query("sum(up)") == 6 && Query("count(up)") == 6; }))
      << "up: " << Query("sum(up)") << " of " << Query("count(up)") << " targets";
  ASSERT_TRUE(WaitFor(600, [] { return Query("taco_learner_updates_total") > 20; }))
      << "no updates: " << Query("taco_learner_updates_total");

  // The actors hold indices 0 and 1 (the last claim each made).
  std::set<std::string> indices;
  for (const std::string& c : Containers("actor")) {
    const std::string log = Sh("podman logs " + c + " 2>&1").output;
    const size_t at = log.rfind("index auto: ");
    if (at != std::string::npos) indices.insert(log.substr(at + 12, 1));
  }
  EXPECT_EQ(indices, (std::set<std::string>{"0", "1"}));

  // A shard crashes (kill -9 of its process): compose restarts it, it
  // restores its checkpoint and the learner trains on.
  const std::string shard = Containers("replay-1").at(0);
  const std::string pid = Inspect(shard, "{{.State.Pid}}");
  r = RunCommand({"/bin/kill", "-9", pid});
  ASSERT_EQ(r.exit_code, 0) << Describe("kill -9 " + pid, r);
  ASSERT_TRUE(WaitFor(120,
                      [&] {
                        int restarts = 0;
                        return absl::SimpleAtoi(Inspect(shard, "{{.RestartCount}}"), &restarts) &&
                               restarts >= 1 && Inspect(shard, "{{.State.Status}}") == "running";
                      }))
      << "the killed shard did not come back: " << Inspect(shard, "{{.State.Status}}");
  const double after_kill = Query("taco_learner_updates_total");
  ASSERT_TRUE(WaitFor(300, [&] {
    return Query("taco_learner_updates_total") > after_kill + 20 &&
           Query("up{job=\"taco-replay\"}") == 2;
  })) << "training did not go on after the shard's restart";

  // The run ends by itself: every taco role exits 0 and stays stopped.
  std::map<std::string, std::string> states;
  ASSERT_TRUE(WaitFor(900, [&] {
    bool all = true;
    for (const std::string& service : kTacoServices) {
      for (const std::string& c : Containers(service)) {
        states[c] = Inspect(c, "{{.State.Status}} {{.State.ExitCode}}");
        all = all && states[c] == "exited 0";
      }
    }
    return all;
  })) << ::testing::PrintToString(states);

  // Eval CSV and checkpoints are in the named volumes.
  auto volume = [](const std::string& name) {
    return fs::path(Trim(Sh(std::string("podman volume inspect --format '{{.Mountpoint}}' ") +
                            kProject + "_" + name)
                             .output)) /
           "compose-small";
  };
  EXPECT_TRUE(fs::exists(volume("learner-data") / "checkpoints/learner.ckpt"));
  EXPECT_TRUE(fs::exists(volume("learner-data") / "checkpoints/run-complete"));
  const std::string csv = ReadText(volume("eval-data") / "eval.csv");
  EXPECT_GE(std::count(csv.begin(), csv.end(), '\n'), 2) << csv;
  for (const char* shard_volume : {"replay-0-data", "replay-1-data"}) {
    const std::string shard = std::string("shard-") + (shard_volume[7] == '0' ? "0" : "1");
    EXPECT_FALSE(NewestCheckpoint(volume(shard_volume) / "replay" / shard).empty()) << shard_volume;
  }
}

}  // namespace
}  // namespace taco
