// Study "gradient_flow" (lesson 6): a deep sigmoid network (8 hidden layers of 32) with and
// without BatchNorm; per-layer gradient norms (Linear + norm parameters) over training.
// Without BN the gradient shrinks layer by layer towards the input (sigmoid' <= 1/4).
// Cost: 2 networks x 300 steps of batch 32.
#include "app/study_internal.h"

namespace nl::app::study_detail {
namespace {

constexpr int kSteps = 300;
constexpr int kDepth = 8;
constexpr int kWindow = 30;  // steps averaged for the "early" and "late" profiles

class GradientFlowJob : public ClonableJob<GradientFlowJob> {
 public:
  explicit GradientFlowJob(std::uint64_t seed) {
    data_ = make_data(DatasetKind::kTwoMoons, 400, 0.15f, seed);
    OptimizerSpec opt;
    opt.learning_rate = 0.1f;
    for (NormKind n : {NormKind::kBatchNorm, NormKind::kNone}) {
      auto r = TrainRun::make(mlp(kDepth, 32, Activation::kSigmoid, n, InitScheme::kXavier, seed), opt, data_, 32,
                              seed + 3);
      runs_.push_back(std::move(*r));
    }
    early_.assign(2, std::vector<double>(kDepth + 1, 0.0));
    late_ = early_;
  }
  int total_units() const override { return kSteps; }
  void run_unit(int index) override {
    const std::vector<int> batch = runs_[0].next_batch();
    for (std::size_t i = 0; i < 2; ++i) {
      TrainRun& r = runs_[i];
      if (r.diverged) continue;
      // Gradients of this batch (step() recomputes them and updates; the norms are the same).
      Network probe = r.net;
      probe.set_training(true);
      if (probe.train_batch(gather_cols(r.data->x_train, batch), gather_labels(r.data->y_train, batch)).ok()) {
        const std::vector<LayerMetrics> norms = hidden_layer_grad_norms(probe);
        for (std::size_t l = 0; l < norms.size() && l < early_[i].size(); ++l) {
          if (index < kWindow) early_[i][l] += norms[l].grad_norm / kWindow;
          if (index >= kSteps - kWindow) late_[i][l] += norms[l].grad_norm / kWindow;
        }
      }
      r.step(batch);
    }
  }
  StudyResult result() const override {
    StudyResult out;
    const char* names[2] = {"BN", "no BN"};
    StudyChart early{"Gradient norm per layer, first 30 steps", "layer (1 = next to the input, 9 = output)",
                     "gradient L2 norm", false, true, false, {}};
    StudyChart late{"Gradient norm per layer, last 30 steps", "layer (1 = next to the input, 9 = output)",
                    "gradient L2 norm", false, true, false, {}};
    std::vector<float> x;
    for (int l = 1; l <= kDepth + 1; ++l) x.push_back(static_cast<float>(l));
    float ratio[2], factor[2];
    for (int i = 0; i < 2; ++i) {
      std::vector<float> e(early_[static_cast<std::size_t>(i)].begin(), early_[static_cast<std::size_t>(i)].end());
      std::vector<float> l(late_[static_cast<std::size_t>(i)].begin(), late_[static_cast<std::size_t>(i)].end());
      early.lines.push_back(StudyLine{names[i], x, e, false, {}, {}, i});
      late.lines.push_back(StudyLine{names[i], x, l, false, {}, {}, i});
      ratio[i] = e.back() > 0.0f ? e.front() / e.back() : std::nanf("");
      // Geometric mean of the layer-to-layer shrink factor: output / layer 1 spans kDepth
      // layer boundaries, so (output / layer 1)^(1/kDepth).
      factor[i] = ratio[i] > 0.0f ? std::pow(1.0f / ratio[i], 1.0f / kDepth) : std::nanf("");
    }
    out.charts = {early, late};
    const float acc_bn = finite_or_nan(runs_[0].test_eval().accuracy);
    const float acc_plain = finite_or_nan(runs_[1].test_eval().accuracy);
    out.readouts = {
        {"bn_first_to_output", "BN: layer-1 / output gradient (early)", ratio[0]},
        {"plain_first_to_output", "no BN: layer-1 / output gradient (early)", ratio[1]},
        {"bn_shrink_per_layer", "BN: gradient shrink factor per layer (early)", factor[0]},
        {"plain_shrink_per_layer", "no BN: gradient shrink factor per layer (early)", factor[1]},
        {"bn_test_accuracy", "BN: test accuracy", acc_bn},
        {"plain_test_accuracy", "no BN: test accuracy", acc_plain},
    };
    out.claim_holds = ratio[0] > 10.0f * ratio[1];
    out.verdict = std::string(out.claim_holds ? "BN keeps the gradient flowing: " : "No clear difference in gradient flow: ") +
                  "the first layer gets " + num(ratio[0]) + " of the output layer's gradient with BN, " +
                  num(ratio[1]) + " without; test accuracy " + num(acc_bn) + " vs " + num(acc_plain) + ".";
    return out;
  }

 private:
  std::shared_ptr<const Dataset> data_;
  std::vector<TrainRun> runs_;  // BN, plain
  std::vector<std::vector<double>> early_, late_;  // [run][layer] mean gradient norms
};

}  // namespace

std::unique_ptr<StudyJob> make_gradient_flow_job(std::uint64_t seed) { return std::make_unique<GradientFlowJob>(seed); }

}  // namespace nl::app::study_detail
