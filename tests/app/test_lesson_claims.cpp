// Lesson claims: each lesson with an experiment runs its study (app/study.h) headlessly and
// asserts what the lesson text says, on seeds 1 to 5 (the seeds the texts name). Where a text
// quotes a range "lo to hi", check_quoted asserts that range, give or take half a unit of the
// last digit shown. The numbers are printed (run with -s or see the test log) so the lesson
// text can quote what the toy really shows.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <variant>

#include "app/lesson.h"
#include "app/study.h"
#include "app/study_actions.h"
#include "app/study_internal.h"  // the controls: a study's job with normalization changed
#include "app_fixtures.h"

using namespace nl::app;

namespace {

constexpr std::uint64_t kSeeds[] = {1, 2, 3, 4, 5};

StudyResult run_and_print(StudyKind kind, std::uint64_t seed) {
  StudyResult r = run_study({kind, seed});
  std::printf("[%s seed %llu] %s\n", study_name(kind), static_cast<unsigned long long>(seed), r.verdict.c_str());
  for (const StudyReadout& o : r.readouts) std::printf("    %-28s %g\n", o.key.c_str(), static_cast<double>(o.value));
  return r;
}

// A study's job run to the end outside the app (the controls are not studies of their own).
StudyResult run_control(std::unique_ptr<StudyJob> job, const char* what, std::uint64_t seed) {
  for (int i = 0; i < job->total_units(); ++i) job->run_unit(i);
  StudyResult r = job->result();
  std::printf("[control: %s, seed %llu] %s\n", what, static_cast<unsigned long long>(seed), r.verdict.c_str());
  for (const StudyReadout& o : r.readouts) std::printf("    %-28s %g\n", o.key.c_str(), static_cast<double>(o.value));
  return r;
}

// The readout lies in the range a lesson quotes, rounded to the digits the text shows
// (half_digit: half a unit of the last digit, e.g. 0.005 for "0.94 to 0.99").
void check_quoted(const StudyResult& r, const char* key, double lo, double hi, double half_digit) {
  const float v = readout(r, key);
  INFO(key << " = " << v << ", the lesson says " << lo << " to " << hi);
  CHECK(v >= lo - half_digit);
  CHECK(v <= hi + half_digit);
}

// The lesson asks for a prediction before its experiment (step 1); the answer it reveals is
// the choice the readouts checked next to this call show on every seed.
void check_prediction_answer(const char* lesson_id, const char* expected_choice) {
  CHECK(nl::app::testing::predicted_answer(lesson_id, 1) == expected_choice);
}

// Every step of the lessons that outlines a chart ("study_chart_<i>") or a readout
// ("studies:readout:<key>") of this study names one the result has.
void check_outlines(const StudyResult& r) {
  int named = 0;
  for (const Lesson& l : lesson_catalog()) {
    bool shows_this_study = false;
    for (const Action& a : l.preset_actions)
      if (const auto* sel = std::get_if<act::SelectStudy>(&a)) shows_this_study = sel->kind == r.params.kind;
    for (const LessonStep& st : l.steps)
      for (const Action& a : st.actions)
        if (const auto* run = std::get_if<act::RunStudy>(&a)) shows_this_study = shows_this_study || run->kind == r.params.kind;
    if (!shows_this_study) continue;
    for (const LessonStep& st : l.steps) {
      INFO(l.id << " outlines " << st.control);
      if (st.control.rfind("study_chart_", 0) == 0) {
        CHECK(std::stoul(st.control.substr(12)) < r.charts.size());
        ++named;
      } else if (st.control.rfind("studies:readout:", 0) == 0) {
        CHECK(!std::isnan(readout(r, st.control.substr(16))));
        ++named;
      }
    }
  }
  CHECK(named >= 1);
}

}  // namespace

TEST_CASE("lesson 04-internal-covariate-shift claim: noisy BN still trains and BN steadies the unit's input") {
  check_prediction_answer("04-internal-covariate-shift", "Without BN");  // plain_drift > 2 bn_drift
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kCovariateShift, seed);
    if (seed == kSeeds[0]) check_outlines(r);
    INFO("seed " << seed << ": " << r.verdict);
    CHECK(r.claim_holds);
    // Noisy BN: trains to a good accuracy, not worse than the plain network.
    CHECK(readout(r, "noisy_bn_test_accuracy") >= 0.85f);
    CHECK(readout(r, "noisy_bn_test_accuracy") >= readout(r, "plain_test_accuracy") - 0.05f);
    CHECK(readout(r, "bn_train_loss") < readout(r, "plain_train_loss"));
    // Ioffe & Szegedy's Fig. 1: without BN the unit's input median wanders more.
    CHECK(readout(r, "plain_drift") > 2.0f * readout(r, "bn_drift"));
    // The numbers lesson 4 quotes.
    check_quoted(r, "plain_drift", 1.6, 2.3, 0.05);
    check_quoted(r, "bn_drift", 0.35, 0.70, 0.005);
    check_quoted(r, "noisy_bn_test_accuracy", 0.94, 0.99, 0.005);
    check_quoted(r, "bn_test_accuracy", 0.96, 0.99, 0.005);
    check_quoted(r, "plain_test_accuracy", 0.87, 0.90, 0.005);
  }
}

TEST_CASE("lesson 05-loss-landscape claim: BN's loss and gradient change less along the gradient") {
  check_prediction_answer("05-loss-landscape", "With BN");  // bn_loss_variation < plain / 2
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kLandscape, seed);
    if (seed == kSeeds[0]) check_outlines(r);
    INFO("seed " << seed << ": " << r.verdict);
    CHECK(r.claim_holds);
    CHECK(2.0f * readout(r, "bn_loss_variation") < readout(r, "plain_loss_variation"));
    CHECK(2.0f * readout(r, "bn_grad_change") < readout(r, "plain_grad_change"));
    CHECK(readout(r, "bn_lipschitz") < readout(r, "plain_lipschitz"));
    // The numbers lesson 5 quotes.
    check_quoted(r, "bn_loss_variation", 0.03, 0.05, 0.005);
    check_quoted(r, "plain_loss_variation", 0.09, 0.25, 0.005);
    const float ratio = readout(r, "plain_loss_variation") / readout(r, "bn_loss_variation");
    CHECK(ratio >= 2.65f);
    CHECK(ratio <= 7.45f);
    check_quoted(r, "bn_grad_change", 0.21, 0.49, 0.005);
    check_quoted(r, "plain_grad_change", 1.3, 2.9, 0.05);
    check_quoted(r, "bn_lipschitz", 2.8, 4.5, 0.05);
    check_quoted(r, "plain_lipschitz", 8.1, 17.0, 0.5);
  }
}

TEST_CASE("lesson 06-gradient-flow claim: BN keeps gradients alive in a deep sigmoid net") {
  check_prediction_answer("06-gradient-flow", "More than 10,000 times smaller");  // 6e-6 to 2e-5
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kGradientFlow, seed);
    if (seed == kSeeds[0]) check_outlines(r);
    INFO("seed " << seed << ": " << r.verdict);
    CHECK(r.claim_holds);
    CHECK(readout(r, "plain_first_to_output") < 1e-2f);  // vanished by 8 sigmoid layers
    CHECK(readout(r, "bn_first_to_output") > 0.1f);
    CHECK(readout(r, "bn_test_accuracy") > readout(r, "plain_test_accuracy") + 0.2f);
    // The numbers lesson 6 quotes: "about a factor of 4 per layer" without BN, about 1 with BN.
    check_quoted(r, "plain_shrink_per_layer", 4.0, 4.5, 0.05);
    check_quoted(r, "bn_shrink_per_layer", 0.97, 1.01, 0.005);
    check_quoted(r, "plain_first_to_output", 6e-6, 2e-5, 5e-7);
    check_quoted(r, "bn_first_to_output", 0.9, 1.3, 0.05);
    check_quoted(r, "plain_test_accuracy", 0.48, 0.57, 0.005);
    check_quoted(r, "bn_test_accuracy", 0.96, 0.99, 0.005);
  }
}

TEST_CASE("lesson 07-higher-learning-rates claim: BN trains at rates where the plain net fails") {
  check_prediction_answer("07-higher-learning-rates", "1");  // plain_max_good_lr == 1
  int plain_diverged = 0;
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kLearningRates, seed);
    if (seed == kSeeds[0]) check_outlines(r);
    INFO("seed " << seed << ": " << r.verdict);
    CHECK(r.claim_holds);
    const float lr_bn = readout(r, "bn_max_good_lr");
    REQUIRE(std::isfinite(lr_bn));
    // The plain net is far worse (or diverged) there, and its own best rate is lower.
    const float plain = readout(r, "plain_loss_at_max_lr");
    CHECK((!std::isfinite(plain) || plain > 5.0f * readout(r, "bn_loss_at_max_lr")));
    CHECK((!std::isfinite(readout(r, "plain_max_good_lr")) || readout(r, "plain_max_good_lr") < lr_bn));
    // The numbers lesson 7 quotes: largest good rates 1 and 3; at 3 BN's loss is 0.0006 to 0.022
    // and the plain network diverges or ends at chance level (ln 2 = 0.69).
    CHECK(readout(r, "plain_max_good_lr") == 1.0f);
    CHECK(lr_bn == 3.0f);
    check_quoted(r, "bn_loss_at_max_lr", 0.0006, 0.022, 0.00005);
    if (readout(r, "plain_diverged_at_max_lr") == 1.0f) ++plain_diverged;
    else check_quoted(r, "plain_loss_at_max_lr", 0.7, 0.8, 0.05);
    // From the chart (final loss per rate; NaN = failed: diverged or above 5): both train
    // (loss < 0.1) from 0.1 to 1, neither trains at 10 (loss 0.5 or more, or failed), BN is
    // lower at the two smallest rates.
    REQUIRE(r.charts.size() == 1);
    const StudyLine* bn = nullptr;
    const StudyLine* no_bn = nullptr;
    for (const StudyLine& l : r.charts[0].lines) {
      if (l.label == "BN") bn = &l;
      if (l.label == "no BN") no_bn = &l;
    }
    REQUIRE(bn != nullptr);
    REQUIRE(no_bn != nullptr);
    for (std::size_t k = 0; k < bn->x.size(); ++k) {
      INFO("rate " << bn->x[k] << ": BN " << bn->y[k] << ", no BN " << no_bn->y[k]);
      if (bn->x[k] >= 0.099f && bn->x[k] <= 1.01f) {
        CHECK(bn->y[k] < 0.1f);
        CHECK(no_bn->y[k] < 0.1f);
      }
      if (bn->x[k] >= 9.9f) {
        CHECK((!std::isfinite(bn->y[k]) || bn->y[k] >= 0.495f));
        CHECK((!std::isfinite(no_bn->y[k]) || no_bn->y[k] >= 0.495f));
      }
      if (bn->x[k] <= 0.0031f) CHECK(bn->y[k] < no_bn->y[k]);
    }
  }
  CHECK(plain_diverged >= 3);  // "diverges on seeds 1 to 3"
}

TEST_CASE("lesson 09-regularization claim: BN's batch statistics are noisy like 1/sqrt(B), and BN's gap is smaller") {
  check_prediction_answer("09-regularization", "About 4 times smaller (1/√B)");  // ratio 3.5 to 5
  int bn_more_accurate = 0;
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kRegularization, seed);
    if (seed == kSeeds[0]) check_outlines(r);
    INFO("seed " << seed << ": " << r.verdict);
    CHECK(r.claim_holds);
    // The noise, read from the BatchNorm layer's own statistics: 1/sqrt(4) = 0.5, 1/sqrt(64) = 0.125.
    const float ratio = readout(r, "noise_b4") / readout(r, "noise_b64");
    CHECK(ratio > 3.5f);
    CHECK(ratio < 5.0f);
    check_quoted(r, "noise_b4", 0.46, 0.51, 0.005);
    check_quoted(r, "noise_b64", 0.11, 0.12, 0.005);
    check_quoted(r, "var_noise_b4", 0.48, 0.63, 0.005);
    // The overfitting setup: the plain network (the control) fits the 40 points and its test
    // loss ends far above its train loss; with BN the gap is several times smaller.
    check_quoted(r, "plain_train_accuracy", 0.975, 1.0, 0.0005);
    check_quoted(r, "plain_mean_gap", 1.7, 3.5, 0.05);
    check_quoted(r, "bn_train_accuracy", 0.91, 0.96, 0.005);
    check_quoted(r, "bn_mean_gap", 0.16, 0.61, 0.005);
    CHECK(2.0f * readout(r, "bn_mean_gap") < readout(r, "plain_mean_gap"));
    // BN's gap is smallest at batch 4, where its noise is largest.
    REQUIRE(r.charts.size() == 2);
    const StudyLine& bn_gap = r.charts[1].lines.at(0);
    REQUIRE(bn_gap.label == "BN");
    CHECK(*std::min_element(bn_gap.y.begin(), bn_gap.y.end()) == bn_gap.y.front());
    CHECK(bn_gap.y.front() >= -0.045f);
    CHECK(bn_gap.y.front() <= 0.095f);
    // Test accuracy barely moves.
    check_quoted(r, "bn_test_accuracy", 0.82, 0.89, 0.005);
    check_quoted(r, "plain_test_accuracy", 0.80, 0.87, 0.005);
    if (readout(r, "bn_test_accuracy") > readout(r, "plain_test_accuracy")) ++bn_more_accurate;
  }
  CHECK(bn_more_accurate == 4);  // "higher with BN on four of five seeds"
}

TEST_CASE("lesson 10-small-batches claim: BN's error rises as the batch shrinks, LayerNorm's and GroupNorm's do not") {
  check_prediction_answer("10-small-batches", "Clearly worse: several times its error at 32");  // 14-31% vs 2-4%
  int brn_helps = 0;
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kSmallBatches, seed);
    if (seed == kSeeds[0]) check_outlines(r);
    INFO("seed " << seed << ": " << r.verdict);
    CHECK(r.claim_holds);
    // The claim is about batch statistics: BN's error at B = 2 is several times its error at
    // B = 32 ...
    CHECK(readout(r, "bn_error_b2") > 3.0f * readout(r, "bn_error_b32"));
    CHECK(readout(r, "bn_error_b2") > readout(r, "bn_error_b4"));
    // ... and the controls without batch statistics (LayerNorm, GroupNorm), same data, same
    // schedule, do not show it: their error at B = 2 is within 3 points of their error at 32.
    for (const char* norm : {"ln", "gn"}) {
      INFO(norm);
      CHECK(readout(r, (std::string(norm) + "_error_b2").c_str()) <=
            readout(r, (std::string(norm) + "_error_b32").c_str()) + 0.03f);
      CHECK(readout(r, (std::string(norm) + "_error_b2").c_str()) < readout(r, "bn_error_b2"));
    }
    // The numbers lesson 10 quotes (errors on 100 test points: steps of 0.01).
    for (const char* key : {"bn_error_b32", "ln_error_b32", "gn_error_b32", "brn_error_b32"})
      check_quoted(r, key, 0.02, 0.05, 0.005);
    check_quoted(r, "bn_error_b32", 0.02, 0.04, 0.005);
    check_quoted(r, "bn_error_b4", 0.07, 0.10, 0.005);
    check_quoted(r, "bn_error_b2", 0.14, 0.31, 0.005);
    CHECK(readout(r, "ln_error_max") <= 0.065f);  // "6% or below at every batch size"
    CHECK(readout(r, "gn_error_max") <= 0.065f);
    // Batch Renorm: 2 to 9% at B = 2 on four seeds, no better than BN on seed 3 (15% vs 14%).
    if (readout(r, "brn_error_b2") < readout(r, "bn_error_b2")) {
      ++brn_helps;
      check_quoted(r, "brn_error_b2", 0.02, 0.09, 0.005);
    } else {
      CHECK(seed == 3);
      check_quoted(r, "brn_error_b2", 0.15, 0.15, 0.005);
      check_quoted(r, "bn_error_b2", 0.14, 0.14, 0.005);
    }
  }
  CHECK(brn_helps == 4);
}

TEST_CASE("lesson 11-non-iid-data claim: one-class batches break BN and recalibration repairs a test-time shift") {
  check_prediction_answer("11-non-iid-data", "About a coin toss, 0.5");  // four seeds of five
  int coin_toss = 0;
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kNonIid, seed);
    if (seed == kSeeds[0]) check_outlines(r);
    INFO("seed " << seed << ": " << r.verdict);
    CHECK(r.claim_holds);
    CHECK(readout(r, "iid_accuracy") > 0.9f);
    CHECK(readout(r, "one_class_accuracy") < readout(r, "iid_accuracy") - 0.2f);
    CHECK(readout(r, "one_class_recalibrated") < readout(r, "iid_accuracy") - 0.1f);
    CHECK(readout(r, "shift_after") > readout(r, "shift_before") + 0.1f);
    CHECK(readout(r, "shift_after") >= 0.9f);
    // The numbers lesson 11 quotes (accuracies on 100 test points).
    check_quoted(r, "iid_accuracy", 0.99, 1.0, 0.005);
    check_quoted(r, "one_class_accuracy", 0.45, 0.78, 0.005);
    if (readout(r, "one_class_accuracy") <= 0.555f) ++coin_toss;
    check_quoted(r, "one_region_accuracy", 0.50, 0.75, 0.005);
    check_quoted(r, "one_class_recalibrated", 0.51, 0.76, 0.005);
    check_quoted(r, "shift_before", 0.66, 0.81, 0.005);
    check_quoted(r, "shift_after", 0.98, 1.0, 0.005);
    // Recalibrated on the shifted inputs, the i.i.d. network is about as good as on unshifted ones.
    CHECK(readout(r, "shift_after") >= readout(r, "iid_accuracy") - 0.025f);
  }
  CHECK(coin_toss >= 4);  // "0.45 to 0.55 on four seeds, a coin toss, and 0.78 on seed 5"

  // The control: the same network, data and batches without BatchNorm. One-class batches do
  // not hurt it (0.98 to 1.0 on seeds 1-5, as i.i.d.), and with no statistics to recalibrate,
  // recalibration changes nothing and the shift stays unrepaired: the claim fails.
  for (std::uint64_t seed : kSeeds) {
    const StudyResult c = run_control(study_detail::make_non_iid_job(seed, nl::NormKind::kNone), "no BatchNorm", seed);
    INFO("control without BN, seed " << seed << ": " << c.verdict);
    CHECK_FALSE(c.claim_holds);
    CHECK(readout(c, "one_class_accuracy") >= readout(c, "iid_accuracy") - 0.05f);
    CHECK(readout(c, "one_class_recalibrated") == readout(c, "one_class_accuracy"));
    CHECK(readout(c, "shift_after") == readout(c, "shift_before"));
  }
}

TEST_CASE("lesson 12-bn-in-convnets claim: per-channel statistics pool N H W") {
  check_prediction_answer("12-bn-in-convnets", "All N·H·W values of the channel: one mean per channel");  // 2048 values
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kConvStats, seed);
    if (seed == kSeeds[0]) check_outlines(r);
    INFO("seed " << seed << ": " << r.verdict);
    CHECK(r.claim_holds);
    CHECK(readout(r, "values_per_channel") == 32.0f * 64.0f);
    CHECK(readout(r, "max_stat_difference") < 5e-7f);  // "they agree to about 10⁻⁷"
    CHECK(readout(r, "position_spread") > 0.05f);
    // Lesson 12 quotes the readout: the largest spread over the 4 channels, not channel 1's.
    check_quoted(r, "position_spread", 0.27, 0.35, 0.005);
  }
  // The control: a BatchNorm1d on the flattened image keeps one mean per position, over the
  // N = 32 samples only; its statistics are not the channel's pooled ones, and the claim fails.
  for (std::uint64_t seed : kSeeds) {
    const StudyResult c = run_control(study_detail::make_conv_stats_job(seed, study_detail::ConvStatsNorm::kPerPosition),
                                      "BatchNorm1d per position", seed);
    INFO("control per position, seed " << seed << ": " << c.verdict);
    CHECK_FALSE(c.claim_holds);
    CHECK(readout(c, "values_per_channel") == 32.0f);
    CHECK(readout(c, "max_stat_difference") > 1e-2f);
  }
}
