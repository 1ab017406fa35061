// Rng: the one seeded random number generator of the core (PCG32, O'Neill's XSH-RR).
// Integer sequences are identical on every platform; uniform and normal draws use only
// integer math plus std::log/std::sqrt/std::cos in double, so native and wasm agree to
// the last float bit in practice (libm differences are below float resolution).
// Deliberately NOT std:: distributions: libstdc++ and libc++ give different sequences.
#pragma once

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace nl {

class Rng {
 public:
  // Same seed, same sequence. `stream` selects an independent sequence for one seed.
  //   Rng rng{42};
  //   float u = rng.uniform();          // [0, 1)
  //   float z = rng.normal();           // N(0, 1)
  explicit Rng(std::uint64_t seed = 1, std::uint64_t stream = 54) {
    inc_ = (stream << 1u) | 1u;
    state_ = 0;
    next_u32();
    state_ += seed;
    next_u32();
  }

  // 32 uniformly distributed bits.
  std::uint32_t next_u32() {
    const std::uint64_t old = state_;
    state_ = old * 6364136223846793005ULL + inc_;
    const auto xorshifted = static_cast<std::uint32_t>(((old >> 18u) ^ old) >> 27u);
    const auto rot = static_cast<std::uint32_t>(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
  }

  // Uniform double in [0, 1) with 53 random bits.
  double uniform_double() {
    const std::uint64_t hi = next_u32() >> 5;  // 27 bits
    const std::uint64_t lo = next_u32() >> 6;  // 26 bits
    return static_cast<double>((hi << 26) | lo) * (1.0 / 9007199254740992.0);
  }

  // Uniform float in [0, 1) with 24 random bits.
  float uniform() { return static_cast<float>(next_u32() >> 8) * (1.0f / 16777216.0f); }

  // Uniform float in [lo, hi).
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }

  // Uniform integer in [0, n) (Lemire's unbiased method simplified by rejection).
  std::uint32_t below(std::uint32_t n) {
    const std::uint32_t threshold = (0u - n) % n;
    for (;;) {
      const std::uint32_t r = next_u32();
      if (r >= threshold) return r % n;
    }
  }

  // Standard normal via Box-Muller in double; the second value is cached.
  double normal_double() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = uniform_double();
    while (u1 <= 0.0) u1 = uniform_double();  // log(0) guard
    const double u2 = uniform_double();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 6.283185307179586 * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }
  float normal() { return static_cast<float>(normal_double()); }
  float normal(float mean, float stddev) { return mean + stddev * normal(); }

  // Fisher-Yates shuffle of any vector.
  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) {
      const std::size_t j = below(static_cast<std::uint32_t>(i));
      std::swap(v[i - 1], v[j]);
    }
  }

 private:
  std::uint64_t state_ = 0;
  std::uint64_t inc_ = 0;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace nl
