// Seeded toy datasets: six 2-D binary classification sets, a 1-D regression set, tiny
// procedural images, user-edited point sets and CSV import (from a string: no file I/O).
// Every generator takes its randomness from Rng{spec.seed}: same spec, same points.
// Not here: batching or shuffling during training (experiment.cpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/spec.h"
#include "core/types.h"

namespace nl {

// A classification dataset. 2-D sets lie roughly in [-1.5, 1.5]^2 (plus noise).
struct Dataset {
  Matrix x_train;            // (input_width, N_train), one column per point
  std::vector<int> y_train;  // (N_train) labels in [0, num_classes)
  Matrix x_test;             // (input_width, N_test)
  std::vector<int> y_test;   // (N_test)
  int num_classes = 2;
};

// Builds the dataset of spec.kind: size points in total (train + test), Gaussian noise of
// std spec.noise added to every coordinate, points shuffled and split so that
// round(size*test_fraction) of them are test points. All six kinds have 2 classes,
// balanced (labels alternate before shuffling).
//   kTwoMoons: two interleaved half circles; kCircles: radius 1 (class 0) around 0.5 (class 1);
//   kXor: uniform in [-1.5,1.5]^2, class 1 where x*y < 0; kBlobs: two Gaussian blobs (std 0.35)
//   at (-0.7, -0.5) and (0.7, 0.5); kSpiral: two arms of 1.5 turns, radius 0.1..1.4;
//   kCheckerboard: uniform in [-1.5,1.5]^2, 4x4 cells of 0.75.
// Errors: size < 8 or > 100000, noise < 0 or not finite, test_fraction outside [0, 0.9].
Result<Dataset> make_dataset(const DatasetSpec& spec);

// 1-D regression: y = sin(2x) + 0.3x + noise for x uniform in [-1.5, 1.5].
struct RegressionDataset {
  Matrix x_train;  // (1, N_train)
  Matrix y_train;  // (1, N_train)
  Matrix x_test;   // (1, N_test)
  Matrix y_test;   // (1, N_test)
};
Result<RegressionDataset> make_regression_dataset(const DatasetSpec& spec);

// Tiny procedural images for the conv BatchNorm case: kImageSide x kImageSide grayscale
// (C = 1, so a column is the 64 pixels row by row), 4 classes: horizontal bar, vertical
// bar, diagonal, square outline, at random positions, pixel noise of std spec.noise.
inline constexpr int kImageSide = 8;
inline constexpr int kImageClasses = 4;
Result<Dataset> make_image_dataset(const DatasetSpec& spec);

// User point editing on a 2-D dataset (training set). Labels must be in [0, num_classes).
Status add_point(Dataset& data, float x, float y, int label);
// Removes the training point nearest to (x, y) if it lies within `radius`; error otherwise.
Status remove_point_near(Dataset& data, float x, float y, float radius);

// CSV import: one point per line "x,y,label" (2 coordinates + integer label), optional
// header line (first line with a non-numeric field), '#' comments and blank lines ignored.
// Every point goes to the training set; then test_fraction of them (deterministically,
// Rng{seed}) move to the test set. Errors name the line and column (1-based), e.g.
// "line 3, column 2: 'abc' is not a number".
Result<Dataset> parse_csv_dataset(std::string_view text, float test_fraction = 0.25f,
                                  std::uint64_t seed = 1);

}  // namespace nl
