// The real UI, headless, over scripted sessions: clicks, keys, hundreds of frames.
#include <cmath>

#include "headless_ui.h"

using namespace nl;
using namespace nl::app;
using nl::app::testing::fresh_session;
using nl::app::testing::step_of;
using nl::ui::testing::HeadlessUi;

TEST_CASE("ui: the first frame draws every control, the heatmap and the font", "[ui]") {
  HeadlessUi ui;
  Session s = fresh_session();
  ui.frames(s, 2);
  CHECK(ui.font_loaded());
  for (const char* name : {"play", "step", "reset", "speed", "dataset", "noise", "batchnorm", "learning_rate",
                           "batch_size", "data_area"}) {
    INFO(name);
    CHECK(ui.probe().rects.count(name) == 1);
  }
  CHECK(HeadlessUi::drew_texture(nl::ui::testing::kFakeHeatmap));
  CHECK(ImGui::GetDrawData()->TotalVtxCount > 1000);
}

TEST_CASE("ui: Play trains over hundreds of frames, Pause stops, Step takes one step", "[ui]") {
  HeadlessUi ui;
  Session s = fresh_session();
  ui.frames(s, 2);
  ui.click(s, "play");
  REQUIRE(s.playing);
  ui.frames(s, 300);
  const std::int64_t trained = step_of(s);
  CHECK(trained >= 300);
  CHECK(std::isfinite(s.exp().metrics().train_loss));
  CHECK(s.exp().metrics().train_accuracy > 0.8f);
  ui.click(s, "play");  // now labelled Pause
  CHECK_FALSE(s.playing);
  const std::int64_t paused_at = step_of(s);
  ui.frames(s, 20);
  CHECK(step_of(s) == paused_at);
  ui.click(s, "step");
  CHECK(step_of(s) == paused_at + 1);
  ui.click(s, "reset");
  CHECK(step_of(s) == 0);
}

TEST_CASE("ui: the BatchNorm checkbox switches normalization in every hidden layer", "[ui]") {
  HeadlessUi ui;
  Session s = fresh_session();
  ui.frames(s, 2);
  ui.click(s, "batchnorm");
  for (const HiddenLayerSpec& h : s.spec.net.hidden) CHECK(h.norm == NormKind::kNone);
  ui.click(s, "batchnorm");
  for (const HiddenLayerSpec& h : s.spec.net.hidden) CHECK(h.norm == NormKind::kBatchNorm);
}

TEST_CASE("ui: batch size 1 with BatchNorm shows an explanation instead of crashing", "[ui]") {
  HeadlessUi ui;
  Session s = fresh_session();
  ui.frames(s, 2);
  const auto r = ui.probe().rects.at("batch_size");
  ui.click_at(s, ImVec2(r.min.x + 1.0f, 0.5f * (r.min.y + r.max.y)));  // the slider's left end
  REQUIRE(s.spec.batch_size == 1);
  ui.click(s, "play");
  ui.frames(s, 5);
  CHECK_FALSE(s.playing);
  REQUIRE(s.notice.has_value());
  CHECK(step_of(s) == 0);
  ui.frames(s, 2);
  ui.click(s, "dismiss_notice");
  CHECK_FALSE(s.notice.has_value());
}

TEST_CASE("ui: keyboard shortcuts: space plays and pauses, right arrow steps, r resets", "[ui]") {
  HeadlessUi ui;
  Session s = fresh_session();
  ui.frames(s, 2);
  ui.press_key(s, nl::ui::testing::kRightKey);
  CHECK(step_of(s) == 1);
  ui.press_key(s, nl::ui::testing::kSpaceKey);
  CHECK(s.playing);
  ui.frames(s, 10);
  ui.press_key(s, nl::ui::testing::kSpaceKey);
  CHECK_FALSE(s.playing);
  CHECK(step_of(s) > 1);
  ui.type_char(s, 'r');
  CHECK(step_of(s) == 0);
}

TEST_CASE("ui: a phone opens on the plot, with Play and Step below it, finger-sized", "[ui]") {
  HeadlessUi ui(390.0f, 844.0f);
  Session s = fresh_session();
  ui.frames(s, 2);
  const auto plot = ui.probe().rects.at("data_plot");
  const auto play = ui.probe().rects.at("play");
  const auto step = ui.probe().rects.at("step");
  CHECK(plot.min.y >= 0.0f);
  CHECK(plot.max.x <= 390.0f);
  CHECK(plot.max.x - plot.min.x >= 250.0f);    // the plot takes most of the width
  CHECK(play.min.y > plot.max.y);              // the controls below the plot ...
  CHECK(play.max.y <= 844.0f);                 // ... and Play and Step on the first screen
  CHECK(step.max.y <= 844.0f);
  CHECK(play.max.y - play.min.y >= 44.0f);     // touch targets
  CHECK(ui.probe().rects.at("panel:Network").max.y - ui.probe().rects.at("panel:Network").min.y >= 44.0f);
  ui.click(s, "step");
  CHECK(step_of(s) == 1);
}

TEST_CASE("ui: a portrait tablet stacks the controls above the panels", "[ui]") {
  HeadlessUi ui(600.0f, 900.0f);
  Session s = fresh_session();
  ui.frames(s, 2);
  const auto play = ui.probe().rects.at("play");
  const auto data = ui.probe().rects.at("data_area");
  CHECK(play.max.x <= 600.0f);
  CHECK(data.min.y > play.max.y);  // data below the controls
  ui.click(s, "step");
  CHECK(step_of(s) == 1);
}

TEST_CASE("ui: the help overlay opens with h or the ? button and closes with its button", "[ui]") {
  HeadlessUi ui;
  Session s = fresh_session();
  ui.frames(s, 2);
  ui.type_char(s, 'h');
  CHECK(s.view.show_help);
  ui.frames(s, 2);
  ui.click(s, "help_close");
  CHECK_FALSE(s.view.show_help);
  ui.click(s, "help");
  CHECK(s.view.show_help);
}

TEST_CASE("ui: on a phone, a drag on a panel's empty space scrolls it to the controls below", "[ui]") {
  HeadlessUi ui(390.0f, 800.0f);
  Session s = fresh_session();
  apply(s, act::ShowPanel{Panel::kInspector});
  ui.frames(s, 3);
  // The panels on top (the phone layout), the controls (Play first) below them.
  const float panels_bottom = ui.probe().rects.at("play").min.y;
  const float gamma_y = ui.probe().rects.at("inspector:gamma").min.y;
  REQUIRE(gamma_y > panels_bottom);  // below the panels' fold at first
  // Drag upwards along the panel's left padding, where no widget sits.
  ui.drag(s, ImVec2(3.0f, 520.0f), ImVec2(3.0f, 220.0f));
  ui.frames(s, 2);
  const float moved_y = ui.probe().rects.at("inspector:gamma").min.y;
  INFO("gamma slider top before " << gamma_y << ", after " << moved_y);
  CHECK(moved_y < gamma_y - 200.0f);
  // A drag that starts on a widget (a slider) moves the widget, not the panel.
  const auto speed = ui.probe().rects.at("speed");
  const float speed_y = speed.min.y;
  ui.drag(s, ImVec2(speed.min.x + 4.0f, 0.5f * (speed.min.y + speed.max.y)),
          ImVec2(speed.min.x + 150.0f, 0.5f * (speed.min.y + speed.max.y) - 100.0f));
  CHECK(s.steps_per_frame > 1);
  CHECK(ui.probe().rects.at("speed").min.y == Approx(speed_y));
}
