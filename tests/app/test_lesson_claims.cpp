// Lesson claims: each lesson with an experiment runs its study (app/study.h) headlessly and
// asserts what the lesson text says, for three seeds, with margins. The numbers are printed
// (run with -s or see the test log) so the lesson text can quote what the toy really shows.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>

#include "app/study.h"

using namespace nl::app;

namespace {

constexpr std::uint64_t kSeeds[] = {1, 2, 3};

StudyResult run_and_print(StudyKind kind, std::uint64_t seed) {
  StudyResult r = run_study({kind, seed});
  std::printf("[%s seed %llu] %s\n", study_name(kind), static_cast<unsigned long long>(seed), r.verdict.c_str());
  for (const StudyReadout& o : r.readouts) std::printf("    %-28s %g\n", o.key.c_str(), static_cast<double>(o.value));
  return r;
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
  }
}

TEST_CASE("lesson 05-loss-landscape claim: BN's loss and gradient change less along the gradient") {
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kLandscape, seed);
    INFO("seed " << seed << ": " << r.verdict);
    CHECK(r.claim_holds);
    CHECK(2.0f * readout(r, "bn_loss_variation") < readout(r, "plain_loss_variation"));
    CHECK(2.0f * readout(r, "bn_grad_change") < readout(r, "plain_grad_change"));
    CHECK(readout(r, "bn_beta") < readout(r, "plain_beta"));
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
  }
}

TEST_CASE("lesson 07-higher-learning-rates claim: BN trains at rates where the plain net fails") {
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
  }
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
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kSmallBatches, seed);
    INFO("seed " << seed << ": " << r.verdict);
    CHECK(r.claim_holds);
    CHECK(readout(r, "gn_error_b2") < readout(r, "bn_error_b2"));
    CHECK(readout(r, "ln_error_b2") < readout(r, "bn_error_b2"));
    CHECK(readout(r, "bn_error_b32") < 0.1f);
    CHECK(readout(r, "bn_error_b2") > readout(r, "bn_error_b32") + 0.2f);
  }
}

TEST_CASE("lesson 11-non-iid-data claim: one-class batches break BN and recalibration repairs a test-time shift") {
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kNonIid, seed);
    INFO("seed " << seed << ": " << r.verdict);
    CHECK(r.claim_holds);
    CHECK(readout(r, "iid_accuracy") > 0.9f);
    CHECK(readout(r, "one_class_accuracy") < readout(r, "iid_accuracy") - 0.2f);
    CHECK(readout(r, "one_class_recalibrated") < readout(r, "iid_accuracy") - 0.1f);
    CHECK(readout(r, "shift_after") > readout(r, "shift_before") + 0.1f);
    CHECK(readout(r, "shift_after") >= 0.9f);
  }
}

TEST_CASE("lesson 12-bn-in-convnets claim: per-channel statistics pool N H W") {
  for (std::uint64_t seed : kSeeds) {
    const StudyResult r = run_and_print(StudyKind::kConvStats, seed);
    INFO("seed " << seed << ": " << r.verdict);
    CHECK(r.claim_holds);
    CHECK(readout(r, "values_per_channel") == 32.0f * 64.0f);
    CHECK(readout(r, "max_stat_difference") < 1e-4f);
    CHECK(readout(r, "position_spread") > 0.05f);
  }
}
