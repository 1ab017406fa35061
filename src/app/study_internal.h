// Shared pieces of the studies (study_*.cpp): a network trained with batches the study
// chooses (TrainRun), helpers to build specs and results, and one factory per study.
// Not part of the app's API: include only from study*.cpp (and the lessons' claim tests, which
// run some studies' controls).
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "app/study.h"
#include "core/dataset.h"
#include "core/metrics.h"
#include "core/network.h"
#include "core/rng.h"

namespace nl::app::study_detail {

// A network, its optimizer and its data. Batches come from the study (i.i.d. by default).
// Divergence (NaN/Inf loss or parameters) stops the run: diverged = true, no more updates.
struct TrainRun {
  Network net;
  Optimizer opt{OptimizerSpec{}};
  std::shared_ptr<const Dataset> data;  // shared, immutable: copies of a job share it
  Rng rng{1};
  std::vector<int> order;
  std::size_t cursor = 0;
  int batch_size = 32;
  bool diverged = false;
  float last_loss = 0.0f;
  // Noisy BN (lesson 4): after every BatchNorm, y -> scale*y + shift with per-unit scale and
  // shift drawn afresh each step (scale ~ U[1-noise, 1+noise]*..., see study_ics.cpp).
  float bn_noise = 0.0f;
  Rng noise_rng{99};

  // Builds net + optimizer; data shared. Fails on an invalid spec.
  static Result<TrainRun> make(const NetworkSpec& net, const OptimizerSpec& opt,
                               std::shared_ptr<const Dataset> data, int batch_size, std::uint64_t shuffle_seed);
  // Next i.i.d. batch (fresh shuffle each epoch, drop_last).
  std::vector<int> next_batch();
  // One training step on the given batch (or the next i.i.d. one). Returns false once diverged.
  bool step(const std::vector<int>& batch);
  bool step() { return step(next_batch()); }
  EvalResult train_eval() const { return evaluate(net, data->x_train, data->y_train); }
  EvalResult test_eval() const { return evaluate(net, data->x_test, data->y_test); }
};

Matrix gather_cols(const Matrix& x, const std::vector<int>& idx);
std::vector<int> gather_labels(const std::vector<int>& y, const std::vector<int>& idx);
bool params_finite(Network& net);

// An MLP spec: `depth` hidden layers of `width` with one activation and norm everywhere.
NetworkSpec mlp(int depth, int width, Activation act, NormKind norm, InitScheme init, std::uint64_t seed);
// test_fraction: the share held out for testing (DatasetSpec's default unless a study needs another).
std::shared_ptr<const Dataset> make_data(DatasetKind kind, int size, float noise, std::uint64_t seed,
                                         float test_fraction = DatasetSpec{}.test_fraction);

// "0.123" style number for verdicts ("—" if not finite).
std::string num(double v);
// A finite value or NaN (readouts of a diverged run).
inline float finite_or_nan(float v) { return std::isfinite(v) ? v : std::nanf(""); }

// Jobs whose units are plain lambdas over their own state would be nicer; each study is a
// class instead so clone() is a copy.
std::unique_ptr<StudyJob> make_covariate_shift_job(std::uint64_t seed);
std::unique_ptr<StudyJob> make_landscape_job(std::uint64_t seed);
std::unique_ptr<StudyJob> make_gradient_flow_job(std::uint64_t seed);
std::unique_ptr<StudyJob> make_learning_rates_job(std::uint64_t seed);
std::unique_ptr<StudyJob> make_regularization_job(std::uint64_t seed);
std::unique_ptr<StudyJob> make_small_batches_job(std::uint64_t seed);
// norm: the lesson's BatchNorm, or a control (kNone: the same network without normalization).
std::unique_ptr<StudyJob> make_non_iid_job(std::uint64_t seed, NormKind norm = NormKind::kBatchNorm);
// Which statistics the BatchNorm after the convolution keeps: the lesson's one per channel
// (BatchNorm2d), or the control's one per position (BatchNorm1d on the flattened image).
enum class ConvStatsNorm { kPerChannel, kPerPosition };
std::unique_ptr<StudyJob> make_conv_stats_job(std::uint64_t seed, ConvStatsNorm norm = ConvStatsNorm::kPerChannel);

// CRTP helper: clone() as a copy.
template <class Derived>
class ClonableJob : public StudyJob {
 public:
  std::unique_ptr<StudyJob> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};

}  // namespace nl::app::study_detail
