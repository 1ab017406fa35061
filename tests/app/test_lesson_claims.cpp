// Lesson claims: each lesson with an experiment runs its study (app/study.h) headlessly and
// asserts what the lesson text says, on seeds 1 to 5 (the seeds the texts name). Where a text
// quotes a range "lo to hi", check_quoted asserts that range, give or take half a unit of the
// last digit shown. The numbers are printed (run with -s or see the test log) so the lesson
// text can quote what the toy really shows.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/study.h"

using namespace nl::app;

namespace {

constexpr std::uint64_t kSeeds[] = {1, 2, 3, 4, 5};

StudyResult run_and_print(StudyKind kind, std::uint64_t seed) {
  StudyResult r = run_study({kind, seed});
  std::printf("[%s seed %llu] %s\n", study_name(kind), static_cast<unsigned long long>(seed), r.verdict.c_str());
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

}  // namespace

TEST_CASE("lesson 04-internal-covariate-shift claim: noisy BN still trains and BN steadies the unit's input") {
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kCovariateShift, seed);
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
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kLandscape, seed);
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
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kGradientFlow, seed);
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
  int plain_diverged = 0;
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kLearningRates, seed);
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

TEST_CASE("lesson 09-regularization claim: batch statistics are noisy and the noise falls like one over root B") {
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kRegularization, seed);
    INFO("seed " << seed << ": " << r.verdict);
    CHECK(r.claim_holds);
    // 1/sqrt(4) = 0.5 and 1/sqrt(64) = 0.125: a ratio of 4.
    const float ratio = readout(r, "noise_b4") / readout(r, "noise_b64");
    CHECK(ratio > 2.5f);
    CHECK(ratio < 6.5f);
    CHECK(readout(r, "noise_b4") == Approx(0.5).margin(0.12));
  }
}

TEST_CASE("lesson 10-small-batches claim: GroupNorm beats BN at batch 2 and BN is fine at batch 32") {
  int gn_low = 0, brn_between = 0;
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kSmallBatches, seed);
    INFO("seed " << seed << ": " << r.verdict);
    CHECK(r.claim_holds);
    CHECK(readout(r, "gn_error_b2") < readout(r, "bn_error_b2"));
    CHECK(readout(r, "ln_error_b2") < readout(r, "bn_error_b2"));
    CHECK(readout(r, "bn_error_b32") < 0.1f);
    CHECK(readout(r, "bn_error_b2") > readout(r, "bn_error_b32") + 0.2f);
    // The numbers lesson 10 quotes (errors on 100 test points: steps of 0.01).
    for (const char* key : {"bn_error_b32", "ln_error_b32", "gn_error_b32", "brn_error_b32"})
      check_quoted(r, key, 0.02, 0.05, 0.005);
    check_quoted(r, "bn_error_b2", 0.43, 0.56, 0.005);  // about chance (0.5) for two classes
    check_quoted(r, "ln_error_b2", 0.02, 0.18, 0.005);
    check_quoted(r, "gn_error_b2", 0.03, 0.41, 0.005);
    check_quoted(r, "brn_error_b2", 0.14, 0.56, 0.005);
    CHECK(readout(r, "brn_error_b2") <= readout(r, "bn_error_b2"));
    if (readout(r, "gn_error_b2") <= 0.055f) ++gn_low;
    const float per_sample = std::max(readout(r, "ln_error_b2"), readout(r, "gn_error_b2"));
    if (readout(r, "brn_error_b2") > per_sample && readout(r, "brn_error_b2") < readout(r, "bn_error_b2") &&
        readout(r, "brn_error_b2") <= 0.335f)
      ++brn_between;
  }
  CHECK(gn_low >= 4);       // "GroupNorm's 3 to 5% on four seeds but 41% on seed 1"
  CHECK(brn_between >= 4);  // "in between on four seeds (14 to 33%)"
}

TEST_CASE("lesson 11-non-iid-data claim: one-class batches break BN and recalibration repairs a test-time shift") {
  int coin_toss = 0;
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kNonIid, seed);
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
}

TEST_CASE("lesson 12-bn-in-convnets claim: per-channel statistics pool N H W") {
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kConvStats, seed);
    INFO("seed " << seed << ": " << r.verdict);
    CHECK(r.claim_holds);
    CHECK(readout(r, "values_per_channel") == 32.0f * 64.0f);
    CHECK(readout(r, "max_stat_difference") < 5e-7f);  // "they agree to about 10⁻⁷"
    CHECK(readout(r, "position_spread") > 0.05f);
    // Lesson 12 quotes the readout: the largest spread over the 4 channels, not channel 1's.
    check_quoted(r, "position_spread", 0.27, 0.35, 0.005);
  }
}
