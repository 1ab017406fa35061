// Batch composition for non-i.i.d. training: which training points go into each mini-batch
// of an epoch (i.i.d. shuffle, one class per batch, one region of the input space per batch).
// Used by the non-i.i.d. study; Experiment keeps its own i.i.d. batching (experiment.cpp).
// Not here: training or running-statistics recalibration (recalibrate.h).
#pragma once

#include <vector>

#include "core/rng.h"
#include "core/types.h"

namespace nl {

enum class BatchComposition {
  kIid,        // a fresh shuffle, cut into batches (as Experiment does)
  kOneClass,   // every batch holds points of a single class
  kOneRegion,  // every batch holds neighbours along the first input coordinate (a vertical strip)
};

// One epoch's batches (training-set column indices). Every batch has exactly batch_size
// points; leftovers (per class for kOneClass) are dropped, like drop_last. The batch order
// is shuffled with rng, so a region or class is not seen in one long block.
// x: (D, N) points; labels: (N). batch_size >= 1.
//   Rng rng{7};
//   for (const auto& b : compose_batches(x, y, 16, BatchComposition::kOneClass, rng)) ...
std::vector<std::vector<int>> compose_batches(const Matrix& x, const std::vector<int>& labels,
                                              int batch_size, BatchComposition composition, Rng& rng);

}  // namespace nl
