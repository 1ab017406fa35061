// Experiment: a dataset, a network and an optimizer trained one mini-batch at a time.
// The one entry point the app layer uses to train; it owns all numeric state.
// Not thread-safe; no I/O; deterministic for a given spec (same spec, same numbers).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/dataset.h"
#include "core/network.h"
#include "core/result.h"
#include "core/spec.h"
#include "core/types.h"

namespace nl {

// Per-layer numbers after a step (one entry per hidden layer, then one for the output layer).
// Pre-activation = the input of the layer's activation function (after the norm layer when
// the norm comes before the activation; the logits for the output layer), measured in eval
// mode on a fixed probe batch: the first min(256, N_train) training points.
struct LayerMetrics {
  std::string name;             // "hidden1", "hidden2", ..., "output"
  float preact_mean = 0.0f;     // over all units and probe samples
  float preact_std = 0.0f;      // population std
  float preact_p15 = 0.0f;      // percentiles (linear interpolation between order statistics)
  float preact_p50 = 0.0f;
  float preact_p85 = 0.0f;
  float weight_norm = 0.0f;     // Frobenius norm of the Linear weight (after the step)
  float grad_norm = 0.0f;       // L2 norm of all this layer's parameter gradients (Linear + norm)
};

// Metrics after one training step. Losses/accuracies over whole sets are computed in
// eval mode (running statistics), as model.eval() would in PyTorch.
struct StepMetrics {
  std::int64_t step = 0;        // mini-batches taken so far
  std::int64_t epoch = 0;       // completed passes over the training set
  float batch_loss = 0.0f;      // training-mode loss of the mini-batch just taken
  float train_loss = 0.0f;      // eval-mode loss over the training set
  float test_loss = 0.0f;       // eval-mode loss over the test set (0 if it is empty)
  float train_accuracy = 0.0f;  // in [0, 1]
  float test_accuracy = 0.0f;   // in [0, 1]
  std::vector<LayerMetrics> layers;  // per hidden layer, then the output layer
  // The step at which the eval metrics above (losses, accuracies, layers) were measured:
  // == step unless set_metrics_interval(n > 1) carried them over from an earlier step.
  std::int64_t metrics_step = 0;
};

class Experiment {
 public:
  // Validates the spec (widths, batch size, norm options...) and builds dataset,
  // network and optimizer. Errors carry a user-facing message and hint.
  static Result<Experiment> create(const ExperimentSpec& spec);
  // Same, with a given dataset instead of spec.data's generator (user points, CSV import).
  // spec.data is kept as it is (only its fields are not used to generate points).
  static Result<Experiment> create(const ExperimentSpec& spec, Dataset data);

  // One mini-batch: forward (training mode), backward, optimizer update.
  // On an invalid step (e.g. a batch of one with BatchNorm in training) returns an
  // error and changes nothing. If the step produces NaN/Inf in loss, weights or
  // gradients, the model is restored to its state before the step and diverged()
  // becomes true; further steps return an error until the experiment is rebuilt.
  Result<StepMetrics> step();

  const ExperimentSpec& spec() const;
  const Dataset& dataset() const;
  const Network& network() const;
  Network& network();
  const StepMetrics& metrics() const;                 // latest (zeros before the first step)
  // One entry per step up to kHistoryCapacity entries; then, to keep long sessions bounded in
  // memory, every other entry is dropped and only every 2nd (4th, 8th...) step is recorded:
  // entries stay evenly spaced (steps that are multiples of history_stride()).
  static constexpr std::size_t kHistoryCapacity = 4096;
  const std::vector<StepMetrics>& history() const;
  std::int64_t history_stride() const;                // 1 until the first thinning
  bool diverged() const;

  // Replaces the optimizer settings without rebuilding (weights, data, history kept):
  // the learning rate, momentum, weight decay or even SGD <-> Adam change mid-training.
  // The optimizer's state (momentum buffers, Adam moments, step count) is kept when the kind
  // stays the same, as editing torch.optim's param_groups does; it restarts on SGD <-> Adam.
  // Invalid settings return an error and change nothing. Added for the playground UI.
  //   if (auto st = exp.set_optimizer(o); !st.ok()) show(st.error());
  Status set_optimizer(const OptimizerSpec& optimizer);

  // Eval metrics (train/test loss and accuracy, layer metrics) cost several forward passes
  // over the data; with n > 1 they are measured every n-th step only and carried over in
  // between (batch_loss is always fresh; see StepMetrics::metrics_step). Default 1; n < 1 is 1.
  //   exp.set_metrics_interval(10);  // fast-forward: 10x fewer eval passes
  void set_metrics_interval(int n);

  // Training-set column indices of the mini-batch taken by the last successful step
  // (empty before the first step). Lets views highlight the batch; twins compare it.
  const std::vector<int>& last_batch() const;

  // Saving and restoring a run (app/state_json.h). optimizer() exposes the step count and
  // buffers; restore_progress() puts a freshly created experiment (no step taken yet) at
  // `latest`.step: it replays the epoch shuffles of that many steps (the batch order depends
  // only on the spec, the training-set size and the step count), sets the optimizer state
  // and makes `latest` the current metrics and the only history entry. The network's
  // parameters are the caller's to set (network()). Errors: steps already taken, a negative
  // step, or optimizer buffers that do not match the network's parameters.
  const Optimizer& optimizer() const;
  Status restore_progress(const StepMetrics& latest, std::int64_t optimizer_steps,
                          std::vector<Vector> first_moments, std::vector<Vector> second_moments);

  // Eval-mode class probabilities for arbitrary 2-D points.
  // points: (input_width, M); returns (output_width, M), columns sum to 1.
  // Gotcha (PyTorch semantics): with track_running_stats off, BatchNorm has no running
  // statistics and normalizes with the statistics of `points` itself, even in eval mode.
  Matrix predict_proba(const Matrix& points) const;

  Experiment(Experiment&&) noexcept;
  Experiment& operator=(Experiment&&) noexcept;
  Experiment(const Experiment&);
  Experiment& operator=(const Experiment&);
  ~Experiment();

 private:
  Experiment();
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace nl
