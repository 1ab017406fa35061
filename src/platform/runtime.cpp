// Runtime: window, GL context, ImGui backends, and the per-frame loop body.
#include "platform/runtime.h"

#include <imgui.h>
#include <imgui_impl_opengl3.h>
#include <imgui_impl_sdl.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "app/actions.h"
#include "app/classroom_gate.h"
#include "app/schedule.h"
#include "platform/file_delivery.h"
#include "platform/gl.h"
#include "platform/web_glue.h"
#include "ui/theme.h"

namespace nl::platform {

void FrameSamples::push(float value) {
  if (ms.size() >= 10000) ms.erase(ms.begin(), ms.begin() + 5000);
  ms.push_back(value);
}

float FrameSamples::mean() const {
  if (ms.empty()) return 0.0f;
  double sum = 0.0;
  for (float v : ms) sum += v;
  return static_cast<float>(sum / static_cast<double>(ms.size()));
}

float FrameSamples::percentile(float q) const {
  if (ms.empty()) return 0.0f;
  std::vector<float> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  const auto i = static_cast<std::size_t>(q * static_cast<float>(sorted.size() - 1) + 0.5f);
  return sorted[std::min(i, sorted.size() - 1)];
}

namespace {

std::string default_asset_dir() {
#ifdef __EMSCRIPTEN__
  return "";  // preloaded at /shaders and /assets
#else
  char* base = SDL_GetBasePath();  // the executable's folder, with a trailing slash
  std::string dir = base ? base : "./";
  SDL_free(base);
  if (!dir.empty() && dir.back() == '/') dir.pop_back();
  return dir;
#endif
}

}  // namespace

Status Runtime::init(const RuntimeOptions& options) {
  asset_dir_ = options.asset_dir.empty() ? default_asset_dir() : options.asset_dir;
  export_dir_ = options.export_dir;

  Result<app::Session> session = app::make_session(app::default_spec());
  if (!session.ok()) return make_error("the default experiment is invalid: " + session.error().message);
  session_ = std::move(session.value());
  session_.playing = options.start_playing;
  session_.view.panel = options.panel;

  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
    return make_error(std::string("SDL_Init failed: ") + SDL_GetError(),
                      "on Linux, a display is needed (set DISPLAY, or run under Xvfb)");
  }
#ifdef __EMSCRIPTEN__
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_ES);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
  const char* imgui_glsl = "#version 300 es";
#else
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_CORE);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 3);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_FLAGS, SDL_GL_CONTEXT_FORWARD_COMPATIBLE_FLAG);
  const char* imgui_glsl = "#version 330 core";
#endif
  SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
  SDL_GL_SetAttribute(SDL_GL_DEPTH_SIZE, 0);
  SDL_GL_SetAttribute(SDL_GL_STENCIL_SIZE, 0);

  window_ = SDL_CreateWindow("NormLab \xE2\x80\x94 batch normalization, live", SDL_WINDOWPOS_CENTERED,
                             SDL_WINDOWPOS_CENTERED, options.width, options.height,
                             SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
#ifdef __EMSCRIPTEN__
  // The page does not create a WebGL2 context of its own to test for one (that costs as much as
  // this one): a browser without WebGL2 lands here, and the learner reads why (web/main.js).
  const char* no_gl = "NormLab needs WebGL2, which this browser or device does not provide.";
  const char* no_gl_hint = "Try a current browser, or enable hardware acceleration in its settings.";
  if (!window_) return make_error(no_gl, no_gl_hint);
  gl_context_ = SDL_GL_CreateContext(window_);
  if (!gl_context_) return make_error(no_gl, no_gl_hint);
#else
  if (!window_) {
    return make_error(std::string("SDL_CreateWindow failed: ") + SDL_GetError(),
                      "the GPU driver must offer OpenGL 3.3");
  }
  gl_context_ = SDL_GL_CreateContext(window_);
  if (!gl_context_) {
    return make_error(std::string("creating the OpenGL context failed: ") + SDL_GetError(),
                      "the GPU driver must offer OpenGL 3.3 core");
  }
#endif
  SDL_GL_MakeCurrent(window_, gl_context_);
  SDL_GL_SetSwapInterval(1);
  web_follow_container(window_);

  int window_w = 0, window_h = 0, drawable_w = 0, drawable_h = 0;
  SDL_GetWindowSize(window_, &window_w, &window_h);
  SDL_GL_GetDrawableSize(window_, &drawable_w, &drawable_h);
  pixel_ratio_ = window_w > 0 ? std::max(1.0f, static_cast<float>(drawable_w) / static_cast<float>(window_w)) : 1.0f;

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // layout comes from the app, not from a file
  ui::apply_theme(1.0f);
  const std::string font_path = asset_dir_ + "/assets/DejaVuSans.ttf";
  if (!ui::load_fonts(fonts_, font_path.c_str(), 15.0f, pixel_ratio_)) {
    std::fprintf(stderr, "normlab: cannot load %s; using ImGui's built-in font (no Greek letters)\n",
                 font_path.c_str());
  }
  if (!ImGui_ImplSDL2_InitForOpenGL(window_, gl_context_)) return make_error("ImGui SDL2 backend failed to start");
  if (!ImGui_ImplOpenGL3_Init(imgui_glsl)) return make_error("ImGui OpenGL3 backend failed to start");
  imgui_gl_ready_ = true;

  Status gl = create_gl_objects();
  if (!gl.ok()) return gl;
  web_install(*this);
  return Ok{};
}

Status Runtime::create_gl_objects() {
  return heatmap_.create(asset_dir_ + "/shaders", 512);
}

void Runtime::on_context_lost() {
  context_lost_ = true;
}

void Runtime::on_context_restored() {
  // Every GL object died with the context: the old names are meaningless now.
  if (imgui_gl_ready_) ImGui_ImplOpenGL3_Shutdown();
  imgui_gl_ready_ = ImGui_ImplOpenGL3_Init("#version 300 es");
  Status gl = create_gl_objects();
  if (!gl.ok()) std::fprintf(stderr, "normlab: after WebGL context restore: %s\n", gl.error().message.c_str());
  context_lost_ = false;
}

void Runtime::handle_event(const SDL_Event& event) {
  ImGui_ImplSDL2_ProcessEvent(&event);
  if (event.type == SDL_QUIT) quit_ = true;
  if (event.type == SDL_DROPFILE && event.drop.file != nullptr) {  // .json state or .csv points
    std::string error;
    if (auto action = action_for_file(event.drop.file, error)) actions_.push_back(std::move(*action));
    else session_.notice = app::Notice{error, {}};
    SDL_free(event.drop.file);
  }
  if (event.type == SDL_WINDOWEVENT && event.window.event == SDL_WINDOWEVENT_CLOSE &&
      event.window.windowID == SDL_GetWindowID(window_)) {
    quit_ = true;
  }
}

bool Runtime::frame() {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  SDL_Event event;
  while (SDL_PollEvent(&event)) handle_event(event);
  web_follow_container(window_);

  app::tick(session_);
  if (context_lost_) return !quit_;  // keep training; draw again once restored

  heatmap_.set_bands(session_.view.discretize_heatmap ? ui::kHeatmapBands : 0);
  heatmap_.update(session_.grid);
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplSDL2_NewFrame();
  ImGui::NewFrame();
  ui::ViewResources resources;
  resources.heatmap_texture = reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(heatmap_.texture()));
  resources.frame_ms = stats_.app.last();
  // The probe lists what THIS frame drew (the page's uiRects, the lesson outline): a control
  // of a panel no longer shown must not keep its old rectangle.
  probe_.rects.clear();
  ui::draw_app(session_, actions_, resources, &probe_);
  ImGui::Render();
  // UI actions go through the classroom gate (hidden or locked controls are refused).
  for (const app::Action& action : actions_) app::apply_from_ui(session_, action);
  actions_.clear();
  stats_.app.push(std::chrono::duration<float, std::milli>(Clock::now() - start).count());

  int w = 0, h = 0;
  SDL_GL_GetDrawableSize(window_, &w, &h);
  glViewport(0, 0, w, h);
  const ImVec4 clear = ui::window_background(session_.view.theme);
  glClearColor(clear.x, clear.y, clear.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
#ifndef __EMSCRIPTEN__
  glFinish();  // so the frame's CPU time includes submission, not a deferred queue
#endif
  stats_.total.push(std::chrono::duration<float, std::milli>(Clock::now() - start).count());
  // Exports requested this frame (Session::outbox), after drawing so a PNG is this frame.
  DeliveryOptions delivery{export_dir_, [this](int& width, int& height) { return read_pixels_rgb(width, height); }};
  deliver_exports(session_, delivery, png_waited_);
  return !quit_;
}

std::vector<unsigned char> Runtime::read_pixels_rgb(int& width, int& height) const {
  SDL_GL_GetDrawableSize(window_, &width, &height);
  std::vector<unsigned char> rgba(static_cast<std::size_t>(width) * height * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
  std::vector<unsigned char> rgb(static_cast<std::size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y) {  // GL's row 0 is the bottom row
    for (int x = 0; x < width; ++x) {
      const std::size_t src = (static_cast<std::size_t>(height - 1 - y) * width + x) * 4;
      const std::size_t dst = (static_cast<std::size_t>(y) * width + x) * 3;
      rgb[dst] = rgba[src];
      rgb[dst + 1] = rgba[src + 1];
      rgb[dst + 2] = rgba[src + 2];
    }
  }
  return rgb;
}

void Runtime::present() {
  if (!context_lost_) SDL_GL_SwapWindow(window_);
}

void Runtime::shutdown() {
  heatmap_.destroy();
  if (imgui_gl_ready_) ImGui_ImplOpenGL3_Shutdown();
  if (ImGui::GetCurrentContext()) {
    ImGui_ImplSDL2_Shutdown();
    ImGui::DestroyContext();
  }
  if (gl_context_) SDL_GL_DeleteContext(gl_context_);
  if (window_) SDL_DestroyWindow(window_);
  SDL_Quit();
  gl_context_ = nullptr;
  window_ = nullptr;
}

std::string Runtime::ui_rects_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, r] : probe_.rects) j[name] = {r.min.x, r.min.y, r.max.x, r.max.y};
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  j["display"] = {0.0f, 0.0f, display.x, display.y};
  return j.dump();
}

}  // namespace nl::platform
