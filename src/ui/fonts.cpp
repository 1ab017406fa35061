// Glyph ranges and font loading.
#include "ui/fonts.h"

namespace nl::ui {

bool load_fonts(FontSetup& setup, const char* ttf_path, float size_px, float pixel_ratio) {
  ImGuiIO& io = ImGui::GetIO();
  ImFontGlyphRangesBuilder builder;
  builder.AddRanges(io.Fonts->GetGlyphRangesDefault());  // Basic Latin + Latin-1
  static const ImWchar kExtra[] = {
      0x0300, 0x036F,  // combining diacritical marks (x̂ = x + U+0302)
      0x0370, 0x03FF,  // Greek: μ σ γ β ε
      0x2000, 0x206F,  // general punctuation: – — … ‖
      0x2070, 0x209F,  // superscripts and subscripts: ² ⁻ ¹ ᵦ
      0x2190, 0x21FF,  // arrows: → ←
      0x2200, 0x22FF,  // mathematical operators: √ Σ ∑ ≈ ≤ ≥ ∂ ·
      0x25A0, 0x25FF,  // geometric shapes: ● ■ ▶
      0,
  };
  builder.AddRanges(kExtra);
  setup.ranges.clear();
  builder.BuildRanges(&setup.ranges);

  ImFontConfig config;
  config.OversampleH = 2;
  config.OversampleV = 1;
  config.PixelSnapH = false;
  setup.body = io.Fonts->AddFontFromFileTTF(ttf_path, size_px * pixel_ratio, &config, setup.ranges.Data);
  if (setup.body == nullptr) {
    io.Fonts->Clear();
    setup.body = io.Fonts->AddFontDefault();
    io.FontGlobalScale = 1.0f;
    return false;
  }
  setup.mono = setup.body;
  io.FontGlobalScale = 1.0f / pixel_ratio;
  return true;
}

}  // namespace nl::ui
