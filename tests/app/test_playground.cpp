// The playground's actions (playground_actions.h): data editing, network builder limits,
// epoch steps, stop conditions, single-weight edits, optimizer changes without a restart,
// view options. Each refused request leaves the session unchanged and sets a Notice.
#include <cmath>
#include <limits>

#include "app/builder.h"
#include "app/schedule.h"
#include "app/state_json.h"
#include "app_fixtures.h"

using namespace nl;
using namespace nl::app;
using nl::app::testing::fresh_session;
using nl::app::testing::step_of;

namespace {

Index n_train(const Session& s) { return s.exp().dataset().x_train.cols(); }
Index n_test(const Session& s) { return s.exp().dataset().x_test.cols(); }

}  // namespace

TEST_CASE("playground: adding a point grows the training set and keeps the test set", "[app][playground]") {
  Session s = fresh_session();
  apply(s, act::Step{5});
  const Index train = n_train(s), test = n_test(s);
  apply(s, act::AddPoint{0.25f, -0.75f, 1});
  REQUIRE_FALSE(s.notice.has_value());
  REQUIRE(n_train(s) == train + 1);
  CHECK(n_test(s) == test);
  const Dataset& d = s.exp().dataset();
  bool found = false;
  for (Index i = 0; i < d.x_train.cols(); ++i) {
    if (d.x_train(0, i) == 0.25f && d.x_train(1, i) == -0.75f && d.y_train[static_cast<std::size_t>(i)] == 1) found = true;
  }
  CHECK(found);
  CHECK(step_of(s) == 0);  // the data changed: training restarts
  // A network change keeps the edited points; a data-spec change drops them.
  apply(s, act::SetLayerWidth{0, 4});
  CHECK(n_train(s) == train + 1);
  apply(s, act::SetNoise{0.2f});
  CHECK(n_train(s) == train);
  CHECK_FALSE(s.user_data.has_value());
}

TEST_CASE("playground: imported points get a plot that shows them, and edits keep its window", "[app][playground]") {
  Session s = fresh_session();
  // Far from the generated two moons (about -1..2 by -0.6..1.1).
  std::string csv = "x,y,label\n";
  for (int i = 0; i < 40; ++i) {
    const float t = static_cast<float>(i) / 39.0f;
    csv += std::to_string(10.0f + 4.0f * t) + "," + std::to_string(20.0f + 2.0f * t) + "," + std::to_string(i % 2) + "\n";
  }
  apply(s, act::ImportPoints{csv});
  REQUIRE(s.notice.has_value());
  REQUIRE(s.notice->message == "Imported 40 points.");
  const DecisionGrid& g = s.grid;
  // A square around the points' box (10..14 by 20..22), 1.1 times its larger side, centred.
  CHECK(g.x_min == Approx(12.0f - 2.2f).margin(1e-4));
  CHECK(g.x_max == Approx(12.0f + 2.2f).margin(1e-4));
  CHECK(g.y_min == Approx(21.0f - 2.2f).margin(1e-4));
  CHECK(g.y_max == Approx(21.0f + 2.2f).margin(1e-4));
  REQUIRE(g.class1_probability.size() == static_cast<std::size_t>(g.resolution * g.resolution));
  // A point added in the margin (outside the points' box) leaves the window where it was.
  const DecisionGrid before = s.grid;
  apply(s, act::AddPoint{14.1f, 22.1f, 1});
  REQUIRE(n_train(s) + n_test(s) == 41);
  CHECK(s.grid.x_min == before.x_min);
  CHECK(s.grid.x_max == before.x_max);
  CHECK(s.grid.y_min == before.y_min);
  CHECK(s.grid.y_max == before.y_max);
  // The state file with these points opens on the same window.
  Session reopened = fresh_session();
  REQUIRE(import_state_json(reopened, state_to_json_text(s, true, -1)).ok());
  CHECK(reopened.grid.x_min == Approx(s.grid.x_min).margin(0.05));  // fitted to the 41 points now
  CHECK(reopened.grid.x_max >= 14.1f);
  CHECK(reopened.grid.y_max >= 22.1f);
}

TEST_CASE("playground: removing the nearest point, refused when none is near", "[app][playground]") {
  Session s = fresh_session();
  const Dataset& d0 = s.exp().dataset();
  const float x = d0.x_train(0, 3), y = d0.x_train(1, 3);
  const Index train = n_train(s), test = n_test(s);
  apply(s, act::RemovePoint{x + 0.001f, y, 0.05f});
  REQUIRE_FALSE(s.notice.has_value());
  CHECK(n_train(s) == train - 1);
  CHECK(n_test(s) == test);
  apply(s, act::RemovePoint{50.0f, 50.0f, 0.05f});
  CHECK(s.notice.has_value());
  CHECK(n_train(s) == train - 1);
  apply(s, act::AddPoint{std::numeric_limits<float>::quiet_NaN(), 0.0f, 0});
  CHECK(n_train(s) == train - 1);
  apply(s, act::AddPoint{0.0f, 0.0f, 7});  // no class 7
  CHECK(n_train(s) == train - 1);
}

TEST_CASE("playground: regenerate takes the next seed, deterministically", "[app][playground]") {
  Session a = fresh_session();
  Session b = fresh_session();
  const Matrix before = a.exp().dataset().x_train;
  apply(a, act::Regenerate{});
  apply(b, act::Regenerate{});
  CHECK(a.spec.data.seed == default_spec().data.seed + 1);
  REQUIRE(a.exp().dataset().x_train.cols() == before.cols());
  CHECK_FALSE(a.exp().dataset().x_train.isApprox(before));
  CHECK(a.exp().dataset().x_train == b.exp().dataset().x_train);
  apply(a, act::SetDataSeed{default_spec().data.seed});
  CHECK(a.exp().dataset().x_train == before);
}

TEST_CASE("playground: dataset size and test share, with limits", "[app][playground]") {
  Session s = fresh_session();
  apply(s, act::SetDataSize{100});
  CHECK(n_train(s) + n_test(s) == 100);
  apply(s, act::SetTestFraction{0.5f});
  CHECK(n_test(s) == 50);
  for (int bad : {7, 100001}) {  // the schema's range of data.size: [8, 100000]
    apply(s, act::SetDataSize{bad});
    CHECK(s.notice.has_value());
    CHECK(s.spec.data.size == 100);
    s.notice.reset();
  }
  apply(s, act::SetTestFraction{0.95f});
  CHECK(s.notice.has_value());
  CHECK(s.spec.data.test_fraction == 0.5f);
  for (int kind = 0; kind < 6; ++kind) {
    apply(s, act::SetDataset{static_cast<DatasetKind>(kind)});
    CHECK(s.spec.data.kind == static_cast<DatasetKind>(kind));
  }
}

TEST_CASE("playground: hidden layers 0 and 8 are built, 9 and -1 are refused", "[app][playground]") {
  Session s = fresh_session();
  apply(s, act::SetHiddenLayers{0});
  REQUIRE_FALSE(s.notice.has_value());
  CHECK(s.exp().network().hidden().empty());
  apply(s, act::Step{3});
  CHECK(step_of(s) == 3);
  apply(s, act::SetHiddenLayers{8});
  REQUIRE_FALSE(s.notice.has_value());
  CHECK(s.exp().network().hidden().size() == 8);
  for (int bad : {9, -1}) {
    const auto version = s.model_version;
    apply(s, act::SetHiddenLayers{bad});
    CHECK(s.notice.has_value());
    CHECK(s.spec.net.hidden.size() == 8);
    CHECK(s.model_version == version);
    s.notice.reset();
  }
}

TEST_CASE("playground: width 1 and 128 are built, 0 and 129 are refused", "[app][playground]") {
  Session s = fresh_session();
  apply(s, act::SetLayerWidth{0, 1});
  REQUIRE_FALSE(s.notice.has_value());
  CHECK(std::get<Linear>(s.exp().network().layers()[0]).weight.rows() == 1);
  apply(s, act::SetLayerWidth{1, 128});
  REQUIRE_FALSE(s.notice.has_value());
  CHECK(s.spec.net.hidden[1].width == 128);
  for (int bad : {0, 129}) {
    apply(s, act::SetLayerWidth{0, bad});
    CHECK(s.notice.has_value());
    CHECK(s.spec.net.hidden[0].width == 1);
    s.notice.reset();
  }
  apply(s, act::SetLayerWidth{5, 8});  // no layer 6
  CHECK(s.notice.has_value());
}

TEST_CASE("playground: activation, norm, placement, init and norm options per layer", "[app][playground]") {
  Session s = fresh_session();
  apply(s, act::SetLayerActivation{1, Activation::kTanh});
  apply(s, act::SetLayerNorm{0, NormKind::kLayerNorm});
  apply(s, act::SetLayerNorm{1, NormKind::kBatchRenorm});
  apply(s, act::SetLayerPlacement{1, NormPlacement::kAfterActivation});
  apply(s, act::SetInit{InitScheme::kXavier});
  REQUIRE_FALSE(s.notice.has_value());
  CHECK(s.spec.net.hidden[0].activation == Activation::kReLU);
  CHECK(s.spec.net.hidden[1].activation == Activation::kTanh);
  CHECK(s.spec.net.hidden[0].norm == NormKind::kLayerNorm);
  CHECK(s.spec.net.hidden[1].norm == NormKind::kBatchRenorm);
  CHECK(s.spec.net.hidden[1].placement == NormPlacement::kAfterActivation);
  CHECK(s.exp().spec().net.init == InitScheme::kXavier);
  const HiddenLayerInfo& h1 = s.exp().network().hidden()[1];
  CHECK(h1.norm > h1.activation);  // norm after the activation
  NormOptions o;
  o.momentum = std::nullopt;  // cumulative average
  o.eps = 1e-3f;
  o.affine = false;
  apply(s, act::SetNormOptions{o});
  REQUIRE_FALSE(s.notice.has_value());
  CHECK_FALSE(s.exp().spec().net.norm.momentum.has_value());
  o.eps = -1.0f;
  apply(s, act::SetNormOptions{o});
  CHECK(s.notice.has_value());
  CHECK(s.spec.net.norm.eps == 1e-3f);
}

TEST_CASE("playground: optimizer changes keep training going (no restart)", "[app][playground]") {
  Session s = fresh_session();
  apply(s, act::Step{10});
  OptimizerSpec o = s.spec.optimizer;
  o.learning_rate = 0.02f;
  o.weight_decay = 1e-4f;
  apply(s, act::SetOptimizer{o});
  REQUIRE_FALSE(s.notice.has_value());
  CHECK(step_of(s) == 10);
  CHECK(s.exp().spec().optimizer.learning_rate == 0.02f);
  o.kind = OptimizerKind::kAdam;
  apply(s, act::SetOptimizer{o});
  apply(s, act::Step{1});
  CHECK(step_of(s) == 11);
  CHECK(s.spec.optimizer.kind == OptimizerKind::kAdam);
  o.learning_rate = -1.0f;
  apply(s, act::SetOptimizer{o});
  CHECK(s.notice.has_value());
  CHECK(s.spec.optimizer.learning_rate == 0.02f);
  apply(s, act::Reset{});  // reset rebuilds with the changed optimizer
  CHECK(s.exp().spec().optimizer.kind == OptimizerKind::kAdam);
}

TEST_CASE("playground: one epoch is floor(train / batch) steps (the core drops the remainder)", "[app][playground]") {
  Session s = fresh_session();
  const Index per_epoch = n_train(s) / s.spec.batch_size;  // 225 / 32 = 7
  apply(s, act::StepEpoch{});
  CHECK(step_of(s) == per_epoch);
  CHECK(s.exp().metrics().epoch == 1);
  apply(s, act::Step{2});
  apply(s, act::StepEpoch{});  // finishes the current pass
  CHECK(step_of(s) == 2 * per_epoch);
  CHECK(s.exp().metrics().epoch == 2);
  apply(s, act::SetBatchSize{1});  // BN cannot train on one sample: the epoch stops at once
  apply(s, act::StepEpoch{});
  CHECK(step_of(s) == 0);
  CHECK(s.notice.has_value());
}

TEST_CASE("playground: stop conditions pause training with a notice", "[app][playground]") {
  Session s = fresh_session();
  StopCondition stop;
  stop.on_steps = true;
  stop.max_steps = 25;
  apply(s, act::SetStopCondition{stop});
  apply(s, act::SetSpeed{10});
  apply(s, act::Play{});
  for (int i = 0; i < 20 && s.playing; ++i) tick(s, FrameBudget{10.0});
  CHECK_FALSE(s.playing);
  CHECK(step_of(s) == 25);
  REQUIRE(s.notice.has_value());

  Session t = fresh_session();
  stop = StopCondition{};
  stop.on_loss = true;
  stop.target_train_loss = 0.5f;
  apply(t, act::SetStopCondition{stop});
  apply(t, act::Play{});
  for (int i = 0; i < 500 && t.playing; ++i) tick(t, FrameBudget{10.0});
  CHECK_FALSE(t.playing);
  CHECK(t.exp().metrics().train_loss <= 0.5f);
  CHECK(t.exp().history()[t.exp().history().size() - 2].train_loss > 0.5f);  // stopped at the first
  stop.max_steps = 0;
  stop.on_steps = true;
  apply(t, act::SetStopCondition{stop});
  CHECK(t.stop.max_steps == 1000);  // refused
  apply(t, act::Reset{});
  CHECK(t.stop.on_loss);  // kept across rebuilds
}

TEST_CASE("playground: set one weight changes the model and its version", "[app][playground]") {
  Session s = fresh_session();
  const auto version = s.model_version;
  const std::vector<float> grid_before = s.grid.class1_probability;
  apply(s, act::SetWeight{0, 2, 1, 3.5f});
  REQUIRE_FALSE(s.notice.has_value());
  CHECK(std::get<Linear>(s.exp().network().layers()[0]).weight(2, 1) == 3.5f);
  CHECK(s.model_version == version + 1);
  refresh_grid(s);
  CHECK(s.grid.class1_probability != grid_before);
  apply(s, act::SetWeight{2, 1, 7, -0.5f});  // output layer (index = hidden count)
  REQUIRE_FALSE(s.notice.has_value());
  const int out = linear_index(s.exp().network(), 2);
  CHECK(std::get<Linear>(s.exp().network().layers()[static_cast<std::size_t>(out)]).weight(1, 7) == -0.5f);
  for (const act::SetWeight& bad : {act::SetWeight{3, 0, 0, 1.0f}, act::SetWeight{0, 8, 0, 1.0f},
                                    act::SetWeight{0, 0, 2, 1.0f}, act::SetWeight{0, 0, 0, 1000.0f}}) {
    const auto v = s.model_version;
    s.notice.reset();
    apply(s, bad);
    CHECK(s.notice.has_value());
    CHECK(s.model_version == v);
  }
}

TEST_CASE("playground: view options, selection and theme are view state", "[app][playground]") {
  Session s = fresh_session();
  CHECK(s.view.theme == Theme::kDark);
  apply(s, act::SetTheme{Theme::kLight});
  apply(s, act::SetShowTestPoints{false});
  apply(s, act::SetDiscretize{true});
  apply(s, act::SetPointClass{1});
  apply(s, act::SelectNeuron{1, 7});
  apply(s, act::SelectWeight{2, 0, 3});
  REQUIRE_FALSE(s.notice.has_value());
  apply(s, act::SetNoise{0.2f});  // rebuilds: the view stays
  CHECK(s.view.theme == Theme::kLight);
  CHECK_FALSE(s.view.show_test_points);
  CHECK(s.view.discretize_heatmap);
  CHECK(s.view.new_point_class == 1);
  CHECK(s.view.selected_layer == 1);
  CHECK(s.view.selected_unit == 7);
  CHECK(s.view.weight_layer == 2);
  apply(s, act::SelectNeuron{1, 8});
  CHECK(s.notice.has_value());
  CHECK(s.view.selected_unit == 7);
  apply(s, act::SetPointClass{2});
  CHECK(s.view.new_point_class == 1);
}

TEST_CASE("playground: neuron maps cover every hidden neuron and refresh when the model changes", "[app][playground]") {
  Session s = fresh_session();
  refresh_neuron_maps(s, 6);
  REQUIRE(s.neuron_maps.layers.size() == 2);
  CHECK(s.neuron_maps.layers[0].rows() == 8);
  CHECK(s.neuron_maps.layers[0].cols() == 16 * 16);
  CHECK(s.neuron_maps.model_version == s.model_version);
  apply(s, act::Step{1});
  refresh_neuron_maps(s, 6);  // throttled: one frame since the refresh
  CHECK(s.neuron_maps.model_version != s.model_version);
  for (int i = 0; i < 5; ++i) refresh_neuron_maps(s, 6);
  CHECK(s.neuron_maps.model_version == s.model_version);
  CHECK(s.neuron_maps.layers[1].allFinite());
}

TEST_CASE("playground: large networks refresh the decision grid a few rows per frame", "[app][playground]") {
  Session s = fresh_session();
  apply(s, act::SetHiddenLayers{8});
  for (int i = 0; i < 8; ++i) apply(s, act::SetLayerWidth{i, 128});
  REQUIRE_FALSE(s.notice.has_value());
  REQUIRE(macs_per_point(s.exp().network()) * 64.0 * 64.0 > 4.0e6);  // too much for one frame
  apply(s, act::SetWeight{0, 0, 0, 1.5f});  // the model changes: the grid is stale
  tick(s);                                  // paused: only the grid's slice
  CHECK(s.grid.model_version != s.model_version);
  CHECK(s.grid.pending_row > 0);
  CHECK(s.grid.pending_row < s.grid.resolution);
  int frames = 1;
  while (s.grid.model_version != s.model_version && frames < 200) {
    tick(s);
    ++frames;
  }
  CHECK(s.grid.model_version == s.model_version);
  CHECK(frames > 1);
  Session whole = s;  // the same model, refreshed at once
  whole.grid.class1_probability.clear();
  refresh_grid(whole);
  REQUIRE(whole.grid.class1_probability.size() == s.grid.class1_probability.size());
  float max_diff = 0.0f;
  for (std::size_t i = 0; i < whole.grid.class1_probability.size(); ++i) {
    max_diff = std::max(max_diff, std::abs(whole.grid.class1_probability[i] - s.grid.class1_probability[i]));
  }
  INFO("max diff " << max_diff);
  CHECK(max_diff < 1e-4f);
  // The neuron maps go coarser for such a network.
  refresh_neuron_maps(s, 6);
  CHECK(s.neuron_maps.resolution == 8);
  CHECK(s.neuron_maps.layers[0].cols() == 64);
}
