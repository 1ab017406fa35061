// Live numbers a lesson step can show in the lesson strip ("readout" in a lesson file):
// fold (lesson 13: the network with BatchNorm folded into the Linear layers before it),
// train_vs_eval (lesson 3: test accuracy with running statistics vs batch statistics).
// lesson 8's "scale" readout is the ScaleRecord that act::ScaleLayerWeights stores.
// Pure functions of the session (no caching); cheap for the playground's sizes.
// Not here: drawing them (ui/lesson_view.cpp).
#pragma once

#include <cstdint>
#include <string>

#include "app/session.h"

namespace nl::app {

// Per-sample inference cost: Linear in→out = 2·in·out operations (multiply and add, bias
// included), an eval-mode BatchNorm = 2 per feature (its scale γ/√(σ²+ε) and shift
// precomputed), another norm ≈ 7 per feature, an activation = 1 per feature. Stored numbers:
// Linear weights and biases, and γ, β, running mean and variance per BatchNorm feature.
struct FoldReport {
  bool ok = false;
  std::string why;                  // when !ok: why nothing could be folded
  int layers_before = 0, layers_after = 0;
  int batchnorms_folded = 0;
  std::int64_t ops_before = 0, ops_after = 0;        // per sample
  std::int64_t numbers_before = 0, numbers_after = 0;  // stored for inference
  float max_abs_diff = 0.0f;        // max |logit_folded − logit| over every train and test point
  float max_abs_logit = 0.0f;
  int points = 0;
  int predictions_changed = 0;      // points whose predicted class differs
};
FoldReport fold_report(const Session& s);

// Test accuracy of the current network three ways: eval mode (running statistics, as
// model.eval()); training mode on the whole test set as one batch (the "forgot
// model.eval()" bug, statistics of the test batch); training mode on batches of 8 test
// points of one class each (batch statistics that erase the class signal). Training-mode
// passes run on a copy, so the session's running statistics do not move.
struct TrainVsEvalReport {
  bool ok = false;
  std::string why;
  float eval_accuracy = 0.0f;
  float train_mode_accuracy = 0.0f;
  float one_class_batches_accuracy = 0.0f;
  int test_points = 0;
};
TrainVsEvalReport train_vs_eval_report(const Session& s);

}  // namespace nl::app
