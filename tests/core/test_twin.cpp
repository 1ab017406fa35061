// Twin training: identical init of shared weights, identical batches, lockstep steps.
#include <catch2/catch.hpp>

#include "core/twin.h"
#include "test_util.h"

using namespace nl;

TEST_CASE("twin: shared Linear weights start identical and batches match in lockstep", "[core][twin]") {
  ExperimentSpec spec;
  spec.data.kind = DatasetKind::kCircles;
  auto twin = TwinExperiment::create(spec);
  REQUIRE(twin.ok());
  const Network& a = twin->normalized().network();
  const Network& b = twin->plain().network();
  std::vector<const Linear*> la, lb;
  for (const auto& l : a.layers()) if (const auto* p = std::get_if<Linear>(&l)) la.push_back(p);
  for (const auto& l : b.layers()) if (const auto* p = std::get_if<Linear>(&l)) lb.push_back(p);
  REQUIRE(la.size() == lb.size());
  REQUIRE(la.size() == 3);
  for (std::size_t i = 0; i < la.size(); ++i) {
    CHECK(la[i]->weight == lb[i]->weight);
    CHECK(la[i]->bias == lb[i]->bias);
  }
  CHECK(a.layers().size() == b.layers().size() + 2);  // two BatchNorm layers only in one twin
  CHECK(twin->normalized().dataset().x_train == twin->plain().dataset().x_train);
  for (int i = 0; i < 25; ++i) {
    auto m = twin->step();
    REQUIRE(m.ok());
    CHECK(m->normalized.step == i + 1);
    CHECK(m->plain.step == i + 1);
    CHECK(twin->normalized().last_batch() == twin->plain().last_batch());
    CHECK(m->normalized.epoch == m->plain.epoch);
  }
  // They really differ: normalization changes the trajectory.
  CHECK(twin->normalized().metrics().train_loss != twin->plain().metrics().train_loss);
}

TEST_CASE("twin: an invalid batch for the normalized twin changes neither", "[core][twin]") {
  ExperimentSpec spec;
  spec.batch_size = 1;
  auto twin = TwinExperiment::create(spec);
  REQUIRE(twin.ok());
  CHECK_FALSE(twin->step().ok());
  CHECK(twin->normalized().history().empty());
  CHECK(twin->plain().history().empty());
}
