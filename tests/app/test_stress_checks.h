// Finite-number checks over everything the playground's panels format: spec numbers, the
// latest metrics and the loss history, the decision grid, neuron maps, the Why panel's twin
// records and the BN inspector's numbers. Shared by the stress and soak tests and the fuzz
// targets. Returns the first offending number's name, "" when all are finite. Not a test.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "app/inspector.h"
#include "app/session.h"

namespace nl::app::testing {

class FiniteScan {
 public:
  void check(const char* what, double v) {
    if (first_.empty() && !std::isfinite(v)) first_ = std::string(what) + " = " + std::to_string(v);
  }
  void check(const char* what, const std::vector<float>& v) {
    for (float x : v) check(what, x);
  }
  template <typename M>
  void check_matrix(const char* what, const M& m) {
    for (Eigen::Index i = 0; i < m.size(); ++i) check(what, m.data()[i]);
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

inline void scan_metrics(FiniteScan& f, const StepMetrics& m) {
  f.check("batch_loss", m.batch_loss);
  f.check("train_loss", m.train_loss);
  f.check("test_loss", m.test_loss);
  f.check("train_accuracy", m.train_accuracy);
  f.check("test_accuracy", m.test_accuracy);
  for (const LayerMetrics& l : m.layers) {
    f.check("layer.preact_mean", l.preact_mean);
    f.check("layer.preact_std", l.preact_std);
    f.check("layer.preact_p15", l.preact_p15);
    f.check("layer.preact_p50", l.preact_p50);
    f.check("layer.preact_p85", l.preact_p85);
    f.check("layer.weight_norm", l.weight_norm);
    f.check("layer.grad_norm", l.grad_norm);
  }
}

// Everything but the inspector (whose model is recomputed on demand: see scan_inspector).
inline std::string first_non_finite(const Session& s) {
  FiniteScan f;
  f.check("spec.learning_rate", s.spec.optimizer.learning_rate);
  f.check("spec.eps", s.spec.net.norm.eps);
  f.check("spec.noise", s.spec.data.noise);
  if (!s.experiment) return "no experiment";
  scan_metrics(f, s.exp().metrics());
  for (const StepMetrics& m : s.exp().history()) scan_metrics(f, m);
  f.check("grid", s.grid.class1_probability);
  for (const Matrix& m : s.neuron_maps.layers) f.check_matrix("neuron_maps", m);
  f.check("twin.main_grid", s.twin.main_grid);
  f.check("twin.twin_grid", s.twin.twin_grid);
  for (const auto& v : s.twin.main_preact) f.check("twin.main_preact", v);
  for (const auto& v : s.twin.twin_preact) f.check("twin.twin_preact", v);
  for (const auto& v : s.twin.main_postact) f.check("twin.main_postact", v);
  for (const auto& v : s.twin.twin_postact) f.check("twin.twin_postact", v);
  f.check("twin.main_pct", s.twin.main_pct.values);
  f.check("twin.twin_pct", s.twin.twin_pct.values);
  if (s.twin.twin) {
    scan_metrics(f, s.twin.twin->metrics());
  }
  return f.first();
}

// The BN inspector's numbers (what the inspector and backprop panels format).
inline std::string first_non_finite_inspector(const Session& s) {
  const InspectorModel m = inspector_model(s);
  if (!m.ok) return "";
  FiniteScan f;
  for (const auto* v : {&m.x, &m.centred, &m.xhat, &m.y, &m.x_eval, &m.xhat_eval, &m.y_eval,
                        &m.xhat_r, &m.next_out, &m.dy, &m.dxhat, &m.dx, &m.dx_compact})
    f.check("inspector vector", *v);
  for (float v : {m.mean, m.var, m.inv_std, m.std_dev, m.eps, m.gamma, m.beta, m.momentum,
                  m.unbiased_var, m.running_mean_before, m.running_var_before, m.running_mean_after,
                  m.running_var_after, m.eval_mean, m.eval_var, m.r, m.d, m.sigma_running,
                  m.batch_loss, m.dbeta, m.dgamma, m.dvar, m.dmean, m.max_abs_dx_diff})
    f.check("inspector number", v);
  return f.first();
}

}  // namespace nl::app::testing
