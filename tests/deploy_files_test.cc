// The deployment files (deploy/) checked by the tools that understand them:
// promtool for the Prometheus configs, docker-compose for the compose schema,
// kubectl kustomize plus the Kubernetes object models for the manifests,
// yamllint, and taco check-config for the run configs the containers use.
// None of this needs a Docker engine or a cluster, so the images themselves
// are not built here.
//
// A missing tool fails the test with the package to install: a check that
// skips itself would let broken deployment files through unnoticed.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/subprocess.h"

namespace taco {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Debian's interpreter: python3-kubernetes installs into its dist-packages,
// which a python3 earlier on PATH (pyenv, a virtualenv) does not see.
constexpr char kSystemPython[] = "/usr/bin/python3";

const fs::path& Root() {
  static const fs::path root(TACO_SOURCE_DIR);
  return root;
}

std::string InRoot(const std::string& relative) { return (Root() / relative).string(); }

// This process's files under the test temp folder, removed when its tests end.
const fs::path& TempFolder() {
  static const fs::path folder =
      fs::path(testing::TempDir()) / ("deploy_files_" + std::to_string(getpid()));
  return folder;
}

class RemoveTempFolder : public testing::Environment {
 public:
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(TempFolder(), ignored);
  }
};
[[maybe_unused]] testing::Environment* const kRemoveTempFolder =
    testing::AddGlobalTestEnvironment(new RemoveTempFolder);

std::string TempPath(const std::string& name) {
  fs::create_directories(TempFolder());
  return (TempFolder() / name).string();
}

std::string Describe(const std::vector<std::string>& argv, const CommandResult& r) {
  std::ostringstream out;
  for (const std::string& a : argv) out << a << ' ';
  out << "exited " << r.exit_code << ":\n" << r.output;
  return out.str();
}

// The full path of `name` on PATH, or "" when none is there.
std::string FindTool(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path == nullptr ? "/usr/local/bin:/usr/bin:/bin" : path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const fs::path candidate = fs::path(dir) / name;
    if (access(candidate.c_str(), X_OK) == 0 && fs::is_regular_file(candidate)) {
      return candidate.string();
    }
  }
  return "";
}

std::string NotInstalled(const std::string& tool, const std::string& package) {
  return "`" + tool + "` is not installed: run scripts/setup (Debian package " + package + ")";
}

// The kustomizations keep to what Debian 12's kubectl (kubernetes-client
// 1.20) understands, so any kubectl renders them.
const std::string kNoKubectl = NotInstalled("kubectl", "kubernetes-client");

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// `kubectl kustomize DIR` into a file: stdout alone, since kubectl's
// warnings on stderr are not YAML.
CommandResult Kustomize(const std::string& kubectl, const std::string& dir,
                        const std::string& out) {
  fs::remove(out);
  return RunCommand({"/bin/sh", "-c", "exec \"$0\" kustomize \"$1\" > \"$2\"", kubectl, dir, out});
}

CommandResult CheckObjects(const std::string& manifest) {
  return RunCommand({kSystemPython, InRoot("tests/check_k8s_objects.py"), manifest});
}

TEST(DeployFilesTest, PrometheusConfigsPassPromtool) {
  const std::string promtool = FindTool("promtool");
  ASSERT_FALSE(promtool.empty()) << NotInstalled("promtool", "prometheus");
  for (const char* config :
       {"deploy/prometheus/prometheus.yml", "deploy/k8s/prometheus-scrape.yaml"}) {
    const std::vector<std::string> argv = {promtool, "check", "config", InRoot(config)};
    const CommandResult r = RunCommand(argv);
    EXPECT_EQ(r.exit_code, 0) << Describe(argv, r);
  }
}

TEST(DeployFilesTest, ComposeFilesMatchTheComposeSchema) {
  const std::string compose = FindTool("docker-compose");
  ASSERT_FALSE(compose.empty()) << NotInstalled("docker-compose", "docker-compose");
  const std::string base = InRoot("deploy/docker-compose.yml");
  const std::string gpu = InRoot("deploy/docker-compose.gpu.yml");
  const std::string tls = InRoot("deploy/docker-compose.tls.yml");
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{compose, "-f", base, "config", "-q"},
        std::vector<std::string>{compose, "-f", base, "-f", gpu, "config", "-q"},
        std::vector<std::string>{compose, "-f", base, "-f", tls, "config", "-q"}}) {
    const CommandResult r = RunCommand(argv);
    EXPECT_EQ(r.exit_code, 0) << Describe(argv, r);
  }
}

TEST(DeployFilesTest, KustomizationsRenderValidKubernetesObjects) {
  const std::string kubectl = FindTool("kubectl");
  ASSERT_FALSE(kubectl.empty()) << kNoKubectl;
  ASSERT_TRUE(fs::exists(kSystemPython)) << NotInstalled(kSystemPython, "python3-kubernetes");
  for (const char* dir : {"deploy/k8s", "deploy/k8s/gpu", "deploy/k8s/tls"}) {
    SCOPED_TRACE(dir);
    const std::string rendered = TempPath(fs::path(dir).filename().string() + ".yaml");
    const CommandResult render = Kustomize(kubectl, InRoot(dir), rendered);
    ASSERT_EQ(render.exit_code, 0) << "kubectl kustomize " << dir << ":\n" << render.output;
    const CommandResult check = CheckObjects(rendered);
    EXPECT_EQ(check.exit_code, 0) << "tests/check_k8s_objects.py on kubectl kustomize " << dir
                                  << ":\n"
                                  << check.output;
  }
}

// Proves the object check can fail: the rendered manifests with one field
// misspelt, and objects with a wrong type and a missing required field.
TEST(DeployFilesTest, ObjectCheckRejectsBrokenManifests) {
  const std::string kubectl = FindTool("kubectl");
  ASSERT_FALSE(kubectl.empty()) << kNoKubectl;
  const std::string rendered = TempPath("typo.yaml");
  const CommandResult render = Kustomize(kubectl, InRoot("deploy/k8s"), rendered);
  ASSERT_EQ(render.exit_code, 0) << render.output;
  std::string text = ReadFile(rendered);
  const size_t at = text.find("imagePullPolicy:");
  ASSERT_NE(at, std::string::npos) << "the manifests no longer set imagePullPolicy";
  text.replace(at, std::string("imagePullPolicy:").size(), "imagePullPolcy:");
  WriteFile(rendered, text);
  CommandResult r = CheckObjects(rendered);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output,
              HasSubstr("spec.template.spec.containers[0].imagePullPolcy: unknown field"));

  const std::string broken = TempPath("broken.yaml");
  WriteFile(broken,
            "apiVersion: apps/v1\n"
            "kind: Deployment\n"
            "metadata: {name: broken}\n"
            "spec:\n"
            "  replicas: two\n"
            "  selector: {matchLabels: {app: broken}}\n"
            "  template:\n"
            "    spec:\n"
            "      containers:\n"
            "        - image: taco\n"
            "---\n"
            "apiVersion: v1\n"
            "kind: StatefulSet\n"
            "metadata: {name: misfiled}\n");
  r = CheckObjects(broken);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Deployment broken: spec.replicas: expected int, got str"));
  EXPECT_THAT(r.output, HasSubstr("Deployment broken: spec.template.spec.containers[0]: "
                                  "Invalid value for `name`, must not be `None`"));
  EXPECT_THAT(r.output, HasSubstr("StatefulSet misfiled: kind StatefulSet does not belong to "
                                  "apiVersion v1"));
}

TEST(DeployFilesTest, YamlPassesYamllint) {
  const std::string yamllint = FindTool("yamllint");
  ASSERT_FALSE(yamllint.empty()) << NotInstalled("yamllint", "yamllint");
  const std::vector<std::string> argv = {
      yamllint, "--strict", "-f", "parsable", "-c", InRoot(".yamllint"), InRoot("deploy")};
  const CommandResult r = RunCommand(argv);
  EXPECT_EQ(r.exit_code, 0) << Describe(argv, r);
}

TEST(DeployFilesTest, ClusterConfigsPassCheckConfig) {
  // The compose and Kubernetes configs, and the overrides docs/deployment.md
  // gives for actors on another host (192.0.2.10 is a documentation address).
  const std::vector<std::vector<std::string>> runs = {
      {TACO_BINARY, "check-config", InRoot("deploy/cluster.yaml")},
      {TACO_BINARY, "check-config", InRoot("deploy/k8s/base/cluster.yaml")},
      {TACO_BINARY, "check-config", InRoot("deploy/cluster.yaml"), "--set",
       "topology.learner_address=192.0.2.10:50090", "--set",
       "topology.replay_addresses=[192.0.2.10:50100,192.0.2.10:50101]"},
  };
  for (const std::vector<std::string>& argv : runs) {
    const CommandResult r = RunCommand(argv);
    EXPECT_EQ(r.exit_code, 0) << Describe(argv, r);
    EXPECT_THAT(r.output, HasSubstr("run folder /data/mt10")) << Describe(argv, r);
  }
}

// The compose and Kubernetes configs are two copies of one run; they may
// differ in where the roles find each other, nothing else.
TEST(DeployFilesTest, ComposeAndKubernetesConfigsDescribeTheSameRun) {
  auto settings = [](const std::string& path) {
    std::vector<std::string> lines;
    std::istringstream in(ReadFile(path));
    std::string line;
    while (std::getline(in, line)) {
      line = line.substr(0, line.find('#'));
      while (!line.empty() && line.back() == ' ') line.pop_back();
      const size_t key = line.find_first_not_of(' ');
      if (key == std::string::npos) continue;
      const std::string body = line.substr(key);
      if (body.rfind("learner_address:", 0) == 0 || body.rfind("replay_addresses:", 0) == 0) {
        continue;
      }
      lines.push_back(line);
    }
    return lines;
  };
  const std::vector<std::string> compose = settings(InRoot("deploy/cluster.yaml"));
  ASSERT_FALSE(compose.empty());
  EXPECT_EQ(compose, settings(InRoot("deploy/k8s/base/cluster.yaml")));
}

// Images are pinned to taco's version in every deployment file: a `latest`
// tag with IfNotPresent would keep running whatever a node pulled first.
TEST(DeployFilesTest, ImagesArePinnedToTacosVersion) {
  const CommandResult version = RunCommand({TACO_BINARY, "--version"});
  ASSERT_EQ(version.exit_code, 0) << version.output;
  const std::string tag = version.output.substr(version.output.rfind(' ') + 1);
  const std::string pinned = tag.substr(0, tag.find_last_not_of("\n") + 1);
  ASSERT_FALSE(pinned.empty());
  for (const char* file :
       {"deploy/docker-compose.yml", "deploy/docker-compose.gpu.yml",
        "deploy/k8s/base/kustomization.yaml", "deploy/k8s/gpu/kustomization.yaml"}) {
    const std::string text = ReadFile(InRoot(file));
    EXPECT_THAT(text, testing::Not(HasSubstr("latest"))) << file;
    EXPECT_THAT(text, HasSubstr(pinned)) << file << " does not name taco " << pinned;
  }
}

// No volume must be shared between nodes: the scenes come with the image.
TEST(DeployFilesTest, NoManifestAsksForReadWriteMany) {
  const std::string kubectl = FindTool("kubectl");
  ASSERT_FALSE(kubectl.empty()) << kNoKubectl;
  const std::string rendered = TempPath("rwx.yaml");
  ASSERT_EQ(Kustomize(kubectl, InRoot("deploy/k8s"), rendered).exit_code, 0);
  const std::string text = ReadFile(rendered);
  EXPECT_THAT(text, testing::Not(HasSubstr("ReadWriteMany")));
  EXPECT_THAT(text, HasSubstr("kind: NetworkPolicy"));
  EXPECT_THAT(text, HasSubstr("secretName: taco-token"));
}

// scripts/packages/runtime.txt, which scripts/setup and the images install,
// names the Debian package of every library the binary links directly
// (the image build checks the same with ldd; this says it without an engine).
TEST(DeployFilesTest, RuntimePackageListCoversTheLinkedLibraries) {
  const CommandResult needed = RunCommand(
      {"/bin/sh", "-c",
       "for lib in $(readelf -d \"$0\" | sed -n 's/.*NEEDED.*\\[\\(.*\\)\\]/\\1/p'); do "
       "path=$(ldd \"$0\" | awk -v l=\"$lib\" '$1 == l {print $3}'); "
       "{ dpkg -S \"$path\" || dpkg -S \"$(readlink -f \"$path\")\"; } 2>/dev/null | head -1 | "
       "cut -d: -f1 | "
       "sed \"s|^$|?$lib|\"; done",
       TACO_BINARY});
  ASSERT_EQ(needed.exit_code, 0) << needed.output;
  std::string list = ReadFile(InRoot("scripts/packages/runtime.txt"));
  std::istringstream in(list);
  std::string line, words;
  while (std::getline(in, line)) words += " " + line.substr(0, line.find('#')) + " ";
  // Essential packages every Debian system has.
  const std::vector<std::string> essential = {"libc6", "libgcc-s1", "libstdc++6"};
  std::istringstream packages(needed.output);
  std::string package;
  int count = 0;
  while (packages >> package) {
    ++count;
    if (std::find(essential.begin(), essential.end(), package) != essential.end()) continue;
    EXPECT_THAT(words, HasSubstr(" " + package + " "))
        << "taco links a library of " << package << ", which scripts/packages/runtime.txt "
        << "does not name ('?' marks a library no package owns)";
  }
  EXPECT_GT(count, 10) << needed.output;
}

}  // namespace
}  // namespace taco
