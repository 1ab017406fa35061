// The BN inspector's and backprop stepper's part of the Session (what is selected, which
// stage shows, the last numeric gradient check) and the actions that change it.
// Not here: any numbers derived from the network (app/inspector.h computes them on demand).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/enum_names.h"

namespace nl::app {

// The inspector walks one feature of one BatchNorm layer through these stages, in order.
enum class InspectorStage {
  kRaw,         // x: the feature's values over the mini-batch
  kMean,        // μ_B = (1/m) Σ x_i
  kCentred,     // x_i − μ_B
  kVariance,    // σ²_B = (1/m) Σ (x_i − μ_B)²  (biased)
  kNormalized,  // x̂_i = (x_i − μ_B) / √(σ²_B + ε)
  kAffine,      // y_i = γ x̂_i + β
  kRunning,     // running_mean/var update with momentum (PyTorch and Keras conventions)
  kEval,        // eval path: running statistics, m/(m−1), batch vs running boundaries
};
inline constexpr int kInspectorStageCount = 8;
}  // namespace nl::app
template <> struct nl::EnumNames<nl::app::InspectorStage> {
  static constexpr std::array<std::string_view, nl::app::kInspectorStageCount> values = {
      "raw", "mean", "centred", "variance", "normalized", "affine", "running", "eval"};
};
namespace nl::app {

// The backprop stepper lights up one gradient after another, backward through BN's graph.
enum class BackpropStep { kForward, kDy, kDbeta, kDgamma, kDxhat, kDvar, kDmean, kDx, kCompact };
inline constexpr int kBackpropStepCount = 9;
}  // namespace nl::app
template <> struct nl::EnumNames<nl::app::BackpropStep> {
  static constexpr std::array<std::string_view, nl::app::kBackpropStepCount> values = {
      "forward", "dy", "dbeta", "dgamma", "dxhat", "dvar", "dmean", "dx", "compact"};
};
namespace nl::app {

// One entry of a finite-difference check: analytic vs central-difference gradient (double).
struct GradCheckEntry {
  std::string name;         // e.g. "x[3]" (sample 3 of the feature), "γ", "β"
  double analytic = 0.0;    // backward of a NetworkT<double> copy
  double numeric = 0.0;     // (L(v+h) − L(v−h)) / 2h
  double rel_error = 0.0;   // |analytic − numeric| / max(|analytic|, |numeric|, 1e-6)
};

struct GradCheck {
  std::uint64_t model_version = 0;  // the Session::model_version it was computed for
  int layer = -1, feature = -1;     // hidden layer and feature checked
  double step = 0.0;                // h
  std::vector<GradCheckEntry> entries;
  double max_rel_error = 0.0;
};

struct InspectorState {
  int layer = -1;          // hidden layer (index into spec.net.hidden) with BatchNorm; -1: the first one
  int feature = 0;         // feature (unit) of that layer
  int sample = 0;          // column of the mini-batch followed through every stage
  InspectorStage stage = InspectorStage::kRaw;
  bool eval_view = false;  // show the eval path (running statistics) instead of the batch path
  BackpropStep backprop_step = BackpropStep::kForward;
  std::optional<GradCheck> grad_check;  // last "check numerically" result
};

namespace act {
// Inspector and backprop stepper (carried out by app/inspector.cpp). Invalid selections
// (layer without BatchNorm, feature or sample out of range) set a Notice and change nothing.
struct InspectLayer { int layer = 0; };        // hidden layer index; keeps feature if it still fits
struct InspectFeature { int feature = 0; };
struct InspectSample { int sample = 0; };      // 0..batch size - 1
struct InspectorNextStage {};
struct InspectorPrevStage {};
struct SetInspectorStage { InspectorStage stage = InspectorStage::kRaw; };
struct SetInspectorEval { bool on = false; };
// Sets γ and β of one feature of a BatchNorm layer in the real network (model_version bumps).
// Both must be finite with |value| <= 100.
struct SetBnAffine { int layer = 0; int feature = 0; float gamma = 1.0f; float beta = 0.0f; };
struct BackpropNext {};
struct BackpropPrev {};
struct SetBackpropStep { BackpropStep step = BackpropStep::kForward; };
struct CheckGradients {};                      // finite differences on the selected entries
}  // namespace act

}  // namespace nl::app
