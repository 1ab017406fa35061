// Keyboard navigation (ImGuiConfigFlags_NavEnableKeyboard, on in the browser) next to the
// shortcuts: space and → play and step while no focus ring shows; once the arrows move the
// ring over the controls they belong to it; Escape gives them back to the shortcuts.
#include <imgui_internal.h>

#include "headless_ui.h"

using nl::app::Session;
using nl::app::testing::fresh_session;
using nl::ui::testing::HeadlessUi;

namespace {

constexpr int kDownKey = 264;    // our own indices for the scripted keyboard
constexpr int kEscapeKey = 256;

bool ring_shown() {
  const ImGuiContext& g = *ImGui::GetCurrentContext();
  return g.NavId != 0 && !g.NavDisableHighlight;
}

}  // namespace

TEST_CASE("keyboard: shortcuts work with keyboard navigation on, and yield to its focus ring", "[ui][keyboard]") {
  HeadlessUi ui;
  ImGuiIO& io = ImGui::GetIO();
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  io.KeyMap[ImGuiKey_DownArrow] = kDownKey;
  io.KeyMap[ImGuiKey_Escape] = kEscapeKey;
  Session s = fresh_session();
  ui.frames(s, 3);
  ui.press_key(s, nl::ui::testing::kSpaceKey);
  CHECK(s.playing);
  ui.press_key(s, nl::ui::testing::kSpaceKey);
  CHECK_FALSE(s.playing);
  const auto step0 = s.exp().metrics().step;
  ui.press_key(s, nl::ui::testing::kRightKey);
  CHECK(s.exp().metrics().step == step0 + 1);

  // The arrows bring up the focus ring; → then moves it instead of stepping.
  ui.press_key(s, kDownKey);
  ui.press_key(s, kDownKey);
  REQUIRE(ring_shown());
  const auto step1 = s.exp().metrics().step;
  ui.press_key(s, nl::ui::testing::kRightKey);
  CHECK(s.exp().metrics().step == step1);

  // Escape hides the ring: → steps again.
  ui.press_key(s, kEscapeKey);
  CHECK_FALSE(ring_shown());
  ui.press_key(s, nl::ui::testing::kRightKey);
  CHECK(s.exp().metrics().step == step1 + 1);
}
