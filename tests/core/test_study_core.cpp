// Core pieces of the studies: the batch composer (core/batch_order.h) and running-statistics
// recalibration (core/recalibrate.h).
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "core/batch_order.h"
#include "core/dataset.h"
#include "core/network.h"
#include "core/recalibrate.h"

using namespace nl;

namespace {

Dataset moons() {
  DatasetSpec d;
  d.size = 203;  // 152 training points: leftovers exist for every batch size below
  return *make_dataset(d);
}

}  // namespace

TEST_CASE("compose_batches: full batches, no index twice, the promised composition") {
  const Dataset data = moons();
  const int n = static_cast<int>(data.x_train.cols());
  for (BatchComposition c : {BatchComposition::kIid, BatchComposition::kOneClass, BatchComposition::kOneRegion}) {
    Rng rng(3);
    const auto batches = compose_batches(data.x_train, data.y_train, 16, c, rng);
    REQUIRE_FALSE(batches.empty());
    std::set<int> seen;
    for (const auto& b : batches) {
      REQUIRE(b.size() == 16);
      for (int i : b) {
        REQUIRE(i >= 0);
        REQUIRE(i < n);
        REQUIRE(seen.insert(i).second);
      }
      if (c == BatchComposition::kOneClass) {
        for (int i : b) REQUIRE(data.y_train[static_cast<std::size_t>(i)] == data.y_train[static_cast<std::size_t>(b[0])]);
      }
    }
    REQUIRE(static_cast<int>(seen.size()) >= n - 2 * 16);  // at most one partial batch per class dropped
  }
  // One region: each batch is a contiguous slice of the x-sorted points, so batches do not overlap in x.
  Rng rng(3);
  auto batches = compose_batches(data.x_train, data.y_train, 16, BatchComposition::kOneRegion, rng);
  std::vector<std::pair<float, float>> ranges;
  for (const auto& b : batches) {
    float lo = 1e9f, hi = -1e9f;
    for (int i : b) lo = std::min(lo, data.x_train(0, i)), hi = std::max(hi, data.x_train(0, i));
    ranges.emplace_back(lo, hi);
  }
  std::sort(ranges.begin(), ranges.end());
  for (std::size_t k = 1; k < ranges.size(); ++k) REQUIRE(ranges[k].first >= ranges[k - 1].second);
  // Same seed, same batches; a bad batch size gives none.
  Rng a(9), b(9);
  REQUIRE(compose_batches(data.x_train, data.y_train, 8, BatchComposition::kIid, a) ==
          compose_batches(data.x_train, data.y_train, 8, BatchComposition::kIid, b));
  REQUIRE(compose_batches(data.x_train, data.y_train, 0, BatchComposition::kIid, a).empty());
}

TEST_CASE("recalibrate_running_stats: the running mean becomes the data's mean and weights stay") {
  NetworkSpec spec;
  auto net = Network::from_spec(spec);
  REQUIRE(net.ok());
  const Dataset data = moons();
  Matrix shifted = data.x_train * 2.0f;
  shifted.array() += 3.0f;
  const Matrix w_before = std::get<Linear>(net->layers()[0]).weight;
  const int used = recalibrate_running_stats(*net, shifted, 19);
  REQUIRE(used == static_cast<int>(shifted.cols()) / 19);
  REQUIRE_FALSE(net->training());
  const auto& lin = std::get<Linear>(net->layers()[0]);
  REQUIRE(lin.weight == w_before);
  const auto& bn = std::get<BatchNorm>(net->layers()[1]);
  // Cumulative average of equal-sized batch means = the mean over the batches used.
  const Index m = used * 19;
  const Vector z_mean = ((lin.weight * shifted.leftCols(m)).colwise() + lin.bias).rowwise().mean();
  for (Index c = 0; c < z_mean.size(); ++c) REQUIRE(bn.running_mean(c) == Approx(z_mean(c)).margin(1e-4));
  REQUIRE(bn.momentum.has_value());  // the setting is restored
  REQUIRE(*bn.momentum == Approx(0.1f));
  // Too few points: nothing changes.
  const Vector before = bn.running_mean;
  REQUIRE(recalibrate_running_stats(*net, shifted.leftCols(1), 19) == 0);
  REQUIRE(std::get<BatchNorm>(net->layers()[1]).running_mean == before);
}
