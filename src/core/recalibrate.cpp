// recalibrate_running_stats (recalibrate.h).
#include "core/recalibrate.h"

#include <algorithm>
#include <optional>
#include <vector>

namespace nl {

int recalibrate_running_stats(Network& net, const Matrix& x, int batch_size) {
  const Index n = x.cols();
  if (batch_size < 2 || n < 2 || x.rows() != net.input_width()) return 0;
  // The BatchNorm parts (Batch Renorm keeps its statistics in .bn) that track running stats.
  std::vector<BatchNorm*> bns;
  for (Layer& layer : net.layers()) {
    if (auto* bn = std::get_if<BatchNorm>(&layer)) bns.push_back(bn);
    if (auto* brn = std::get_if<BatchRenorm>(&layer)) bns.push_back(&brn->bn);
  }
  std::vector<std::optional<float>> momenta;
  for (BatchNorm* bn : bns) {
    if (!bn->track_running_stats) continue;
    momenta.push_back(bn->momentum);
    bn->momentum = std::nullopt;  // cumulative average: every batch weighs the same
    bn->running_mean.setZero();
    bn->running_var.setOnes();
    bn->num_batches_tracked = 0;
  }
  net.set_training(true);
  int used = 0;
  for (Index start = 0; start < n; start += batch_size) {
    const Index count = std::min<Index>(batch_size, n - start);
    if (count < 2) break;
    auto out = net.forward(x.middleCols(start, count));
    if (out.ok()) ++used;
  }
  std::size_t k = 0;
  for (BatchNorm* bn : bns) {
    if (bn->track_running_stats) bn->momentum = momenta[k++];
  }
  net.set_training(false);  // eval mode, as documented
  return used;
}

}  // namespace nl
