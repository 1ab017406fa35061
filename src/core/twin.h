// TwinExperiment: the same experiment twice, with and without normalization, stepped in
// lockstep. Both twins share the dataset, the batch order (same shuffle seed) and the
// initial weights of every Linear layer (only Linear layers draw from the init Rng).
// Not here: anything else about training (experiment.h).
#pragma once

#include "core/experiment.h"

namespace nl {

struct TwinMetrics {
  StepMetrics normalized;  // the spec as given
  StepMetrics plain;       // the same spec with every hidden layer's norm set to kNone
  bool normalized_diverged = false;
  bool plain_diverged = false;
};

// Usage:
//   auto twin = TwinExperiment::create(spec);   // spec with BatchNorm somewhere
//   for (int i = 0; i < 100; ++i) { auto m = twin->step(); if (!m) break; }
//   twin->plain().metrics().test_loss vs twin->normalized().metrics().test_loss
class TwinExperiment {
 public:
  static Result<TwinExperiment> create(const ExperimentSpec& spec);
  static Result<TwinExperiment> create(const ExperimentSpec& spec, const Dataset& data);

  // One mini-batch for each twin that has not diverged. If a step is invalid for the
  // normalized twin (batch of one with BatchNorm), returns that error and neither changes.
  // A twin that diverges is restored (see Experiment::step) and stops; the other goes on.
  // Error only when neither twin can step any more.
  Result<TwinMetrics> step();

  const Experiment& normalized() const { return normalized_; }
  const Experiment& plain() const { return plain_; }
  Experiment& normalized() { return normalized_; }
  Experiment& plain() { return plain_; }

  // The spec of the plain twin: spec with every hidden layer's norm = kNone.
  static ExperimentSpec without_norm(const ExperimentSpec& spec);

 private:
  TwinExperiment(Experiment a, Experiment b) : normalized_(std::move(a)), plain_(std::move(b)) {}
  Experiment normalized_;
  Experiment plain_;
};

}  // namespace nl
