// Scalar, matrix and vector aliases used by every core file.
// Batch layout, once for the whole project: a batch is a (D, N) column-major matrix,
// one column per sample, so a sample's D features are contiguous and SIMD kernels
// vectorize across features while looping over samples.
#pragma once

#include <Eigen/Core>
#include <cstdint>

namespace nl {

using Scalar = float;
using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;   // (D, N) column-major
using Vector = Eigen::Matrix<float, Eigen::Dynamic, 1>;                // (D)
using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>; // double reference path
using VectorD = Eigen::Matrix<double, Eigen::Dynamic, 1>;
using Index = Eigen::Index;

}  // namespace nl
