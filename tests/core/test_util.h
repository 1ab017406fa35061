// Shared helpers for the core tests: mixed abs+rel comparison that reports the largest
// difference, and random batches. Not a test itself.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <string>

#include "core/rng.h"
#include "core/types.h"

namespace nl::test {

struct Diff {
  double max_abs = 0.0;     // largest |a - b|
  double worst_ratio = 0.0; // largest |a - b| / (atol + rtol*|b|); <= 1 means within tolerance
  Index worst_index = -1;
  bool shape_ok = true;
};

// Compares a (computed) against b (expected) elementwise: |a - b| <= atol + rtol*|b|.
template <typename A, typename B>
Diff compare(const A& a, const B& b, double atol, double rtol) {
  Diff d;
  if (a.rows() != b.rows() || a.cols() != b.cols()) {
    d.shape_ok = false;
    d.worst_ratio = 1e30;
    return d;
  }
  for (Index i = 0; i < a.size(); ++i) {
    const double x = static_cast<double>(a.data()[i]), y = static_cast<double>(b.data()[i]);
    const double diff = std::isfinite(x) ? std::abs(x - y) : 1e30;
    const double ratio = diff / (atol + rtol * std::abs(y));
    d.max_abs = std::max(d.max_abs, diff);
    if (ratio > d.worst_ratio) {
      d.worst_ratio = ratio;
      d.worst_index = i;
    }
  }
  return d;
}

// CHECKs that a matches b within atol + rtol*|b|, printing the largest difference on failure.
#define NL_CHECK_CLOSE(a, b, atol, rtol)                                                  \
  do {                                                                                    \
    const auto nl_diff_ = ::nl::test::compare((a), (b), (atol), (rtol));                   \
    INFO(#a << " vs " << #b << ": shape_ok=" << nl_diff_.shape_ok << " max|diff|="        \
            << nl_diff_.max_abs << " worst ratio=" << nl_diff_.worst_ratio << " at index " \
            << nl_diff_.worst_index);                                                     \
    CHECK(nl_diff_.shape_ok);                                                             \
    CHECK(nl_diff_.worst_ratio <= 1.0);                                                   \
  } while (0)

template <typename M>
M random_normal(Index rows, Index cols, Rng& rng) {
  M m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<typename M::Scalar>(rng.normal_double());
  return m;
}

inline double biased_var(const Eigen::Ref<const Eigen::RowVectorXf>& row) {
  const Eigen::ArrayXd v = row.transpose().cast<double>().array();
  return (v - v.mean()).square().mean();
}

}  // namespace nl::test
