// The UI font: DejaVu Sans with the glyphs NormLab's formulas need (μ σ γ β ε, the
// combining circumflex of x̂, √ Σ ² ≈ → ...), rasterized at the device pixel ratio so
// text stays crisp on high-DPI screens.
#pragma once

#include <imgui.h>

namespace nl::ui {

struct FontSetup {
  ImVector<ImWchar> ranges;  // must outlive the font atlas build
  ImFont* body = nullptr;
  ImFont* mono = nullptr;    // same face for now; numbers use tabular layout via format
};

// Adds DejaVu Sans from `ttf_path` to the current context's atlas at `size_px` logical
// pixels times `pixel_ratio`, and sets FontGlobalScale so logical sizes stay the same.
// Returns false (and keeps ImGui's built-in font) if the file cannot be loaded.
bool load_fonts(FontSetup& setup, const char* ttf_path, float size_px, float pixel_ratio);

}  // namespace nl::ui
