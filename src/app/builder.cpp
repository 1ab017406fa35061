// The playground's own actions: data editing, the network builder, epoch steps, stop
// conditions, single-weight edits and view options. Settings changes go through
// act::SetSpec (actions.cpp's rebuild), so every rebuild keeps view state the same way.
#include "app/builder.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "app/actions.h"
#include "app/limits.h"
#include "app/settings_schema.h"

namespace nl::app {

namespace {

bool finite_in(float v, float lo, float hi) { return std::isfinite(v) && v >= lo && v <= hi; }

int hidden_count(const Session& s) { return static_cast<int>(s.spec.net.hidden.size()); }

bool valid_layer(Session& s, int layer) {
  if (layer >= 0 && layer < hidden_count(s)) return true;
  set_notice(s, "There is no hidden layer " + std::to_string(layer + 1) + ".");
  return false;
}

// Rebuilds with `spec`; returns whether it succeeded (rebuild bumps model_version).
bool rebuild_with(Session& s, const ExperimentSpec& spec) {
  const std::uint64_t before = s.model_version;
  apply(s, act::SetSpec{spec});
  return s.model_version != before;
}

// Rebuilds with one hidden layer's spec changed by `edit` (the layer must exist).
template <class Edit>
void edit_layer(Session& s, int layer, Edit edit) {
  if (!valid_layer(s, layer)) return;
  ExperimentSpec spec = s.spec;
  edit(spec.net.hidden[static_cast<std::size_t>(layer)]);
  rebuild_with(s, spec);
}

// Trains on `data` from now on (training restarts); on failure nothing changes.
void use_data(Session& s, Dataset data) {
  std::optional<Dataset> previous = std::move(s.user_data);
  s.user_data = std::move(data);
  if (!rebuild_with(s, s.spec)) s.user_data = std::move(previous);
}

const Dataset& current_data(const Session& s) { return s.user_data ? *s.user_data : s.exp().dataset(); }

}  // namespace

bool same_data_spec(const DatasetSpec& a, const DatasetSpec& b) {
  return a.kind == b.kind && a.size == b.size && a.noise == b.noise && a.test_fraction == b.test_fraction &&
         a.seed == b.seed;
}

Result<Session> make_session_with_data(const ExperimentSpec& spec, const Dataset& data) {
  Result<Session> session = make_session(spec);
  if (!session.ok()) return session.error();
  if (Status st = check_playground_limits(spec, static_cast<std::size_t>(data.x_train.cols()),
                                          static_cast<std::size_t>(data.x_test.cols()));
      !st.ok())
    return st.error();
  Result<Experiment> built = Experiment::create(spec, data);
  if (!built.ok()) return built.error();
  Session& s = session.value();
  s.experiment.emplace(std::move(built.value()));
  fit_grid_to_data(s.grid, s.exp().dataset());  // the learner's points, not the generator's
  s.grid.class1_probability.clear();
  refresh_grid(s);
  return session;
}

// --- data ---

void apply_playground(Session& s, const act::AddPoint& a) {
  if (!std::isfinite(a.x) || !std::isfinite(a.y) || std::abs(a.x) > 100.0f || std::abs(a.y) > 100.0f) {
    set_notice(s, "A point needs finite coordinates within \xC2\xB1" "100.");
    return;
  }
  Dataset data = current_data(s);
  if (Status st = add_point(data, a.x, a.y, a.label); !st.ok()) {
    set_notice(s, st.error().message, st.error().hint);
    return;
  }
  use_data(s, std::move(data));
}

void apply_playground(Session& s, const act::RemovePoint& a) {
  Dataset data = current_data(s);
  if (!(std::isfinite(a.radius) && a.radius > 0.0f)) {
    set_notice(s, "The removal radius must be a positive number.");
    return;
  }
  if (Status st = remove_point_near(data, a.x, a.y, a.radius); !st.ok()) {
    set_notice(s, "No training point near there to remove.", "Shift-click or right-click on a point.");
    return;
  }
  if (data.x_train.cols() < 2) {
    set_notice(s, "The training set needs at least 2 points.");
    return;
  }
  use_data(s, std::move(data));
}

void apply_playground(Session& s, const act::SetDataSize& a) {
  if (auto why = refusal(field::kDataSize, a.size)) {
    set_notice(s, *why + ".");
    return;
  }
  ExperimentSpec spec = s.spec;
  spec.data.size = a.size;
  rebuild_with(s, spec);
}

void apply_playground(Session& s, const act::SetTestFraction& a) {
  if (auto why = refusal(field::kTestFraction, a.test_fraction)) {
    set_notice(s, *why + ".");
    return;
  }
  ExperimentSpec spec = s.spec;
  spec.data.test_fraction = a.test_fraction;
  rebuild_with(s, spec);
}

void apply_playground(Session& s, const act::SetDataSeed& a) {
  ExperimentSpec spec = s.spec;
  spec.data.seed = a.seed;
  rebuild_with(s, spec);
}

void apply_playground(Session& s, const act::Regenerate&) {
  ExperimentSpec spec = s.spec;
  spec.data.seed = s.spec.data.seed + 1;  // deterministic: the next seed
  rebuild_with(s, spec);
}

// --- network builder ---

void apply_playground(Session& s, const act::SetHiddenLayers& a) {
  if (auto why = refusal(field::kHidden, a.count, "the number of hidden layers")) {
    set_notice(s, *why + ".");
    return;
  }
  ExperimentSpec spec = s.spec;
  const HiddenLayerSpec model = spec.net.hidden.empty() ? HiddenLayerSpec{} : spec.net.hidden.back();
  spec.net.hidden.resize(static_cast<std::size_t>(a.count), model);
  rebuild_with(s, spec);
}

void apply_playground(Session& s, const act::SetLayerWidth& a) {
  if (!valid_layer(s, a.layer)) return;
  if (auto why = refusal(field::kLayerWidth, a.width, "net.hidden[" + std::to_string(a.layer) + "].width")) {
    set_notice(s, *why + ".");
    return;
  }
  edit_layer(s, a.layer, [&](HiddenLayerSpec& h) { h.width = a.width; });
}

void apply_playground(Session& s, const act::SetLayerActivation& a) {
  edit_layer(s, a.layer, [&](HiddenLayerSpec& h) { h.activation = a.activation; });
}

void apply_playground(Session& s, const act::SetLayerNorm& a) {
  edit_layer(s, a.layer, [&](HiddenLayerSpec& h) { h.norm = a.norm; });
}

void apply_playground(Session& s, const act::SetLayerPlacement& a) {
  edit_layer(s, a.layer, [&](HiddenLayerSpec& h) { h.placement = a.placement; });
}

void apply_playground(Session& s, const act::SetInit& a) {
  ExperimentSpec spec = s.spec;
  spec.net.init = a.init;
  rebuild_with(s, spec);
}

void apply_playground(Session& s, const act::SetNormOptions& a) {
  ExperimentSpec spec = s.spec;
  spec.net.norm = a.options;
  if (auto why = spec_refusal(spec)) {
    set_notice(s, *why + ".", "PyTorch uses eps 1e-5 and momentum 0.1.");
    return;
  }
  rebuild_with(s, spec);
}

void apply_playground(Session& s, const act::SetOptimizer& a) {
  ExperimentSpec spec = s.spec;
  spec.optimizer = a.optimizer;
  if (auto why = spec_refusal(spec)) {
    set_notice(s, *why + ".");
    return;
  }
  if (Status st = s.exp().set_optimizer(a.optimizer); !st.ok()) {
    set_notice(s, st.error().message, st.error().hint);
    return;
  }
  s.spec.optimizer = a.optimizer;  // no rebuild: training goes on with the new settings
}

// --- training ---

void apply_playground(Session& s, const act::StepEpoch&) {
  const std::int64_t epoch = s.exp().metrics().epoch;
  const Index n_train = s.exp().dataset().x_train.cols();
  const Index batch = std::max<Index>(1, std::min<Index>(s.spec.batch_size, n_train));
  const Index limit = n_train / batch + 1;  // a pass is floor(N/B) steps (drop_last)
  for (Index i = 0; i < limit; ++i) {
    const std::int64_t before = s.exp().metrics().step;
    apply(s, act::Step{1});
    if (s.exp().metrics().step == before) return;  // the step failed: its Notice says why
    if (s.exp().metrics().epoch > epoch) return;
  }
}

void apply_playground(Session& s, const act::SetStopCondition& a) {
  if (auto why = refusal(field::kStopLossTarget, a.stop.target_train_loss)) {
    set_notice(s, *why + ".");
    return;
  }
  if (auto why = refusal(field::kStopMaxSteps, a.stop.max_steps)) {
    set_notice(s, *why + ".");
    return;
  }
  s.stop = a.stop;
}

bool check_stop(Session& s) {
  if (s.exp().history().empty()) return false;
  const StepMetrics& m = s.exp().metrics();
  if (s.stop.on_steps && m.step >= s.stop.max_steps) {
    s.playing = false;
    set_notice(s, "Stopped: reached " + std::to_string(m.step) + " steps (the stop condition).",
               "Raise the step limit or turn it off to train further.");
    return true;
  }
  if (s.stop.on_loss && m.train_loss <= s.stop.target_train_loss) {
    s.playing = false;
    set_notice(s, "Stopped: the training loss reached the target (the stop condition).",
               "Lower the target or turn it off to train further.");
    return true;
  }
  return false;
}

int linear_index(const Network& net, int layer) {
  const int hidden = static_cast<int>(net.hidden().size());
  if (layer >= 0 && layer < hidden) return net.hidden()[static_cast<std::size_t>(layer)].linear;
  if (layer != hidden) return -1;
  for (int i = static_cast<int>(net.layers().size()) - 1; i >= 0; --i) {
    if (std::holds_alternative<Linear>(net.layers()[static_cast<std::size_t>(i)])) return i;
  }
  return -1;
}

void apply_playground(Session& s, const act::SetWeight& a) {
  const int index = linear_index(s.exp().network(), a.layer);
  if (index < 0) {
    set_notice(s, "There is no such layer of weights.");
    return;
  }
  Linear& linear = std::get<Linear>(s.exp().network().layers()[static_cast<std::size_t>(index)]);
  if (a.row < 0 || a.row >= linear.weight.rows() || a.col < 0 || a.col >= linear.weight.cols()) {
    set_notice(s, "There is no such weight in that layer.");
    return;
  }
  if (!finite_in(a.value, -100.0f, 100.0f)) {
    set_notice(s, "A weight must be a number from -100 to 100.");
    return;
  }
  linear.weight(a.row, a.col) = a.value;
  ++s.model_version;
}

// --- view ---

void apply_playground(Session& s, const act::SetTheme& a) { s.view.theme = a.theme; }
void apply_playground(Session& s, const act::SetShowTestPoints& a) { s.view.show_test_points = a.show; }
void apply_playground(Session& s, const act::SetDiscretize& a) { s.view.discretize_heatmap = a.on; }

void apply_playground(Session& s, const act::SetPointClass& a) {
  if (a.label < 0 || a.label >= s.exp().dataset().num_classes) {
    set_notice(s, "There is no class " + std::to_string(a.label) + ".");
    return;
  }
  s.view.new_point_class = a.label;
}

void apply_playground(Session& s, const act::SelectNeuron& a) {
  if (a.layer == -1 && a.unit == -1) {
    s.view.selected_layer = s.view.selected_unit = -1;
    return;
  }
  if (!valid_layer(s, a.layer)) return;
  if (a.unit < 0 || a.unit >= s.spec.net.hidden[static_cast<std::size_t>(a.layer)].width) {
    set_notice(s, "Hidden layer " + std::to_string(a.layer + 1) + " has no neuron " + std::to_string(a.unit + 1) + ".");
    return;
  }
  s.view.selected_layer = a.layer;
  s.view.selected_unit = a.unit;
}

void apply_playground(Session& s, const act::SelectWeight& a) {
  if (a.layer == -1) {
    s.view.weight_layer = s.view.weight_row = s.view.weight_col = -1;
    return;
  }
  const int index = linear_index(s.exp().network(), a.layer);
  if (index < 0) {
    set_notice(s, "There is no such layer of weights.");
    return;
  }
  const Linear& linear = std::get<Linear>(s.exp().network().layers()[static_cast<std::size_t>(index)]);
  if (a.row < 0 || a.row >= linear.weight.rows() || a.col < 0 || a.col >= linear.weight.cols()) {
    set_notice(s, "There is no such weight in that layer.");
    return;
  }
  s.view.weight_layer = a.layer;
  s.view.weight_row = a.row;
  s.view.weight_col = a.col;
}

// --- progressive refresh ---

double macs_per_point(const Network& net) {
  double macs = 0.0;
  for (const Layer& layer : net.layers()) {
    if (const auto* linear = std::get_if<Linear>(&layer)) macs += static_cast<double>(linear->weight.size());
  }
  return std::max(macs, 1.0);
}

void refresh_grid_progressive(Session& s, double max_macs) {
  DecisionGrid& g = s.grid;
  const bool current = g.model_version == s.model_version && !g.class1_probability.empty();
  if (current && g.pending_row == 0) return;
  const int n = g.resolution;
  const double per_row = macs_per_point(s.exp().network()) * static_cast<double>(n);
  if (per_row * static_cast<double>(n) <= max_macs || g.class1_probability.empty()) {
    refresh_grid(s);  // cheap enough (or nothing to show yet): all at once
    g.pending_row = 0;
    return;
  }
  if (g.pending_row == 0) {  // start a new pass for the model as it is now
    g.pending.assign(static_cast<std::size_t>(n) * n, 0.5f);
    g.pending_version = s.model_version;
  }
  const int rows = std::clamp(static_cast<int>(max_macs / per_row), 1, n - g.pending_row);
  Matrix points(2, static_cast<Index>(rows) * n);  // (2, rows*n): cell centres of these rows
  for (int r = 0; r < rows; ++r) {
    const float y = g.y_min + (static_cast<float>(g.pending_row + r) + 0.5f) * (g.y_max - g.y_min) / static_cast<float>(n);
    for (int col = 0; col < n; ++col) {
      points(0, r * n + col) = g.x_min + (static_cast<float>(col) + 0.5f) * (g.x_max - g.x_min) / static_cast<float>(n);
      points(1, r * n + col) = y;
    }
  }
  const Matrix probs = s.exp().predict_proba(points);  // (classes, rows*n)
  const std::size_t offset = static_cast<std::size_t>(g.pending_row) * n;
  for (Index i = 0; i < points.cols(); ++i) {
    g.pending[offset + static_cast<std::size_t>(i)] = probs.rows() > 1 ? probs(1, i) : probs(0, i);
  }
  g.pending_row += rows;
  if (g.pending_row >= n) {
    g.class1_probability.swap(g.pending);
    g.model_version = g.pending_version;
    g.pending_row = 0;
  }
}

// --- neuron maps ---

void refresh_neuron_maps(Session& s, int min_frames) {
  NeuronMaps& maps = s.neuron_maps;
  ++maps.frames_since_refresh;
  if (maps.model_version == s.model_version) return;
  if (maps.model_version != 0 && maps.frames_since_refresh < min_frames) return;
  const DecisionGrid& g = s.grid;
  // Coarser maps for large networks, so one refresh stays within a few million multiply-adds.
  maps.resolution = macs_per_point(s.exp().network()) * 256.0 <= 8.0e6 ? 16 : 8;
  const int n = maps.resolution;
  Matrix points(2, static_cast<Index>(n) * n);  // (2, n*n) cell centres, row 0 at y_min
  for (int row = 0; row < n; ++row) {
    for (int col = 0; col < n; ++col) {
      points(0, row * n + col) = g.x_min + (static_cast<float>(col) + 0.5f) * (g.x_max - g.x_min) / static_cast<float>(n);
      points(1, row * n + col) = g.y_min + (static_cast<float>(row) + 0.5f) * (g.y_max - g.y_min) / static_cast<float>(n);
    }
  }
  const Network& net = s.exp().network();
  std::vector<Matrix> outputs;
  net.infer(points, &outputs);
  maps.layers.clear();
  for (const HiddenLayerInfo& info : net.hidden()) {
    const int last = std::max({info.linear, info.activation, info.norm});  // the hidden layer's output
    maps.layers.push_back(outputs[static_cast<std::size_t>(last)]);
  }
  maps.model_version = s.model_version;
  maps.frames_since_refresh = 0;
}

}  // namespace nl::app
