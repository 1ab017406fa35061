// Re-estimating BatchNorm running statistics on new data (a test-time distribution shift, or
// a model trained on non-i.i.d. batches): train-mode forward passes, no backward, no update.
// Not here: choosing the data (the caller's), or any other normalization (no running stats).
#pragma once

#include "core/network.h"

namespace nl {

// Resets every BatchNorm / Batch Renorm layer's running statistics and re-estimates them as
// the cumulative average (momentum = nullopt for the pass) over consecutive batches of
// `batch_size` columns of x (a remainder smaller than 2 is dropped); weights and momentum
// settings are kept, the network is left in eval mode. Returns the number of batches used
// (0: nothing changed, e.g. batch_size < 2 or too few points).
//   int used = recalibrate_running_stats(net, shifted_x, 64);
int recalibrate_running_stats(Network& net, const Matrix& x, int batch_size);

}  // namespace nl
