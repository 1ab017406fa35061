// Study names, the background runner (advance_study) and the study actions (study.h,
// study_actions.h). Not here: the studies themselves (study_*.cpp).
#include "app/study.h"

#include <array>
#include <chrono>
#include <cmath>
#include <string>
#include <utility>

#include "app/session.h"
#include "app/study_actions.h"
#include "app/study_internal.h"

namespace nl::app {

namespace {

// What the picker shows, in StudyKind order (the names: EnumNames<StudyKind> in study.h).
constexpr std::array<const char*, kStudyCount> kStudyTitles = {
    "Internal covariate shift (lesson 4)",   "Loss-landscape smoothness (lesson 5)",
    "Gradient flow in a deep net (lesson 6)", "Higher learning rates (lesson 7)",
    "Regularization (lesson 9)",             "Small batches (lesson 10)",
    "Non-i.i.d. batches and shifts (lesson 11)", "BN in conv nets (lesson 12)",
};

}  // namespace

const char* study_name(StudyKind kind) {
  const auto i = static_cast<std::size_t>(kind);
  return i < EnumNames<StudyKind>::values.size() ? EnumNames<StudyKind>::values[i].data() : "covariate_shift";
}

std::optional<StudyKind> parse_study(std::string_view name) { return enum_from_name<StudyKind>(name); }

const char* study_title(StudyKind kind) {
  const auto i = static_cast<std::size_t>(kind);
  return i < kStudyTitles.size() ? kStudyTitles[i] : "";
}

float readout(const StudyResult& r, std::string_view key) {
  for (const StudyReadout& o : r.readouts)
    if (o.key == key) return o.value;
  return std::nanf("");
}

std::unique_ptr<StudyJob> make_study_job(const StudyParams& p) {
  using namespace study_detail;
  switch (p.kind) {
    case StudyKind::kCovariateShift: return make_covariate_shift_job(p.seed);
    case StudyKind::kLandscape: return make_landscape_job(p.seed);
    case StudyKind::kGradientFlow: return make_gradient_flow_job(p.seed);
    case StudyKind::kLearningRates: return make_learning_rates_job(p.seed);
    case StudyKind::kRegularization: return make_regularization_job(p.seed);
    case StudyKind::kSmallBatches: return make_small_batches_job(p.seed);
    case StudyKind::kNonIid: return make_non_iid_job(p.seed);
    case StudyKind::kConvStats: return make_conv_stats_job(p.seed);
  }
  return nullptr;
}

StudyResult run_study(const StudyParams& params) {
  std::unique_ptr<StudyJob> job = make_study_job(params);
  if (!job) return StudyResult{params, {}, {}, "unknown study", false};
  for (int i = 0; i < job->total_units(); ++i) job->run_unit(i);
  StudyResult r = job->result();
  r.params = params;
  return r;
}

void advance_study(Session& session, double budget_seconds) {
  StudyState& st = session.study;
  if (!st.running || !st.job) return;
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  StudyJob& job = *st.job.get();
  // At least one unit per call, so a slow machine still makes progress.
  while (st.units_done < st.units_total) {
    job.run_unit(st.units_done);
    ++st.units_done;
    if (std::chrono::duration<double>(Clock::now() - start).count() >= budget_seconds) break;
  }
  if (st.units_done >= st.units_total) {
    StudyResult r = job.result();
    r.params = st.running_params;
    st.results[st.running_params.kind] = std::move(r);
    st.running = false;
    st.job.reset();
  }
}

namespace {
bool valid_kind(StudyKind k) { return static_cast<int>(k) >= 0 && static_cast<int>(k) < kStudyCount; }
}  // namespace

void apply_study(Session& s, const act::SelectStudy& a) {
  if (!valid_kind(a.kind)) {
    s.notice = Notice{"Unknown experiment.", ""};
    return;
  }
  s.study.selected = a.kind;
}

void apply_study(Session& s, const act::RunStudy& a) {
  if (!valid_kind(a.kind)) {
    s.notice = Notice{"Unknown experiment.", ""};
    return;
  }
  if (a.seed < kStudySeedMin || a.seed > kStudySeedMax) {
    s.notice = Notice{"An experiment's seed must be from " + std::to_string(kStudySeedMin) + " to " +
                          std::to_string(kStudySeedMax) + ".",
                      ""};
    return;
  }
  StudyParams p{a.kind, a.seed};
  s.study.selected = a.kind;
  // Studies are deterministic: the same params give the same result, so a lesson replay (or a
  // second click) keeps a run in progress or a finished result instead of starting over.
  if (s.study.running && s.study.running_params.kind == p.kind && s.study.running_params.seed == p.seed) return;
  if (const auto it = s.study.results.find(p.kind);
      !s.study.running && it != s.study.results.end() && it->second.params.seed == p.seed)
    return;
  s.study.running_params = p;
  s.study.job = StudyJobHolder(make_study_job(p));
  s.study.units_done = 0;
  s.study.units_total = s.study.job ? s.study.job.get()->total_units() : 0;
  s.study.running = static_cast<bool>(s.study.job);
}

void apply_study(Session& s, const act::CancelStudy&) {
  s.study.running = false;
  s.study.job.reset();
  s.study.units_done = 0;
  s.study.units_total = 0;
}

}  // namespace nl::app
