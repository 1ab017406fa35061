// Study "conv_stats" (lesson 12): BatchNorm after a 3x3 convolution on the tiny 8x8 images
// (core/dataset.h) keeps ONE mean and variance per channel, pooled over N*H*W values; we
// recompute them by hand from the conv output and compare with the per-position statistics
// (over N only) that a BatchNorm1d on the flattened image would use.
// Cost: 150 steps of batch 32 through conv(1->4) -> BN2d -> ReLU -> maxpool -> linear(64->4).
#include "app/study_internal.h"

namespace nl::app::study_detail {
namespace {

constexpr int kSteps = 150;
constexpr int kChannels = 4;
constexpr int kSide = kImageSide;
constexpr int kPositions = kSide * kSide;

class ConvStatsJob : public ClonableJob<ConvStatsJob> {
 public:
  ConvStatsJob(std::uint64_t seed, ConvStatsNorm norm) {
    DatasetSpec d;
    d.size = 400;
    d.noise = 0.1f;
    d.seed = seed;
    auto data = make_image_dataset(d);
    data_ = std::make_shared<const Dataset>(data.ok() ? std::move(*data) : Dataset{});
    Network net(kPositions);
    Rng rng(seed);
    Conv2d conv = Conv2d::make(1, kChannels, kSide, kSide);
    init_weights(conv.weight, 9, kChannels * 9, InitScheme::kHe, rng);
    conv.bias.setZero();
    net.add(conv);
    // The lesson's BatchNorm2d (C channels of H*W positions), or the control: a BatchNorm1d on
    // the flattened image (C*H*W features, statistics over N only).
    net.add(norm == ConvStatsNorm::kPerChannel ? BatchNorm::make(kChannels, kPositions, NormOptions{})
                                               : BatchNorm::make(kChannels * kPositions, 1, NormOptions{}));
    net.add(ActivationLayer::make(Activation::kReLU));
    net.add(Pool2d::make(PoolKind::kMax, kChannels, kSide, kSide));
    Linear fc = Linear::make(kChannels * kPositions / 4, kImageClasses);
    init_weights(fc.weight, fc.in_features(), fc.out_features(), InitScheme::kHe, rng);
    fc.bias.setZero();
    net.add(fc);
    run_.net = std::move(net);
    OptimizerSpec opt;
    opt.learning_rate = 0.05f;
    run_.opt = Optimizer(opt);
    run_.data = data_;
    run_.rng = Rng(seed + 23);
    run_.batch_size = 32;
  }
  int total_units() const override { return kSteps + 1; }
  void run_unit(int index) override {
    if (index < kSteps) {
      run_.step();
      return;
    }
    measure();
  }
  StudyResult result() const override;

 private:
  void measure() {
    const std::vector<int> batch = run_.next_batch();
    const Matrix xb = gather_cols(data_->x_train, batch);
    Network net = run_.net;
    net.set_training(true);
    if (!net.forward(xb).ok()) return;
    const Matrix& z = net.outputs()[0];  // conv output (C*S, N) = BN's input
    const auto& bn = std::get<BatchNorm>(net.layers()[1]);
    const Index n = z.cols();
    bn_mean_.assign(kChannels, 0.0f);
    bn_var_.assign(kChannels, 0.0f);
    pooled_mean_.assign(kChannels, 0.0f);
    pooled_var_.assign(kChannels, 0.0f);
    position_mean_.assign(kPositions, 0.0f);
    position_spread_.assign(kChannels, 0.0f);
    count_ = static_cast<int>(n * bn.spatial);  // values behind each of BN's statistics
    for (int c = 0; c < kChannels; ++c) {
      bn_mean_[static_cast<std::size_t>(c)] = bn.mean(c);
      bn_var_[static_cast<std::size_t>(c)] = bn.var(c);
      // By hand, in double: mean and biased variance over all N*H*W values of channel c.
      const auto block = z.middleRows(c * kPositions, kPositions).cast<double>();
      const double mu = block.mean();
      const double var = (block.array() - mu).square().mean();
      pooled_mean_[static_cast<std::size_t>(c)] = static_cast<float>(mu);
      pooled_var_[static_cast<std::size_t>(c)] = static_cast<float>(var);
      max_diff_ = std::max({max_diff_, static_cast<float>(std::abs(mu - bn.mean(c))),
                            static_cast<float>(std::abs(var - bn.var(c)) / std::max(1e-6, var))});
      // Per position (over N only): how different the positions are, relative to the channel's std.
      double s = 0.0, s2 = 0.0;
      for (int p = 0; p < kPositions; ++p) {
        const double m = block.row(p).mean();
        if (c == 0) position_mean_[static_cast<std::size_t>(p)] = static_cast<float>(m);
        s += m;
        s2 += m * m;
      }
      const double spread = std::sqrt(std::max(0.0, s2 / kPositions - (s / kPositions) * (s / kPositions)));
      position_spread_[static_cast<std::size_t>(c)] = static_cast<float>(spread / std::sqrt(std::max(var, 1e-12)));
    }
    accuracy_ = evaluate(run_.net, data_->x_test, data_->y_test).accuracy;
    measured_ = true;
  }

  std::shared_ptr<const Dataset> data_;
  TrainRun run_;
  bool measured_ = false;
  int count_ = 0;
  float max_diff_ = 0.0f, accuracy_ = 0.0f;
  std::vector<float> bn_mean_, bn_var_, pooled_mean_, pooled_var_, position_mean_, position_spread_;
};

StudyResult ConvStatsJob::result() const {
  StudyResult out;
  std::vector<float> channels, positions, flat;
  for (int c = 0; c < kChannels; ++c) channels.push_back(static_cast<float>(c + 1));
  for (int p = 0; p < kPositions; ++p) positions.push_back(static_cast<float>(p));
  StudyChart stats{"Per-channel statistics of one batch (BN's and recomputed over N*H*W)", "channel", "value", false, false, false, {}};
  stats.lines.push_back(StudyLine{"BN mean", channels, bn_mean_, true, {}, {}, 0});
  stats.lines.push_back(StudyLine{"BN variance", channels, bn_var_, true, {}, {}, 1});
  stats.lines.push_back(StudyLine{"mean over N*H*W", channels, pooled_mean_, false, {}, {}, 2});
  stats.lines.push_back(StudyLine{"variance over N*H*W", channels, pooled_var_, false, {}, {}, 3});
  StudyChart pos{"Channel 1: mean over N at each pixel vs BN's one channel mean", "pixel (row-major)", "mean", false, false, false, {}};
  pos.lines.push_back(StudyLine{"per-pixel mean", positions, position_mean_, true, {}, {}, 1});
  flat.assign(kPositions, bn_mean_.empty() ? std::nanf("") : bn_mean_[0]);
  pos.lines.push_back(StudyLine{"BN channel mean", positions, flat, false, {}, {}, 0});
  out.charts = {stats, pos};
  float spread = 0.0f;
  for (float s : position_spread_) spread = std::max(spread, s);
  out.readouts = {
      {"values_per_channel", "values per channel statistic (N*H*W)", static_cast<float>(count_)},
      {"max_stat_difference", "largest difference BN vs by hand", max_diff_},
      {"position_spread", "spread of per-pixel means / channel std (max)", spread},
      {"test_accuracy", "test accuracy after 150 steps", accuracy_},
  };
  out.claim_holds = measured_ && max_diff_ < 1e-3f && count_ == 32 * kPositions && spread > 0.05f;
  out.verdict = measured_ ? "BN's per-channel mean and variance are the statistics of all " + std::to_string(count_) +
                                " values (N*H*W) of the channel (largest difference " + num(max_diff_) +
                                "); per-pixel means differ by " + num(spread) + " channel stds, which BN pools together."
                          : "not measured";
  return out;
}

}  // namespace

std::unique_ptr<StudyJob> make_conv_stats_job(std::uint64_t seed, ConvStatsNorm norm) {
  return std::make_unique<ConvStatsJob>(seed, norm);
}

}  // namespace nl::app::study_detail
