// Browser-only glue: the canvas follows its page element (#normlab-root), WebGL context
// loss/restore, the clipboard, and the JS hooks of the page API (web/normlab-page.js): API
// messages, the URL hash, screen-reader announcements. Thin: the logic is in src/app
// (api_message.h, url_state.h, announce.h). Compiled only for the web build.
#ifdef __EMSCRIPTEN__
#include "platform/web_glue.h"

#include <emscripten.h>
#include <emscripten/html5.h>
#include <imgui.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

#include "app/actions.h"
#include "app/announce.h"
#include "app/api_message.h"
#include "app/url_state.h"
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

app::Announcer g_announcer;  // screen-reader text, recomputed only when it changes
std::string g_clipboard;     // what ImGui pastes (reading the system clipboard needs a user prompt)

// navigator.clipboard where the page may use it; a text starting with '#' (a link's hash, as
// the Share dialog builds it) is copied as the page's address with that hash. Never throws:
// a sandboxed frame or a denied permission only tells the page (Module.onClipboard).
EM_JS(void, nl_js_copy_text, (const char* text_ptr), {
  let text = UTF8ToString(text_ptr);
  if (text.charAt(0) === '#') text = location.href.split('#')[0] + text;
  const report = function (ok) { if (typeof Module.onClipboard === 'function') Module.onClipboard(text, ok); };
  try {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { report(true); }, function () { report(false); });
    } else {
      report(false);
    }
  } catch (e) {
    report(false);
  }
});

void set_clipboard(void*, const char* text) {
  g_clipboard = text ? text : "";
  nl_js_copy_text(g_clipboard.c_str());
}
const char* get_clipboard(void*) { return g_clipboard.c_str(); }

}  // namespace

void web_install(Runtime& runtime) {
  g_runtime = &runtime;
  emscripten_set_webglcontextlost_callback("#canvas", nullptr, EM_TRUE, on_context_lost);
  emscripten_set_webglcontextrestored_callback("#canvas", nullptr, EM_TRUE, on_context_restored);
  ImGuiIO& io = ImGui::GetIO();
  io.SetClipboardTextFn = set_clipboard;
  io.GetClipboardTextFn = get_clipboard;
  io.ClipboardUserData = nullptr;
  // Arrow keys move a focus ring over the controls, space/Enter press the focused one,
  // Escape hands the keys back to the shortcuts (ui/app_view.cpp).
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
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

using nl::platform::g_announcer;
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

// Named controls' rectangles in CSS pixels: {"play":[x0,y0,x1,y1],...,"display":[0,0,w,h]}.
// With nl_state_json, only for the page's test hooks (web/normlab-page.js, NormLabTestHooks).
EMSCRIPTEN_KEEPALIVE const char* nl_ui_rects_json() {
  g_reply = g_runtime ? g_runtime->ui_rects_json() : "{}";
  return g_reply.c_str();
}

// The page API (app/api_message.h): one message text in, the reply JSON out. The page passes
// the text through nl_alloc'd memory (large states would not fit on the stack).
EMSCRIPTEN_KEEPALIVE const char* nl_api_message(const char* text) {
  if (!g_runtime || !text) {
    g_reply = nl::app::api_error_text(nullptr, nl::make_error("NormLab is not running yet"));
  } else {
    g_reply = nl::app::handle_api_message(g_runtime->session(), text);
  }
  return g_reply.c_str();
}
EMSCRIPTEN_KEEPALIVE void* nl_alloc(int bytes) { return bytes > 0 ? std::malloc(static_cast<std::size_t>(bytes)) : nullptr; }
EMSCRIPTEN_KEEPALIVE void nl_free(void* p) { std::free(p); }

// {"step", "playing", "state"} polled each animation frame for the page's events.
EMSCRIPTEN_KEEPALIVE const char* nl_api_poll() {
  g_reply = g_runtime ? nl::app::api_poll(g_runtime->session()).dump() : std::string("null");
  return g_reply.c_str();
}

// The URL hash for the current state (without '#'; "" at the defaults).
EMSCRIPTEN_KEEPALIVE const char* nl_url_hash() {
  g_reply = g_runtime ? nl::app::encode_url_state(g_runtime->session()) : std::string();
  return g_reply.c_str();
}

// Applies a hash; {"ignored": [..], "unknown": [..]} (the Notice already lists what was ignored).
EMSCRIPTEN_KEEPALIVE const char* nl_apply_url_hash(const char* hash) {
  nlohmann::json j = {{"ignored", nlohmann::json::array()}, {"unknown", nlohmann::json::array()}};
  if (g_runtime && hash) {
    const nl::app::UrlStateReport r = nl::app::apply_url_state(g_runtime->session(), hash);
    j = {{"ignored", r.ignored}, {"unknown", r.unknown}};
  }
  g_reply = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return g_reply.c_str();
}

// The screen-reader text if it changed since the last call, else "".
EMSCRIPTEN_KEEPALIVE const char* nl_announce() {
  g_reply = g_runtime && g_announcer.update(g_runtime->session()) ? g_announcer.text() : std::string();
  return g_reply.c_str();
}

// 1 while a text field has the keyboard (the page then leaves Tab to the app).
EMSCRIPTEN_KEEPALIVE int nl_wants_text_input() {
  return g_runtime && ImGui::GetCurrentContext() && ImGui::GetIO().WantTextInput ? 1 : 0;
}

}  // extern "C"
#endif  // __EMSCRIPTEN__
