#include "actor/envs/sawyer_env.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace taco::envs {
namespace {

// Steps of the hand-settling loop at reset (each of kFrameSkip substeps).
constexpr int kSettleSteps = 50;
// The hand points down: +90° about world y. Meta-World writes the
// unnormalised (1, 0, 1, 0); MuJoCo expects a unit quaternion.
constexpr double kHalfSqrt2 = 0.70710678118654752440;
constexpr double kMocapQuat[4] = {kHalfSqrt2, 0, kHalfSqrt2, 0};

// MuJoCo's XML loader is not documented as thread-safe; env pools build envs
// from several threads.
std::mutex& LoaderMutex() {
  static std::mutex* mutex = new std::mutex;
  return *mutex;
}

// A copy of the scene compiled once per process. MuJoCo's compiler takes
// 100–300 ms for a Meta-World scene (its meshes), a copy of the compiled model
// a few ms, and env pools make instances at episode ends (task switches) and
// at every evaluation. A scene file that changed on disk is compiled anew.
// Null with `error` filled when MuJoCo cannot load it (not remembered).
mjModel* CopyOfScene(const std::filesystem::path& scene, char* error, int error_size) {
  struct Compiled {
    std::filesystem::file_time_type written;
    uintmax_t size = 0;
    mjModel* model = nullptr;
  };
  static auto* compiled = new std::map<std::string, Compiled>;
  std::error_code ec;
  const auto written = std::filesystem::last_write_time(scene, ec);
  const uintmax_t size = std::filesystem::file_size(scene, ec);
  std::lock_guard<std::mutex> lock(LoaderMutex());
  Compiled& entry = (*compiled)[scene.string()];
  if (entry.model == nullptr || ec || entry.written != written || entry.size != size) {
    mjModel* loaded = mj_loadXML(scene.c_str(), nullptr, error, error_size);
    if (loaded == nullptr) return nullptr;
    if (entry.model != nullptr) mj_deleteModel(entry.model);
    entry = {written, size, loaded};
  }
  return mj_copyModel(nullptr, entry.model);
}

int InstabilityWarnings(const mjData* d) {
  return d->warning[mjWARN_BADQACC].number + d->warning[mjWARN_BADQVEL].number +
         d->warning[mjWARN_BADQPOS].number;
}

bool AllFinite(const mjtNum* v, int n) {
  for (int i = 0; i < n; ++i) {
    if (!std::isfinite(v[i])) return false;
  }
  return true;
}

Quat MatToQuatXYZW(const mjtNum* mat) {
  mjtNum q[4];
  mju_mat2Quat(q, mat);
  return {q[1], q[2], q[3], q[0]};
}

}  // namespace

double RandomBoxBound(double bound) { return static_cast<double>(static_cast<float>(bound)); }

RandVec DrawRandVec(const TaskDef& def, NumpyRandom& rng) {
  RandVec v(def.rand_low.size());
  do {
    for (size_t i = 0; i < v.size(); ++i) {
      v[i] = rng.Uniform(RandomBoxBound(def.rand_low[i]), RandomBoxBound(def.rand_high[i]));
    }
  } while (def.accept != nullptr && !def.accept(v));
  return v;
}

SawyerEnv::SawyerEnv(const TaskDef& def, const EnvConfig& config, std::vector<RandVec> variants)
    : hand_init_(def.hand_init),
      def_(def),
      config_(config),
      variants_(std::move(variants)),
      // A stream of its own, so fresh draws never replay the fixed variants
      // that the same seed generates.
      rng_(NumpyRandom::Stream(config.seed, 1)) {}

absl::Status SawyerEnv::Init() {
  if (config_.max_episode_steps <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_episode_steps must be positive, got ", config_.max_episode_steps));
  }
  for (const RandVec& v : variants_) {
    if (v.size() != def_.rand_low.size()) {
      return absl::InvalidArgumentError(absl::StrCat(def_.name, ": a variant has ", v.size(),
                                                     " numbers, the task needs ",
                                                     def_.rand_low.size()));
    }
  }
  const std::filesystem::path scene =
      std::filesystem::path(config_.assets_dir) / "sawyer_xyz" / def_.scene;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(scene, ec)) {
    return absl::NotFoundError(
        absl::StrCat(def_.name, ": scene file ", scene.string(), " not found"));
  }
  char error[1024] = "";
  model_.reset(CopyOfScene(scene, error, sizeof(error)));
  if (model_ == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(def_.name, ": MuJoCo could not load ", scene.string(), ": ", error));
  }
  if (model_->nu != 2 || model_->nmocap != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(def_.name, ": ", scene.string(),
                     " is not a Sawyer scene (needs 2 gripper actuators and 1 mocap body)"));
  }
  TACO_RETURN_IF_ERROR(FixWeld());
  data_.reset(mj_makeData(model_.get()));
  if (data_ == nullptr) {
    return absl::ResourceExhaustedError(absl::StrCat(def_.name, ": mj_makeData failed"));
  }
  TACO_ASSIGN_OR_RETURN(hand_, BodyId("hand"));
  TACO_ASSIGN_OR_RETURN(left_pad_, BodyId("leftpad"));
  TACO_ASSIGN_OR_RETURN(right_pad_, BodyId("rightpad"));
  TACO_ASSIGN_OR_RETURN(right_finger_site_, SiteId("rightEndEffector"));
  TACO_ASSIGN_OR_RETURN(left_finger_site_, SiteId("leftEndEffector"));
  TACO_ASSIGN_OR_RETURN(const int mocap_body, BodyId("mocap"));
  mocap_ = model_->body_mocapid[mocap_body];
  if (mocap_ < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(def_.name, ": body 'mocap' is not a mocap body"));
  }
  TACO_RETURN_IF_ERROR(BindNames());
  return absl::OkStatus();
}

absl::Status SawyerEnv::FixWeld() {
  // MuJoCo 2.2.2 stores 11 numbers per weld: anchor(3), relpos(3),
  // relquat(4), torquescale(1). The scenes leave the relative pose to be
  // computed from qpos0; Meta-World wants hand frame == mocap frame, and
  // torquescale 1 keeps v2's arm dynamics.
  static_assert(mjNEQDATA == 11, "weld layout assumes MuJoCo 2.2.2");
  int welds = 0;
  for (int i = 0; i < model_->neq; ++i) {
    if (model_->eq_type[i] != mjEQ_WELD) continue;
    mjtNum* data = model_->eq_data + i * mjNEQDATA;
    std::fill(data, data + mjNEQDATA, 0.0);
    data[6] = 1.0;   // relquat w
    data[10] = 1.0;  // torquescale
    ++welds;
  }
  if (welds != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(def_.name, ": expected one mocap weld in the scene, found ", welds));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> SawyerEnv::BodyId(const char* name) const {
  const int id = mj_name2id(model_.get(), mjOBJ_BODY, name);
  if (id < 0) {
    return absl::NotFoundError(absl::StrCat(def_.name, ": scene has no body '", name, "'"));
  }
  return id;
}

absl::StatusOr<int> SawyerEnv::SiteId(const char* name) const {
  const int id = mj_name2id(model_.get(), mjOBJ_SITE, name);
  if (id < 0) {
    return absl::NotFoundError(absl::StrCat(def_.name, ": scene has no site '", name, "'"));
  }
  return id;
}

absl::StatusOr<int> SawyerEnv::GeomId(const char* name) const {
  const int id = mj_name2id(model_.get(), mjOBJ_GEOM, name);
  if (id < 0) {
    return absl::NotFoundError(absl::StrCat(def_.name, ": scene has no geom '", name, "'"));
  }
  return id;
}

absl::StatusOr<int> SawyerEnv::JointId(const char* name) const {
  const int id = mj_name2id(model_.get(), mjOBJ_JOINT, name);
  if (id < 0) {
    return absl::NotFoundError(absl::StrCat(def_.name, ": scene has no joint '", name, "'"));
  }
  return id;
}

absl::StatusOr<int> SawyerEnv::FreeJointOf(int body) const {
  const int joint = model_->body_jntadr[body];
  if (joint < 0 || model_->jnt_type[joint] != mjJNT_FREE) {
    return absl::NotFoundError(absl::StrCat(
        def_.name, ": body '", mj_id2name(model_.get(), mjOBJ_BODY, body), "' has no free joint"));
  }
  return joint;
}

Quat SawyerEnv::GeomQuatXYZW(int geom) const { return MatToQuatXYZW(data_->geom_xmat + 9 * geom); }

Quat SawyerEnv::SiteQuatXYZW(int site) const { return MatToQuatXYZW(data_->site_xmat + 9 * site); }

Quat SawyerEnv::BodyQuatWXYZ(int body) const {
  const mjtNum* q = data_->xquat + 4 * body;
  return {q[0], q[1], q[2], q[3]};
}

void SawyerEnv::SetFreeJointPos(int joint, const Vec3& pos) {
  const int qpos = model_->jnt_qposadr[joint];
  const int dof = model_->jnt_dofadr[joint];
  std::copy(pos.begin(), pos.end(), data_->qpos + qpos);
  std::fill(data_->qvel + dof, data_->qvel + dof + 6, 0.0);
}

void SawyerEnv::SetBodyPos(int body, const Vec3& pos) {
  std::copy(pos.begin(), pos.end(), model_->body_pos + 3 * body);
}

Vec3 SawyerEnv::Tcp() const {
  const Vec3 right = SitePos(right_finger_site_);
  const Vec3 left = SitePos(left_finger_site_);
  return 0.5 * (right + left);
}

void SawyerEnv::RecordInitialTcp() { init_tcp_ = Tcp(); }

void SawyerEnv::SetMocap(const Vec3& pos) {
  std::copy(pos.begin(), pos.end(), data_->mocap_pos + 3 * mocap_);
  std::copy(kMocapQuat, kMocapQuat + 4, data_->mocap_quat + 4 * mocap_);
}

absl::StatusOr<Observation> SawyerEnv::Reset() {
  if (config_.variant_mode == VariantMode::kFreshEachReset) {
    return ResetInternal(DrawRandVec(def_, rng_));
  }
  if (variants_.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(def_.name, ": no fixed variants to reset to"));
  }
  return ResetInternal(variants_[rng_.Index(variants_.size())]);
}

absl::StatusOr<Observation> SawyerEnv::ResetToVariant(int index) {
  if (index < 0 || index >= static_cast<int>(variants_.size())) {
    return absl::OutOfRangeError(
        absl::StrCat(def_.name, ": variant ", index, " is not in [0, ", variants_.size(), ")"));
  }
  return ResetInternal(variants_[index]);
}

absl::StatusOr<Observation> SawyerEnv::ResetWithRandVec(const RandVec& rand_vec) {
  if (rand_vec.size() != def_.rand_low.size()) {
    return absl::InvalidArgumentError(absl::StrCat(def_.name, ": rand_vec has ", rand_vec.size(),
                                                   " numbers, expected ", def_.rand_low.size()));
  }
  if (!AllFinite(rand_vec.data(), rand_vec.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat(def_.name, ": rand_vec has a non-finite number"));
  }
  return ResetInternal(rand_vec);
}

absl::StatusOr<Observation> SawyerEnv::ResetInternal(const RandVec& rand_vec) {
  mjModel* m = model_.get();
  mjData* d = data_.get();
  // Fixture moves of earlier episodes persist in the model, as in the
  // original; every task rewrites the fixtures it randomises.
  mj_resetData(m, d);
  // Deliberate deviation [quirk] for the few tasks that override it: the
  // original settles the hand against the previous episode's fixture pose.
  PlaceFixturesBeforeSettle(rand_vec);
  for (int i = 0; i < kSettleSteps; ++i) {
    SetMocap(hand_init_);
    d->ctrl[0] = -1;
    d->ctrl[1] = 1;
    for (int k = 0; k < kFrameSkip; ++k) mj_step(m, d);
  }
  // Read with no forward pass in between, as the original does: mj_step
  // leaves the sites where the last substep began, about 0.05 mm behind the
  // arm, and the rewards' reset margins use exactly that point.
  init_tcp_ = Tcp();
  rand_vec_ = rand_vec;
  PlaceObjects(rand_vec);
  // Deliberate deviation [quirk §3.4]: the original skips this forward pass
  // for several tasks, so their first observation (and targets read from
  // sites) can show the previous episode's fixture pose. Here placement is
  // always followed by a forward pass and targets are computed analytically.
  mj_forward(m, d);
  AfterPlacement();
  if (const int goal = mj_name2id(m, mjOBJ_SITE, "goal"); goal >= 0 && m->site_bodyid[goal] == 0) {
    // Only moves the marker that renders show; sites carry no physics.
    std::copy(target_.begin(), target_.end(), m->site_pos + 3 * goal);
    mj_kinematics(m, d);
  }
  if (InstabilityWarnings(d) > 0 || !AllFinite(d->qpos, m->nq)) {
    return absl::InternalError(absl::StrCat(def_.name, ": physics became unstable during reset"));
  }
  // Deliberate deviation [quirk §3.4]: v2.0.0 leaves the previous episode's
  // last frame in obs[18:36] at reset; here prev = current, as later
  // Meta-World versions do.
  CurrentFrame(prev_frame_.data());
  last_obs_ = BuildObservation();
  elapsed_steps_ = 0;
  episode_open_ = true;
  return last_obs_;
}

absl::StatusOr<StepResult> SawyerEnv::Step(absl::Span<const double> action) {
  if (action.size() != kActionDim) {
    return absl::InvalidArgumentError(
        absl::StrCat(def_.name, ": action has ", action.size(), " numbers, expected ", kActionDim));
  }
  if (!AllFinite(action.data(), kActionDim)) {
    return absl::InvalidArgumentError(absl::StrCat(def_.name,
                                                   ": action has a NaN or infinite component: [",
                                                   absl::StrJoin(action, ", "), "]"));
  }
  if (!episode_open_) {
    return absl::FailedPreconditionError(
        absl::StrCat(def_.name, ": Step called with no open episode; call Reset first"));
  }
  mjModel* m = model_.get();
  mjData* d = data_.get();
  Action a;
  for (int i = 0; i < kActionDim; ++i) a[i] = std::clamp(action[i], -1.0, 1.0);
  Vec3 mocap;
  for (int i = 0; i < 3; ++i) {
    mocap[i] = std::clamp(d->mocap_pos[3 * mocap_ + i] + kActionScale * a[i], def_.mocap_low[i],
                          def_.mocap_high[i]);
  }
  SetMocap(mocap);
  d->ctrl[0] = a[3];
  d->ctrl[1] = -a[3];
  const int warnings_before = InstabilityWarnings(d);
  for (int k = 0; k < kFrameSkip; ++k) mj_step(m, d);
  ++elapsed_steps_;

  StepResult result;
  result.truncated = elapsed_steps_ >= config_.max_episode_steps;
  if (InstabilityWarnings(d) != warnings_before || !AllFinite(d->qpos, m->nq) ||
      !AllFinite(d->qvel, m->nv)) {
    result.obs = last_obs_;
    result.unstable = true;
    result.truncated = true;
    episode_open_ = false;
    return result;
  }
  result.obs = BuildObservation();
  std::copy(result.obs.begin(), result.obs.begin() + 18, prev_frame_.begin());
  const Evaluation eval = Evaluate(result.obs, a);
  result.reward = eval.reward;
  result.success = eval.success;
  result.terminal = config_.terminate_on_success && eval.success;
  last_obs_ = result.obs;
  if (result.terminal || result.truncated) episode_open_ = false;
  return result;
}

void SawyerEnv::CurrentFrame(double* out) const {
  const Vec3 hand = BodyPos(hand_);
  const double finger_gap = Distance(SitePos(right_finger_site_), SitePos(left_finger_site_));
  const Vec3 obj = ObjectPos();
  const Quat quat = ObjectQuat();
  std::copy(hand.begin(), hand.end(), out);
  out[3] = std::clamp(finger_gap / 0.1, 0.0, 1.0);
  std::copy(obj.begin(), obj.end(), out + 4);
  std::copy(quat.begin(), quat.end(), out + 7);
  std::fill(out + 11, out + 18, 0.0);
  if (HasSecondObject()) {
    const Vec3 second = SecondObjectPos();
    const Quat second_quat = SecondObjectQuat();
    std::copy(second.begin(), second.end(), out + 11);
    std::copy(second_quat.begin(), second_quat.end(), out + 14);
  }
}

Observation SawyerEnv::BuildObservation() const {
  Observation obs{};
  CurrentFrame(obs.data());
  std::copy(prev_frame_.begin(), prev_frame_.end(), obs.begin() + 18);
  if (config_.goal_observable) {
    std::copy(target_.begin(), target_.end(), obs.begin() + 36);
  }
  return obs;
}

}  // namespace taco::envs
