// Helpers shared by the kernel tests: seeded random buffers and a float comparison that
// reports the largest difference. Test-only; not a second implementation of anything.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace nl::kernels_test {

// n normal values mean + sd*z from a seeded engine (the test's own; values need not match
// across platforms, only be reproducible on one).
inline std::vector<float> random_normal(std::size_t n, float mean, float sd, unsigned seed) {
  std::mt19937 engine(seed);
  std::normal_distribution<double> dist(0.0, 1.0);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(mean + sd * dist(engine));
  return v;
}

// Largest |got - want| / (atol + rtol*|want|) over the buffers; <= 1 means all are close.
// NaN anywhere counts as a failure (returns +inf).
struct Closeness {
  double worst_ratio = 0.0;
  double worst_abs = 0.0;
  std::size_t worst_index = 0;
  double got = 0.0, want = 0.0;
};

template <typename A, typename B>
Closeness compare(const A* got, const B* want, std::size_t n, double atol, double rtol) {
  Closeness c;
  for (std::size_t i = 0; i < n; ++i) {
    const double g = static_cast<double>(got[i]);
    const double w = static_cast<double>(want[i]);
    const double diff = std::abs(g - w);
    const double ratio = std::isfinite(diff) ? diff / (atol + rtol * std::abs(w))
                                             : std::numeric_limits<double>::infinity();
    if (ratio > c.worst_ratio || (i == 0 && !std::isfinite(ratio))) {
      c.worst_ratio = ratio;
      c.worst_abs = diff;
      c.worst_index = i;
      c.got = g;
      c.want = w;
    }
  }
  return c;
}

inline std::string describe(const std::string& what, const Closeness& c) {
  std::ostringstream os;
  os.precision(9);
  os << what << ": max diff " << c.worst_abs << " at [" << c.worst_index << "] got " << c.got
     << " want " << c.want << " (ratio to tolerance " << c.worst_ratio << ")";
  return os.str();
}

// CHECKs that got ~ want elementwise and prints the largest difference on failure.
#define NL_CHECK_CLOSE(what, got, want, n, atol, rtol)                                     \
  do {                                                                                     \
    const auto nl_closeness_ = ::nl::kernels_test::compare((got), (want), (n), (atol), (rtol)); \
    INFO(::nl::kernels_test::describe((what), nl_closeness_));                             \
    CHECK(nl_closeness_.worst_ratio <= 1.0);                                               \
  } while (0)

inline double max_abs(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

}  // namespace nl::kernels_test
