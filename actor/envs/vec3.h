// Small fixed-size vector helpers for the task code, which is mostly 3-D
// geometry on MuJoCo positions.
#ifndef TACO_ACTOR_ENVS_VEC3_H_
#define TACO_ACTOR_ENVS_VEC3_H_

#include <array>
#include <cmath>

namespace taco::envs {

using Vec3 = std::array<double, 3>;
using Quat = std::array<double, 4>;

inline constexpr double kPi = 3.14159265358979323846;

inline Vec3 operator+(const Vec3& a, const Vec3& b) {
  return {a[0] + b[0], a[1] + b[1], a[2] + b[2]};
}
inline Vec3 operator-(const Vec3& a, const Vec3& b) {
  return {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
}
inline Vec3 operator*(double s, const Vec3& a) { return {s * a[0], s * a[1], s * a[2]}; }
// Component-wise product, the "(x, y, z)·(sx, sy, sz)" scaling of the spec.
inline Vec3 Scale(const Vec3& a, const Vec3& s) { return {a[0] * s[0], a[1] * s[1], a[2] * s[2]}; }
inline double Norm(const Vec3& a) { return std::sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]); }
inline double Distance(const Vec3& a, const Vec3& b) { return Norm(a - b); }
inline double DistanceXY(const Vec3& a, const Vec3& b) {
  return std::hypot(a[0] - b[0], a[1] - b[1]);
}
inline double DistanceXZ(const Vec3& a, const Vec3& b) {
  return std::hypot(a[0] - b[0], a[2] - b[2]);
}
// Reads three consecutive numbers, e.g. a row of MuJoCo's xpos arrays.
inline Vec3 ToVec3(const double* p) { return {p[0], p[1], p[2]}; }

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_VEC3_H_
