// Study "regularization" (lesson 9): does the noise of BN's batch statistics regularize?
// 1. The noise, read from the real BatchNorm layer: the BN network at initialization runs
//    training-mode forward passes on kNoiseSamples random batches (drawn without replacement
//    from the 400 points of the data) per batch size, and the first BatchNorm layer's own
//    μ_B and σ²_B of unit 1 are recorded. Their spread across batches, relative to the unit's
//    std (for μ_B) and variance (for σ²_B) over all points. For i.i.d. batches the mean's
//    relative spread is about 1/√B.
// 2. The gap, in a setup built to overfit: 40 noisy two-moons training points (noise 0.35)
//    and 360 test points, a 2×128 ReLU network with and without BN (same seeds), the same
//    number of SGD steps at every batch size (not epochs: a small batch would otherwise get
//    more updates), then test loss − train loss (eval mode).
// Cost: 400 x 5 noise forwards, then 2 nets x 4 batch sizes x 1500 steps of 2-128-128-2.
#include "app/study_internal.h"

namespace nl::app::study_detail {
namespace {

constexpr int kNoiseBatches[] = {4, 8, 16, 32, 64};
constexpr int kNoiseBatchCount = static_cast<int>(std::size(kNoiseBatches));
constexpr int kNoiseSamples = 400;  // random batches per batch size
constexpr int kGapBatches[] = {4, 8, 16, 32};
constexpr int kGapBatchCount = static_cast<int>(std::size(kGapBatches));
constexpr int kSteps = 1500;     // per run, whatever the batch size
constexpr int kWidth = 128;      // 2 hidden layers: far more parameters than the 40 points need
constexpr int kPoints = 400;     // 40 train, 360 test
constexpr float kTestFraction = 0.9f;
constexpr float kNoise = 0.35f;

// Unit 1 of the first BatchNorm layer: its batch statistics over random batches, as
// relative spreads (std across batches / the unit's std, and / the unit's variance).
struct BatchNoise {
  float mean_spread = std::nanf("");
  float var_spread = std::nanf("");
};


class RegularizationJob : public ClonableJob<RegularizationJob> {
 public:
  explicit RegularizationJob(std::uint64_t seed)
      : seed_(seed), data_(make_data(DatasetKind::kTwoMoons, kPoints, kNoise, seed, kTestFraction)) {
    gap_.assign(2, std::vector<float>(kGapBatchCount, std::nanf("")));
    train_acc_ = gap_;
    test_acc_ = gap_;
    measure_noise();
  }
  int total_units() const override { return 2 * kGapBatchCount * kSteps; }
  void run_unit(int index) override {
    const int run = index / kSteps, net = run / kGapBatchCount, b = run % kGapBatchCount;
    if (index % kSteps == 0) {
      OptimizerSpec opt;
      opt.learning_rate = 0.05f;
      const NormKind norm = net == 0 ? NormKind::kBatchNorm : NormKind::kNone;
      current_ = std::move(*TrainRun::make(mlp(2, kWidth, Activation::kReLU, norm, InitScheme::kHe, seed_), opt, data_,
                                           kGapBatches[b], seed_ + 13));
    }
    current_.step();
    if (index % kSteps == kSteps - 1) {
      const EvalResult tr = current_.train_eval(), te = current_.test_eval();
      const auto n = static_cast<std::size_t>(net), k = static_cast<std::size_t>(b);
      gap_[n][k] = current_.diverged ? std::nanf("") : finite_or_nan(te.loss - tr.loss);
      train_acc_[n][k] = current_.diverged ? std::nanf("") : tr.accuracy;
      test_acc_[n][k] = current_.diverged ? std::nanf("") : te.accuracy;
    }
  }
  StudyResult result() const override;

 private:
  void measure_noise() {
    auto net = Network::from_spec(mlp(2, kWidth, Activation::kReLU, NormKind::kBatchNorm, InitScheme::kHe, seed_));
    if (!net.ok() || net->hidden().empty() || net->hidden()[0].norm < 0) return;
    const auto norm_index = static_cast<std::size_t>(net->hidden()[0].norm);
    Matrix pool(data_->x_train.rows(), data_->x_train.cols() + data_->x_test.cols());
    pool << data_->x_train, data_->x_test;
    // The unit's statistics over all points: BN's input is the first Linear's output.
    std::vector<Matrix> outs;
    net->infer(pool, &outs);
    const auto& in = outs[static_cast<std::size_t>(net->hidden()[0].linear)];
    const double mu = in.row(0).mean();
    const double var = (in.row(0).array() - static_cast<float>(mu)).square().mean();
    net->set_training(true);
    Rng rng(seed_, 5);
    std::vector<int> idx(static_cast<std::size_t>(pool.cols()));
    for (int b : kNoiseBatches) {
      double m1 = 0.0, m2 = 0.0, v1 = 0.0, v2 = 0.0;
      for (int t = 0; t < kNoiseSamples; ++t) {
        // b distinct points (a partial Fisher-Yates shuffle), as a shuffled epoch draws them.
        for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int>(i);
        for (int i = 0; i < b; ++i) {
          const auto j = static_cast<std::size_t>(i) + rng.below(static_cast<std::uint32_t>(idx.size() - static_cast<std::size_t>(i)));
          std::swap(idx[static_cast<std::size_t>(i)], idx[j]);
        }
        const std::vector<int> batch(idx.begin(), idx.begin() + b);
        if (!net->forward(gather_cols(pool, batch)).ok()) return;
        const auto* bn = std::get_if<BatchNorm>(&net->layers()[norm_index]);
        if (bn == nullptr) return;
        const double m = bn->mean(0), v = bn->var(0);  // the layer's own μ_B and biased σ²_B
        m1 += m, m2 += m * m, v1 += v, v2 += v * v;
      }
      const double n = kNoiseSamples;
      const double sd_m = std::sqrt(std::max(0.0, m2 / n - (m1 / n) * (m1 / n)));
      const double sd_v = std::sqrt(std::max(0.0, v2 / n - (v1 / n) * (v1 / n)));
      noise_.push_back({static_cast<float>(sd_m / std::sqrt(var)), static_cast<float>(sd_v / var)});
    }
  }

  std::uint64_t seed_;
  std::shared_ptr<const Dataset> data_;
  TrainRun current_;
  std::vector<std::vector<float>> gap_, train_acc_, test_acc_;  // [BN, plain][batch]
  std::vector<BatchNoise> noise_;                               // per noise batch size
};

float mean_of(const std::vector<float>& v) {
  double s = 0.0;
  for (float f : v) {
    if (!std::isfinite(f)) return std::nanf("");
    s += f;
  }
  return v.empty() ? std::nanf("") : static_cast<float>(s / static_cast<double>(v.size()));
}

StudyResult RegularizationJob::result() const {
  StudyResult out;
  std::vector<float> xn, ideal, mean_noise, var_noise;
  for (int i = 0; i < kNoiseBatchCount; ++i) {
    const int b = kNoiseBatches[i];
    xn.push_back(static_cast<float>(b));
    ideal.push_back(1.0f / std::sqrt(static_cast<float>(b)));
    const BatchNoise nz = static_cast<std::size_t>(i) < noise_.size() ? noise_[static_cast<std::size_t>(i)] : BatchNoise{};
    mean_noise.push_back(nz.mean_spread);
    var_noise.push_back(nz.var_spread);
  }
  StudyChart noise{"Noise of BN's batch statistics (std across batches, relative)", "batch size", "relative spread", true,
                   true, false, {}};
  noise.lines.push_back(StudyLine{"mean μ_B / unit std", xn, mean_noise, true, {}, {}, 0});
  noise.lines.push_back(StudyLine{"variance σ²_B / unit variance", xn, var_noise, true, {}, {}, 2});
  noise.lines.push_back(StudyLine{"1/√B", xn, ideal, false, {}, {}, 3});
  std::vector<float> xg;
  for (int b : kGapBatches) xg.push_back(static_cast<float>(b));
  StudyChart gap{"Gap after " + std::to_string(kSteps) + " steps (test loss − train loss), 40 training points",
                 "batch size", "gap", true, false, false, {}};
  const char* names[2] = {"BN", "no BN"};
  for (int i = 0; i < 2; ++i) gap.lines.push_back(StudyLine{names[i], xg, gap_[static_cast<std::size_t>(i)], false, {}, {}, i});
  out.charts = {noise, gap};
  const float noise_small = mean_noise.front(), noise_large = mean_noise.back();
  const float gap_bn = mean_of(gap_[0]), gap_plain = mean_of(gap_[1]);
  out.readouts = {
      {"noise_b4", "BN's batch mean: spread at B = 4 (unit stds)", noise_small},
      {"noise_b64", "BN's batch mean: spread at B = 64 (unit stds)", noise_large},
      {"var_noise_b4", "BN's batch variance: spread at B = 4 (unit variances)", var_noise.front()},
      {"var_noise_b64", "BN's batch variance: spread at B = 64 (unit variances)", var_noise.back()},
      {"bn_mean_gap", "BN: test − train loss, mean over batch sizes", gap_bn},
      {"plain_mean_gap", "no BN: test − train loss, mean over batch sizes", gap_plain},
      {"bn_train_accuracy", "BN: train accuracy, mean over batch sizes", mean_of(train_acc_[0])},
      {"plain_train_accuracy", "no BN: train accuracy, mean over batch sizes", mean_of(train_acc_[1])},
      {"bn_test_accuracy", "BN: test accuracy, mean over batch sizes", mean_of(test_acc_[0])},
      {"plain_test_accuracy", "no BN: test accuracy, mean over batch sizes", mean_of(test_acc_[1])},
  };
  // The robust claim: BN's batch statistics are noisy, and the noise falls like 1/sqrt(B).
  out.claim_holds = noise_small > 2.5f * noise_large;
  out.verdict = "BN's batch mean varies by " + num(noise_small) + " unit stds at B = 4 and " + num(noise_large) +
                " at B = 64; the gap averages " + num(gap_bn) + " with BN and " + num(gap_plain) + " without" +
                (gap_bn < gap_plain ? " (smaller with BN)." : " (not smaller with BN here).");
  return out;
}

}  // namespace

std::unique_ptr<StudyJob> make_regularization_job(std::uint64_t seed) { return std::make_unique<RegularizationJob>(seed); }

}  // namespace nl::app::study_detail
