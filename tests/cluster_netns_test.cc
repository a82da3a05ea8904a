// The cluster across network namespaces: replay shards, the learner and the
// actors each in their own namespace, joined by veth links to a bridge, so
// nothing may assume one host. Needs root and `ip netns` (iproute2); skips
// with a message elsewhere.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/testing/test_certificates.h"
#include "tests/cluster_checks.h"
#include "tests/subprocess.h"

namespace taco {
namespace {

namespace fs = std::filesystem;

bool Sh(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

// Namespaces <prefix>-{hub,r,l,a}; r, l and a hang off a bridge in hub.
class Namespaces {
 public:
  explicit Namespaces(std::string prefix) : prefix_(std::move(prefix)) {}
  ~Namespaces() {
    for (const char* n : {"r", "l", "a", "hub"}) Sh("ip netns del " + Name(n));
  }
  bool Create() {
    if (!Sh("ip netns add " + Name("hub")) ||
        !Sh("ip -n " + Name("hub") + " link add br0 type bridge") ||
        !Sh("ip -n " + Name("hub") + " link set br0 up")) {
      return false;
    }
    int host = 1;
    for (const char* n : {"r", "l", "a"}) {
      const std::string ns = Name(n), hub_end = prefix_ + n + "0", ns_end = prefix_ + n + "1";
      if (!Sh("ip netns add " + ns) ||
          !Sh("ip link add " + hub_end + " type veth peer name " + ns_end) ||
          !Sh("ip link set " + hub_end + " netns " + Name("hub")) ||
          !Sh("ip link set " + ns_end + " netns " + ns) ||
          !Sh("ip -n " + Name("hub") + " link set " + hub_end + " master br0 up") ||
          !Sh("ip -n " + ns + " addr add " + Address(host) + "/24 dev " + ns_end) ||
          !Sh("ip -n " + ns + " link set " + ns_end + " up") ||
          !Sh("ip -n " + ns + " link set lo up")) {
        return false;
      }
      ++host;
    }
    return true;
  }
  std::string Name(const std::string& n) const { return prefix_ + "-" + n; }
  static std::string Address(int host) { return "10.213.7." + std::to_string(host); }

 private:
  const std::string prefix_;
};

TEST(ClusterNetnsTest, RolesInSeparateNamespacesTrainTogether) {
  if (geteuid() != 0 || !Sh("command -v ip")) {
    GTEST_SKIP() << "needs root and iproute2's ip netns; not available here";
  }
  Namespaces ns("tc" + std::to_string(getpid() % 100000));
  if (!ns.Create()) {
    GTEST_SKIP() << "cannot create network namespaces and veth links here (ip netns add failed)";
  }
  const fs::path dir = fs::path(testing::TempDir()) / "cluster_netns";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string replay_host = Namespaces::Address(1), learner_host = Namespaces::Address(2);
  // Across namespaces the roles listen on non-loopback addresses, which
  // needs TLS: mutual TLS and a token, the names checked as "localhost"
  // because the test certificate does not list these addresses.
  auto certs = MakeTestCertificates((dir / "certs").string());
  ASSERT_TRUE(certs.ok()) << certs.status();
  const std::string token = WriteTestFile((dir / "token").string(), "netns-token\n");
  const fs::path config = dir / "netns.yaml";
  std::ofstream(config)
      << "run: {name: netns, output_dir: " << dir.string() << "}\n"
      << "tasks: [reach-v2, push-v2]\n"
      << "env: {max_episode_steps: 50}\n"
      << "algorithm: {hidden_sizes: [32, 32]}\n"
      << "trainer: {batch_size: 32, exploration_steps: 400, env_steps_per_update: 2, "
         "replay_capacity: 20000, threads: 1}\n"
      << "topology: {replay_shards: 2, actors: 2, envs_per_actor: 1, actor_batch: 16, "
         "publish_every_updates: 5, replay_base_port: 7100, learner_port: 7200, "
      << "learner_address: \"" << learner_host << ":7200\", replay_addresses: [\"" << replay_host
      << ":7100\", \"" << replay_host << ":7101\"]}\n"
      << "metrics: {enabled: false}\n"
      << "checkpoint: {interval_minutes: 600}\n"
      << "security: {tls_cert: " << certs->cert << ", tls_key: " << certs->key
      << ", ca_cert: " << certs->ca << ", client_ca: " << certs->ca
      << ", tls_server_name: localhost, token_file: " << token << "}\n";
  auto run = [&](const std::string& netns, const std::vector<std::string>& role,
                 const std::string& host, const std::string& log) {
    std::vector<std::string> argv = {"/usr/sbin/ip", "netns", "exec", ns.Name(netns), TACO_BINARY};
    argv.insert(argv.end(), role.begin(), role.end());
    argv.insert(argv.end(), {config.string(), "--set", "topology.host=" + host});
    return std::make_unique<Subprocess>(argv, (dir / log).string());
  };
  auto shard0 = run("r", {"replay", "--shard", "0"}, replay_host, "replay-0.log");
  auto shard1 = run("r", {"replay", "--shard", "1"}, replay_host, "replay-1.log");
  auto learner = run("l", {"learner"}, learner_host, "learner.log");
  auto actor0 = run("a", {"actor", "--index", "0"}, Namespaces::Address(3), "actor-0.log");
  auto actor1 = run("a", {"actor", "--index", "1"}, Namespaces::Address(3), "actor-1.log");
  sleep(35);
  for (Subprocess* p : {actor0.get(), actor1.get()}) p->Signal(SIGTERM);
  EXPECT_EQ(actor0->Wait(60), 0) << actor0->Log();
  EXPECT_EQ(actor1->Wait(60), 0) << actor1->Log();
  learner->Signal(SIGTERM);
  EXPECT_EQ(learner->Wait(60), 0) << learner->Log();
  shard0->Signal(SIGTERM);
  shard1->Signal(SIGTERM);
  EXPECT_EQ(shard0->Wait(60), 0) << shard0->Log();
  EXPECT_EQ(shard1->Wait(60), 0) << shard1->Log();

  EXPECT_GT(CheckpointedTransitions(dir / "netns" / "replay" / "shard-0"), 0);
  EXPECT_GT(CheckpointedTransitions(dir / "netns" / "replay" / "shard-1"), 0);
  EXPECT_GT(LargestMatch(learner->Log(), "checkpoint at (\\d+) updates"), 0) << learner->Log();
  EXPECT_GT(LargestMatch(actor0->Log(), "parameter version (\\d+)"), 1) << actor0->Log();
  EXPECT_GT(LargestMatch(actor1->Log(), "parameter version (\\d+)"), 1) << actor1->Log();
}

}  // namespace
}  // namespace taco
