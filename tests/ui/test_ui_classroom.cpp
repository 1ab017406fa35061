// Classroom links in the real UI, headless: hidden controls and panels are not drawn,
// locked controls do not change the session when clicked, and the Share dialog builds a
// classroom link from its checkboxes.
#include <string>

#include "headless_ui.h"
#include "app/url_state.h"

using namespace nl;
using namespace nl::app;
using nl::app::testing::fresh_session;
using nl::app::testing::step_of;
using nl::ui::testing::HeadlessUi;

TEST_CASE("ui classroom: controls and panels hidden by a link are not drawn", "[ui][classroom]") {
  HeadlessUi ui;
  Session s = fresh_session();
  const UrlStateReport r = apply_url_state(s, "#hide=lr,batch_size,play,panel:why,theme");
  REQUIRE(r.ignored.empty());
  ui.frames(s, 3);
  for (const char* gone : {"learning_rate", "batch_size", "play", "panel:Why BN helps", "theme"}) {
    INFO(gone);
    CHECK(ui.probe().rects.count(gone) == 0);
  }
  for (const char* there : {"step", "reset", "dataset", "optimizer", "batchnorm", "panel:Data & boundary", "share"}) {
    INFO(there);
    CHECK(ui.probe().rects.count(there) == 1);
  }
  // The space key of the hidden Play button does nothing either.
  ui.press_key(s, nl::ui::testing::kSpaceKey);
  CHECK_FALSE(s.playing);
}

TEST_CASE("ui classroom: a hidden current panel gives way to the first shown one", "[ui][classroom]") {
  HeadlessUi ui;
  Session s = fresh_session();
  apply_url_state(s, "p=why&hide=panel:why,panel:data");
  ui.frames(s, 2);
  CHECK(s.view.panel == Panel::kNetwork);
  CHECK(ui.probe().rects.count("panel:Network") == 1);
  CHECK(ui.probe().rects.count("panel:Data & boundary") == 0);
}

TEST_CASE("ui classroom: locked controls do not change the session when clicked", "[ui][classroom]") {
  HeadlessUi ui;
  Session s = fresh_session();
  apply_url_state(s, "lock=1&paused=1&is=normalized");
  CHECK(s.inspector.stage == InspectorStage::kNormalized);
  ui.frames(s, 2);
  const std::uint64_t seed = s.spec.data.seed;
  ui.click(s, "batchnorm");
  CHECK(s.spec.net.hidden.front().norm == NormKind::kBatchNorm);
  ui.click(s, "regenerate");
  CHECK(s.spec.data.seed == seed);
  ui.click(s, "stop_loss");
  CHECK_FALSE(s.stop.on_loss);
  // Training controls still work under a lock.
  ui.click(s, "step");
  CHECK(step_of(s) == 1);
  CHECK_FALSE(s.playing);
}

TEST_CASE("ui classroom: the Share dialog builds a classroom link and copies it", "[ui][classroom]") {
  HeadlessUi ui;
  Session s = fresh_session();
  apply(s, act::ShowPanel{Panel::kInspector});
  ui.frames(s, 2);
  ui.click(s, "share");
  REQUIRE(s.classroom.share_open);
  ui.frames(s, 2);
  CHECK(ui.probe().rects.count("share_link") == 1);
  ui.click(s, "share_hide:lr");
  ui.click(s, "share_hide:panel:why");
  ui.click(s, "share_lock");
  CHECK(s.classroom.share_link.hidden == std::vector<std::string>{"lr", "panel:why"});
  CHECK(s.classroom.share_link.locked);
  CHECK(s.classroom.options.hidden.empty());  // the open session is not affected
  ui.click(s, "share_copy");
  const std::string copied = ImGui::GetClipboardText() ? ImGui::GetClipboardText() : "";
  CHECK(copied == "#p=inspector&hide=lr,panel:why&lock=1");
  // The copied link opens the classroom setup.
  Session t = fresh_session();
  const UrlStateReport r = apply_url_state(t, copied);
  CHECK(r.ignored.empty());
  CHECK(t.view.panel == Panel::kInspector);
  CHECK(t.classroom.options.locked);
  ui.click(s, "share_close");
  CHECK_FALSE(s.classroom.share_open);
}
