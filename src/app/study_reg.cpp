// Study "regularization" (lesson 9): the noise of batch statistics (spread of one unit's
// batch mean across random batches, vs batch size) and the train/test gap with and without
// BatchNorm across batch sizes, on a small noisy two-moons set that a 2x64 network can overfit.
// Cost: 2 x 5 runs of 40 epochs over 150 training points (about 5600 steps in all).
#include "app/study_internal.h"

namespace nl::app::study_detail {
namespace {

constexpr int kBatches[] = {4, 8, 16, 32, 64};
constexpr int kBatchCount = static_cast<int>(std::size(kBatches));
constexpr int kEpochs = 40;
constexpr int kNoiseSamples = 200;  // random batches per batch size for the noise measurement

class RegularizationJob : public ClonableJob<RegularizationJob> {
 public:
  explicit RegularizationJob(std::uint64_t seed) : seed_(seed) {
    data_ = make_data(DatasetKind::kTwoMoons, 200, 0.3f, seed);
    const int n = static_cast<int>(data_->x_train.cols());
    int total = 0;
    for (int net = 0; net < 2; ++net)
      for (int b : kBatches) {
        run_start_.push_back(total);
        total += kEpochs * (n / b);
      }
    run_start_.push_back(total);
    gap_.assign(2, std::vector<float>(kBatchCount, std::nanf("")));
    train_acc_ = gap_;
    test_acc_ = gap_;
    measure_noise();
  }
  int total_units() const override { return run_start_.back(); }
  void run_unit(int index) override {
    std::size_t run = 0;
    while (index >= run_start_[run + 1]) ++run;
    const int net = static_cast<int>(run) / kBatchCount, b = static_cast<int>(run) % kBatchCount;
    if (index == run_start_[run]) {
      OptimizerSpec opt;
      opt.learning_rate = 0.05f;
      const NormKind norm = net == 0 ? NormKind::kBatchNorm : NormKind::kNone;
      current_ = std::move(*TrainRun::make(mlp(2, 64, Activation::kReLU, norm, InitScheme::kHe, seed_), opt, data_,
                                           kBatches[b], seed_ + 13));
    }
    current_.step();
    if (index + 1 == run_start_[run + 1]) {
      const EvalResult tr = current_.train_eval(), te = current_.test_eval();
      const auto n = static_cast<std::size_t>(net), k = static_cast<std::size_t>(b);
      gap_[n][k] = current_.diverged ? std::nanf("") : finite_or_nan(te.loss - tr.loss);
      train_acc_[n][k] = tr.accuracy;
      test_acc_[n][k] = te.accuracy;
    }
  }
  StudyResult result() const override;

 private:
  // Spread (std) of unit 1's batch mean at the first Linear's output over random batches,
  // relative to the unit's std over the whole training set: about 1/sqrt(B).
  void measure_noise() {
    auto net = Network::from_spec(mlp(2, 64, Activation::kReLU, NormKind::kBatchNorm, InitScheme::kHe, seed_));
    std::vector<Matrix> outs;
    net->infer(data_->x_train, &outs);
    const Matrix& pre = outs[0];  // first Linear's output (BN's input), (64, N)
    const Index n = pre.cols();
    const double mu = pre.row(0).mean();
    const double sd = std::sqrt((pre.row(0).array() - static_cast<float>(mu)).square().mean());
    Rng rng(seed_, 5);
    for (int b : kBatches) {
      double s = 0.0, s2 = 0.0;
      for (int t = 0; t < kNoiseSamples; ++t) {
        double m = 0.0;
        for (int k = 0; k < b; ++k) m += pre(0, rng.below(static_cast<std::uint32_t>(n)));
        m /= b;
        s += m;
        s2 += m * m;
      }
      const double mean = s / kNoiseSamples;
      const double var = std::max(0.0, s2 / kNoiseSamples - mean * mean);
      noise_.push_back(static_cast<float>(std::sqrt(var) / sd));
    }
  }

  std::uint64_t seed_;
  std::shared_ptr<const Dataset> data_;
  std::vector<int> run_start_;  // first unit of each run, then the total
  TrainRun current_;
  std::vector<std::vector<float>> gap_, train_acc_, test_acc_;  // [BN, plain][batch]
  std::vector<float> noise_;                                     // per batch size
};

StudyResult RegularizationJob::result() const {
  StudyResult out;
  std::vector<float> x;
  for (int b : kBatches) x.push_back(static_cast<float>(b));
  std::vector<float> ideal;
  for (int b : kBatches) ideal.push_back(1.0f / std::sqrt(static_cast<float>(b)));
  StudyChart noise{"Noise of the batch mean (std across batches / unit std)", "batch size", "relative spread", true,
                   true, false, {}};
  noise.lines.push_back(StudyLine{"measured", x, noise_, true, {}, {}, 0});
  noise.lines.push_back(StudyLine{"1/sqrt(B)", x, ideal, false, {}, {}, 3});
  StudyChart gap{"Generalization gap after 40 epochs (test loss - train loss)", "batch size", "gap", true, false, false, {}};
  const char* names[2] = {"BN", "no BN"};
  for (int i = 0; i < 2; ++i) gap.lines.push_back(StudyLine{names[i], x, gap_[static_cast<std::size_t>(i)], false, {}, {}, i});
  out.charts = {noise, gap};
  auto mean = [](const std::vector<float>& v) {
    double s = 0.0;
    int n = 0;
    for (float f : v)
      if (std::isfinite(f)) s += f, ++n;
    return n ? static_cast<float>(s / n) : std::nanf("");
  };
  const float noise_small = noise_.front(), noise_large = noise_.back();
  const float gap_bn = mean(gap_[0]), gap_plain = mean(gap_[1]);
  out.readouts = {
      {"noise_b4", "batch-mean noise at B = 4", noise_small},
      {"noise_b64", "batch-mean noise at B = 64", noise_large},
      {"bn_mean_gap", "BN: mean gap over batch sizes", gap_bn},
      {"plain_mean_gap", "no BN: mean gap over batch sizes", gap_plain},
      {"bn_test_accuracy_b4", "BN: test accuracy at B = 4", test_acc_[0].front()},
      {"plain_test_accuracy_b4", "no BN: test accuracy at B = 4", test_acc_[1].front()},
  };
  // The robust claim: batch statistics are noisy, and the noise falls like 1/sqrt(B).
  out.claim_holds = noise_small > 2.5f * noise_large;
  out.verdict = "Batch statistics are noisy: the batch mean varies by " + num(noise_small) + " unit-stds at B = 4 and " +
                num(noise_large) + " at B = 64; the train/test gap averages " + num(gap_bn) + " with BN and " +
                num(gap_plain) + " without" + (gap_bn < gap_plain ? " (smaller with BN)." : " (not smaller with BN here).");
  return out;
}

}  // namespace

std::unique_ptr<StudyJob> make_regularization_job(std::uint64_t seed) { return std::make_unique<RegularizationJob>(seed); }

}  // namespace nl::app::study_detail
