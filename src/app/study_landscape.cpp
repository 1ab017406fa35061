// Study "landscape" (lesson 5): Santurkar et al. 2018, Fig. 4, on a toy. Every 10 steps, from
// the current weights w and the next mini-batch, move along the gradient g by several step
// sizes eta and measure the loss there (loss variation: max - min), the gradient change
// ||g - g(w - eta g)|| (gradient predictiveness: smaller is more predictive) and the gradient
// Lipschitz estimate L_est = max ||g - g(w - eta g)|| / ||eta g|| (Santurkar et al.'s "effective
// beta-smoothness", renamed so it does not clash with BN's beta): a lower estimate of the
// gradient's Lipschitz constant, along the gradient direction only, with and without BatchNorm.
// (On the spiral at this rate the plain network sits on a plateau, which is flat too: the
// comparison needs both networks to be learning.)
// Cost: 2 networks (2-32-32-32-32-2, ReLU) x 300 SGD steps of batch 64; 30 measurements of
// 1 + 5 forward/backward passes each.
#include "app/study_internal.h"

namespace nl::app::study_detail {
namespace {

constexpr int kSteps = 300;
constexpr int kEvery = 10;
constexpr float kLr = 0.1f;
constexpr float kEtaFactors[] = {0.5f, 1.0f, 2.0f, 4.0f, 8.0f};  // eta = factor * learning rate

struct Measure {
  std::vector<float> step, loss, loss_lo, loss_hi, predictiveness, lipschitz;
};

Vector flat_grad(Network& net) {
  Index total = 0;
  auto params = net.params();
  for (const auto& p : params) total += p.size;
  Vector g(total);
  Index k = 0;
  for (const auto& p : params) {
    for (Index i = 0; i < p.size; ++i) g(k + i) = p.grad[i];
    k += p.size;
  }
  return g;
}

class LandscapeJob : public ClonableJob<LandscapeJob> {
 public:
  explicit LandscapeJob(std::uint64_t seed) {
    data_ = make_data(DatasetKind::kTwoMoons, 400, 0.1f, seed);
    OptimizerSpec opt;
    opt.learning_rate = kLr;
    opt.momentum = 0.0f;  // plain gradient steps, as the measurement assumes
    const NormKind norms[2] = {NormKind::kBatchNorm, NormKind::kNone};
    for (NormKind n : norms) {
      auto r = TrainRun::make(mlp(4, 32, Activation::kReLU, n, InitScheme::kHe, seed), opt, data_, 64, seed + 5);
      runs_.push_back(std::move(*r));
    }
    measures_.resize(2);
  }
  int total_units() const override { return kSteps; }
  void run_unit(int index) override {
    const std::vector<int> batch = runs_[0].next_batch();  // both networks see the same batches
    for (std::size_t i = 0; i < 2; ++i) {
      if (index % kEvery == 0) measure(i, batch, index);
      runs_[i].step(batch);
    }
  }
  StudyResult result() const override;

 private:
  void measure(std::size_t i, const std::vector<int>& batch, int step) {
    TrainRun& r = runs_[i];
    if (r.diverged) return;
    const Matrix xb = gather_cols(r.data->x_train, batch);
    const std::vector<int> yb = gather_labels(r.data->y_train, batch);
    Network base = r.net;  // copies: the measurement must not change the run (running stats)
    base.set_training(true);
    auto l0 = base.train_batch(xb, yb);
    if (!l0.ok()) return;
    const Vector g = flat_grad(base);
    const float gnorm = g.norm();
    float lo = *l0, hi = *l0, pred = 0.0f, lipschitz = 0.0f;
    for (float f : kEtaFactors) {
      const float eta = f * kLr;
      Network moved = r.net;
      moved.set_training(true);
      Index k = 0;
      for (auto& p : moved.params()) {
        for (Index j = 0; j < p.size; ++j) p.value[j] -= eta * g(k + j);
        k += p.size;
      }
      auto l = moved.train_batch(xb, yb);
      if (!l.ok() || !std::isfinite(*l)) {
        hi = std::numeric_limits<float>::infinity();
        continue;
      }
      lo = std::min(lo, *l);
      hi = std::max(hi, *l);
      const float change = (g - flat_grad(moved)).norm();
      pred = std::max(pred, change);
      if (gnorm > 0.0f) lipschitz = std::max(lipschitz, change / (eta * gnorm));
    }
    Measure& m = measures_[i];
    m.step.push_back(static_cast<float>(step));
    m.loss.push_back(*l0);
    m.loss_lo.push_back(lo);
    m.loss_hi.push_back(finite_or_nan(hi));
    m.predictiveness.push_back(pred);
    m.lipschitz.push_back(lipschitz);
  }

  std::shared_ptr<const Dataset> data_;
  std::vector<TrainRun> runs_;  // BN, plain
  std::vector<Measure> measures_;
};

float mean_finite(const std::vector<float>& v) {
  double s = 0.0;
  int n = 0;
  for (float x : v)
    if (std::isfinite(x)) s += x, ++n;
  return n > 0 ? static_cast<float>(s / n) : std::nanf("");
}

std::vector<float> ranges(const Measure& m) {
  std::vector<float> out(m.loss_lo.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = m.loss_hi[i] - m.loss_lo[i];
  return out;
}

StudyResult LandscapeJob::result() const {
  StudyResult out;
  const char* names[2] = {"BN", "no BN"};
  StudyChart var{"Loss variation along the gradient: max - min of the loss over the 5 step sizes", "step",
                 "loss range", false, true, false, {}};
  StudyChart pred{"Gradient predictiveness: max ||g - g(w - eta g)||", "step", "l2 change", false, true, false, {}};
  StudyChart lip{"Gradient Lipschitz estimate Lₑₛₜ along g: max ||g - g(w - eta g)|| / ||eta g||", "step", "Lₑₛₜ", false,
                 true, false, {}};
  for (int i = 0; i < 2; ++i) {
    const Measure& m = measures_[static_cast<std::size_t>(i)];
    var.lines.push_back(StudyLine{names[i], m.step, ranges(m), false, {}, {}, i});
    pred.lines.push_back(StudyLine{names[i], m.step, m.predictiveness, false, {}, {}, i});
    lip.lines.push_back(StudyLine{names[i], m.step, m.lipschitz, false, {}, {}, i});
  }
  out.charts = {var, pred, lip};
  const float var_bn = mean_finite(ranges(measures_[0])), var_plain = mean_finite(ranges(measures_[1]));
  const float pred_bn = mean_finite(measures_[0].predictiveness), pred_plain = mean_finite(measures_[1].predictiveness);
  const float lip_bn = mean_finite(measures_[0].lipschitz), lip_plain = mean_finite(measures_[1].lipschitz);
  out.readouts = {
      {"bn_loss_variation", "BN: mean loss variation", var_bn},
      {"plain_loss_variation", "no BN: mean loss variation", var_plain},
      {"bn_grad_change", "BN: mean gradient change", pred_bn},
      {"plain_grad_change", "no BN: mean gradient change", pred_plain},
      {"bn_lipschitz", "BN: mean gradient Lipschitz estimate Lₑₛₜ", lip_bn},
      {"plain_lipschitz", "no BN: mean gradient Lipschitz estimate Lₑₛₜ", lip_plain},
      {"bn_train_loss", "BN: final train loss", finite_or_nan(runs_[0].train_eval().loss)},
      {"plain_train_loss", "no BN: final train loss", finite_or_nan(runs_[1].train_eval().loss)},
  };
  out.claim_holds = 2.0f * var_bn < var_plain && 2.0f * pred_bn < pred_plain && lip_bn < lip_plain;
  out.verdict = std::string(out.claim_holds ? "BN's landscape is smoother here: " : "BN's landscape is not smoother here: ") +
                "loss variation " + num(var_bn) + " vs " + num(var_plain) + ", gradient change " + num(pred_bn) +
                " vs " + num(pred_plain) + ", Lₑₛₜ " + num(lip_bn) + " vs " + num(lip_plain) + " (BN vs no BN).";
  return out;
}

}  // namespace

std::unique_ptr<StudyJob> make_landscape_job(std::uint64_t seed) { return std::make_unique<LandscapeJob>(seed); }

}  // namespace nl::app::study_detail
