// F4: four float lanes with the handful of operations the kernels need, mapped to
// wasm_simd128.h under -msimd128 and to SSE2 natively. Internal to src/core/kernels.
// Deliberately no FMA (neither WASM SIMD 128 nor x86-64-v2 has it), so both targets round
// the same way; no operator overloading tricks beyond + - * /.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#else
#error "f32x4.h needs WASM SIMD 128 or SSE2; include it only when NL_KERNELS_HAVE_SIMD"
#endif

namespace nl::kernels::simd {

#if defined(__wasm_simd128__)

struct F4 {
  v128_t v;
};
inline F4 load(const float* p) { return {wasm_v128_load(p)}; }  // unaligned is fine
inline void store(float* p, F4 a) { wasm_v128_store(p, a.v); }
inline F4 set1(float s) { return {wasm_f32x4_splat(s)}; }
inline F4 zero() { return {wasm_f32x4_splat(0.0f)}; }
inline F4 operator+(F4 a, F4 b) { return {wasm_f32x4_add(a.v, b.v)}; }
inline F4 operator-(F4 a, F4 b) { return {wasm_f32x4_sub(a.v, b.v)}; }
inline F4 operator*(F4 a, F4 b) { return {wasm_f32x4_mul(a.v, b.v)}; }
inline F4 operator/(F4 a, F4 b) { return {wasm_f32x4_div(a.v, b.v)}; }
inline F4 min(F4 a, F4 b) { return {wasm_f32x4_pmin(a.v, b.v)}; }  // b < a ? b : a
inline F4 max(F4 a, F4 b) { return {wasm_f32x4_pmax(a.v, b.v)}; }  // a < b ? b : a
inline F4 sqrt(F4 a) { return {wasm_f32x4_sqrt(a.v)}; }
// Lane mask of a > b, and mask ? a : b.
inline F4 greater(F4 a, F4 b) { return {wasm_f32x4_gt(a.v, b.v)}; }
inline F4 select(F4 mask, F4 a, F4 b) { return {wasm_v128_bitselect(a.v, b.v, mask.v)}; }
inline F4 bit_and(F4 a, F4 b) { return {wasm_v128_and(a.v, b.v)}; }
inline F4 bit_xor(F4 a, F4 b) { return {wasm_v128_xor(a.v, b.v)}; }
// 2^n for lanes holding integers n in [-126, 127].
inline F4 pow2_int(F4 n) {
  const v128_t i = wasm_i32x4_trunc_sat_f32x4(n.v);
  return {wasm_i32x4_shl(wasm_i32x4_add(i, wasm_i32x4_splat(127)), 23)};
}
// Sum of the four lanes, as (a0 + a2) + (a1 + a3).
inline float hsum(F4 a) {
  const v128_t hi = wasm_i32x4_shuffle(a.v, a.v, 2, 3, 0, 1);
  const v128_t s = wasm_f32x4_add(a.v, hi);
  const v128_t s1 = wasm_i32x4_shuffle(s, s, 1, 0, 3, 2);
  return wasm_f32x4_extract_lane(wasm_f32x4_add(s, s1), 0);
}

#else  // SSE2

struct F4 {
  __m128 v;
};
inline F4 load(const float* p) { return {_mm_loadu_ps(p)}; }
inline void store(float* p, F4 a) { _mm_storeu_ps(p, a.v); }
inline F4 set1(float s) { return {_mm_set1_ps(s)}; }
inline F4 zero() { return {_mm_setzero_ps()}; }
inline F4 operator+(F4 a, F4 b) { return {_mm_add_ps(a.v, b.v)}; }
inline F4 operator-(F4 a, F4 b) { return {_mm_sub_ps(a.v, b.v)}; }
inline F4 operator*(F4 a, F4 b) { return {_mm_mul_ps(a.v, b.v)}; }
inline F4 operator/(F4 a, F4 b) { return {_mm_div_ps(a.v, b.v)}; }
inline F4 min(F4 a, F4 b) { return {_mm_min_ps(b.v, a.v)}; }  // b < a ? b : a (like pmin)
inline F4 max(F4 a, F4 b) { return {_mm_max_ps(b.v, a.v)}; }  // a < b ? b : a (like pmax)
inline F4 sqrt(F4 a) { return {_mm_sqrt_ps(a.v)}; }
inline F4 greater(F4 a, F4 b) { return {_mm_cmpgt_ps(a.v, b.v)}; }
inline F4 select(F4 mask, F4 a, F4 b) {
  return {_mm_or_ps(_mm_and_ps(mask.v, a.v), _mm_andnot_ps(mask.v, b.v))};
}
inline F4 bit_and(F4 a, F4 b) { return {_mm_and_ps(a.v, b.v)}; }
inline F4 bit_xor(F4 a, F4 b) { return {_mm_xor_ps(a.v, b.v)}; }
inline F4 pow2_int(F4 n) {
  const __m128i i = _mm_cvttps_epi32(n.v);
  return {_mm_castsi128_ps(_mm_slli_epi32(_mm_add_epi32(i, _mm_set1_epi32(127)), 23))};
}
inline float hsum(F4 a) {
  const __m128 hi = _mm_shuffle_ps(a.v, a.v, _MM_SHUFFLE(1, 0, 3, 2));
  const __m128 s = _mm_add_ps(a.v, hi);
  const __m128 s1 = _mm_shuffle_ps(s, s, _MM_SHUFFLE(2, 3, 0, 1));
  return _mm_cvtss_f32(_mm_add_ps(s, s1));
}

#endif

inline F4 set1_bits(std::uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return set1(f);
}

}  // namespace nl::kernels::simd
