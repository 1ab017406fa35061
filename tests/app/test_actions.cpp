// Every action: what it changes, and that a refused action changes nothing.
#include <cmath>
#include <limits>

#include "app_fixtures.h"

using namespace nl;
using namespace nl::app;
using nl::app::testing::fresh_session;
using nl::app::testing::step_of;

TEST_CASE("actions: play, pause and toggle", "[app][actions]") {
  Session s = fresh_session();
  apply(s, act::Play{});
  CHECK(s.playing);
  apply(s, act::Pause{});
  CHECK_FALSE(s.playing);
  apply(s, act::TogglePlay{});
  CHECK(s.playing);
  apply(s, act::TogglePlay{});
  CHECK_FALSE(s.playing);
}

TEST_CASE("actions: step takes exactly the asked number of mini-batches", "[app][actions]") {
  Session s = fresh_session();
  const auto version = s.model_version;
  apply(s, act::Step{1});
  CHECK(step_of(s) == 1);
  apply(s, act::Step{9});
  CHECK(step_of(s) == 10);
  CHECK(s.model_version == version + 10);
  CHECK(s.exp().history().size() == 10);
}

TEST_CASE("actions: out-of-range step counts are refused", "[app][actions]") {
  Session s = fresh_session();
  for (int bad : {0, -3, 10001}) {
    apply(s, act::Step{bad});
    CHECK(step_of(s) == 0);
    REQUIRE(s.notice.has_value());
    apply(s, act::DismissNotice{});
    CHECK_FALSE(s.notice.has_value());
  }
}

TEST_CASE("actions: training lowers the loss on two moons", "[app][actions]") {
  Session s = fresh_session();
  apply(s, act::Step{1});
  const float first = s.exp().metrics().train_loss;
  apply(s, act::Step{300});
  const float later = s.exp().metrics().train_loss;
  INFO("train loss after 1 step " << first << ", after 301 steps " << later);
  CHECK(std::isfinite(later));
  CHECK(later < first * 0.7f);
  CHECK(s.exp().metrics().train_accuracy > 0.8f);
}

TEST_CASE("actions: reset restarts from the same initialization", "[app][actions]") {
  Session a = fresh_session();
  const std::vector<float> initial_grid = a.grid.class1_probability;
  apply(a, act::Play{});
  apply(a, act::Step{20});
  apply(a, act::Reset{});
  CHECK(step_of(a) == 0);
  CHECK_FALSE(a.playing);
  CHECK(a.exp().history().empty());
  CHECK(a.grid.class1_probability == initial_grid);
}

TEST_CASE("actions: settings changes rebuild; invalid values are refused and change nothing", "[app][actions]") {
  Session s = fresh_session();
  apply(s, act::Step{3});

  SECTION("learning rate") {
    for (float bad : {0.0f, -1.0f, 10.5f, std::numeric_limits<float>::quiet_NaN(),
                      std::numeric_limits<float>::infinity()}) {
      apply(s, act::SetLearningRate{bad});
      CHECK(s.spec.optimizer.learning_rate == Approx(0.1f));
      CHECK(step_of(s) == 3);
      CHECK(s.notice.has_value());
    }
    apply(s, act::SetLearningRate{0.5f});
    CHECK(s.spec.optimizer.learning_rate == Approx(0.5f));
    CHECK(s.exp().spec().optimizer.learning_rate == Approx(0.5f));
    CHECK(step_of(s) == 3);  // an optimizer setting does not restart training
    apply(s, act::Step{1});
    CHECK(step_of(s) == 4);
  }
  SECTION("noise") {
    apply(s, act::SetNoise{0.9f});
    CHECK(s.spec.data.noise == Approx(0.1f));
    CHECK(s.notice.has_value());
    apply(s, act::SetNoise{0.3f});
    CHECK(s.spec.data.noise == Approx(0.3f));
  }
  SECTION("batch size") {
    const int train = static_cast<int>(s.exp().dataset().x_train.cols());
    apply(s, act::SetBatchSize{train + 1});
    CHECK(s.spec.batch_size == 32);
    apply(s, act::SetBatchSize{0});
    CHECK(s.spec.batch_size == 32);
    apply(s, act::SetBatchSize{train});
    CHECK(s.spec.batch_size == train);
  }
  SECTION("dataset") {
    const Matrix old = s.exp().dataset().x_train;
    apply(s, act::SetDataset{DatasetKind::kCircles});
    CHECK(s.spec.data.kind == DatasetKind::kCircles);
    CHECK_FALSE(s.exp().dataset().x_train.isApprox(old));
  }
  SECTION("normalization") {
    apply(s, act::SetNormalization{NormKind::kNone});
    for (const HiddenLayerSpec& h : s.spec.net.hidden) CHECK(h.norm == NormKind::kNone);
    apply(s, act::Step{50});
    CHECK(std::isfinite(s.exp().metrics().train_loss));
  }
  SECTION("a whole invalid spec") {
    ExperimentSpec bad = s.spec;
    bad.net.hidden[1].width = -4;
    apply(s, act::SetSpec{bad});
    CHECK(s.spec.net.hidden[1].width == 8);
    CHECK(step_of(s) == 3);
    CHECK(s.notice.has_value());
  }
  SECTION("speed") {
    apply(s, act::SetSpeed{7});
    CHECK(s.steps_per_frame == 7);
    apply(s, act::SetSpeed{0});
    CHECK(s.steps_per_frame == 7);
    CHECK(s.notice.has_value());
  }
}

TEST_CASE("actions: batch of one with BatchNorm explains the error and keeps the state", "[app][actions]") {
  Session s = fresh_session();
  apply(s, act::SetBatchSize{1});
  REQUIRE(s.spec.batch_size == 1);
  apply(s, act::Play{});
  apply(s, act::Step{1});
  CHECK(step_of(s) == 0);
  CHECK_FALSE(s.playing);
  REQUIRE(s.notice.has_value());
  CHECK(s.notice->message.find("batch") != std::string::npos);
}

TEST_CASE("actions: the same actions give bit-identical results", "[app][actions]") {
  Session a = fresh_session();
  Session b = fresh_session();
  for (Session* s : {&a, &b}) {
    apply(*s, act::Step{40});
    apply(*s, act::SetLearningRate{0.05f});
    apply(*s, act::Step{40});
  }
  CHECK(a.exp().metrics().train_loss == b.exp().metrics().train_loss);
  CHECK(a.grid.class1_probability == b.grid.class1_probability);
}

TEST_CASE("actions: panel choice and help overlay are view state, kept across rebuilds", "[app][actions]") {
  Session s = fresh_session();
  apply(s, act::ShowPanel{Panel::kInspector});
  CHECK(s.view.panel == Panel::kInspector);
  apply(s, act::ToggleHelp{});
  CHECK(s.view.show_help);
  apply(s, act::SetNoise{0.2f});  // rebuilds the experiment
  CHECK(s.view.panel == Panel::kInspector);
  CHECK(s.view.show_help);
  apply(s, act::ShowPanel{static_cast<Panel>(99)});
  CHECK(s.view.panel == Panel::kInspector);
  CHECK(s.notice.has_value());
}
