// Datasets: sizes, split, labels, ranges, determinism, validation errors, CSV, point edits.
#include <catch2/catch.hpp>

#include "core/dataset.h"

using namespace nl;

TEST_CASE("dataset: every kind has the requested size, split, 2 balanced classes, bounded range", "[core][data]") {
  for (DatasetKind kind : {DatasetKind::kTwoMoons, DatasetKind::kCircles, DatasetKind::kXor, DatasetKind::kBlobs,
                           DatasetKind::kSpiral, DatasetKind::kCheckerboard}) {
    DatasetSpec spec;
    spec.kind = kind;
    spec.size = 400;
    spec.noise = 0.05f;
    spec.test_fraction = 0.25f;
    auto d = make_dataset(spec);
    INFO("kind " << static_cast<int>(kind));
    REQUIRE(d.ok());
    CHECK(d->x_train.rows() == 2);
    CHECK(d->x_train.cols() == 300);  // 400 - round(400*0.25)
    CHECK(d->x_test.cols() == 100);
    CHECK(d->y_train.size() == 300);
    CHECK(d->num_classes == 2);
    int ones = 0;
    for (int y : d->y_train) {
      REQUIRE((y == 0 || y == 1));
      ones += y;
    }
    CHECK(ones > 100);  // both classes present in quantity
    CHECK(ones < 200);
    CHECK(d->x_train.cwiseAbs().maxCoeff() < 2.0f);  // [-1.5, 1.5]^2 plus 0.05 noise
  }
}

TEST_CASE("dataset: same spec gives identical points; different seed differs", "[core][data]") {
  DatasetSpec spec;
  spec.kind = DatasetKind::kSpiral;
  auto a = make_dataset(spec), b = make_dataset(spec);
  REQUIRE(a.ok());
  CHECK(a->x_train == b->x_train);
  CHECK(a->y_test == b->y_test);
  spec.seed = 2;
  auto c = make_dataset(spec);
  CHECK_FALSE(a->x_train == c->x_train);
}

TEST_CASE("dataset: invalid specs are errors with a message", "[core][data]") {
  DatasetSpec spec;
  spec.size = 3;
  CHECK_FALSE(make_dataset(spec).ok());
  spec = DatasetSpec{};
  spec.noise = -1.0f;
  CHECK_FALSE(make_dataset(spec).ok());
  spec = DatasetSpec{};
  spec.test_fraction = 0.95f;
  auto r = make_dataset(spec);
  REQUIRE_FALSE(r.ok());
  CHECK_FALSE(r.error().message.empty());
}

TEST_CASE("dataset: xor and checkerboard labels follow their rule without noise", "[core][data]") {
  DatasetSpec spec;
  spec.kind = DatasetKind::kXor;
  spec.noise = 0.0f;
  auto d = make_dataset(spec);
  REQUIRE(d.ok());
  for (Index i = 0; i < d->x_train.cols(); ++i)
    CHECK(d->y_train[static_cast<std::size_t>(i)] == (d->x_train(0, i) * d->x_train(1, i) < 0.0f ? 1 : 0));
}
