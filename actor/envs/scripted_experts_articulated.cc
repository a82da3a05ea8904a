// Scripted experts of the articulated family, after Meta-World v2.0.0's scripted
// policies (metaworld/policies/sawyer_*_v2_policy.py).
#include "actor/envs/scripted_expert_table.h"

namespace taco::envs {
namespace {

using namespace expert_steering;  // NOLINT(build/namespaces): the experts' shared moves

}  // namespace

absl::Span<const NamedExpert> ArticulatedExperts() { return {}; }

}  // namespace taco::envs
