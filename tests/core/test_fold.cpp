// Inference folding of BatchNorm into the preceding Linear: folded outputs == eval outputs.
#include <catch2/catch.hpp>

#include "core/experiment.h"
#include "test_util.h"

using namespace nl;

TEST_CASE("fold: BatchNorm folded into Linear gives the eval-mode outputs", "[core][fold]") {
  for (NormPlacement place : {NormPlacement::kBeforeActivation, NormPlacement::kAfterActivation}) {
    ExperimentSpec spec;
    for (auto& h : spec.net.hidden) h.placement = place;
    auto e = Experiment::create(spec);
    REQUIRE(e.ok());
    for (int i = 0; i < 30; ++i) REQUIRE(e->step().ok());  // non-trivial running stats, gamma, beta
    const Network& net = e->network();
    const Network folded = fold_batchnorm(net);
    const Matrix& x = e->dataset().x_test;
    const Matrix a = net.infer(x), b = folded.infer(x);
    INFO("placement " << static_cast<int>(place));
    NL_CHECK_CLOSE(b, a, 1e-5, 1e-4);
    if (place == NormPlacement::kBeforeActivation) {
      CHECK(folded.layers().size() == net.layers().size() - 2);  // both BN layers gone
      for (const auto& l : folded.layers()) CHECK_FALSE(std::holds_alternative<BatchNorm>(l));
    } else {
      CHECK(folded.layers().size() == net.layers().size());  // BN after ReLU: nothing to fold into
    }
  }
}

TEST_CASE("fold: hand-computable single feature", "[core][fold]") {
  // Linear w=2, b=1; BN gamma=3, beta=0.5, running_mean=4, running_var=8.99999 (+eps = 9).
  // scale = 3/3 = 1 -> folded w' = 2, b' = 1*(1 - 4) + 0.5 = -2.5.
  Network net(1);
  Linear lin = Linear::make(1, 1);
  lin.weight(0, 0) = 2.0f;
  lin.bias[0] = 1.0f;
  net.add(lin);
  BatchNorm bn = BatchNorm::make(1, 1, NormOptions{});
  bn.gamma[0] = 3.0f;
  bn.beta[0] = 0.5f;
  bn.running_mean[0] = 4.0f;
  bn.running_var[0] = 9.0f - 1e-5f;
  net.add(bn);
  const Network folded = fold_batchnorm(net);
  REQUIRE(folded.layers().size() == 1);
  const auto& f = std::get<Linear>(folded.layers()[0]);
  CHECK(f.weight(0, 0) == Approx(2.0f).epsilon(1e-6));
  CHECK(f.bias[0] == Approx(-2.5f).epsilon(1e-6));
}
