// Study machinery (app/study.h): names, determinism, slicing through advance_study and the
// actions, copies of a running session. The lesson claims are in test_lesson_claims.cpp.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "app/action_json.h"
#include "app/actions.h"
#include "app/schedule.h"
#include "app/session.h"
#include "app/study.h"
#include "app/study_actions.h"

using namespace nl;
using namespace nl::app;

TEST_CASE("study names round-trip and unknown names are rejected") {
  for (int i = 0; i < kStudyCount; ++i) {
    const auto k = static_cast<StudyKind>(i);
    REQUIRE(parse_study(study_name(k)) == k);
    REQUIRE(std::string(study_title(k)).size() > 0);
  }
  REQUIRE_FALSE(parse_study("nope").has_value());
}

TEST_CASE("a study runs in slices through tick() and gives the same result as run_study") {
  auto s = make_session(default_spec());
  REQUIRE(s.ok());
  apply(*s, act::ShowPanel{Panel::kStudies});
  REQUIRE(s->view.panel == Panel::kStudies);
  apply(*s, act::RunStudy{StudyKind::kConvStats, 3});
  REQUIRE(s->study.running);
  REQUIRE(s->study.units_total > 1);
  Session copy = *s;  // a copy continues its own study
  int frames = 0;
  while (s->study.running && frames < 100000) {
    advance_study(*s, 0.0);  // one unit per call: the most slices possible
    ++frames;
  }
  REQUIRE_FALSE(s->study.running);
  REQUIRE(frames == s->study.units_total);
  const StudyResult& sliced = s->study.results.at(StudyKind::kConvStats);
  const StudyResult whole = run_study({StudyKind::kConvStats, 3});
  REQUIRE(sliced.readouts.size() == whole.readouts.size());
  for (std::size_t i = 0; i < whole.readouts.size(); ++i) {
    INFO(whole.readouts[i].key);
    REQUIRE(sliced.readouts[i].value == whole.readouts[i].value);
  }
  REQUIRE(sliced.verdict == whole.verdict);
  REQUIRE(copy.study.running);  // untouched by the original's progress
  REQUIRE(copy.study.units_done == 0);
  apply(copy, act::CancelStudy{});
  REQUIRE_FALSE(copy.study.running);
  REQUIRE(copy.study.results.empty());
}

TEST_CASE("study actions validate their input and round-trip through JSON") {
  auto s = make_session(default_spec());
  REQUIRE(s.ok());
  apply(*s, act::RunStudy{StudyKind::kLandscape, 0});
  REQUIRE_FALSE(s->study.running);
  REQUIRE(s->notice.has_value());
  apply(*s, act::RunStudy{static_cast<StudyKind>(99), 1});
  REQUIRE_FALSE(s->study.running);
  apply(*s, act::SelectStudy{StudyKind::kNonIid});
  REQUIRE(s->study.selected == StudyKind::kNonIid);
  auto a = action_from_json(nlohmann::json::parse(R"({"type":"run_study","kind":"small_batches","seed":4})", nullptr, false));
  REQUIRE(a.ok());
  const auto* run = std::get_if<act::RunStudy>(&*a);
  REQUIRE(run != nullptr);
  REQUIRE(run->kind == StudyKind::kSmallBatches);
  REQUIRE(run->seed == 4);
  REQUIRE(action_to_json(*a)["kind"] == "small_batches");
  REQUIRE_FALSE(action_from_json(nlohmann::json::parse(R"({"type":"run_study","kind":"bogus"})", nullptr, false)).ok());
}

TEST_CASE("a session left on the Experiments panel advances its study in tick") {
  auto s = make_session(default_spec());
  REQUIRE(s.ok());
  apply(*s, act::RunStudy{StudyKind::kConvStats, 1});
  const int before = s->study.units_done;
  tick(*s);
  REQUIRE(s->study.units_done > before);
}

TEST_CASE("running a study again with the same seed keeps its result and a new seed recomputes") {
  auto s = make_session(default_spec());
  REQUIRE(s.ok());
  apply(*s, act::RunStudy{StudyKind::kConvStats, 1});
  while (s->study.running) advance_study(*s, 1.0);
  const std::string first = s->study.results.at(StudyKind::kConvStats).verdict;
  apply(*s, act::RunStudy{StudyKind::kConvStats, 1});
  REQUIRE_FALSE(s->study.running);  // kept
  apply(*s, act::RunStudy{StudyKind::kConvStats, 2});
  REQUIRE(s->study.running);
  REQUIRE(s->study.results.at(StudyKind::kConvStats).verdict == first);  // old result shown meanwhile
  while (s->study.running) advance_study(*s, 1.0);
  REQUIRE(s->study.results.at(StudyKind::kConvStats).params.seed == 2);
  REQUIRE(s->study.results.at(StudyKind::kConvStats).verdict != first);
}
