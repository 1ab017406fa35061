// Browser-only glue: the canvas follows its page element (#normlab-root), WebGL context
// loss/restore, and the small JS hooks the page and the browser tests use.
// Compiled only for the web build.
#ifdef __EMSCRIPTEN__
#include "platform/web_glue.h"

#include <emscripten.h>
#include <emscripten/html5.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "app/actions.h"
#include "platform/runtime.h"

namespace nl::platform {

namespace {

Runtime* g_runtime = nullptr;  // the one runtime of this page (JS hooks need a global)
std::string g_reply;           // storage for strings returned to JS

EM_BOOL on_context_lost(int, const void*, void*) {
  if (g_runtime) g_runtime->on_context_lost();
  return EM_TRUE;  // preventDefault: lets the browser restore the context later
}

EM_BOOL on_context_restored(int, const void*, void*) {
  if (g_runtime) g_runtime->on_context_restored();
  return EM_TRUE;
}

float finite_or_null_guard(float v) { return std::isfinite(v) ? v : 0.0f; }

}  // namespace

void web_install(Runtime& runtime) {
  g_runtime = &runtime;
  emscripten_set_webglcontextlost_callback("#canvas", nullptr, EM_TRUE, on_context_lost);
  emscripten_set_webglcontextrestored_callback("#canvas", nullptr, EM_TRUE, on_context_restored);
}

void web_follow_container(SDL_Window* window) {
  double css_w = 0.0, css_h = 0.0;
  if (emscripten_get_element_css_size("#normlab-root", &css_w, &css_h) != EMSCRIPTEN_RESULT_SUCCESS) return;
  const int w = std::max(1, static_cast<int>(css_w)), h = std::max(1, static_cast<int>(css_h));
  int cur_w = 0, cur_h = 0;
  SDL_GetWindowSize(window, &cur_w, &cur_h);
  if (w != cur_w || h != cur_h) SDL_SetWindowSize(window, w, h);
}

}  // namespace nl::platform

using nl::platform::g_reply;
using nl::platform::g_runtime;

extern "C" {

// {"step":..,"epoch":..,"playing":..,"diverged":..,"train_loss":..,...} — numbers that are
// not finite are sent as null, never as NaN.
EMSCRIPTEN_KEEPALIVE const char* nl_state_json() {
  nlohmann::json j;
  if (g_runtime) {
    const nl::app::Session& s = g_runtime->session();
    const nl::StepMetrics& m = s.exp().metrics();
    auto num = [](float v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    j = {{"step", m.step}, {"epoch", m.epoch}, {"playing", s.playing}, {"diverged", s.exp().diverged()},
         {"batch_loss", num(m.batch_loss)}, {"train_loss", num(m.train_loss)}, {"test_loss", num(m.test_loss)},
         {"train_accuracy", num(m.train_accuracy)}, {"test_accuracy", num(m.test_accuracy)},
         {"notice", s.notice ? nlohmann::json(s.notice->message) : nlohmann::json(nullptr)},
         {"pixel_ratio", g_runtime->pixel_ratio()},
         {"panel", nl::app::panel_name(s.view.panel)},
         {"steps_per_frame", s.steps_per_frame},
         {"model_version", s.model_version},
         {"frame_ms_mean", nl::platform::finite_or_null_guard(g_runtime->stats().app.mean())}};
  }
  g_reply = j.dump();
  return g_reply.c_str();
}

// Named controls' rectangles in CSS pixels: {"play":[x0,y0,x1,y1],...}.
EMSCRIPTEN_KEEPALIVE const char* nl_ui_rects_json() {
  nlohmann::json j = nlohmann::json::object();
  if (g_runtime) {
    for (const auto& [name, r] : g_runtime->probe().rects) j[name] = {r.min.x, r.min.y, r.max.x, r.max.y};
  }
  g_reply = j.dump();
  return g_reply.c_str();
}

EMSCRIPTEN_KEEPALIVE void nl_play() {
  if (g_runtime) nl::app::apply(g_runtime->session(), nl::app::act::Play{});
}
EMSCRIPTEN_KEEPALIVE void nl_pause() {
  if (g_runtime) nl::app::apply(g_runtime->session(), nl::app::act::Pause{});
}
// Shows a panel by name ("data", "network", "inspector", "backprop", "why"); 0 if unknown.
EMSCRIPTEN_KEEPALIVE int nl_show_panel(const char* name) {
  if (!g_runtime || !name) return 0;
  const std::optional<nl::app::Panel> panel = nl::app::parse_panel(name);
  if (!panel) return 0;
  nl::app::apply(g_runtime->session(), nl::app::act::ShowPanel{*panel});
  return 1;
}
EMSCRIPTEN_KEEPALIVE void nl_step(int count) {
  if (g_runtime) nl::app::apply(g_runtime->session(), nl::app::act::Step{count});
}

}  // extern "C"
#endif  // __EMSCRIPTEN__
