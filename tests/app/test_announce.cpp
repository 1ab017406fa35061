// Screen-reader announcements (app/announce.h): the inspector's stage and formula carry the
// same numbers inspector_model() computes; the text changes on stage, play/pause and steps
// while paused, not on every training step; non-finite numbers are never spoken as "nan".
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "app/announce.h"
#include "app/inspector.h"
#include "app_fixtures.h"

using nl::app::testing::fresh_session;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("announce: numbers are spoken with 4 digits and never as nan", "[app][announce]") {
  CHECK(nl::app::speak_number(0.123456) == "0.1235");
  CHECK(nl::app::speak_number(-2.0) == "-2");
  CHECK(nl::app::speak_number(-0.0) == "0");
  CHECK(nl::app::speak_number(NAN) == "undefined");
  CHECK(nl::app::speak_number(INFINITY) == "undefined");
}

TEST_CASE("announce: the inspector stage and its formula carry the panel's numbers", "[app][announce]") {
  auto s = fresh_session();
  nl::app::apply(s, nl::app::act::Step{5});
  nl::app::apply(s, nl::app::act::ShowPanel{nl::app::Panel::kInspector});
  nl::app::apply(s, nl::app::act::SetInspectorStage{nl::app::InspectorStage::kMean});
  const nl::app::InspectorModel m = nl::app::inspector_model(s);
  REQUIRE(m.ok);
  nl::app::Announcement a = nl::app::announce(s);
  CHECK(has(a.panel, "BN inspector"));
  CHECK(has(a.stage, "Stage 2 of 8"));
  CHECK(has(a.formula, "μ_B"));
  CHECK(has(a.formula, "= " + nl::app::speak_number(m.mean)));
  CHECK(has(a.formula, "m = " + std::to_string(m.batch.size())));
  CHECK(has(a.training, "paused at step 5"));

  nl::app::apply(s, nl::app::act::SetInspectorStage{nl::app::InspectorStage::kNormalized});
  a = nl::app::announce(s);
  const float xhat = m.xhat[static_cast<std::size_t>(m.sample)];
  CHECK(has(a.formula, "x̂_"));
  CHECK(has(a.formula, nl::app::speak_number(xhat)));
  CHECK(has(a.formula, nl::app::speak_number(m.var)));
  CHECK_FALSE(has(a.text(), "nan"));
}

TEST_CASE("announce: every stage has a formula without nan or inf", "[app][announce]") {
  auto s = fresh_session();
  nl::app::apply(s, nl::app::act::Step{3});
  nl::app::apply(s, nl::app::act::ShowPanel{nl::app::Panel::kInspector});
  for (int i = 0; i < nl::app::kInspectorStageCount; ++i) {
    nl::app::apply(s, nl::app::act::SetInspectorStage{static_cast<nl::app::InspectorStage>(i)});
    const nl::app::Announcement a = nl::app::announce(s);
    INFO(a.text());
    CHECK_FALSE(a.formula.empty());
    CHECK_FALSE(has(a.text(), "nan"));
    CHECK_FALSE(has(a.text(), "inf"));
  }
}

TEST_CASE("announce: the announcer speaks on changes, not on every step while playing", "[app][announce]") {
  auto s = fresh_session();
  nl::app::Announcer announcer;
  CHECK(announcer.update(s));
  CHECK(has(announcer.text(), "paused at step 0"));
  CHECK_FALSE(announcer.update(s));
  nl::app::apply(s, nl::app::act::Play{});
  CHECK(announcer.update(s));
  CHECK(has(announcer.text(), "running"));
  nl::app::apply(s, nl::app::act::Step{1});  // steps while playing: same text
  nl::app::apply(s, nl::app::act::Step{1});
  CHECK_FALSE(announcer.update(s));
  nl::app::apply(s, nl::app::act::Pause{});
  CHECK(announcer.update(s));
  CHECK(has(announcer.text(), "paused at step 2"));
  CHECK(has(announcer.text(), "Train loss"));
  nl::app::apply(s, nl::app::act::ShowPanel{nl::app::Panel::kInspector});
  CHECK(announcer.update(s));
  CHECK(has(announcer.text(), "Stage 1 of 8"));
  nl::app::apply(s, nl::app::act::InspectorNextStage{});
  CHECK(announcer.update(s));
  CHECK(has(announcer.text(), "Stage 2 of 8"));
}
