// Renders the decision grid (P(class 1) per cell) through shaders/heatmap.frag into an
// offscreen texture the UI shows with ImGui::Image. GPU objects only; the numbers come
// from app::DecisionGrid. Recreated after a WebGL context loss.
#pragma once

#include <cstdint>
#include <string>

#include "app/session.h"
#include "core/result.h"
#include "platform/gl.h"

namespace nl::platform {

class HeatmapRenderer {
 public:
  // Compiles the shaders and allocates the textures; size = output texture side in pixels.
  Status create(const std::string& shader_dir, int size);
  // Frees GL objects (safe to call twice, or after a context loss).
  void destroy();
  // Re-renders if the grid changed since the last call (or force is set). Leaves the viewport
  // at the texture's size: set it again before drawing to the screen.
  void update(const app::DecisionGrid& grid, bool force = false);
  // Discretized heatmap: `bands` confidence bands per class (0 = smooth). Takes effect
  // (re-rendering) on the next update().
  void set_bands(int bands) { if (bands != bands_) { bands_ = bands; rendered_ = false; } }
  GLuint texture() const { return output_texture_; }

 private:
  GLuint program_ = 0, vao_ = 0, fbo_ = 0;
  GLuint input_texture_ = 0;   // R8 grid, resolution x resolution
  GLuint output_texture_ = 0;  // RGBA8 heatmap, size_ x size_
  int size_ = 0, input_resolution_ = 0;
  std::uint64_t rendered_version_ = 0;
  bool rendered_ = false;
  int bands_ = 0;
};

}  // namespace nl::platform
