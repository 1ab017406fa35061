// Study "covariate_shift" (lesson 4): Ioffe & Szegedy Fig. 1(b,c) on a toy — 3 hidden layers
// of 100 sigmoid units with and without BatchNorm, the 15/50/85th percentiles of one unit's
// input to the sigmoid over training — and a variant of Santurkar et al.'s "noisy BN": random
// per-step, per-unit scale and shift injected after every BN layer, which still trains. The
// percentiles are recorded in eval mode (where the noise is off), so the noisy run is not drawn.
// Cost: 3 networks x 600 steps of batch 32 (2-100-100-100-2), percentiles every 10 steps.
#include "app/study_internal.h"

namespace nl::app::study_detail {
namespace {

constexpr int kSteps = 600;
constexpr int kEvery = 10;   // record interval (steps)
constexpr int kLayer = 2;    // third hidden layer, unit 0 (as in the paper's figure)
constexpr float kNoise = 1.0f;

struct Record {
  std::vector<float> step, p15, p50, p85, loss;
};

class CovariateShiftJob : public ClonableJob<CovariateShiftJob> {
 public:
  explicit CovariateShiftJob(std::uint64_t seed) {
    data_ = make_data(DatasetKind::kTwoMoons, 400, 0.15f, seed);
    OptimizerSpec opt;
    opt.learning_rate = 0.1f;
    const NormKind norms[3] = {NormKind::kNone, NormKind::kBatchNorm, NormKind::kBatchNorm};
    for (int i = 0; i < 3; ++i) {
      auto r = TrainRun::make(mlp(3, 100, Activation::kSigmoid, norms[i], InitScheme::kXavier, seed), opt, data_, 32,
                              seed + 11);
      runs_.push_back(std::move(*r));
    }
    runs_[2].bn_noise = kNoise;
    probe_ = data_->x_train.leftCols(std::min<Index>(256, data_->x_train.cols()));
    records_.resize(3);
    for (int i = 0; i < 3; ++i) record(i, 0);
  }
  int total_units() const override { return kSteps; }
  void run_unit(int index) override {
    for (int i = 0; i < 3; ++i) {
      runs_[static_cast<std::size_t>(i)].step();
      if ((index + 1) % kEvery == 0) record(i, index + 1);
    }
  }
  StudyResult result() const override;

 private:
  void record(int i, int step) {
    const TrainRun& r = runs_[static_cast<std::size_t>(i)];
    Record& rec = records_[static_cast<std::size_t>(i)];
    std::vector<Matrix> outs;
    const Matrix logits = r.net.infer(probe_, &outs);
    const int act = r.net.hidden()[kLayer].activation;
    const Matrix& z = outs[static_cast<std::size_t>(act - 1)];  // input of the sigmoid
    std::vector<float> v(static_cast<std::size_t>(z.cols()));
    for (Index n = 0; n < z.cols(); ++n) v[static_cast<std::size_t>(n)] = z(0, n);
    const std::vector<float> q = percentiles(std::move(v), {0.15f, 0.50f, 0.85f});
    rec.step.push_back(static_cast<float>(step));
    rec.p15.push_back(q[0]);
    rec.p50.push_back(q[1]);
    rec.p85.push_back(q[2]);
    rec.loss.push_back(r.diverged ? std::nanf("") : r.train_eval().loss);
  }

  std::shared_ptr<const Dataset> data_;
  std::vector<TrainRun> runs_;  // plain, BN, noisy BN
  Matrix probe_;
  std::vector<Record> records_;
};

// How far the median wanders over training (max - min), in the sigmoid's input units: the
// scale that matters, since it decides where on the sigmoid the unit works. (Relative to the
// 15-85 spread it would blow up for a plain unit whose spread collapses.)
float drift(const Record& r) {
  float lo = r.p50[0], hi = r.p50[0];
  for (float v : r.p50) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return hi - lo;
}

StudyResult CovariateShiftJob::result() const {
  StudyResult out;
  const char* names[3] = {"no BN", "BN", "noisy BN"};
  const int colours[3] = {1, 0, 2};
  StudyChart ribbons{"Input of sigmoid unit 1 of hidden layer 3 (15/50/85th percentiles)", "step", "value", false,
                     false, false, {}};
  for (int i = 0; i < 2; ++i) {
    const Record& r = records_[static_cast<std::size_t>(i)];
    ribbons.lines.push_back(StudyLine{names[i], r.step, r.p50, false, r.p15, r.p85, colours[i]});
  }
  StudyChart loss{"Train loss (eval mode)", "step", "loss", false, true, false, {}};
  for (int i = 0; i < 3; ++i) {
    const Record& r = records_[static_cast<std::size_t>(i)];
    loss.lines.push_back(StudyLine{names[i], r.step, r.loss, false, {}, {}, colours[i]});
  }
  out.charts = {ribbons, loss};
  const char* keys[3] = {"plain", "bn", "noisy_bn"};
  float test_acc[3], train_loss[3];
  for (int i = 0; i < 3; ++i) {
    const TrainRun& r = runs_[static_cast<std::size_t>(i)];
    train_loss[i] = r.diverged ? std::nanf("") : r.train_eval().loss;
    test_acc[i] = r.diverged ? std::nanf("") : r.test_eval().accuracy;
    out.readouts.push_back({std::string(keys[i]) + "_train_loss", std::string(names[i]) + ": final train loss",
                            train_loss[i]});
    out.readouts.push_back({std::string(keys[i]) + "_test_accuracy", std::string(names[i]) + ": test accuracy",
                            test_acc[i]});
  }
  const float drift_plain = drift(records_[0]), drift_bn = drift(records_[1]);
  out.readouts.push_back({"plain_drift", "no BN: range of the median over training", drift_plain});
  out.readouts.push_back({"bn_drift", "BN: range of the median over training", drift_bn});
  // The claim (Santurkar et al.): BN with non-stationary noise still trains about as well.
  out.claim_holds = std::isfinite(test_acc[2]) && test_acc[2] >= 0.85f && test_acc[2] >= test_acc[0] - 0.05f;
  out.verdict = std::string(out.claim_holds ? "Noisy BN still trains: " : "Noisy BN did not train well: ") +
                "test accuracy " + num(test_acc[2]) + " vs " + num(test_acc[1]) + " (BN) and " + num(test_acc[0]) +
                " (no BN); the median of the unit's input spanned " + num(drift_plain) + " without BN, " +
                num(drift_bn) + " with BN.";
  return out;
}

}  // namespace

std::unique_ptr<StudyJob> make_covariate_shift_job(std::uint64_t seed) {
  return std::make_unique<CovariateShiftJob>(seed);
}

}  // namespace nl::app::study_detail
