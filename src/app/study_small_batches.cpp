// Study "small_batches" (lesson 10): a toy version of Wu & He (2018) Fig. 1 — test error vs
// batch size (2 ... 32) for BatchNorm, LayerNorm, GroupNorm (4 groups) and Batch Renorm. As in
// Wu & He, every run sees the same number of samples (the same epochs) and the learning rate
// follows the linear scaling rule, lr = kBaseLr * B / 32, so a small batch is not handicapped
// by a rate tuned for a large one. Batch Renorm relaxes r_max and d_max gradually, as Ioffe
// (2017) does: plain BatchNorm (r_max = 1, d_max = 0) for the first 5% of the steps, then
// r_max rises linearly to 3 by 30% and d_max to 5 by 20% of the steps.
// BN normalizes with statistics of B samples in training but with running statistics at test
// time; at B = 2 each unit's x̂ is just ±1.
// Cost: 4 norms x 5 batch sizes x 15 epochs over 300 points (about 17k steps of 2-16-16-2).
#include "app/study_internal.h"

namespace nl::app::study_detail {
namespace {

constexpr int kBatches[] = {2, 4, 8, 16, 32};
constexpr int kBatchCount = static_cast<int>(std::size(kBatches));
constexpr NormKind kNorms[] = {NormKind::kBatchNorm, NormKind::kLayerNorm, NormKind::kGroupNorm, NormKind::kBatchRenorm};
constexpr const char* kNormNames[] = {"BatchNorm", "LayerNorm", "GroupNorm", "Batch Renorm"};
constexpr const char* kNormKeys[] = {"bn", "ln", "gn", "brn"};
constexpr int kNormCount = 4;
constexpr int kColours[] = {0, 2, 1, 4};  // palette (study.h): green, sky, purple, orange
constexpr int kEpochs = 15;
constexpr float kBaseLr = 0.05f;  // the rate at B = 32 (SGD, momentum 0.9); B = 2 trains at kBaseLr / 16

float learning_rate(int batch) { return kBaseLr * static_cast<float>(batch) / 32.0f; }

// Ioffe's (2017) schedule, scaled to the run's length: BatchNorm first, then r and d let loose.
void relax_renorm(Network& net, int step, int steps) {
  const float t = static_cast<float>(step) / static_cast<float>(std::max(1, steps));
  const auto ramp = [&](float end) { return std::clamp((t - 0.05f) / (end - 0.05f), 0.0f, 1.0f); };
  for (Layer& layer : net.layers())
    if (auto* rn = std::get_if<BatchRenorm>(&layer)) {
      rn->r_max = 1.0f + 2.0f * ramp(0.30f);
      rn->d_max = 5.0f * ramp(0.20f);
    }
}

class SmallBatchesJob : public ClonableJob<SmallBatchesJob> {
 public:
  explicit SmallBatchesJob(std::uint64_t seed) : seed_(seed) {
    data_ = make_data(DatasetKind::kTwoMoons, 400, 0.2f, seed);
    const int n = static_cast<int>(data_->x_train.cols());
    int total = 0;
    for (int k = 0; k < kNormCount; ++k)
      for (int b : kBatches) {
        run_start_.push_back(total);
        total += kEpochs * (n / b);
      }
    run_start_.push_back(total);
    error_.assign(kNormCount, std::vector<float>(kBatchCount, std::nanf("")));
  }
  int total_units() const override { return run_start_.back(); }
  void run_unit(int index) override {
    while (index >= run_start_[run_ + 1]) ++run_;
    const int norm = static_cast<int>(run_) / kBatchCount, b = static_cast<int>(run_) % kBatchCount;
    if (index == run_start_[run_]) {
      OptimizerSpec opt;
      opt.learning_rate = learning_rate(kBatches[b]);
      NetworkSpec spec = mlp(2, 16, Activation::kReLU, kNorms[norm], InitScheme::kHe, seed_);
      spec.norm.groups = 4;
      current_ = std::move(*TrainRun::make(spec, opt, data_, kBatches[b], seed_ + 17));
    }
    if (kNorms[norm] == NormKind::kBatchRenorm)
      relax_renorm(current_.net, index - run_start_[run_], run_start_[run_ + 1] - run_start_[run_]);
    current_.step();
    if (index + 1 == run_start_[run_ + 1]) {
      error_[static_cast<std::size_t>(norm)][static_cast<std::size_t>(b)] =
          current_.diverged ? std::nanf("") : 1.0f - current_.test_eval().accuracy;
    }
  }
  StudyResult result() const override {
    StudyResult out;
    std::vector<float> x;
    for (int b : kBatches) x.push_back(static_cast<float>(b));
    StudyChart chart{"Test error after " + std::to_string(kEpochs) + " epochs, learning rate " + num(kBaseLr) +
                         " x B/32 (eval mode)",
                     "batch size", "test error", true, false, false, {}};
    for (int k = 0; k < kNormCount; ++k)
      chart.lines.push_back(StudyLine{kNormNames[k], x, error_[static_cast<std::size_t>(k)], false, {}, {}, kColours[k]});
    out.charts = {chart};
    for (int k = 0; k < kNormCount; ++k) {
      const std::vector<float>& e = error_[static_cast<std::size_t>(k)];
      out.readouts.push_back({std::string(kNormKeys[k]) + "_error_b2", std::string(kNormNames[k]) + ": test error at B = 2", e.front()});
      out.readouts.push_back({std::string(kNormKeys[k]) + "_error_b4", std::string(kNormNames[k]) + ": test error at B = 4", e[1]});
      out.readouts.push_back({std::string(kNormKeys[k]) + "_error_b32", std::string(kNormNames[k]) + ": test error at B = 32", e.back()});
      // The worst batch size (NaN if any run diverged): how flat the curve is.
      float worst = 0.0f;
      for (float v : e) worst = std::isfinite(v) && std::isfinite(worst) ? std::max(worst, v) : std::nanf("");
      out.readouts.push_back({std::string(kNormKeys[k]) + "_error_max",
                              std::string(kNormNames[k]) + ": largest test error over the batch sizes", worst});
    }
    const float bn2 = error_[0].front(), gn2 = error_[2].front(), brn2 = error_[3].front();
    out.claim_holds = std::isfinite(gn2) && (!std::isfinite(bn2) || gn2 < bn2);
    out.verdict = std::string("At batch 2: ") + "BatchNorm's test error is " + num(bn2) + ", GroupNorm's " + num(gn2) +
                  ", LayerNorm's " + num(error_[1].front()) + ", Batch Renorm's " + num(brn2) + "; at batch 32 BatchNorm's is " +
                  num(error_[0].back()) + (out.claim_holds ? " (GroupNorm wins at tiny batches)." : " (BatchNorm holds up here).");
    return out;
  }

 private:
  std::uint64_t seed_;
  std::shared_ptr<const Dataset> data_;
  std::vector<int> run_start_;
  std::size_t run_ = 0;
  TrainRun current_;
  std::vector<std::vector<float>> error_;  // [norm][batch]
};

}  // namespace

std::unique_ptr<StudyJob> make_small_batches_job(std::uint64_t seed) { return std::make_unique<SmallBatchesJob>(seed); }

}  // namespace nl::app::study_detail
