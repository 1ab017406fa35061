// A headless ImGui harness: a real ImGui context with no rendering backend runs the
// real UI code frame by frame over a Session, with scripted mouse and keyboard input
// (ImGui 1.86 has no input-event API: io.MousePos / io.MouseDown / io.KeysDown are set
// directly). Actions the UI emits are applied exactly as the platform does.
#pragma once

#include <catch2/catch.hpp>
#include <imgui.h>

#include <cmath>
#include <map>
#include <string>
#include <utility>

#include "../app/app_fixtures.h"
#include "app/actions.h"
#include "app/classroom_gate.h"
#include "app/schedule.h"
#include "app/session.h"
#include "ui/fonts.h"
#include "ui/theme.h"
#include "ui/view.h"

namespace nl::ui::testing {

constexpr int kSpaceKey = 32;  // our own key indices for the scripted keyboard
constexpr int kRightKey = 262;
inline const ImTextureID kFakeHeatmap = reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(42));

class HeadlessUi {
 public:
  explicit HeadlessUi(float width = 1280.0f, float height = 800.0f) {
    context_ = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(width, height);
    io.IniFilename = nullptr;
    io.KeyMap[ImGuiKey_Space] = kSpaceKey;
    io.KeyMap[ImGuiKey_RightArrow] = kRightKey;
    font_loaded_ = load_fonts(fonts_, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 15.0f, 1.0f);
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    apply_theme(1.0f);
  }
  ~HeadlessUi() { ImGui::DestroyContext(context_); }
  HeadlessUi(const HeadlessUi&) = delete;
  HeadlessUi& operator=(const HeadlessUi&) = delete;

  bool font_loaded() const { return font_loaded_; }
  const UiProbe& probe() const { return probe_; }

  // One frame: UI, then the actions it emitted, then the training slice.
  void frame(app::Session& s) {
    ImGuiIO& io = ImGui::GetIO();
    io.DeltaTime = 1.0f / 60.0f;
    ImGui::NewFrame();
    ViewResources resources;
    resources.heatmap_texture = kFakeHeatmap;
    draw_app(s, actions_, resources, &probe_);
    ImGui::Render();
    for (const app::Action& a : actions_) app::apply_from_ui(s, a);  // as the platform does
    actions_.clear();
    app::tick(s, app::FrameBudget{10.0});
  }

  void frames(app::Session& s, int n) {
    for (int i = 0; i < n; ++i) frame(s);
  }

  // Moves the mouse to a point, presses and releases the left button over three frames.
  void click_at(app::Session& s, ImVec2 pos) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = pos;
    frame(s);
    io.MouseDown[0] = true;
    frame(s);
    io.MouseDown[0] = false;
    frame(s);
  }

  // Right-click (mouse button 1) at a point over three frames.
  void right_click_at(app::Session& s, ImVec2 pos) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = pos;
    frame(s);
    io.MouseDown[1] = true;
    frame(s);
    io.MouseDown[1] = false;
    frame(s);
  }

  // Left click with shift held.
  void shift_click_at(app::Session& s, ImVec2 pos) {
    ImGuiIO& io = ImGui::GetIO();
    io.KeyShift = true;
    click_at(s, pos);
    io.KeyShift = false;
  }

  // Presses at `from`, moves to `to` over `steps` frames, releases (a finger or mouse drag).
  void drag(app::Session& s, ImVec2 from, ImVec2 to, int steps = 10) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = from;
    frame(s);
    io.MouseDown[0] = true;
    frame(s);
    for (int i = 1; i <= steps; ++i) {
      const float t = static_cast<float>(i) / static_cast<float>(steps);
      io.MousePos = ImVec2(from.x + (to.x - from.x) * t, from.y + (to.y - from.y) * t);
      frame(s);
    }
    io.MouseDown[0] = false;
    frame(s);
  }

  void click(app::Session& s, const std::string& control) {
    INFO("clicking " << control);
    REQUIRE(probe_.rects.count(control) == 1);
    click_at(s, probe_.centre(control));
  }

  void press_key(app::Session& s, int key) {
    ImGuiIO& io = ImGui::GetIO();
    io.KeysDown[key] = true;
    frame(s);
    io.KeysDown[key] = false;
    frame(s);
  }

  void type_char(app::Session& s, char c) {
    ImGui::GetIO().AddInputCharacter(static_cast<unsigned>(c));
    frame(s);
  }

  // Did the last frame draw anything with this texture?
  static bool drew_texture(ImTextureID id) {
    const ImDrawData* dd = ImGui::GetDrawData();
    if (!dd) return false;
    for (int l = 0; l < dd->CmdListsCount; ++l) {
      for (const ImDrawCmd& cmd : dd->CmdLists[l]->CmdBuffer) {
        if (cmd.TextureId == id && cmd.ElemCount > 0) return true;
      }
    }
    return false;
  }

 private:
  ImGuiContext* context_ = nullptr;
  FontSetup fonts_;
  UiProbe probe_;
  app::ActionQueue actions_;
  bool font_loaded_ = false;
};

// The text of the last frame: glyph quads decoded through the atlas, one line per baseline
// run, a space where the gap between two glyphs is wider than a third of the font size.
inline std::string drawn_text() {
  std::map<std::pair<float, float>, const ImFontGlyph*> by_uv;
  for (const ImFont* font : ImGui::GetIO().Fonts->Fonts)
    for (const ImFontGlyph& g : font->Glyphs)
      if (g.Visible) by_uv[{g.U0, g.V0}] = &g;
  const ImDrawData* dd = ImGui::GetDrawData();
  std::string text;
  for (int l = 0; dd && l < dd->CmdListsCount; ++l) {
    const ImDrawList* list = dd->CmdLists[l];
    const ImDrawIdx* idx = list->IdxBuffer.Data;
    const ImDrawVert* vtx = list->VtxBuffer.Data;
    const int n = list->IdxBuffer.Size;
    float last_x1 = 0.0f, last_y0 = -1e9f;
    for (int k = 0; k + 5 < n;) {
      const ImDrawIdx b = idx[k];
      // ImDrawList::PrimRectUV: indices b, b+1, b+2, b, b+2, b+3; UVs (u0,v0) and (u1,v1) at b and b+2.
      const bool quad = idx[k + 1] == b + 1 && idx[k + 2] == b + 2 && idx[k + 3] == b && idx[k + 4] == b + 2 &&
                        idx[k + 5] == b + 3;
      if (!quad) {
        k += 3;
        continue;
      }
      k += 6;
      const auto it = by_uv.find({vtx[b].uv.x, vtx[b].uv.y});
      if (it == by_uv.end() || it->second->U1 != vtx[b + 2].uv.x || it->second->V1 != vtx[b + 2].uv.y) continue;
      const float x0 = vtx[b].pos.x, y0 = vtx[b].pos.y - it->second->Y0, x1 = vtx[b + 2].pos.x;
      if (std::abs(y0 - last_y0) > 1.0f || x0 < last_x1 - 1.0f) text += '\n';
      else if (x0 - last_x1 > ImGui::GetFontSize() / 3.0f) text += ' ';
      const unsigned c = it->second->Codepoint;
      text += c < 128 ? static_cast<char>(c) : '?';
      last_x1 = x1;
      last_y0 = y0;
    }
    text += '\n';
  }
  return text;
}

// Whether the last frame drew `needle`, ignoring spaces and line breaks (drawn_text cannot
// always tell a narrow space from a glyph gap, and wrapping breaks lines anywhere).
inline bool drew_text(const std::string& needle) {
  const auto squeeze = [](const std::string& t) {
    std::string out;
    for (char c : t)
      if (c != ' ' && c != '\n') out += c;
    return out;
  };
  return squeeze(drawn_text()).find(squeeze(needle)) != std::string::npos;
}

}  // namespace nl::ui::testing
