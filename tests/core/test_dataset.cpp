// Datasets: sizes, split, labels, ranges, determinism, validation errors, CSV, point edits.
#include <catch2/catch.hpp>

#include "core/dataset.h"
#include "core/rng.h"

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

TEST_CASE("dataset: same spec gives identical points, a different seed differs", "[core][data]") {
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

TEST_CASE("dataset: CSV import parses points, header, comments and splits", "[core][data][csv]") {
  const std::string text =
      "x,y,label\n"
      "# a comment\n"
      "0.5, -1.0, 0\n"
      "\n"
      "1e-1,2,1\r\n"
      "-0.25,0.75,1\n"
      "1.5,1.5,0\n"
      "0,0,2";
  auto d = parse_csv_dataset(text, 0.0f);
  REQUIRE(d.ok());
  CHECK(d->x_train.cols() == 5);
  CHECK(d->x_test.cols() == 0);
  CHECK(d->num_classes == 3);
  // Split moves round(5*0.4) = 2 points to the test set.
  auto s = parse_csv_dataset(text, 0.4f);
  REQUIRE(s.ok());
  CHECK(s->x_train.cols() == 3);
  CHECK(s->x_test.cols() == 2);
  // All the points are there (order is shuffled): the sum of x is 0.5+0.1-0.25+1.5+0 = 1.85.
  CHECK(d->x_train.row(0).sum() == Approx(1.85f));
}

TEST_CASE("dataset: CSV errors name the line and column", "[core][data][csv]") {
  auto bad_number = parse_csv_dataset("0,0,0\n1,1,1\n2,abc,0\n3,3,1\n");
  REQUIRE_FALSE(bad_number.ok());
  CHECK(bad_number.error().message.find("line 3, column 2") != std::string::npos);
  CHECK(bad_number.error().message.find("abc") != std::string::npos);
  auto bad_fields = parse_csv_dataset("0,0,0\n1,1\n");
  REQUIRE_FALSE(bad_fields.ok());
  CHECK(bad_fields.error().message.find("line 2") != std::string::npos);
  auto bad_label = parse_csv_dataset("0,0,0\n1,1,1.5\n2,2,0\n3,3,1\n");
  REQUIRE_FALSE(bad_label.ok());
  CHECK(bad_label.error().message.find("line 2, column 3") != std::string::npos);
  auto nan = parse_csv_dataset("0,0,0\n1,nan,1\n2,2,0\n3,3,1\n");
  REQUIRE_FALSE(nan.ok());
  CHECK(nan.error().message.find("line 2, column 2") != std::string::npos);
  CHECK_FALSE(parse_csv_dataset("0,0,0\n1,1,0\n2,2,0\n3,3,0\n").ok());  // one class only
  CHECK_FALSE(parse_csv_dataset("0,0,0\n1,1,1\n").ok());                // too few points
  CHECK_FALSE(parse_csv_dataset("").ok());
}

TEST_CASE("dataset: user points add and remove", "[core][data]") {
  auto d = make_dataset(DatasetSpec{});
  REQUIRE(d.ok());
  const Index n = d->x_train.cols();
  REQUIRE(add_point(*d, 0.25f, -0.5f, 1).ok());
  CHECK(d->x_train.cols() == n + 1);
  CHECK(d->x_train(0, n) == 0.25f);
  CHECK(d->y_train.back() == 1);
  CHECK_FALSE(add_point(*d, 0.0f, 0.0f, 2).ok());   // label out of range
  CHECK_FALSE(add_point(*d, NAN, 0.0f, 0).ok());
  REQUIRE(remove_point_near(*d, 0.25f, -0.5f, 1e-6f).ok());  // the point just added
  CHECK(d->x_train.cols() == n);
  CHECK_FALSE(remove_point_near(*d, 50.0f, 50.0f, 0.1f).ok());
}

TEST_CASE("dataset: 1-D regression set follows its formula without noise", "[core][data]") {
  DatasetSpec spec;
  spec.noise = 0.0f;
  auto r = make_regression_dataset(spec);
  REQUIRE(r.ok());
  REQUIRE(r->x_train.rows() == 1);
  CHECK(r->x_train.cols() + r->x_test.cols() == spec.size);
  for (Index i = 0; i < r->x_train.cols(); ++i) {
    const double x = r->x_train(0, i);
    CHECK(r->y_train(0, i) == Approx(std::sin(2 * x) + 0.3 * x).margin(1e-5));
    CHECK(std::abs(x) <= 1.5);
  }
}

TEST_CASE("dataset: tiny images have 4 classes of 8x8 shapes", "[core][data]") {
  DatasetSpec spec;
  spec.noise = 0.0f;
  spec.size = 80;
  auto d = make_image_dataset(spec);
  REQUIRE(d.ok());
  CHECK(d->num_classes == kImageClasses);
  CHECK(d->x_train.rows() == kImageSide * kImageSide);
  for (Index i = 0; i < d->x_train.cols(); ++i) {
    const int label = d->y_train[static_cast<std::size_t>(i)];
    const float lit = d->x_train.col(i).sum();
    // bars and diagonals light 4 pixels, the 3x3 outline 8
    CHECK(lit == (label == 3 ? 8.0f : 4.0f));
  }
}

TEST_CASE("dataset: CSV parser survives random input", "[core][data][csv]") {
  // Random mixes of digits, separators and junk: every result is a dataset or an error
  // whose message names a line; valid results have consistent shapes.
  nl::Rng rng{70};
  const std::string alphabet = "0123456789.,-e\n\r# xA";
  int ok = 0;
  for (int t = 0; t < 2000; ++t) {
    std::string s;
    const int len = static_cast<int>(rng.below(80));
    for (int i = 0; i < len; ++i) s += alphabet[rng.below(static_cast<std::uint32_t>(alphabet.size()))];
    auto r = parse_csv_dataset(s);
    if (r.ok()) {
      ++ok;
      CHECK(r->x_train.cols() == static_cast<Index>(r->y_train.size()));
      CHECK(r->x_test.cols() == static_cast<Index>(r->y_test.size()));
    } else {
      CHECK_FALSE(r.error().message.empty());
    }
  }
  // And a structured generator that is valid by construction always parses.
  for (int t = 0; t < 200; ++t) {
    std::string s;
    for (int i = 0; i < 6; ++i)
      s += std::to_string(rng.normal()) + "," + std::to_string(rng.normal()) + "," + std::to_string(i % 2) + "\n";
    REQUIRE(parse_csv_dataset(s).ok());
  }
  (void)ok;
}
