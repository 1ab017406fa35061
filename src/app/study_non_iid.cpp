// Study "non_iid" (lesson 11): the same BN network trained with three batch compositions
// (core/batch_order.h: i.i.d., one class per batch, one region per batch), tested in eval mode;
// then a test-time distribution shift (inputs scaled and moved) and recalibrating the running
// statistics (core/recalibrate.h: train-mode forward passes on the new data, no updates).
// Cost: 3 runs x 30 epochs of batch 16 over 300 points (about 1600 steps of 2-32-32-2).
#include "app/study_internal.h"
#include "core/batch_order.h"
#include "core/recalibrate.h"

namespace nl::app::study_detail {
namespace {

constexpr int kEpochs = 30;
constexpr int kBatch = 16;
constexpr BatchComposition kCompositions[] = {BatchComposition::kIid, BatchComposition::kOneClass,
                                              BatchComposition::kOneRegion};
constexpr const char* kNames[] = {"i.i.d.", "one class per batch", "one region per batch"};

class NonIidJob : public ClonableJob<NonIidJob> {
 public:
  NonIidJob(std::uint64_t seed, NormKind norm) {
    data_ = make_data(DatasetKind::kTwoMoons, 400, 0.1f, seed);
    OptimizerSpec opt;
    opt.learning_rate = 0.05f;
    for (int i = 0; i < 3; ++i) {
      runs_.push_back(std::move(*TrainRun::make(mlp(2, 32, Activation::kReLU, norm, InitScheme::kHe, seed),
                                                opt, data_, kBatch, seed + 19)));
    }
    steps_per_epoch_ = static_cast<int>(data_->x_train.cols()) / kBatch;  // i.i.d.; others may have fewer
    accuracy_.resize(3);
  }
  int total_units() const override { return 3 * kEpochs + 1; }
  void run_unit(int index) override {
    if (index == 3 * kEpochs) return finish();
    const int run = index / kEpochs, epoch = index % kEpochs;
    TrainRun& r = runs_[static_cast<std::size_t>(run)];
    for (const auto& batch : compose_batches(r.data->x_train, r.data->y_train, kBatch, kCompositions[run], r.rng)) r.step(batch);
    epochs_.resize(kEpochs);
    epochs_[static_cast<std::size_t>(epoch)] = static_cast<float>(epoch + 1);
    accuracy_[static_cast<std::size_t>(run)].push_back(r.diverged ? std::nanf("") : r.test_eval().accuracy);
  }
  StudyResult result() const override;

 private:
  void finish() {
    Matrix shifted = data_->x_test * 1.5f;
    shifted.row(0).array() += 1.0f;
    shifted.row(1).array() -= 0.5f;
    shifted_ = shifted;
    for (int i = 0; i < 3; ++i) final_[i] = runs_[static_cast<std::size_t>(i)].test_eval().accuracy;
    // The one-class model, recalibrated on i.i.d. batches of its own training data.
    Network recal = runs_[1].net;
    recalibrate_running_stats(recal, data_->x_train, kBatch);
    class_recalibrated_ = evaluate(recal, data_->x_test, data_->y_test).accuracy;
    // The i.i.d. model on shifted test inputs, before and after recalibrating on them.
    shift_before_ = evaluate(runs_[0].net, shifted_, data_->y_test).accuracy;
    Network adapted = runs_[0].net;
    recalibrate_running_stats(adapted, shifted_, kBatch);
    shift_after_ = evaluate(adapted, shifted_, data_->y_test).accuracy;
  }

  std::shared_ptr<const Dataset> data_;
  std::vector<TrainRun> runs_;
  int steps_per_epoch_ = 0;
  std::vector<float> epochs_;
  std::vector<std::vector<float>> accuracy_;  // [composition][epoch]
  Matrix shifted_;
  float final_[3] = {0, 0, 0};
  float class_recalibrated_ = 0, shift_before_ = 0, shift_after_ = 0;
};

StudyResult NonIidJob::result() const {
  StudyResult out;
  StudyChart chart{"Test accuracy (eval mode, running statistics) per epoch", "epoch", "test accuracy", false, false, false, {}};
  for (int i = 0; i < 3; ++i)
    chart.lines.push_back(StudyLine{kNames[i], epochs_, accuracy_[static_cast<std::size_t>(i)], false, {}, {}, i == 0 ? 0 : i + 1});
  out.charts = {chart};
  out.readouts = {
      {"iid_accuracy", "i.i.d. batches: test accuracy", final_[0]},
      {"one_class_accuracy", "one class per batch: test accuracy", final_[1]},
      {"one_region_accuracy", "one region per batch: test accuracy", final_[2]},
      {"one_class_recalibrated", "one class per batch, statistics recalibrated", class_recalibrated_},
      {"shift_before", "shifted test set, old statistics", shift_before_},
      {"shift_after", "shifted test set, recalibrated", shift_after_},
  };
  // What the toy shows: one-class batches break the learned function itself (BN removed the
  // class mean in every training batch), so new statistics do not repair it; a test-time input
  // shift is repaired by re-estimating the statistics on the shifted inputs.
  out.claim_holds = final_[1] < final_[0] - 0.2f && class_recalibrated_ < final_[0] - 0.1f &&
                    shift_after_ > shift_before_ + 0.1f && shift_after_ >= 0.9f;
  out.verdict = "Test accuracy: " + num(final_[0]) + " with i.i.d. batches, " + num(final_[1]) + " with one class per batch (" +
                num(class_recalibrated_) + " with recalibrated statistics: the weights themselves are wrong), " + num(final_[2]) +
                " with one region per batch; shifted inputs: " + num(shift_before_) + " before and " + num(shift_after_) +
                " after recalibration.";
  return out;
}

}  // namespace

std::unique_ptr<StudyJob> make_non_iid_job(std::uint64_t seed, NormKind norm) {
  return std::make_unique<NonIidJob>(seed, norm);
}

}  // namespace nl::app::study_detail
