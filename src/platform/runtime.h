// The app as the platform sees it: init / frame / handle_event / shutdown, the same on
// the desktop (main_native.cpp loops) and in the browser (main_web.cpp registers frame).
// Owns the window, the GL context, ImGui and the Session; everything else lives in app/ui.
#pragma once

#include <SDL.h>

#include <string>
#include <vector>

#include "app/session.h"
#include "core/result.h"
#include "platform/heatmap_renderer.h"
#include "ui/fonts.h"
#include "ui/view.h"

namespace nl::platform {

struct RuntimeOptions {
  int width = 1280, height = 800;  // initial window size (desktop)
  bool start_playing = false;
  app::Panel panel = app::Panel::kData;  // the panel shown first
  std::string asset_dir;           // holds shaders/ and assets/ ("" = next to the executable)
  std::string export_dir;          // desktop: where exported files go ("" = current directory)
};

// Milliseconds per frame, the most recent 10000 frames.
struct FrameSamples {
  std::vector<float> ms;
  void push(float value);
  float last() const { return ms.empty() ? 0.0f : ms.back(); }
  float mean() const;
  float percentile(float q) const;  // q in [0, 1]
};

// CPU time per frame, never the vsync wait.
//   app:   input, the training slice, the heatmap upload, building the UI (what NormLab
//          itself costs);
//   total: app plus GL submission until the GPU finished (natively; with a software GL
//          such as llvmpipe under Xvfb this includes rasterizing the frame on the CPU).
struct FrameStats {
  FrameSamples app;
  FrameSamples total;
};

class Runtime {
 public:
  Status init(const RuntimeOptions& options);
  // One frame. Returns false when the user asked to quit.
  bool frame();
  // Shows the frame (desktop; the browser presents by itself after each frame).
  void present();
  void handle_event(const SDL_Event& event);
  void shutdown();

  // WebGL context loss: stop drawing; on restore, recreate every GL object. The
  // session (training state) is untouched by both.
  void on_context_lost();
  void on_context_restored();

  // Reads the current back buffer (for --screenshot), top row first.
  std::vector<unsigned char> read_pixels_rgb(int& width, int& height) const;

  app::Session& session() { return session_; }
  const ui::UiProbe& probe() const { return probe_; }
  // The named rectangles the last frame drew, and "display" (the window), in ImGui's units
  // (CSS pixels on the web): {"play":[x0,y0,x1,y1],...,"display":[0,0,w,h]}. For tests.
  std::string ui_rects_json() const;
  const FrameStats& stats() const { return stats_; }
  float pixel_ratio() const { return pixel_ratio_; }

 private:
  Status create_gl_objects();

  SDL_Window* window_ = nullptr;
  SDL_GLContext gl_context_ = nullptr;
  app::Session session_;
  app::ActionQueue actions_;
  ui::UiProbe probe_;
  ui::FontSetup fonts_;
  HeatmapRenderer heatmap_;
  FrameStats stats_;
  std::string asset_dir_;
  float pixel_ratio_ = 1.0f;
  bool quit_ = false;
  bool context_lost_ = false;
  bool imgui_gl_ready_ = false;
  std::string export_dir_;         // RuntimeOptions::export_dir
  bool png_waited_ = false;        // a PNG export waits one frame (file_delivery.h)
};

}  // namespace nl::platform
