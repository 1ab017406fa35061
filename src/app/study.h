// Studies: the background experiments behind the lessons (internal covariate shift, loss
// landscape, gradient flow, learning-rate sweep, regularization, small batches, non-i.i.d.
// batches, BN in conv nets). Each runs in slices (advance_study) so the UI keeps its frame
// rate, is seeded (same params, same numbers on every platform) and bounded in size.
// Results are generic: charts of named (x, y) lines, readouts and a verdict from the numbers.
// Not here: drawing (ui/study_view.cpp), the individual studies (study_*.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/enum_names.h"

namespace nl::app {

struct Session;

enum class StudyKind {
  kCovariateShift,  // lesson 4: percentiles of one unit's input over training; noisy BN
  kLandscape,       // lesson 5: loss variation, gradient predictiveness, gradient Lipschitz estimate
  kGradientFlow,    // lesson 6: per-layer gradient norms of a deep sigmoid net
  kLearningRates,   // lesson 7: final loss vs learning rate
  kRegularization,  // lesson 9: train/test gap across batch sizes; batch-statistics noise
  kSmallBatches,    // lesson 10: BN vs LayerNorm vs GroupNorm vs Batch Renorm over batch sizes
  kNonIid,          // lesson 11: batch composition, test-time shift, recalibration
  kConvStats,       // lesson 12: per-channel statistics over N*H*W in a conv net
};
inline constexpr int kStudyCount = 8;
}  // namespace nl::app
template <> struct nl::EnumNames<nl::app::StudyKind> {
  static constexpr std::array<std::string_view, nl::app::kStudyCount> values = {
      "covariate_shift", "landscape", "gradient_flow", "learning_rates",
      "regularization",  "small_batches", "non_iid",   "conv_stats"};
};
namespace nl::app {

// Stable names ("covariate_shift", "landscape", "gradient_flow", "learning_rates",
// "regularization", "small_batches", "non_iid", "conv_stats") for JSON, URLs and lessons.
const char* study_name(StudyKind kind);
std::optional<StudyKind> parse_study(std::string_view name);
// What the learner reads in the picker, e.g. "Higher learning rates (lesson 7)".
const char* study_title(StudyKind kind);

// A study's seed (data, initialization and batch order): the range the picker, the run_study
// action and `normlab-cli study --seed` accept.
inline constexpr std::uint64_t kStudySeedMin = 1;
inline constexpr std::uint64_t kStudySeedMax = 0xffffffffULL;

struct StudyParams {
  StudyKind kind = StudyKind::kCovariateShift;
  std::uint64_t seed = kStudySeedMin;  // in [kStudySeedMin, kStudySeedMax]
};

// One line (or point set) of a chart. x and y have the same length; non-finite y are gaps.
struct StudyLine {
  std::string label;
  std::vector<float> x, y;
  bool points = false;          // scatter instead of a line
  std::vector<float> lo, hi;    // optional band around y (same length), e.g. 15th/85th pct
  int colour = 0;               // palette index: 0 with norm, 1 without, 2.. others
};

struct StudyChart {
  std::string title;
  std::string x_label, y_label;
  bool log_x = false;           // x drawn as log10 (all x > 0)
  bool log_y = false;
  bool legend_bottom = false;   // legend in the bottom-right corner (where the lines leave room)
  std::vector<StudyLine> lines;
};

struct StudyReadout {
  std::string key;              // stable id for tests and lessons, e.g. "bn_final_loss"
  std::string label;            // what the learner reads
  float value = 0.0f;           // may be NaN (shown as "—", e.g. a diverged run)
};

struct StudyResult {
  StudyParams params;
  std::vector<StudyChart> charts;
  std::vector<StudyReadout> readouts;
  std::string verdict;          // one line computed from the numbers
  bool claim_holds = false;     // the lesson's claim, decided from the numbers (see each study)
};

// Readout by key; NaN when there is none.
float readout(const StudyResult& r, std::string_view key);

// A study in progress: a fixed number of units (a training step, a measurement...), run in
// order. Implementations live in study_*.cpp; clone() keeps Session copyable.
class StudyJob {
 public:
  virtual ~StudyJob() = default;
  virtual std::unique_ptr<StudyJob> clone() const = 0;
  virtual int total_units() const = 0;
  virtual void run_unit(int index) = 0;      // index = units done so far
  virtual StudyResult result() const = 0;    // after every unit ran
};

// Owns a job; copies clone it (a copied Session continues its own copy of the study).
class StudyJobHolder {
 public:
  StudyJobHolder() = default;
  explicit StudyJobHolder(std::unique_ptr<StudyJob> job) : job_(std::move(job)) {}
  StudyJobHolder(const StudyJobHolder& o) : job_(o.job_ ? o.job_->clone() : nullptr) {}
  StudyJobHolder& operator=(const StudyJobHolder& o) {
    if (this != &o) job_ = o.job_ ? o.job_->clone() : nullptr;
    return *this;
  }
  StudyJobHolder(StudyJobHolder&&) noexcept = default;
  StudyJobHolder& operator=(StudyJobHolder&&) noexcept = default;
  StudyJob* get() const { return job_.get(); }
  void reset() { job_.reset(); }
  explicit operator bool() const { return job_ != nullptr; }

 private:
  std::unique_ptr<StudyJob> job_;
};

// Session::study: which study the picker shows, the one running, and the last result of each.
struct StudyState {
  StudyKind selected = StudyKind::kCovariateShift;
  bool running = false;
  StudyParams running_params;
  int units_done = 0, units_total = 0;
  StudyJobHolder job;
  std::map<StudyKind, StudyResult> results;  // last finished result per study
};

// Builds a study's job (sizes are fixed per study; see each study_*.cpp for its cost).
std::unique_ptr<StudyJob> make_study_job(const StudyParams& params);

// Runs a study to the end, synchronously (tests, CLI).
StudyResult run_study(const StudyParams& params);

// Runs units of the session's study until `budget_seconds` have passed (at least one unit per
// call); stores the result when the last unit ran. Does nothing when no study runs.
void advance_study(Session& session, double budget_seconds = 0.004);

}  // namespace nl::app
