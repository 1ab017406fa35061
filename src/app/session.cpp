// Building a session and keeping its decision grid in step with the model.
#include "app/session.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "app/limits.h"
#include "app/settings_schema.h"

namespace nl::app {

const char* panel_name(Panel panel) {
  const auto i = static_cast<std::size_t>(panel);
  return i < EnumNames<Panel>::values.size() ? EnumNames<Panel>::values[i].data() : "data";
}

std::optional<Panel> parse_panel(const std::string& name) { return enum_from_name<Panel>(name); }

void set_notice(Session& s, std::string message, std::string hint) {
  s.notice = Notice{std::move(message), std::move(hint)};
}

ExperimentSpec default_spec() {
  ExperimentSpec spec;
  spec.data.kind = DatasetKind::kTwoMoons;
  spec.data.size = 300;
  spec.data.noise = 0.1f;
  spec.net.hidden = {HiddenLayerSpec{8, Activation::kReLU, NormKind::kBatchNorm,
                                     NormPlacement::kBeforeActivation},
                     HiddenLayerSpec{8, Activation::kReLU, NormKind::kBatchNorm,
                                     NormPlacement::kBeforeActivation}};
  spec.optimizer.kind = OptimizerKind::kSgd;
  spec.optimizer.learning_rate = 0.1f;
  spec.batch_size = 32;
  return spec;
}

void fit_grid_to_data(DecisionGrid& grid, const Dataset& data) {
  float lo_x = -1.0f, hi_x = 1.0f, lo_y = -1.0f, hi_y = 1.0f;
  bool any = false;
  for (const Matrix* points : {&data.x_train, &data.x_test}) {
    if (points->cols() == 0 || points->rows() < 2) continue;
    const float px0 = points->row(0).minCoeff(), px1 = points->row(0).maxCoeff();
    const float py0 = points->row(1).minCoeff(), py1 = points->row(1).maxCoeff();
    if (!any) {
      lo_x = px0; hi_x = px1; lo_y = py0; hi_y = py1;
      any = true;
    } else {
      lo_x = std::min(lo_x, px0); hi_x = std::max(hi_x, px1);
      lo_y = std::min(lo_y, py0); hi_y = std::max(hi_y, py1);
    }
  }
  const float cx = 0.5f * (lo_x + hi_x), cy = 0.5f * (lo_y + hi_y);
  const float half = 0.5f * std::max({hi_x - lo_x, hi_y - lo_y, 1e-3f}) * 1.1f;
  grid.x_min = cx - half; grid.x_max = cx + half;
  grid.y_min = cy - half; grid.y_max = cy + half;
}

Result<Session> make_session(const ExperimentSpec& spec) {
  // Every field in its range (settings_schema.h), whichever way the spec arrived.
  if (auto why = spec_refusal(spec)) return make_error(*why, "The settings reference in the README lists each range.");
  // Playground limits before anything is allocated (a huge spec would exhaust the browser's
  // memory); an out-of-range size is left to the core's own message.
  const int size = std::clamp(spec.data.size, 0, 100000);
  const float tf = std::isfinite(spec.data.test_fraction) ? std::clamp(spec.data.test_fraction, 0.0f, 1.0f) : 0.0f;
  const auto test_points = static_cast<std::size_t>(std::lround(static_cast<float>(size) * tf));
  if (Status st = check_playground_limits(spec, static_cast<std::size_t>(size) - std::min<std::size_t>(test_points, size), test_points);
      !st.ok())
    return st.error();
  Result<Experiment> built = Experiment::create(spec);
  if (!built.ok()) return built.error();
  Session session;
  session.spec = spec;
  session.experiment.emplace(std::move(built.value()));
  fit_grid_to_data(session.grid, session.exp().dataset());
  session.grid.model_version = 0;
  refresh_grid(session);
  return session;
}

void refresh_grid(Session& session) {
  DecisionGrid& grid = session.grid;
  if (grid.model_version == session.model_version && !grid.class1_probability.empty()) return;
  const int n = grid.resolution;
  Matrix points(2, static_cast<Index>(n) * n);  // (2, n*n): cell centres, row-major
  for (int row = 0; row < n; ++row) {
    const float y = grid.y_min + (static_cast<float>(row) + 0.5f) * (grid.y_max - grid.y_min) / static_cast<float>(n);
    for (int col = 0; col < n; ++col) {
      const float x = grid.x_min + (static_cast<float>(col) + 0.5f) * (grid.x_max - grid.x_min) / static_cast<float>(n);
      points(0, row * n + col) = x;
      points(1, row * n + col) = y;
    }
  }
  const Matrix probs = session.exp().predict_proba(points);  // (classes, n*n)
  grid.class1_probability.resize(static_cast<std::size_t>(n) * n);
  for (Index i = 0; i < points.cols(); ++i) {
    grid.class1_probability[static_cast<std::size_t>(i)] = probs.rows() > 1 ? probs(1, i) : probs(0, i);
  }
  grid.model_version = session.model_version;
}

}  // namespace nl::app
