// Study "learning_rates" (lesson 7): a learning-rate sweep over four orders of magnitude
// (0.001 ... 10, plain SGD) for a 3x32 ReLU network with and without BatchNorm;
// final train loss (eval mode) vs learning rate, divergence (NaN/Inf) marked.
// Cost: 2 x 9 runs x 300 steps of batch 32 (2-32-32-32-2).
#include "app/study_internal.h"

namespace nl::app::study_detail {
namespace {

constexpr int kSteps = 300;
constexpr float kRates[] = {0.001f, 0.003f, 0.01f, 0.03f, 0.1f, 0.3f, 1.0f, 3.0f, 10.0f};
constexpr int kRateCount = static_cast<int>(std::size(kRates));
constexpr float kLowLoss = 0.1f;  // "reaches a low loss"

class LearningRatesJob : public ClonableJob<LearningRatesJob> {
 public:
  explicit LearningRatesJob(std::uint64_t seed) : seed_(seed) {
    data_ = make_data(DatasetKind::kTwoMoons, 400, 0.1f, seed);
    final_loss_.assign(2, std::vector<float>(kRateCount, std::nanf("")));
  }
  int total_units() const override { return 2 * kRateCount * kSteps; }
  void run_unit(int index) override {
    const int run = index / kSteps, step = index % kSteps;
    const int net = run / kRateCount, rate = run % kRateCount;
    if (step == 0) {
      OptimizerSpec opt;
      opt.learning_rate = kRates[rate];
      opt.momentum = 0.0f;  // plain SGD: the rate is the step size (momentum 0.9 would multiply it ~10x)
      const NormKind norm = net == 0 ? NormKind::kBatchNorm : NormKind::kNone;
      auto r = TrainRun::make(mlp(3, 32, Activation::kReLU, norm, InitScheme::kHe, seed_), opt, data_, 32, seed_ + 7);
      current_ = std::move(*r);
    }
    current_.step();
    if (step == kSteps - 1) {
      const float loss = current_.diverged ? std::nanf("") : current_.train_eval().loss;
      final_loss_[static_cast<std::size_t>(net)][static_cast<std::size_t>(rate)] = finite_or_nan(loss);
    }
  }
  StudyResult result() const override {
    StudyResult out;
    const char* names[2] = {"BN", "no BN"};
    StudyChart chart{"Final train loss after 300 steps (points at 5: diverged or above 5)", "learning rate",
                     "train loss", true, true, true, {}};
    std::vector<float> x(std::begin(kRates), std::end(kRates));
    constexpr float kCap = 5.0f;  // chance level is ln 2 = 0.69; far above it the value means nothing
    for (int i = 0; i < 2; ++i) {
      std::vector<float> shown = final_loss_[static_cast<std::size_t>(i)];
      std::vector<float> dx, dy;
      for (int k = 0; k < kRateCount; ++k) {
        float& v = shown[static_cast<std::size_t>(k)];
        if (!std::isfinite(v) || v > kCap) {
          v = std::nanf("");  // a gap in the line, a point at the cap instead
          dx.push_back(kRates[k]);
          dy.push_back(kCap);
        }
      }
      chart.lines.push_back(StudyLine{names[i], x, shown, false, {}, {}, i});
      if (!dx.empty()) chart.lines.push_back(StudyLine{std::string(names[i]) + " failed", dx, dy, true, {}, {}, i});
    }
    out.charts = {chart};
    // The largest rate at which the BN network reaches a low loss, and the plain one there.
    int best = -1;
    for (int k = 0; k < kRateCount; ++k)
      if (final_loss_[0][static_cast<std::size_t>(k)] < kLowLoss) best = k;
    int best_plain = -1;
    for (int k = 0; k < kRateCount; ++k)
      if (final_loss_[1][static_cast<std::size_t>(k)] < kLowLoss) best_plain = k;
    const float lr_bn = best >= 0 ? kRates[best] : std::nanf("");
    const float bn_loss = best >= 0 ? final_loss_[0][static_cast<std::size_t>(best)] : std::nanf("");
    const float plain_loss = best >= 0 ? final_loss_[1][static_cast<std::size_t>(best)] : std::nanf("");
    const bool plain_diverged = best >= 0 && !std::isfinite(plain_loss);
    out.readouts = {
        {"bn_max_good_lr", "BN: largest rate with loss < 0.1", lr_bn},
        {"plain_max_good_lr", "no BN: largest rate with loss < 0.1", best_plain >= 0 ? kRates[best_plain] : std::nanf("")},
        {"bn_loss_at_max_lr", "BN: loss at that rate", bn_loss},
        {"plain_loss_at_max_lr", "no BN: loss at that rate", plain_loss},
        {"plain_diverged_at_max_lr", "no BN diverged there (1 = yes)", plain_diverged ? 1.0f : 0.0f},
    };
    out.claim_holds = best >= 0 && (plain_diverged || plain_loss > std::max(5.0f * bn_loss, 0.3f));
    out.verdict = best < 0 ? "The BN network reached no low loss at any rate."
                           : std::string(out.claim_holds ? "BN trains where the plain network does not: " : "No advantage here: ") +
                                 "at rate " + num(lr_bn) + " BN's loss is " + num(bn_loss) + ", the plain network's " +
                                 (plain_diverged ? std::string("diverged") : num(plain_loss)) + ".";
    return out;
  }

 private:
  std::uint64_t seed_;
  std::shared_ptr<const Dataset> data_;
  TrainRun current_;
  std::vector<std::vector<float>> final_loss_;  // [BN, plain][rate]; NaN = diverged
};

}  // namespace

std::unique_ptr<StudyJob> make_learning_rates_job(std::uint64_t seed) { return std::make_unique<LearningRatesJob>(seed); }

}  // namespace nl::app::study_detail
