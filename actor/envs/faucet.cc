#include "actor/envs/faucet.h"

#include <cmath>
#include <utility>
#include <vector>

#include "actor/envs/reward_utils.h"

namespace taco::envs {
namespace {

constexpr double kHandleLength = 0.175;
constexpr double kTargetRadius = 0.07;
constexpr double kReachRadius = 0.01;

// The faucet's handle turns about the vertical; the observed point is the
// handle's end on the side it is pushed from, 1 cm lower.
class FaucetEnv : public SawyerEnv {
 public:
  FaucetEnv(const TaskDef& def, const EnvConfig& config, std::vector<RandVec> variants,
            const char* handle_site, double target_dx, const Vec3& reward_offset)
      : SawyerEnv(def, config, std::move(variants)),
        handle_site_name_(handle_site),
        target_dx_(target_dx),
        reward_offset_(reward_offset) {}

 private:
  absl::Status BindNames() override {
    TACO_ASSIGN_OR_RETURN(base_body_, BodyId("faucetBase"));
    TACO_ASSIGN_OR_RETURN(handle_site_, SiteId(handle_site_name_));
    return absl::OkStatus();
  }

  void PlaceObjects(const RandVec& v) override {
    base_init_ = {v[0], v[1], v[2]};
    SetBodyPos(base_body_, base_init_);
    target_ = base_init_ + Vec3{target_dx_, 0, 0.125};
  }

  Vec3 ObjectPos() const override { return SitePos(handle_site_) + Vec3{0, 0, -0.01}; }
  Quat ObjectQuat() const override { return BodyQuatWXYZ(base_body_); }

  Evaluation Evaluate(const Observation& obs, const Action&) override {
    const Vec3 handle = ToVec3(obs.data() + 4) + reward_offset_;
    const double to_target = Distance(handle, target_);
    // [quirk, kept] Both margins start from the faucet's base, not from the
    // handle.
    const double in_place = Tolerance(to_target, 0, kTargetRadius,
                                      std::abs(Distance(base_init_, target_) - kTargetRadius));
    const double reach =
        Tolerance(Distance(handle, Tcp()), 0, kReachRadius,
                  std::abs(Distance(base_init_, init_tcp_) - kReachRadius), Sigmoid::kGaussian);
    const bool success = to_target <= kTargetRadius;
    return {success ? 10.0 : 2 * (2 * reach + 3 * in_place), success};
  }

  const char* handle_site_name_;
  double target_dx_;
  // Open scores a point 4 cm behind and 3 cm above the observed one; close
  // scores the observed point itself.
  Vec3 reward_offset_;
  int base_body_ = -1;
  int handle_site_ = -1;
  Vec3 base_init_{};
};

class FaucetOpenEnv : public FaucetEnv {
 public:
  FaucetOpenEnv(const TaskDef& def, const EnvConfig& config, std::vector<RandVec> variants)
      : FaucetEnv(def, config, std::move(variants), "handleStartOpen", kHandleLength,
                  {-0.04, 0, 0.03}) {}
};

class FaucetCloseEnv : public FaucetEnv {
 public:
  FaucetCloseEnv(const TaskDef& def, const EnvConfig& config, std::vector<RandVec> variants)
      : FaucetEnv(def, config, std::move(variants), "handleStartClose", -kHandleLength, {0, 0, 0}) {
  }
};

}  // namespace

const TaskDef& FaucetOpenV2() {
  static const TaskDef* const def = new TaskDef{
      "faucet-open-v2",
      "sawyer_faucet.xml",
      {0, 0.4, 0.2},
      {kMocapLow[0], kMocapLow[1], -0.15},
      kMocapHigh,
      {-0.05, 0.8, 0},
      {0.05, 0.85, 0},
      nullptr,
      &SawyerEnv::Create<FaucetOpenEnv>,
  };
  return *def;
}

const TaskDef& FaucetCloseV2() {
  static const TaskDef* const def = new TaskDef{
      "faucet-close-v2",
      "sawyer_faucet.xml",
      {0, 0.4, 0.2},
      {kMocapLow[0], kMocapLow[1], -0.15},
      kMocapHigh,
      {-0.1, 0.8, 0},
      {0.1, 0.85, 0},
      nullptr,
      &SawyerEnv::Create<FaucetCloseEnv>,
  };
  return *def;
}

}  // namespace taco::envs
